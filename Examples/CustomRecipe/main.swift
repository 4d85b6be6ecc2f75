// A user-written training strategy: LongReD whose short-text term distils the teacher's
// next-token distribution (KL on logits) instead of matching hidden states. Everything else
// (long-text cross-entropy, short-to-long distillation with CREAM positions) is reused from
// the built-in LongReD. Run with `swift run CustomRecipe`.
import Recipes

/// LongReD with `a1 · KL(p_teacher ‖ p_student)` on short texts (both at positions `0..<n`).
final class LogitDistilledLongReD: TrainingStrategy {
    let base: LongReD
    let shortWeight: Double

    init(originalLength: Int, targetLength: Int, shortWeight: Double = 1, s2lWeight: Double = 10) {
        // The base only handles long and original-window texts, so its layer set is irrelevant:
        // last-only skips the attention-drift measurement.
        base = LongReD(
            sampler: .cream, shortWeight: 0, s2lWeight: s2lWeight, layers: .lastOnly,
            originalLength: originalLength, targetLength: targetLength)
        self.shortWeight = shortWeight
    }

    var name: String { "longred-kl" }
    var dataMix: DataMix? { .longRed }
    var needsOriginalModel: Bool { true }

    func start(_ context: TrainingContext) throws { try base.start(context) }

    func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        guard batch.kind == .short, let teacher = context.original else {
            return base.loss(for: batch, context: context)
        }
        let tokens = batch.tokens
        let studentLogits = context.student(tokens.inputs, batch: tokens.batchSize).logits
        let teacherLogits = withNoGrad { teacher(tokens.inputs, batch: tokens.batchSize).logits }
        let kl = Tensor.klDivergence(pLogits: teacherLogits, qLogits: studentLogits).mean()
        return StrategyLoss(
            loss: kl * Float(shortWeight * batch.fractionOfKind),
            metrics: ["loss/short_kl": Double(kl.item)])
    }
}

// A tiny model (the teacher) and its copy with 4x linear RoPE interpolation (the student).
let (l0, lt) = (40, 160)
let configuration = try LlamaConfiguration(
    hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, vocabSize: 32,
    maxPositionEmbeddings: l0)
var seed = RandomGenerator(seed: 1)
let teacher = LlamaForCausalLM(configuration: configuration, generator: &seed)
seed = RandomGenerator(seed: 1)
let student = LlamaForCausalLM(configuration: configuration, generator: &seed)
student.rotary.scaling = RopeScaling(kind: .linear, factor: Double(lt / l0))
teacher.freeze()

// A synthetic corpus: a counting pattern with noise, so there is something to learn.
var draws = RandomGenerator(seed: 2)
let corpus: [Int32] = (0..<4000).map { Int32($0 % 29 == 0 ? Int(draws.next() % 32) : $0 % 31) }
func windows(_ count: Int, length: Int) -> TokenBatch {
    TokenBatch(windowsOf: corpus, offsets: (0..<count).map { _ in Int(draws.next() % UInt64(corpus.count - length - 1)) }, length: length)
}

// The training loop: the strategy's micro-steps, gradient accumulation, AdamW.
let strategy = LogitDistilledLongReD(originalLength: l0, targetLength: lt)
let context = TrainingContext(student: student, original: teacher, generator: RandomGenerator(seed: 3))
try strategy.start(context)
let optimizer = AdamW(module: student, learningRate: 3e-3, betas: (0.9, 0.95), weightDecay: 0.1)
let plan = strategy.dataMix!.plan(
    tokensPerStep: 8 * lt, lengths: StreamLengths(originalLength: l0, targetLength: lt))
for step in 0..<8 {
    var metrics: [String: Double] = [:]
    for micro in plan.microSteps {
        let batch = MicroBatch(
            kind: micro.kind, tokens: windows(micro.batchSize, length: micro.sequenceLength),
            fractionOfKind: micro.fractionOfKind)
        let part = strategy.loss(for: batch, context: context)
        part.loss?.backward()
        metrics.merge(part.metrics) { _, new in new }
    }
    optimizer.step()
    optimizer.zeroGrad()
    let line = metrics.keys.sorted().map { "\($0)=\(String(format: "%.4g", metrics[$0]!))" }
    print("step \(step): " + line.joined(separator: " "))
}
try strategy.finish(context)
