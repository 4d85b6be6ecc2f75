/// LongReD, long-context pretraining with restoration distillation (METHODS.md §3):
///
///     L = L_long + a1 · L_short + a2 · L_s2l
///
/// - long texts: next-token cross-entropy at positions `0..<Lt` (student RoPE);
/// - short texts: only `Σ_{l∈S} (1 − Sim(H_l student, H_l teacher))`, both at `0..<n`;
/// - original-window texts: only `1 − Sim(H_last student(x, p̂), H_last teacher(x, 0..<L0))`
///   with skipped positions `p̂` drawn per row by ``sampler`` from `context.generator`.
///
/// The teacher is `context.original` (frozen, original RoPE) and runs under `withNoGrad`.
/// Each kind's term is scaled by the micro-batch's `fractionOfKind`, so a step's accumulated
/// loss is the objective on the step's mean of each kind.
///
/// Weights default by the extension factor `f = Lt / L0` (``defaultWeights(extensionFactor:)``).
/// `Lt` and `L0` come from the initialiser; when not given, `Lt` is the length of the long
/// batches seen (a step's long micro-batches come first) and `L0` the length of the
/// original-window batches, or the teacher's `max_position_embeddings` before one was seen.
public final class LongReD: TrainingStrategy {
    /// LongReD-U (`.uniform`) or LongReD-C (`.cream`).
    public let sampler: SkippedPositionSampler
    /// How the short-distillation layers are chosen.
    public let layerSelection: LayerSelection?
    private let shortWeightOverride: Double?
    private let s2lWeightOverride: Double?
    private let originalLengthOverride: Int?
    private let targetLengthOverride: Int?
    private var seenTargetLength: Int?
    private var seenOriginalLength: Int?

    /// The layers `S` chosen in ``start(_:)``, ascending (the last one is the final-norm output).
    public private(set) var selectedLayers: [Int] = []
    /// The per-layer attention drift measured in ``start(_:)`` (empty when not needed).
    public private(set) var layerDrift: [Double] = []

    /// - Parameters:
    ///   - sampler: the skipped-position sampler of the short-to-long term.
    ///   - shortWeight / s2lWeight: `a1` / `a2`; nil picks ``defaultWeights(extensionFactor:)``.
    ///   - layers: the layer set `S`; nil is the paper's attention-drift choice with
    ///     ``LayerSelection/defaultCount(layerCount:)`` layers besides the last.
    ///   - originalLength / targetLength: `L0` / `Lt`; nil infers them from the batches.
    public init(
        sampler: SkippedPositionSampler, shortWeight: Double? = nil, s2lWeight: Double? = nil,
        layers: LayerSelection? = nil, originalLength: Int? = nil, targetLength: Int? = nil
    ) {
        self.sampler = sampler
        self.shortWeightOverride = shortWeight
        self.s2lWeightOverride = s2lWeight
        self.layerSelection = layers
        self.originalLengthOverride = originalLength
        self.targetLengthOverride = targetLength
    }

    public var name: String { sampler == .uniform ? "longred-u" : "longred-c" }
    public var dataMix: DataMix? { .longRed }
    public var needsOriginalModel: Bool { true }

    /// The paper's weights `(a1, a2)`: `(5, 10)` at 4x, `(2, 15)` at 16x. Other factors take
    /// the setting nearest in `log2 f` (below 8x the 4x one, from 8x on the 16x one).
    public static func defaultWeights(extensionFactor f: Double) -> (short: Double, s2l: Double) {
        f < 8 ? (5, 10) : (2, 15)
    }

    /// `Sim(a, b)`: the mean over tokens of the cosine similarity over the hidden dimension.
    public static func similarity(_ a: Tensor, _ b: Tensor) -> Tensor {
        Tensor.cosineSimilarity(a, b, alongAxis: -1).mean()
    }

    /// Freezes the teacher (again, defensively) and chooses the layer set.
    public func start(_ context: TrainingContext) throws {
        guard let original = context.original else { throw StrategyError.missingOriginalModel(strategy: name) }
        original.freeze()
        if let l0 = originalLengthOverride, let lt = targetLengthOverride, l0 - 8 * (lt / l0) < 1 || lt <= l0 {
            // The skipped-position samplers need a middle chunk after a head and tail of 4f.
            throw StrategyError.invalidOption(
                strategy: name, key: "original-length", value: "\(l0)",
                expected: "L0 < Lt = \(lt) and L0 > 8 * (Lt / L0) (skipped positions need a middle chunk)")
        }
        let layerCount = context.student.model.layers.count
        let selection = layerSelection ?? .attentionDrift(count: nil)
        if selection.needsDrift {
            guard !context.calibrationBatches.isEmpty else { throw StrategyError.missingCalibrationData(strategy: name) }
            layerDrift = AttentionDrift.perLayer(
                model: original, rescaled: context.student.rotary, batches: context.calibrationBatches)
            context.note(
                "\(name)/attention_drift",
                layerDrift.enumerated().map { "\($0.offset):\(String(format: "%.6g", $0.element))" }.joined(separator: " "))
        }
        selectedLayers = selection.layers(layerCount: layerCount, drift: layerDrift.isEmpty ? nil : layerDrift)
        context.note("\(name)/layers", selectedLayers.map(String.init).joined(separator: ","))
    }

    public func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        let fraction = Float(batch.fractionOfKind)
        switch batch.kind {
        case .long:
            seenTargetLength = batch.tokens.length
            let loss = languageModelingLoss(context.student, batch.tokens)
            return StrategyLoss(loss: loss * fraction, metrics: ["loss/long": Double(loss.item)])
        case .short:
            let (loss, metrics) = shortDistillation(batch.tokens, context: context)
            return StrategyLoss(loss: loss * Float(weights(context).short) * fraction, metrics: metrics)
        case .originalWindow:
            seenOriginalLength = batch.tokens.length
            let (loss, metrics) = shortToLongDistillation(batch.tokens, context: context)
            return StrategyLoss(loss: loss * Float(weights(context).s2l) * fraction, metrics: metrics)
        }
    }

    /// `(a1, a2)` in effect.
    public func weights(_ context: TrainingContext) -> (short: Double, s2l: Double) {
        if let a1 = shortWeightOverride, let a2 = s2lWeightOverride { return (a1, a2) }
        let l0 = originalLengthOverride ?? seenOriginalLength ?? context.original?.configuration.maxPositionEmbeddings
        let lt = targetLengthOverride ?? seenTargetLength
        guard let l0, let lt, l0 > 0 else {
            preconditionFailure("\(name): the extension factor is unknown (give a1/a2 or the lengths)")
        }
        let defaults = Self.defaultWeights(extensionFactor: Double(lt) / Double(l0))
        return (shortWeightOverride ?? defaults.short, s2lWeightOverride ?? defaults.s2l)
    }

    /// `L_short` (unweighted) on short texts, both models at positions `0..<n`.
    /// (The distillation forwards ask for the last position's logits only: the hidden states
    /// are complete, and the LM head over the vocabulary is not computed for every token.)
    public func shortDistillation(_ tokens: TokenBatch, context: TrainingContext) -> (Tensor, [String: Double]) {
        precondition(!selectedLayers.isEmpty, "\(name): start(_:) must run before the first loss")
        let teacher = teacherModel(context)
        let student = context.student(tokens.inputs, batch: tokens.batchSize, outputHiddenStates: true, lastPositionOnly: true).hiddenStates
        let reference = withNoGrad { teacher(tokens.inputs, batch: tokens.batchSize, outputHiddenStates: true, lastPositionOnly: true).hiddenStates }
        var total: Tensor?
        var metrics: [String: Double] = [:]
        for layer in selectedLayers {
            let sim = Self.similarity(student[layer], reference[layer])
            metrics["similarity/layer_\(layer)"] = Double(sim.item)
            let term = 1 - sim
            total = total.map { $0 + term } ?? term
        }
        metrics["loss/short_distill"] = Double(total!.item)
        return (total!, metrics)
    }

    /// `L_s2l` (unweighted): the student at skipped positions spanning `0..<Lt`, the teacher
    /// at `0..<L0`, last hidden states matched.
    public func shortToLongDistillation(_ tokens: TokenBatch, context: TrainingContext) -> (Tensor, [String: Double]) {
        let teacher = teacherModel(context)
        let l0 = tokens.length
        guard let lt = targetLengthOverride ?? seenTargetLength else {
            preconditionFailure("\(name): the target length is unknown (no long batch seen and none given)")
        }
        var positions: [Int32] = []
        positions.reserveCapacity(tokens.tokenCount)
        for _ in 0..<tokens.batchSize {
            positions += sampler.sample(originalLength: l0, targetLength: lt, using: &context.generator)
        }
        let student = context.student(tokens.inputs, batch: tokens.batchSize, positions: positions, outputHiddenStates: true, lastPositionOnly: true)
        let reference = withNoGrad { teacher(tokens.inputs, batch: tokens.batchSize, outputHiddenStates: true, lastPositionOnly: true) }
        let sim = Self.similarity(student.hiddenStates.last!, reference.hiddenStates.last!)
        let loss = 1 - sim
        return (loss, ["loss/s2l": Double(loss.item), "similarity/s2l": Double(sim.item)])
    }

    private func teacherModel(_ context: TrainingContext) -> LlamaForCausalLM {
        guard let original = context.original else {
            preconditionFailure("\(name): the training context has no original model (needsOriginalModel is true)")
        }
        return original
    }
}
