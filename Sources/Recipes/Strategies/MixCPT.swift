/// Mix CPT, the data-replay baseline (METHODS.md §2, §4): LongReD's three streams (4 : 3 : 1),
/// all trained with plain next-token cross-entropy at contiguous positions (short texts at
/// `0..<n`, original-window texts at `0..<L0`, long texts at `0..<Lt`), no teacher.
///
/// Weighting: the step's loss is the mean cross-entropy over all of the step's tokens, as if the
/// three streams were one mixed corpus. Each kind's mean is scaled by its micro-batch's
/// `fractionOfKind` and by the kind's token share in the mix (4/8, 3/8, 1/8).
public final class MixCPT: TrainingStrategy {
    public init() {}

    public var name: String { "mix-cpt" }
    public var dataMix: DataMix? { .longRed }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        let mix = DataMix.longRed
        let share = mix[batch.kind] / (mix.long + mix.short + mix.originalWindow)
        let loss = languageModelingLoss(context.student, batch.tokens)
        let key: String
        switch batch.kind {
        case .long: key = "loss/long"
        case .short: key = "loss/short"
        case .originalWindow: key = "loss/original_window"
        }
        return StrategyLoss(loss: loss * Float(batch.fractionOfKind * share), metrics: [key: Double(loss.item)])
    }
}
