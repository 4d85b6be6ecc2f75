import Testing
@testable import Kernels

struct SwiGLUTests {
    @Test func handValues() {
        // silu(2) * 3 = 3 * 2 / (1 + e^-2); silu(0) * 5 = 0.
        var y: [Float] = [0, 0]
        swiGLUForward(gate: [2, 0], up: [3, 5], y: &y, count: 2)
        #expect(abs(y[0] - 5.2847824) <= 5e-7 && y[1] == 0)
        // d/dg at g = 0: up * sigmoid(0) * (1 + 0) = up / 2; d/du = silu(0) = 0.
        var dg: [Float] = [0], du: [Float] = [0]
        swiGLUBackward(gate: [0], up: [5], dy: [2], dgate: &dg, dup: &du, count: 1)
        #expect(dg[0] == 5 && du[0] == 0)
    }

    @Test func matchesReferenceAndIsThreadCountIndependent() {
        let n = 2 * transcendentalGrain + 3  // two parallel chunks
        let g = FusedCheck.random(n, seed: 61, in: -12...12), u = FusedCheck.random(n, seed: 62, in: -3...3)
        let dy = FusedCheck.random(n, seed: 63)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = [Float](repeating: 0, count: n), dg = y, du = y
            swiGLUForward(gate: g, up: u, y: &y, count: n)
            swiGLUBackward(gate: g, up: u, dy: dy, dgate: &dg, dup: &du, count: n)
            return y + dg + du
        }
        #expect(FusedCheck.sameBits(one, two))
        let m = 1003  // reference on a prefix keeps the debug run short
        var y = [Float](repeating: 0, count: m), dg = y, du = y
        Reference.swiGLUForward(gate: g, up: u, y: &y, count: m)
        Reference.swiGLUBackward(gate: g, up: u, dy: dy, dgate: &dg, dup: &du, count: m)
        #expect(FusedCheck.worstRatio(Array(one[0..<m]), y, atol: 1e-7, rtol: 1e-6) <= 1)
        #expect(FusedCheck.worstRatio(Array(one[n..<(n + m)]), dg, atol: 1e-6, rtol: 2e-6) <= 1)
        #expect(FusedCheck.worstRatio(Array(one[(2 * n)..<(2 * n + m)]), du, atol: 1e-7, rtol: 1e-6) <= 1)
    }

    @Test func gradientsMayOverwriteInputs() {
        let n = 21
        let g = FusedCheck.random(n, seed: 64), u = FusedCheck.random(n, seed: 65), dy = FusedCheck.random(n, seed: 66)
        var dg = [Float](repeating: 0, count: n), du = dg
        swiGLUBackward(gate: g, up: u, dy: dy, dgate: &dg, dup: &du, count: n)
        var gi = g, ui = u
        gi.withUnsafeMutableBufferPointer { gp in
            ui.withUnsafeMutableBufferPointer { up in
                swiGLUBackward(gate: gp.baseAddress!, up: up.baseAddress!, dy: dy, dgate: gp.baseAddress!, dup: up.baseAddress!, count: n)
            }
        }
        #expect(gi == dg && ui == du)
    }
}
