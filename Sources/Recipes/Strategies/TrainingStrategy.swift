/// One micro-batch handed to a strategy: tokens, next-token targets and the stream it came from.
public struct MicroBatch {
    /// Which stream: long texts (length `Lt`), short texts, or original-window texts (`L0`).
    public let kind: StreamKind
    public let tokens: TokenBatch
    /// The share of its kind's texts in this optimizer step (scale a per-kind mean by it so
    /// that accumulating the step's micro-batches gives the mean over the step).
    public let fractionOfKind: Double

    /// A micro-batch of `kind` (public so hand-written training loops outside the module can build one).
    public init(kind: StreamKind, tokens: TokenBatch, fractionOfKind: Double) {
        self.kind = kind
        self.tokens = tokens
        self.fractionOfKind = fractionOfKind
    }
}

/// The models and state a strategy works with.
public final class TrainingContext {
    /// The model being trained (with the extended RoPE, when extending).
    public let student: LlamaForCausalLM
    /// The frozen original model with the original RoPE, present when some strategy asked for it
    /// (``TrainingStrategy/needsOriginalModel``). No parameter requires a gradient, it is not
    /// given to the optimizer and it is never saved.
    public let original: LlamaForCausalLM?
    /// Draws for the strategy (skipped positions, ...); saved and restored with the run.
    public var generator: RandomGenerator
    /// The optimizer step being computed (0-based).
    public internal(set) var step: Int = 0
    /// Where strategies write what they want logged once (for example the selected layers).
    public internal(set) var notes: [String: String] = [:]
    /// Data the strategies may use in their start hook (original-window texts, for example).
    public let calibrationBatches: [TokenBatch]
    /// The run's text lengths (`Lt`, short, `L0`), when the trainer knows them: a strategy that
    /// never sees a long batch can still read `Lt` here.
    public let lengths: StreamLengths?

    public init(
        student: LlamaForCausalLM, original: LlamaForCausalLM?, generator: RandomGenerator,
        calibrationBatches: [TokenBatch] = [], lengths: StreamLengths? = nil
    ) {
        self.student = student
        self.original = original
        self.generator = generator
        self.calibrationBatches = calibrationBatches
        self.lengths = lengths
    }

    /// Records a line for the run log.
    public func note(_ key: String, _ value: String) { notes[key] = value }
}

/// What a strategy contributes for one micro-batch: a loss to differentiate (nil when it
/// adds nothing for this kind of batch) and named metrics to log.
public struct StrategyLoss {
    public var loss: Tensor?
    public var metrics: [String: Double]

    public init(loss: Tensor?, metrics: [String: Double] = [:]) {
        self.loss = loss
        self.metrics = metrics
    }

    /// No contribution.
    public static let none = StrategyLoss(loss: nil)
}

/// A way to train: its objective, the data it needs and what it does before and after training.
///
/// Strategies compose (``CompositeStrategy``): the losses of all components are summed, the
/// data mix comes from the component that declares one, and the hooks run in order. So
/// "LongReD with LoRA, then merging" is three components and the trainer has no special cases.
/// Every requirement has a default, so a strategy implements only what it needs.
public protocol TrainingStrategy: AnyObject {
    /// A short name for logs and the command line.
    var name: String { get }
    /// The streams and their token ratio; nil leaves the choice to another component
    /// (or, alone, means long texts only).
    var dataMix: DataMix? { get }
    /// Whether the trainer must build the frozen original model.
    var needsOriginalModel: Bool { get }
    /// Runs before the first step (and again when resuming, before loading the saved
    /// state): freeze parameters, wrap layers, select layers, estimate a Fisher, ...
    func start(_ context: TrainingContext) throws
    /// The loss for one micro-batch.
    func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss
    /// Runs after the last step, before the final save: merge weights, fold adapters, ...
    func finish(_ context: TrainingContext) throws
}

extension TrainingStrategy {
    public var dataMix: DataMix? { nil }
    public var needsOriginalModel: Bool { false }
    public func start(_ context: TrainingContext) throws {}
    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss { .none }
    public func finish(_ context: TrainingContext) throws {}
}

/// Several strategies applied together: losses summed, metrics merged (later names win),
/// hooks run in order.
public final class CompositeStrategy: TrainingStrategy {
    public let components: [any TrainingStrategy]

    public init(_ components: [any TrainingStrategy]) {
        precondition(!components.isEmpty, "CompositeStrategy: no components")
        let mixes = components.compactMap(\.dataMix)
        precondition(
            mixes.dropFirst().allSatisfy { $0 == mixes[0] },
            "CompositeStrategy: components declare different data mixes \(mixes)")
        self.components = components
    }

    public var name: String { components.map(\.name).joined(separator: "+") }
    public var dataMix: DataMix? { components.lazy.compactMap(\.dataMix).first }
    public var needsOriginalModel: Bool { components.contains { $0.needsOriginalModel } }

    public func start(_ context: TrainingContext) throws {
        for component in components { try component.start(context) }
    }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        var total: Tensor?
        var metrics: [String: Double] = [:]
        for component in components {
            let part = component.loss(for: batch, context: context)
            if let loss = part.loss { total = total.map { $0 + loss } ?? loss }
            metrics.merge(part.metrics) { _, new in new }
        }
        return StrategyLoss(loss: total, metrics: metrics)
    }

    public func finish(_ context: TrainingContext) throws {
        for component in components { try component.finish(context) }
    }
}
