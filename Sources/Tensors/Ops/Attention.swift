import Kernels

extension Tensor {
    /// Fused scaled-dot-product attention (tiled, online softmax; never materialises the
    /// `queries × keys` matrix, so memory grows linearly with the sequence length).
    ///
    /// - Parameters:
    ///   - q: (batch, queries, heads, headDim)
    ///   - k, v: (batch, keys, kvHeads, headDim); `heads` must be a multiple of `kvHeads`
    ///     (grouped-query attention).
    ///   - causal: key `j` is visible to query `i` only if `j <= i + queryOffset`.
    ///   - window: sliding window (Mistral): additionally `j > i + queryOffset - window`.
    ///   - queryOffset: absolute position of query 0 among the keys (default `keys - queries`).
    ///   - mask: optional (batch or 1, queries, keys), true = may attend.
    ///   - scale: defaults to `1 / sqrt(headDim)`.
    /// - Returns: (batch, queries, heads, headDim).
    public static func scaledDotProductAttention(
        query q: Tensor, key k: Tensor, value v: Tensor, causal: Bool = true, window: Int? = nil,
        queryOffset: Int? = nil, mask: BooleanMask? = nil, scale: Float? = nil
    ) -> Tensor {
        precondition(
            q.rank == 4 && k.rank == 4 && v.rank == 4 && k.shape == v.shape && q.shape[0] == k.shape[0]
                && q.shape[3] == k.shape[3] && k.shape[2] > 0 && q.shape[2] % k.shape[2] == 0,
            "scaledDotProductAttention: query \(q.shape) and key/value \(k.shape)/\(v.shape) are not (batch, length, heads, headDim) with heads a multiple of kvHeads")
        let headDim = q.shape[3]
        let shape = AttentionShape(
            batch: q.shape[0], heads: q.shape[2], kvHeads: k.shape[2], queryLength: q.shape[1],
            keyLength: k.shape[1], headDim: headDim, queryOffset: queryOffset ?? (k.shape[1] - q.shape[1]),
            causal: causal, window: window, scale: scale ?? 1 / Float(headDim).squareRoot())
        var maskStride = 0
        if let mask {
            let perBatch = shape.queryLength * shape.keyLength
            precondition(
                mask.shape == [shape.batch, shape.queryLength, shape.keyLength] || mask.shape == [1, shape.queryLength, shape.keyLength],
                "scaledDotProductAttention: mask shape \(mask.shape) is not (batch or 1, \(shape.queryLength), \(shape.keyLength))")
            maskStride = mask.shape[0] == 1 ? 0 : perBatch
        }
        let out = Tensor(uninitializedShape: q.shape)
        let logSumExp = Tensor(uninitializedShape: [shape.batch, shape.heads, shape.queryLength])
        withMaskPointer(mask) { maskPointer in
            attentionForward(
                q: q.storage.pointer, k: k.storage.pointer, v: v.storage.pointer, out: out.storage.pointer,
                logSumExp: logSumExp.storage.pointer, shape: shape, mask: maskPointer, maskBatchStride: maskStride)
        }
        let saved = out.detached()
        return out.recording([q, k, v]) { g in
            let dq = Tensor(uninitializedShape: q.shape)
            let dk = Tensor(uninitializedShape: k.shape)
            let dv = Tensor(uninitializedShape: v.shape)
            withMaskPointer(mask) { maskPointer in
                attentionBackward(
                    q: q.storage.pointer, k: k.storage.pointer, v: v.storage.pointer, out: saved.storage.pointer,
                    logSumExp: logSumExp.storage.pointer, dOut: g.storage.pointer, dq: dq.storage.pointer,
                    dk: dk.storage.pointer, dv: dv.storage.pointer, shape: shape, mask: maskPointer,
                    maskBatchStride: maskStride)
            }
            return [dq, dk, dv]
        }
    }

    private static func withMaskPointer<R>(_ mask: BooleanMask?, _ body: (UnsafePointer<Bool>?) -> R) -> R {
        guard let mask else { return body(nil) }
        return mask.values.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}
