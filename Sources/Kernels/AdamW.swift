import Foundation

/// One AdamW step with `torch.optim.AdamW` semantics (`step` counts from 1):
///
///     p -= lr * weightDecay * p
///     m = beta1 * m + (1 - beta1) * g
///     v = beta2 * v + (1 - beta2) * g * g
///     p -= lr * (m / (1 - beta1^step)) / (sqrt(v / (1 - beta2^step)) + epsilon)
///
/// evaluated in PyTorch's order (`step_size = lr / bc1`, `denom = sqrt(v) / sqrt(bc2) + eps`).
public func adamWUpdate(
    parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
    v: UnsafeMutablePointer<Float>, count: Int, learningRate: Float, beta1: Float, beta2: Float,
    epsilon: Float, weightDecay: Float, step: Int
) {
    precondition(step >= 1, "adamWUpdate: step \(step) must count from 1")
    precondition(count >= 0, "adamWUpdate: negative count \(count)")
    // Bias corrections in Double like PyTorch (Python floats), then rounded once.
    let bc1 = 1 - Foundation.pow(Double(beta1), Double(step))
    let bc2 = 1 - Foundation.pow(Double(beta2), Double(step))
    let stepSize = SIMD8<Float>(repeating: Float(Double(learningRate) / bc1))
    let bc2Sqrt = SIMD8<Float>(repeating: Float(bc2.squareRoot()))
    let decay = SIMD8<Float>(repeating: Float(1 - Double(learningRate) * Double(weightDecay)))
    let b2 = SIMD8<Float>(repeating: beta2)
    let c1 = SIMD8<Float>(repeating: 1 - beta1), c2 = SIMD8<Float>(repeating: 1 - beta2)
    let eps = SIMD8<Float>(repeating: epsilon)

    @inline(__always)
    func update(_ p: SIMD8<Float>, _ g: SIMD8<Float>, _ mv: SIMD8<Float>, _ vv: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        // PyTorch: m.lerp_(g, 1 - beta1); v.mul_(beta2).addcmul_(g, g, value: 1 - beta2).
        let mNew = fusedMultiplyAdd(mv, c1, g - mv)
        let vNew = fusedMultiplyAdd(b2 * vv, c2 * g, g)
        let denom = vectorSqrt(vNew) / bc2Sqrt + eps
        let pNew = fusedMultiplyAdd(p * decay, -stepSize, mNew / denom)
        return (pNew, mNew, vNew)
    }

    forEachRange(count: count, grain: elementwiseGrain / 2) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let (p, mv, vv) = update(load8(parameter + i), load8(gradient + i), load8(m + i), load8(v + i))
            store8(p, parameter + i)
            store8(mv, m + i)
            store8(vv, v + i)
            i += 8
        }
        let rest = range.upperBound - i
        if rest > 0 {
            var pp = SIMD8<Float>(), g = pp, mv = pp, vv = pp
            for k in 0..<rest { pp[k] = parameter[i + k]; g[k] = gradient[i + k]; mv[k] = m[i + k]; vv[k] = v[i + k] }
            let (p2, m2, v2) = update(pp, g, mv, vv)
            for k in 0..<rest { parameter[i + k] = p2[k]; m[i + k] = m2[k]; v[i + k] = v2[k] }
        }
    }
}
