/// PoSE, positional skip-wise training (METHODS.md §6): next-token cross-entropy on
/// original-window texts (`L0` tokens) whose position ids span the target window `Lt`.
/// Each text is split into two chunks and the second is shifted by a random offset
/// (``PositionSampling/pose(windowLength:targetLength:using:)``, drawn per row from
/// `context.generator`), so the model sees relative distances up to `Lt - 1` while
/// attention costs only `L0` tokens.
///
/// `Lt` comes from the initialiser, else from the run (`context.lengths`).
public final class PoSE: TrainingStrategy {
    private let targetLengthOverride: Int?

    /// - Parameter targetLength: `Lt`; nil reads it from `context.lengths`.
    public init(targetLength: Int? = nil) {
        targetLengthOverride = targetLength
    }

    public var name: String { "pose" }
    /// Original-window texts only: the step's token budget in windows of `L0`.
    public var dataMix: DataMix? { DataMix(long: 0, short: 0, originalWindow: 1) }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        guard batch.kind == .originalWindow else { return .none }
        guard let target = targetLengthOverride ?? context.lengths?.long else {
            preconditionFailure("pose: the target length is unknown (give it, or train with run lengths)")
        }
        var positions: [Int32] = []
        positions.reserveCapacity(batch.tokens.tokenCount)
        for _ in 0..<batch.tokens.batchSize {
            positions += PositionSampling.pose(
                windowLength: batch.tokens.length, targetLength: target, using: &context.generator)
        }
        let loss = languageModelingLoss(context.student, batch.tokens, positions: positions)
        return StrategyLoss(loss: loss * Float(batch.fractionOfKind), metrics: ["loss/pose": Double(loss.item)])
    }
}
