import Testing
@testable import Kernels

struct AdamWTests {
    @Test func twoStepHandExample() {
        // lr 0.1, betas (0.5, 0.75), eps 0, weight decay 0.5, p0 = 1, g = 0.5 then -0.5.
        // Step 1: p = 0.95; m = 0.25; v = 0.0625; m̂ = 0.5; √v̂ = 0.5; p = 0.95 - 0.1 = 0.85.
        // Step 2: p = 0.8075; m = -0.125; v = 0.109375; m̂ = -1/6; √v̂ = 0.5; p = 0.8075 + 1/30.
        var p: [Float] = [1], m: [Float] = [0], v: [Float] = [0]
        for (step, g) in [(1, Float(0.5)), (2, -0.5)] {
            adamWUpdate(
                parameter: &p, gradient: [g], m: &m, v: &v, count: 1, learningRate: 0.1, beta1: 0.5, beta2: 0.75,
                epsilon: 0, weightDecay: 0.5, step: step)
            if step == 1 {
                #expect(abs(p[0] - 0.85) <= 1e-7 && m[0] == 0.25 && v[0] == 0.0625)
            }
        }
        #expect(abs(p[0] - Float(0.8075 + 1.0 / 30)) <= 1e-7)
        #expect(m[0] == -0.125 && v[0] == 0.109375)
    }

    @Test func matchesTorchOptimAdamW() {
        // Produced by Scripts/fused_adamw_reference.py (torch 2.15, float32, foreach=False):
        // two steps, lr 0.01, betas (0.9, 0.999), eps 1e-8, weight_decay 0.1.
        var p: [Float] = [0.5, -1.25, 2.0, 0.0, -0.75, 3.5, 1e-3, -4.0, 0.25]
        let grads: [[Float]] = [
            [0.1, -0.2, 0.3, 0.0, 1.5, -2.5, 1e-4, 0.05, -0.6],
            [-0.3, 0.25, 0.1, 0.7, -1.0, -2.0, 2e-4, 0.0, 0.4],
        ]
        let torchP: [[Float]] = [
            [0.4895000159740448, -1.2387499809265137, 1.9880000352859497, 0.0, -0.7592499852180481,
             3.506500005722046, -0.008999999612569809, -4.00600004196167, 0.25975000858306885],
            [0.4939524233341217, -1.2391386032104492, 1.9773014783859253, -0.007441368419677019,
             -0.7599359750747681, 3.5128748416900635, -0.018642209470272064, -4.008694648742676, 0.2609354555606842],
        ]
        let torchM: [Float] = [
            -0.020999999716877937, 0.007000000216066837, 0.03700000047683716, 0.07000000029802322,
            0.03500000759959221, -0.42500001192092896, 2.89999989036005e-05, 0.004500000271946192,
            -0.014000000432133675,
        ]
        let torchV: [Float] = [
            9.999000758398324e-05, 0.00010246000601910055, 9.991001570597291e-05, 0.0004900000058114529,
            0.0032477499917149544, 0.010243751108646393, 4.9989998252009116e-11, 2.497500190656865e-06,
            0.0005196400452405214,
        ]
        var m = [Float](repeating: 0, count: 9), v = m
        for step in 1...2 {
            adamWUpdate(
                parameter: &p, gradient: grads[step - 1], m: &m, v: &v, count: 9, learningRate: 0.01, beta1: 0.9,
                beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: step)
            #expect(FusedCheck.worstRatio(p, torchP[step - 1], atol: 1e-9, rtol: 3e-7) <= 1, "step \(step)")
        }
        #expect(FusedCheck.worstRatio(m, torchM, atol: 1e-9, rtol: 4e-7) <= 1)
        // Python passes beta2 = 0.999 exactly; here it is Float(0.999), so 1 - beta2 differs by
        // 1.3e-5 relative and v by as much.
        #expect(FusedCheck.worstRatio(v, torchV, atol: 0, rtol: 1.5e-5) <= 1)
    }

    @Test func matchesReferenceAndIsThreadCountIndependent() {
        let n = 2 * transcendentalGrain + 1001  // two parallel chunks
        let p0 = FusedCheck.random(n, seed: 31, in: -2...2), g = FusedCheck.random(n, seed: 32, in: -1...1)
        let m0 = FusedCheck.random(n, seed: 33, in: -0.1...0.1), v0 = FusedCheck.random(n, seed: 34, in: 0...0.01)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var p = p0, m = m0, v = v0
            adamWUpdate(
                parameter: &p, gradient: g, m: &m, v: &v, count: n, learningRate: 3e-3, beta1: 0.9, beta2: 0.95,
                epsilon: 1e-8, weightDecay: 0.01, step: 7)
            return p + m + v
        }
        #expect(FusedCheck.sameBits(one, two))
        var p = p0, m = m0, v = v0
        Reference.adamWUpdate(
            parameter: &p, gradient: g, m: &m, v: &v, count: n, learningRate: 3e-3, beta1: 0.9, beta2: 0.95,
            epsilon: 1e-8, weightDecay: 0.01, step: 7)
        // m = b1 m + (1 - b1) g can cancel, so it gets an absolute tolerance at its scale (0.1).
        #expect(FusedCheck.worstRatio(Array(one[0..<n]), p, atol: 1e-8, rtol: 1e-6) <= 1)
        #expect(FusedCheck.worstRatio(Array(one[n..<(2 * n)]), m, atol: 2e-8, rtol: 1e-6) <= 1)
        #expect(FusedCheck.worstRatio(Array(one[(2 * n)...]), v, atol: 0, rtol: 1e-6) <= 1)
    }
}
