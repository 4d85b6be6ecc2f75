import Foundation

extension Reference {
    /// Naive attention with the contract of
    /// ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)``: materialises
    /// the full score matrix of each (batch, head) and accumulates in Double.
    public static func attentionForward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
        shape: AttentionShape, mask: UnsafePointer<Bool>? = nil, maskBatchStride: Int? = nil
    ) {
        let s = shape
        let result = attentionForward(
            q: doubles(q, s.batch * s.queryLength * s.heads * s.headDim),
            k: doubles(k, s.batch * s.keyLength * s.kvHeads * s.headDim),
            v: doubles(v, s.batch * s.keyLength * s.kvHeads * s.headDim),
            shape: s, mask: maskFunction(mask, shape: s, maskBatchStride: maskBatchStride))
        for (i, x) in result.out.enumerated() { out[i] = Float(x) }
        for (i, x) in result.logSumExp.enumerated() { logSumExp[i] = Float(x) }
    }

    /// Naive analytic gradient of ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)``
    /// for the loss whose gradient with respect to `out` is `dOut`; recomputes the softmax
    /// (it needs neither `out` nor `logSumExp`) and accumulates in Double. `dq`, `dk`, `dv`
    /// are overwritten.
    public static func attentionBackward(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
        dOut: UnsafePointer<Float>,
        dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
        shape: AttentionShape, mask: UnsafePointer<Bool>? = nil, maskBatchStride: Int? = nil
    ) {
        let s = shape
        let queryCount = s.batch * s.queryLength * s.heads * s.headDim
        let keyCount = s.batch * s.keyLength * s.kvHeads * s.headDim
        let grads = attentionBackward(
            q: doubles(q, queryCount), k: doubles(k, keyCount), v: doubles(v, keyCount),
            dOut: doubles(dOut, queryCount), shape: s,
            mask: maskFunction(mask, shape: s, maskBatchStride: maskBatchStride))
        for i in 0..<queryCount { dq[i] = Float(grads.dq[i]) }
        for i in 0..<keyCount { dk[i] = Float(grads.dk[i]); dv[i] = Float(grads.dv[i]) }
    }

    /// `mask(batch, query, key)`: whether the optional mask lets the query see the key.
    public typealias AttentionMask = (Int, Int, Int) -> Bool

    /// Double-precision attention forward (same layouts as the Float kernels); for tests
    /// such as finite differences.
    public static func attentionForward(
        q: [Double], k: [Double], v: [Double], shape s: AttentionShape, mask: AttentionMask?
    ) -> (out: [Double], logSumExp: [Double]) {
        var out = [Double](repeating: 0, count: s.batch * s.queryLength * s.heads * s.headDim)
        var lse = [Double](repeating: -.infinity, count: s.batch * s.heads * s.queryLength)
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let probs = probabilities(q: q, k: k, shape: s, mask: mask, batch: b, head: h)
                let g = h / (s.heads / s.kvHeads)
                for i in 0..<s.queryLength {
                    lse[(b * s.heads + h) * s.queryLength + i] = probs.logSumExp[i]
                    let o = ((b * s.queryLength + i) * s.heads + h) * s.headDim
                    for j in 0..<s.keyLength where probs.p[i][j] != 0 {
                        let kv = ((b * s.keyLength + j) * s.kvHeads + g) * s.headDim
                        for c in 0..<s.headDim { out[o + c] += probs.p[i][j] * v[kv + c] }
                    }
                }
            }
        }
        return (out, lse)
    }

    /// Double-precision analytic attention backward: `dv = Pᵀ dOut`, `dP = dOut vᵀ`,
    /// `dS = P ⊙ (dP - rowsum(P ⊙ dP))`, `dq = scale dS k`, `dk = scale dSᵀ q`.
    public static func attentionBackward(
        q: [Double], k: [Double], v: [Double], dOut: [Double], shape s: AttentionShape,
        mask: AttentionMask?
    ) -> (dq: [Double], dk: [Double], dv: [Double]) {
        var dq = [Double](repeating: 0, count: q.count)
        var dk = [Double](repeating: 0, count: k.count)
        var dv = [Double](repeating: 0, count: v.count)
        let d = s.headDim
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let probs = probabilities(q: q, k: k, shape: s, mask: mask, batch: b, head: h)
                let g = h / (s.heads / s.kvHeads)
                for i in 0..<s.queryLength {
                    let qo = ((b * s.queryLength + i) * s.heads + h) * d
                    let p = probs.p[i]
                    var dp = [Double](repeating: 0, count: s.keyLength)
                    var rowDot = 0.0
                    for j in 0..<s.keyLength where p[j] != 0 {
                        let kv = ((b * s.keyLength + j) * s.kvHeads + g) * d
                        for c in 0..<d {
                            dp[j] += dOut[qo + c] * v[kv + c]
                            dv[kv + c] += p[j] * dOut[qo + c]
                        }
                        rowDot += p[j] * dp[j]
                    }
                    for j in 0..<s.keyLength where p[j] != 0 {
                        let kv = ((b * s.keyLength + j) * s.kvHeads + g) * d
                        let dsScaled = p[j] * (dp[j] - rowDot) * Double(s.scale)
                        for c in 0..<d {
                            dq[qo + c] += dsScaled * k[kv + c]
                            dk[kv + c] += dsScaled * q[qo + c]
                        }
                    }
                }
            }
        }
        return (dq, dk, dv)
    }

    /// Softmax probabilities `p[query][key]` of one (batch, head) and their log-sum-exp.
    private static func probabilities(
        q: [Double], k: [Double], shape s: AttentionShape, mask: AttentionMask?, batch b: Int, head h: Int
    ) -> (p: [[Double]], logSumExp: [Double]) {
        let g = h / (s.heads / s.kvHeads), d = s.headDim
        var p = [[Double]](repeating: [Double](repeating: 0, count: s.keyLength), count: s.queryLength)
        var lse = [Double](repeating: -.infinity, count: s.queryLength)
        for i in 0..<s.queryLength {
            let position = i + s.queryOffset
            var scores = [Double](repeating: -.infinity, count: s.keyLength)
            for j in 0..<s.keyLength {
                if s.causal && j > position { continue }
                if let w = s.window, j <= position - w { continue }
                if let mask, !mask(b, i, j) { continue }
                var dot = 0.0
                let qo = ((b * s.queryLength + i) * s.heads + h) * d
                let ko = ((b * s.keyLength + j) * s.kvHeads + g) * d
                for c in 0..<d { dot += q[qo + c] * k[ko + c] }
                scores[j] = dot * Double(s.scale)
            }
            let top = scores.max() ?? -.infinity
            if top == -.infinity { continue }
            let total = scores.reduce(0.0) { $0 + exp($1 - top) }
            for j in 0..<s.keyLength { p[i][j] = exp(scores[j] - top) / total }
            lse[i] = top + log(total)
        }
        return (p, lse)
    }

    private static func doubles(_ p: UnsafePointer<Float>, _ count: Int) -> [Double] {
        (0..<count).map { Double(p[$0]) }
    }

    private static func maskFunction(
        _ mask: UnsafePointer<Bool>?, shape s: AttentionShape, maskBatchStride: Int?
    ) -> AttentionMask? {
        guard let mask else { return nil }
        let stride = maskBatchStride ?? s.queryLength * s.keyLength
        return { b, i, j in mask[b * stride + i * s.keyLength + j] }
    }
}
