import Foundation

/// The trainer's own state in a checkpoint (`trainer_state.json`): with the model weights and
/// the optimizer state it is everything needed to continue a run on exactly the same batches.
public struct TrainerState: Codable, Equatable, Sendable {
    /// The number of optimizer steps completed.
    public var step: Int
    /// The generator of the training data streams.
    public var dataGenerator: RandomGenerator
    /// The strategy's generator (``TrainingContext/generator``).
    public var strategyGenerator: RandomGenerator
    /// The strategy's notes (``TrainingContext/notes``).
    public var notes: [String: String]
    /// Every metrics-log record so far (the log is rebuilt from them on resume).
    public var records: [MetricRecord]
    /// Input tokens trained on so far.
    public var tokensSeen: Int
    /// Seconds spent in training steps so far (for the throughput and ETA after resuming).
    public var trainingSeconds: Double
    /// The strategy's name, checked on resume.
    public var strategy: String
    /// The configuration of the run that wrote the checkpoint.
    public var configuration: TrainingConfiguration

    public init(
        step: Int, dataGenerator: RandomGenerator, strategyGenerator: RandomGenerator, notes: [String: String],
        records: [MetricRecord], tokensSeen: Int, trainingSeconds: Double, strategy: String,
        configuration: TrainingConfiguration
    ) {
        self.step = step
        self.dataGenerator = dataGenerator
        self.strategyGenerator = strategyGenerator
        self.notes = notes
        self.records = records
        self.tokensSeen = tokensSeen
        self.trainingSeconds = trainingSeconds
        self.strategy = strategy
        self.configuration = configuration
    }
}
