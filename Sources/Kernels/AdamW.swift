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
    adamWUpdate(
        [AdamWSegment(
            parameter: parameter, gradient: gradient, m: m, v: v, count: count, weightDecay: weightDecay, step: step)],
        learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon)
}

/// One parameter tensor in a batched ``adamWUpdate(_:learningRate:beta1:beta2:epsilon:)``.
public struct AdamWSegment {
    public var parameter: UnsafeMutablePointer<Float>
    public var gradient: UnsafePointer<Float>
    public var m: UnsafeMutablePointer<Float>
    public var v: UnsafeMutablePointer<Float>
    public var count: Int
    public var weightDecay: Float
    /// This tensor's step, counting from 1.
    public var step: Int

    public init(
        parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, count: Int, weightDecay: Float, step: Int
    ) {
        precondition(step >= 1, "adamWUpdate: step \(step) must count from 1")
        precondition(count >= 0, "adamWUpdate: negative count \(count)")
        self.parameter = parameter
        self.gradient = gradient
        self.m = m
        self.v = v
        self.count = count
        self.weightDecay = weightDecay
        self.step = step
    }
}

/// The AdamW step of many tensors at once, each exactly as
/// ``adamWUpdate(parameter:gradient:m:v:count:learningRate:beta1:beta2:epsilon:weightDecay:step:)``
/// would update it. The tensors' elements are cut into chunks of one parallel loop: a
/// small model's tensors (16 K elements and the like) are each below one chunk's worth of
/// work, so updating them one by one ran on the calling thread alone.
public func adamWUpdate(
    _ segments: [AdamWSegment], learningRate: Float, beta1: Float, beta2: Float, epsilon: Float
) {
    var chunks: [(segment: Int, range: Range<Int>)] = []
    for (index, segment) in segments.enumerated() {
        var start = 0
        while start < segment.count {
            let end = min(segment.count, start + transcendentalGrain)
            chunks.append((index, start..<end))
            start = end
        }
    }
    let constants = segments.map { segment in
        // Bias corrections in Double like PyTorch (Python floats), then rounded once.
        let bc1 = 1 - Foundation.pow(Double(beta1), Double(segment.step))
        let bc2 = 1 - Foundation.pow(Double(beta2), Double(segment.step))
        return AdamWConstants(
            stepSize: Float(Double(learningRate) / bc1), bc2Sqrt: Float(bc2.squareRoot()),
            decay: Float(1 - Double(learningRate) * Double(segment.weightDecay)), beta2: beta2,
            oneMinusBeta1: 1 - beta1, oneMinusBeta2: 1 - beta2, epsilon: epsilon)
    }
    Parallel.forEach(chunks.count) { index in
        let (s, range) = chunks[index]
        let segment = segments[s], constants = constants[s]
        let parameter = segment.parameter, gradient = segment.gradient, m = segment.m, v = segment.v
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let (p, mv, vv) = constants.update(load8(parameter + i), load8(gradient + i), load8(m + i), load8(v + i))
            store8(p, parameter + i)
            store8(mv, m + i)
            store8(vv, v + i)
            i += 8
        }
        let rest = range.upperBound - i
        if rest > 0 {
            var pp = SIMD8<Float>(), g = pp, mv = pp, vv = pp
            for k in 0..<rest { pp[k] = parameter[i + k]; g[k] = gradient[i + k]; mv[k] = m[i + k]; vv[k] = v[i + k] }
            let (p2, m2, v2) = constants.update(pp, g, mv, vv)
            for k in 0..<rest { parameter[i + k] = p2[k]; m[i + k] = m2[k]; v[i + k] = v2[k] }
        }
    }
}

/// Per-step AdamW scalars broadcast to SIMD lanes.
@usableFromInline
struct AdamWConstants {
    @usableFromInline let stepSize, bc2Sqrt, decay, beta2, oneMinusBeta1, oneMinusBeta2, epsilon: SIMD8<Float>

    init(stepSize: Float, bc2Sqrt: Float, decay: Float, beta2: Float, oneMinusBeta1: Float, oneMinusBeta2: Float, epsilon: Float) {
        self.stepSize = SIMD8(repeating: stepSize)
        self.bc2Sqrt = SIMD8(repeating: bc2Sqrt)
        self.decay = SIMD8(repeating: decay)
        self.beta2 = SIMD8(repeating: beta2)
        self.oneMinusBeta1 = SIMD8(repeating: oneMinusBeta1)
        self.oneMinusBeta2 = SIMD8(repeating: oneMinusBeta2)
        self.epsilon = SIMD8(repeating: epsilon)
    }

    /// New (parameter, m, v) for eight lanes, in PyTorch's operation order.
    @_transparent @usableFromInline
    func update(_ p: SIMD8<Float>, _ g: SIMD8<Float>, _ m: SIMD8<Float>, _ v: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>)
    {
        // m.lerp_(g, 1 - beta1); v.mul_(beta2).addcmul_(g, g, value: 1 - beta2)
        let mNew = fusedMultiplyAdd(m, oneMinusBeta1, g - m)
        let vNew = fusedMultiplyAdd(beta2 * v, oneMinusBeta2 * g, g)
        // p.mul_(1 - lr wd); p.addcdiv_(m, sqrt(v) / sqrt(bc2) + eps, value: -lr / bc1)
        let denom = vectorSqrt(vNew) / bc2Sqrt + epsilon
        let pNew = fusedMultiplyAdd(p * decay, -stepSize, mNew / denom)
        return (pNew, mNew, vNew)
    }
}
