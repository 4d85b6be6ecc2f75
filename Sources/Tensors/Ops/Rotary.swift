import Kernels

extension Tensor {
    /// Rotary position embedding in Hugging Face's rotate-half layout.
    /// `x`: (batch, seq, heads, headDim); `cos`, `sin`: (batch, seq, headDim/2), already
    /// evaluated at each token's position id (any positions, so skipped ids work).
    /// The backward rotates by the opposite angle. `cos`/`sin` are constants.
    public static func rotaryEmbedding(_ x: Tensor, cos: Tensor, sin: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[3] % 2 == 0, "rotaryEmbedding: input shape \(x.shape) is not (batch, seq, heads, even headDim)")
        let (batch, seq, heads, headDim) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let tableShape = [batch, seq, headDim / 2]
        precondition(
            cos.shape == tableShape && sin.shape == tableShape,
            "rotaryEmbedding: cos \(cos.shape) / sin \(sin.shape) must be \(tableShape) for input \(x.shape)")
        let out = Tensor(uninitializedShape: x.shape)
        Kernels.rotaryEmbedding(
            x: x.storage.pointer, y: out.storage.pointer, cos: cos.storage.pointer, sin: sin.storage.pointer,
            batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: false)
        return out.recording([x]) { g in
            let dx = Tensor(uninitializedShape: g.shape)
            Kernels.rotaryEmbedding(
                x: g.storage.pointer, y: dx.storage.pointer, cos: cos.storage.pointer, sin: sin.storage.pointer,
                batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: true)
            return [dx]
        }
    }
}
