/// Elastic weight consolidation (METHODS.md §4): `λ · Σ_i F_i (θ_i − θ_orig,i)²` with a
/// diagonal Fisher `F` estimated in the start hook, added once per optimizer step like
/// ``L2ToOriginal``. Compose with an objective (`cpt+ewc`).
///
/// The Fisher is the empirical one: the mean over texts of the squared gradient of the
/// next-token loss of the original model (original RoPE), one text at a time, on the first
/// ``fisherBatches`` calibration batches (original-window texts: the short-text skill to keep).
public final class EWC: TrainingStrategy {
    /// `λ`.
    public let lambda: Double
    /// The number of calibration batches the Fisher is estimated on.
    public let fisherBatches: Int
    /// The diagonal Fisher by parameter name (estimated in ``start(_:)`` unless given).
    public private(set) var fisher: [String: Tensor]?
    private var anchor = WeightAnchor()

    /// - Parameter fisher: a precomputed diagonal Fisher (skips the estimate).
    public init(lambda: Double, fisherBatches: Int = 8, fisher: [String: Tensor]? = nil) {
        precondition(lambda >= 0, "EWC: lambda \(lambda) must be non-negative")
        precondition(fisherBatches > 0, "EWC: fisherBatches \(fisherBatches) must be positive")
        self.lambda = lambda
        self.fisherBatches = fisherBatches
        self.fisher = fisher
    }

    public var name: String { "ewc" }
    public var needsOriginalModel: Bool { true }

    public func start(_ context: TrainingContext) throws {
        guard let original = context.original else { throw StrategyError.missingOriginalModel(strategy: name) }
        if fisher == nil {
            guard !context.calibrationBatches.isEmpty else { throw StrategyError.missingCalibrationData(strategy: name) }
            fisher = Self.estimateFisher(model: original, batches: Array(context.calibrationBatches.prefix(fisherBatches)))
        }
        anchor = try WeightAnchor(context: context, strategy: name, weights: fisher)
        let mean = fisher!.values.reduce(0.0) { $0 + $1.scalars.reduce(0.0) { $0 + Double($1) } }
            / Double(max(1, fisher!.values.reduce(0) { $0 + $1.count }))
        context.note("ewc/fisher_mean", "\(mean)")
    }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        anchor.loss(for: batch, lambda: lambda, metric: "loss/ewc")
    }

    /// The empirical diagonal Fisher of `model` on `batches`: for every parameter, the mean
    /// over texts (rows) of the squared gradient of the text's mean next-token loss.
    ///
    /// The model's parameters are made trainable for the estimate and restored afterwards
    /// (flags and gradients), so a frozen teacher stays frozen; its weights are not changed.
    public static func estimateFisher(model: LlamaForCausalLM, batches: [TokenBatch]) -> [String: Tensor] {
        let parameters = model.namedParameters()
        let flags = parameters.map { $0.1.requiresGrad }
        let savedGrads = parameters.map { $0.1.grad }
        defer {
            for (index, (_, parameter)) in parameters.enumerated() {
                parameter.requiringGrad(flags[index])
                parameter.grad = savedGrads[index]
            }
        }
        for (_, parameter) in parameters {
            parameter.requiringGrad(true)
            parameter.grad = nil
        }
        var sums = parameters.map { Tensor.zeros($0.1.shape) }
        var texts = 0
        for batch in batches {
            for row in 0..<batch.batchSize {
                let (inputs, targets) = batch.row(row)
                let single = TokenBatch(inputs: Array(inputs), targets: Array(targets), batchSize: 1, length: batch.length)
                languageModelingLoss(model, single).backward()
                for (index, (_, parameter)) in parameters.enumerated() {
                    guard let grad = parameter.grad else { continue }
                    sums[index].withUnsafeMutableBufferPointer { s in
                        grad.withUnsafeBufferPointer { g in
                            for i in 0..<s.count { s[i] += g[i] * g[i] }
                        }
                    }
                    parameter.grad = nil
                }
                texts += 1
            }
        }
        let scale = 1 / Float(max(texts, 1))
        sums = sums.map { total in
            total.withUnsafeMutableBufferPointer { s in for i in 0..<s.count { s[i] *= scale } }
            return total
        }
        return Dictionary(zip(parameters.map(\.0), sums), uniquingKeysWith: { first, _ in first })
    }
}
