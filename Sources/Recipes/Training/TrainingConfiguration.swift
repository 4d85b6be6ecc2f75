import Foundation

/// Everything that shapes a training run except the model, the strategy and the data.
///
/// It is `Codable` and saved next to the checkpoints (`training_configuration.json`), so a
/// run can be inspected and resumed with the same settings. The defaults are nanoGPT's
/// `shakespeare_char` laptop run: 2000 steps of 12 texts of 64 tokens, AdamW (0.9, 0.99),
/// weight decay 0.1, LR 1e-3 with 100 warmup steps and a cosine decay to 1e-4.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The number of optimizer steps.
    public var steps: Int
    /// The token budget of one optimizer step, split between the streams by the strategy's
    /// ``DataMix`` (see ``DataMix/plan(tokensPerStep:lengths:maxTokensPerMicroStep:)``).
    public var tokensPerStep: Int
    /// The text length of each stream (`L0`, `Lt`, short).
    public var lengths: StreamLengths
    /// The most input tokens one forward/backward pass holds; a step's texts are split into
    /// gradient-accumulation micro-steps below this. `nil`: one micro-step per stream.
    public var maxTokensPerMicroStep: Int?
    /// The learning rate at each step.
    public var schedule: LearningRateSchedule
    /// AdamW's first-moment decay rate.
    public var beta1: Float
    /// AdamW's second-moment decay rate.
    public var beta2: Float
    /// AdamW's epsilon.
    public var epsilon: Float
    /// Decoupled weight decay of the parameters of rank >= 2 (norm scales and biases: none).
    public var weightDecay: Float
    /// The global gradient-norm limit; `nil` disables clipping.
    public var gradientClip: Float?
    /// Evaluate every this many steps (and after the last step); 0 disables evaluation.
    public var evaluationInterval: Int
    /// The number of validation batches per evaluation length.
    public var evaluationBatches: Int
    /// The number of texts per validation batch.
    public var evaluationBatchSize: Int
    /// The number of original-window batches (of ``evaluationBatchSize`` texts, from the
    /// training stream) handed to the strategy's start hook as
    /// ``TrainingContext/calibrationBatches``.
    public var calibrationBatches: Int
    /// Save a checkpoint every this many steps (and after the last step); 0: only at the end.
    public var checkpointInterval: Int
    /// Keep only the newest this many checkpoints; 0 keeps all.
    public var keepLastCheckpoints: Int
    /// Write a metrics line (and a plain progress line) every this many steps.
    public var logInterval: Int
    /// Seeds the data streams, the strategy's generator and the validation windows.
    public var seed: UInt64
    /// Where checkpoints, the metrics log and the final model go.
    public var outputDirectory: String

    /// A configuration; every argument has the `shakespeare_char` default.
    public init(
        steps: Int = 2000, tokensPerStep: Int = 12 * 64,
        lengths: StreamLengths = StreamLengths(originalLength: 64, targetLength: 64),
        maxTokensPerMicroStep: Int? = nil,
        schedule: LearningRateSchedule = .warmupCosine(peak: 1e-3, warmupSteps: 100, totalSteps: 2000, minimum: 1e-4),
        beta1: Float = 0.9, beta2: Float = 0.99, epsilon: Float = 1e-8, weightDecay: Float = 0.1,
        gradientClip: Float? = 1.0, evaluationInterval: Int = 250, evaluationBatches: Int = 20,
        evaluationBatchSize: Int = 12, calibrationBatches: Int = 4, checkpointInterval: Int = 500, keepLastCheckpoints: Int = 2,
        logInterval: Int = 10, seed: UInt64 = 1337, outputDirectory: String = "out"
    ) {
        self.steps = steps
        self.tokensPerStep = tokensPerStep
        self.lengths = lengths
        self.maxTokensPerMicroStep = maxTokensPerMicroStep
        self.schedule = schedule
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.gradientClip = gradientClip
        self.evaluationInterval = evaluationInterval
        self.evaluationBatches = evaluationBatches
        self.evaluationBatchSize = evaluationBatchSize
        self.calibrationBatches = calibrationBatches
        self.checkpointInterval = checkpointInterval
        self.keepLastCheckpoints = keepLastCheckpoints
        self.logInterval = logInterval
        self.seed = seed
        self.outputDirectory = outputDirectory
    }

    /// Checks the values a user can get wrong; the error names the field.
    public func validate() throws(TrainingError) {
        func check(_ condition: Bool, _ field: String, _ reason: String) throws(TrainingError) {
            if !condition { throw .invalidConfiguration(field: field, reason: reason) }
        }
        try check(steps > 0, "steps", "must be positive, got \(steps)")
        try check(tokensPerStep > 0, "tokensPerStep", "must be positive, got \(tokensPerStep)")
        try check((maxTokensPerMicroStep ?? 1) > 0, "maxTokensPerMicroStep", "must be positive")
        try check((0..<1).contains(beta1), "beta1", "must lie in [0, 1), got \(beta1)")
        try check((0..<1).contains(beta2), "beta2", "must lie in [0, 1), got \(beta2)")
        try check(epsilon >= 0, "epsilon", "must be non-negative, got \(epsilon)")
        try check(weightDecay >= 0, "weightDecay", "must be non-negative, got \(weightDecay)")
        try check((gradientClip ?? 1) > 0, "gradientClip", "must be positive")
        try check(evaluationInterval >= 0, "evaluationInterval", "must be non-negative")
        try check(evaluationBatches > 0, "evaluationBatches", "must be positive, got \(evaluationBatches)")
        try check(evaluationBatchSize > 0, "evaluationBatchSize", "must be positive, got \(evaluationBatchSize)")
        try check(calibrationBatches >= 0, "calibrationBatches", "must be non-negative")
        try check(checkpointInterval >= 0, "checkpointInterval", "must be non-negative")
        try check(keepLastCheckpoints >= 0, "keepLastCheckpoints", "must be non-negative")
        try check(logInterval > 0, "logInterval", "must be positive, got \(logInterval)")
        try check(!outputDirectory.isEmpty, "outputDirectory", "must not be empty")
    }
}
