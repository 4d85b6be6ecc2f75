import Foundation
import Testing
@testable import Recipes

@Suite("Continual-learning baseline strategies")
struct StrategyBaselineTests {
    typealias F = StrategyFixture

    /// Moves every trainable parameter of `model` away from its value by a seeded amount.
    func perturb(_ model: LlamaForCausalLM, seed: UInt64 = 17) {
        var generator = RandomGenerator(seed: seed)
        for (_, parameter) in model.namedTrainableParameters() {
            let noise = Tensor.randomNormal(parameter.shape, standardDeviation: 0.1, generator: &generator)
            parameter.withUnsafeMutableBufferPointer { p in
                noise.withUnsafeBufferPointer { n in for i in 0..<p.count { p[i] += n[i] } }
            }
        }
    }

    @Test func mixCPTIsTokenWeightedCrossEntropyOnEveryKind() {
        let (student, _) = F.pair()
        let context = F.context(student: student, teacher: nil)
        let strategy = MixCPT()
        #expect(strategy.dataMix == .longRed && !strategy.needsOriginalModel)
        for (kind, share) in [(StreamKind.long, 0.5), (.short, 0.375), (.originalWindow, 0.125)] {
            let batch = F.microBatch(kind, fraction: 0.5)
            let logits = student(batch.tokens.inputs, batch: 2).logits
            let expected = Reference.crossEntropy(logits, targets: batch.tokens.targets)
            let result = strategy.loss(for: batch, context: context)
            #expect(Reference.close(Double(result.loss!.item), expected * 0.5 * share))
        }
    }

    /// PoSE: cross-entropy on original-window texts at the positions the sampler draws, row by
    /// row, from the context's generator; `Lt` from the run's lengths.
    @Test func poseIsCrossEntropyAtSkippedPositions() {
        let (student, _) = F.pair()
        let lengths = StreamLengths(originalLength: F.originalLength, targetLength: F.targetLength)
        let context = TrainingContext(
            student: student, original: nil, generator: RandomGenerator(seed: 5), lengths: lengths)
        let strategy = PoSE()
        #expect(strategy.dataMix == DataMix(long: 0, short: 0, originalWindow: 1) && !strategy.needsOriginalModel)
        let batch = F.microBatch(.originalWindow, rows: 3, fraction: 0.25)
        var generator = RandomGenerator(seed: 5)
        let positions = (0..<3).flatMap { _ in
            PositionSampling.pose(windowLength: F.originalLength, targetLength: F.targetLength, using: &generator)
        }
        #expect(positions.max()! > Int32(F.originalLength), "the draws reach past L0")
        let logits = student(batch.tokens.inputs, batch: 3, positions: positions).logits
        let expected = Reference.crossEntropy(logits, targets: batch.tokens.targets) * 0.25
        let result = strategy.loss(for: batch, context: context)
        #expect(Reference.close(Double(result.loss!.item), expected))
        #expect(context.generator == generator)
        // Contiguous positions would give another loss; other kinds give nothing.
        let contiguous = Reference.crossEntropy(student(batch.tokens.inputs, batch: 3).logits, targets: batch.tokens.targets)
        #expect(!Reference.close(contiguous * 0.25, expected))
        #expect(strategy.loss(for: F.microBatch(.long), context: context).loss == nil)
        #expect(strategy.loss(for: F.microBatch(.short), context: context).loss == nil)
    }

    @Test func mergingAtZeroAndOneGivesTheEndpointsExactly() throws {
        for weight in [0.0, 1.0, 0.5] {
            let (student, teacher) = F.pair()
            perturb(student)
            let trained = F.snapshot(student)
            let original = F.snapshot(teacher)
            try ModelMerging(weight: weight).finish(F.context(student: student, teacher: teacher))
            let merged = F.snapshot(student)
            switch weight {
            case 0: #expect(merged == original)
            case 1: #expect(merged == trained)
            default:
                for (name, values) in merged {
                    let expected = zip(original[name]!, trained[name]!).map { 0.5 * $0 + 0.5 * $1 }
                    #expect(zip(values, expected).allSatisfy { abs($0 - $1) < 1e-6 })
                }
            }
            #expect(F.snapshot(teacher) == original)
        }
    }

    @Test func attentionOnlyFreezesEverythingElse() throws {
        let (student, _) = F.pair()
        try AttentionOnlyTuning().start(F.context(student: student, teacher: nil))
        let trainable = Set(student.namedTrainableParameters().map(\.0))
        let expected = Set((0..<2).flatMap { l in
            ["q_proj", "k_proj", "v_proj", "o_proj"].map { "model.layers.\(l).self_attn.\($0).weight" }
        })
        #expect(trainable == expected)
        // A training step leaves MLP, norms, embedding and LM head unchanged.
        let before = F.snapshot(student)
        let optimizer = AdamW(module: student, learningRate: 0.01)
        LongCPT().loss(for: F.microBatch(.long, fraction: 1), context: F.context(student: student, teacher: nil)).loss!.backward()
        optimizer.step()
        let after = F.snapshot(student)
        for name in before.keys {
            #expect((before[name] != after[name]) == expected.contains(name), "\(name)")
        }
    }

    @Test func l2GradientIsTwiceLambdaTimesTheDisplacement() throws {
        let (student, teacher) = F.pair()
        perturb(student)
        let strategy = L2ToOriginal(lambda: 0.3)
        let context = F.context(student: student, teacher: teacher)
        try strategy.start(context)
        // Two long micro-batches (fractions 0.25 + 0.75) and a short one: the penalty counts once.
        for (kind, fraction) in [(StreamKind.long, 0.25), (.long, 0.75), (.short, 1.0)] {
            strategy.loss(for: F.microBatch(kind, fraction: fraction), context: context).loss?.backward()
        }
        let original = F.snapshot(teacher)
        var penalty = 0.0
        for (name, parameter) in student.namedParameters() {
            let grad = try #require(parameter.grad).scalars
            for (i, value) in parameter.scalars.enumerated() {
                let displacement = Double(value) - Double(original[name]![i])
                penalty += displacement * displacement
                #expect(abs(Double(grad[i]) - 2 * 0.3 * displacement) < 1e-5)
            }
        }
        let value = strategy.loss(for: F.microBatch(.long, fraction: 1), context: context)
        #expect(Reference.close(Double(value.loss!.item), 0.3 * penalty))
        #expect(strategy.loss(for: F.microBatch(.originalWindow), context: context).loss == nil)
    }

    @Test func ewcWithZeroFisherEqualsCPT() throws {
        let (student, teacher) = F.pair()
        perturb(student)
        let zero = Dictionary(uniqueKeysWithValues: teacher.namedParameters().map { ($0.0, Tensor.zeros($0.1.shape)) })
        let ewc = CompositeStrategy([LongCPT(), EWC(lambda: 100, fisher: zero)])
        let context = F.context(student: student, teacher: teacher)
        try ewc.start(context)
        let batch = F.microBatch(.long, fraction: 1)
        let combined = ewc.loss(for: batch, context: context).loss!
        let plain = LongCPT().loss(for: batch, context: context).loss!
        #expect(combined.item == plain.item)
    }

    @Test func ewcFisherIsTheMeanSquaredPerTextGradientOfTheOriginal() throws {
        let (student, teacher) = F.pair()
        perturb(student)
        let calibration = [F.batch(rows: 2, length: 10, seed: 21)]
        let strategy = EWC(lambda: 2, fisherBatches: 1)
        let context = F.context(student: student, teacher: teacher, calibration: calibration)
        try strategy.start(context)
        let fisher = try #require(strategy.fisher)
        // The teacher is left frozen, without gradients, with unchanged weights.
        #expect(teacher.namedParameters().allSatisfy { !$0.1.requiresGrad && $0.1.grad == nil })
        // Reference: each text's gradient on an unfrozen copy of the original.
        let copy = F.model()
        var expected: [String: [Double]] = [:]
        for row in 0..<2 {
            let (inputs, targets) = calibration[0].row(row)
            copy.zeroGrad()
            Tensor.crossEntropy(logits: copy(Array(inputs)).logits, targets: Array(targets)).backward()
            for (name, parameter) in copy.namedParameters() {
                let g = parameter.grad!.scalars.map { Double($0) * Double($0) / 2 }
                expected[name] = zip(expected[name] ?? g.map { _ in 0 }, g).map { $0 + $1 }
            }
        }
        #expect(expected.values.flatMap { $0 }.max()! > 1e-3)
        for (name, values) in expected {
            let estimate = fisher[name]!.scalars
            #expect(zip(estimate, values).allSatisfy { abs(Double($0) - $1) <= 1e-5 * max(1, abs($1)) }, "\(name)")
        }
        // The penalty is lambda * sum F (theta - theta0)^2.
        let original = F.snapshot(teacher)
        var penalty = 0.0
        for (name, parameter) in student.namedParameters() {
            let f = fisher[name]!.scalars
            for (i, value) in parameter.scalars.enumerated() {
                let d = Double(value) - Double(original[name]![i])
                penalty += Double(f[i]) * d * d
            }
        }
        let loss = strategy.loss(for: F.microBatch(.long, fraction: 1), context: context).loss!
        #expect(Reference.close(Double(loss.item), 2 * penalty))
    }
}
