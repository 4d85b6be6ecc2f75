/// The penalty `λ · Σ_i F_i (θ_i − θ0_i)²` over the student's trainable parameters that have a
/// counterpart in the original model (adapters have none and are skipped), shared by
/// ``L2ToOriginal`` (`F = 1`) and ``EWC``.
///
/// Once per optimizer step: the penalty is added on `long` micro-batches scaled by their
/// `fractionOfKind`, which sum to 1 over a step, so each step's accumulated gradient holds the
/// penalty's gradient exactly once, whatever the micro-batch split (every data mix here has a
/// long stream; without one, no penalty is added).
struct WeightAnchor {
    /// (student parameter, original value, optional per-element weight).
    var entries: [(name: String, parameter: Tensor, anchor: Tensor, weight: Tensor?)] = []

    init() {}

    /// Pairs the student's trainable parameters with the original's by name.
    init(context: TrainingContext, strategy: String, weights: [String: Tensor]? = nil) throws {
        guard let original = context.original else { throw StrategyError.missingOriginalModel(strategy: strategy) }
        let reference = Dictionary(original.namedParameters(), uniquingKeysWith: { first, _ in first })
        for (name, parameter) in context.student.namedTrainableParameters() {
            guard let anchor = reference[name] else { continue }
            guard anchor.shape == parameter.shape else {
                throw StrategyError.parameterMismatch(strategy: strategy, parameter: name)
            }
            var weight: Tensor?
            if let weights {
                // A parameter without an estimate has zero Fisher: it adds nothing.
                guard let w = weights[name] else { continue }
                guard w.shape == parameter.shape else { throw StrategyError.parameterMismatch(strategy: strategy, parameter: name) }
                weight = w
            }
            entries.append((name, parameter, anchor, weight))
        }
    }

    /// `Σ_i F_i (θ_i − θ0_i)²` (unscaled), or nil when there is nothing to anchor.
    func penalty() -> Tensor? {
        var total: Tensor?
        for entry in entries {
            var squared = (entry.parameter - entry.anchor).squared()
            if let weight = entry.weight { squared = squared * weight }
            let term = squared.sum()
            total = total.map { $0 + term } ?? term
        }
        return total
    }

    /// The strategy loss for `batch`: `lambda · penalty · fractionOfKind` on long batches.
    func loss(for batch: MicroBatch, lambda: Double, metric: String) -> StrategyLoss {
        guard batch.kind == .long, let penalty = penalty() else { return .none }
        return StrategyLoss(loss: penalty * Float(lambda * batch.fractionOfKind), metrics: [metric: Double(penalty.item)])
    }
}

/// L2 toward the original weights (METHODS.md §4): adds `λ · Σ ‖θ − θ_orig‖²` over the
/// trainable parameters once per optimizer step (see ``WeightAnchor``: on long micro-batches,
/// scaled by `fractionOfKind`). Its gradient is `2λ(θ − θ_orig)`. Compose with an objective.
public final class L2ToOriginal: TrainingStrategy {
    /// `λ`.
    public let lambda: Double
    private var anchor = WeightAnchor()

    public init(lambda: Double) {
        precondition(lambda >= 0, "L2ToOriginal: lambda \(lambda) must be non-negative")
        self.lambda = lambda
    }

    public var name: String { "l2" }
    public var needsOriginalModel: Bool { true }

    /// Pairs the trainable parameters (as they are after earlier components' start hooks) with
    /// the original's.
    public func start(_ context: TrainingContext) throws {
        anchor = try WeightAnchor(context: context, strategy: name)
    }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        anchor.loss(for: batch, lambda: lambda, metric: "loss/l2")
    }
}
