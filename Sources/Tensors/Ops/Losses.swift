import Kernels

extension Tensor {
    /// Mean next-token cross-entropy of `logits` (…, vocab) against integer `targets`
    /// (one per row), ignoring rows whose target is `ignoreIndex` (PyTorch's default -100).
    /// Softmax and the loss are fused; the mean is over the rows that count.
    public static func crossEntropy(logits: Tensor, targets: [Int32], ignoreIndex: Int32 = -100) -> Tensor {
        let vocab = logits.shape.last ?? 0
        let rows = vocab == 0 ? 0 : logits.count / vocab
        precondition(
            targets.count == rows,
            "crossEntropy: \(targets.count) targets for logits of shape \(logits.shape) (\(rows) rows)")
        let losses = UnsafeMutableBufferPointer<Float>.allocate(capacity: Swift.max(rows, 1))
        let logSumExp = Tensor(uninitializedShape: [rows])
        targets.withUnsafeBufferPointer { t in
            crossEntropyForward(
                logits: logits.storage.pointer, targets: t.baseAddress!, losses: losses.baseAddress!,
                logSumExp: logSumExp.storage.pointer, rows: rows, vocab: vocab, ignoreIndex: ignoreIndex)
        }
        let counted = targets.reduce(0) { $0 + ($1 == ignoreIndex ? 0 : 1) }
        var total = 0.0
        for r in 0..<rows { total += Double(losses[r]) }
        losses.deallocate()
        let out = Tensor(scalar: counted == 0 ? 0 : Float(total / Double(counted)))
        return out.recording([logits]) { g in
            let scale = counted == 0 ? 0 : g.item / Float(counted)
            let rowScale = [Float](repeating: scale, count: Swift.max(rows, 1))
            let dlogits = Tensor(uninitializedShape: logits.shape)
            targets.withUnsafeBufferPointer { t in
                crossEntropyBackward(
                    logits: logits.storage.pointer, targets: t.baseAddress!, logSumExp: logSumExp.storage.pointer,
                    rowScale: rowScale, dlogits: dlogits.storage.pointer, rows: rows, vocab: vocab,
                    ignoreIndex: ignoreIndex)
            }
            return [dlogits]
        }
    }

    /// Cosine similarity along `axis`: `a·b / (max(‖a‖, ε) · max(‖b‖, ε))`; the axis is removed.
    public static func cosineSimilarity(_ a: Tensor, _ b: Tensor, alongAxis axis: Int = -1, epsilon: Float = 1e-8) -> Tensor {
        let dot = (a * b).sum(alongAxis: axis)
        let normA = a.squared().sum(alongAxis: axis).sqrt().clamped(min: epsilon)
        let normB = b.squared().sum(alongAxis: axis).sqrt().clamped(min: epsilon)
        return dot / (normA * normB)
    }

    /// `KL(P ‖ Q)` summed along `axis` for distributions given by logits:
    /// `Σ p (log p − log q)` with `p = softmax(pLogits)`, `q = softmax(qLogits)`; the axis is removed.
    public static func klDivergence(pLogits: Tensor, qLogits: Tensor, alongAxis axis: Int = -1) -> Tensor {
        let logP = pLogits.logSoftmax(alongAxis: axis)
        let logQ = qLogits.logSoftmax(alongAxis: axis)
        return (logP.exp() * (logP - logQ)).sum(alongAxis: axis)
    }
}
