import Foundation
import Recipes

/// The measured and the arithmetic cost of one LongReD step against a long-CPT step.
struct StrategyCost {
    var cptSeconds: Double
    var longRedSeconds: Double
    /// Median over alternating step pairs of LongReD / CPT seconds.
    var ratio: Double
    /// The same ratio in FLOPs (see ``forwardFlops(_:length:)``).
    var flopRatio: Double
}

/// The cost of one LongReD optimizer step against a long-CPT step with the same long batch:
/// `original` (L0) extended 4x by PI to Lt, short texts of L0/8, the 4:3:1 token mix.
/// LongReD's step adds the short and original-window micro-steps and the teacher forwards.
/// The two strategies alternate step by step (on one shared student); the ratio is the
/// median of the per-pair ratios, which cancels most of a shared machine's drift.
func strategyCost(original: Int, steps: Int) throws -> StrategyCost {
    let target = 4 * original
    var generator = RandomGenerator(seed: 3)
    let configuration = try LlamaConfiguration(
        hiddenSize: 128, intermediateSize: 352, numHiddenLayers: 4, numAttentionHeads: 4, vocabSize: 65,
        maxPositionEmbeddings: original)
    let teacher = LlamaForCausalLM(configuration: configuration, generator: &generator)
    teacher.freeze()
    let student = LlamaForCausalLM(configuration: configuration, generator: &generator)
    student.rotary = RotaryFrequencies(
        headDim: configuration.headDim, base: configuration.ropeTheta,
        scaling: RopeScaling(kind: .linear, factor: Double(target / original)), maxPositionEmbeddings: original)
    let tokens = (0..<200_000).map { _ in Int32(generator.next() % 65) }
    let lengths = StreamLengths(originalLength: original, targetLength: target)

    /// One strategy's training loop, stepped from outside so the two strategies can
    /// alternate step by step and see the same machine load.
    final class Runner {
        let strategy: any TrainingStrategy
        let context: TrainingContext
        let optimizer: AdamW
        let plan: MicroStepPlan
        var streams: LongReDStreams

        init(_ strategy: any TrainingStrategy, mix: DataMix, student: LlamaForCausalLM, teacher: LlamaForCausalLM,
             tokens: [Int32], lengths: StreamLengths, target: Int) throws {
            self.strategy = strategy
            context = TrainingContext(student: student, original: teacher, generator: RandomGenerator(seed: 4))
            try strategy.start(context)
            optimizer = AdamW(module: student, learningRate: 1e-4, weightDecay: 0.1)
            let total = mix.long + mix.short + mix.originalWindow
            plan = mix.plan(tokensPerStep: Int(Double(target) * total / mix.long), lengths: lengths)
            streams = LongReDStreams(tokens: tokens, lengths: lengths, seed: 5)
        }

        /// Seconds for one optimizer step (batches drawn before the clock starts).
        func step() -> Double {
            let batches = streams.batches(for: plan)
            let start = DispatchTime.now().uptimeNanoseconds
            for (microStep, batch) in batches {
                let micro = MicroBatch(kind: microStep.kind, tokens: batch, fractionOfKind: microStep.fractionOfKind)
                strategy.loss(for: micro, context: context).loss?.backward()
            }
            optimizer.step()
            optimizer.zeroGrad()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    let cpt = try Runner(LongCPT(), mix: .longOnly, student: student, teacher: teacher,
                         tokens: tokens, lengths: lengths, target: target)
    let longRed = try Runner(
        LongReD(sampler: .cream, layers: .uniform(count: 1), originalLength: original, targetLength: target),
        mix: .longRed, student: student, teacher: teacher, tokens: tokens, lengths: lengths, target: target)
    _ = (cpt.step(), longRed.step())  // warm-up
    var pairs: [(cpt: Double, longRed: Double)] = []
    for _ in 0..<steps { pairs.append((cpt.step(), longRed.step())) }
    func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
    let model = configuration
    func flops(_ plan: MicroStepPlan, teacher: Bool) -> Double {
        plan.microSteps.reduce(0) { sum, micro in
            let passes: Double = teacher && micro.kind != .long ? 4 : 3  // teacher: one more forward
            return sum + Double(micro.batchSize) * passes * forwardFlops(model, length: micro.sequenceLength)
        }
    }
    return StrategyCost(
        cptSeconds: median(pairs.map(\.cpt)), longRedSeconds: median(pairs.map(\.longRed)),
        ratio: median(pairs.map { $0.longRed / $0.cpt }),
        flopRatio: flops(longRed.plan, teacher: true) / flops(cpt.plan, teacher: false))
}

/// FLOPs of one forward pass over a sequence: 2 per weight per token in the projections
/// and the LM head, plus causal attention (QKᵀ and PV over half the T x T square).
/// Backward costs about twice the forward, so training counts it three times.
func forwardFlops(_ c: LlamaConfiguration, length: Int) -> Double {
    let d = Double(c.hiddenSize), f = Double(c.intermediateSize), t = Double(length)
    let kv = Double(c.numKeyValueHeads * c.headDim)
    let projections = 2 * d * d + 2 * d * kv + 3 * d * f
    let attention = 2 * t * t * Double(c.numAttentionHeads * c.headDim)  // 4·T²·d halved by the mask
    return Double(c.numHiddenLayers) * (2 * projections * t + attention) + 2 * d * Double(c.vocabSize) * t
}
