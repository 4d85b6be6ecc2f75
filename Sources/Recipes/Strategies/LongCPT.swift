/// Long-text continual pretraining (METHODS.md §2): next-token cross-entropy on long texts
/// at positions `0..<Lt` with the student's (rescaled) RoPE. Also the objective of
/// `longred pretrain`, where the "long" length is simply the training context.
public final class LongCPT: TrainingStrategy {
    public init() {}

    public var name: String { "cpt" }
    public var dataMix: DataMix? { .longOnly }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        guard batch.kind == .long else { return .none }
        let loss = languageModelingLoss(context.student, batch.tokens)
        return StrategyLoss(loss: loss * Float(batch.fractionOfKind), metrics: ["loss/long": Double(loss.item)])
    }
}

/// Mean next-token cross-entropy of `model` on `batch` at contiguous positions (or `positions`).
public func languageModelingLoss(_ model: LlamaForCausalLM, _ batch: TokenBatch, positions: [Int32]? = nil) -> Tensor {
    let logits = model(batch.inputs, batch: batch.batchSize, positions: positions).logits
    return Tensor.crossEntropy(logits: logits, targets: batch.targets)
}
