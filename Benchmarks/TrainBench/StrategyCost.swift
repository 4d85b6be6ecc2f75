import Foundation
import Recipes

/// The cost of one LongReD optimizer step against a long-CPT step with the same long batch:
/// L0 = 1024 extended 4x by PI to Lt = 4096, short texts of L0/8, the 4:3:1 token mix.
/// LongReD's step adds the short and original-window micro-steps and the teacher forwards.
func strategyCostRatio(steps: Int) throws -> (cpt: Double, longRed: Double) {
    let original = 1024, target = 4096
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

    func medianStepSeconds(_ strategy: any TrainingStrategy, mix: DataMix) throws -> Double {
        let context = TrainingContext(student: student, original: teacher, generator: RandomGenerator(seed: 4))
        try strategy.start(context)
        let optimizer = AdamW(module: student, learningRate: 1e-4, weightDecay: 0.1)
        let total = mix.long + mix.short + mix.originalWindow
        let plan = mix.plan(tokensPerStep: Int(Double(target) * total / mix.long), lengths: lengths)
        var streams = LongReDStreams(tokens: tokens, lengths: lengths, seed: 5)
        var times: [Double] = []
        for step in 0..<(steps + 1) {
            let batches = streams.batches(for: plan)
            let start = DispatchTime.now().uptimeNanoseconds
            for (microStep, batch) in batches {
                let micro = MicroBatch(kind: microStep.kind, tokens: batch, fractionOfKind: microStep.fractionOfKind)
                strategy.loss(for: micro, context: context).loss?.backward()
            }
            optimizer.step()
            optimizer.zeroGrad()
            if step > 0 { times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        }
        return times.sorted()[times.count / 2]
    }

    let cpt = try medianStepSeconds(LongCPT(), mix: .longOnly)
    let longRed = try medianStepSeconds(
        LongReD(sampler: .cream, layers: .uniform(count: 1), originalLength: original, targetLength: target), mix: .longRed)
    return (cpt, longRed)
}
