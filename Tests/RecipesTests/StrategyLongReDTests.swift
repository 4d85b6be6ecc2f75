import Foundation
import Testing
@testable import Recipes

@Suite("LongReD strategy")
struct StrategyLongReDTests {
    typealias F = StrategyFixture

    /// A started LongReD with explicit weights and the last-only or given layer set.
    func started(
        _ sampler: SkippedPositionSampler = .cream, layers: LayerSelection = .all, seed: UInt64 = 99,
        teacherFrozen: Bool = true
    ) throws -> (LongReD, TrainingContext, LlamaForCausalLM, LlamaForCausalLM) {
        let (student, teacher) = F.pair()
        if !teacherFrozen { teacher.unfreeze() }
        let strategy = LongReD(
            sampler: sampler, shortWeight: 5, s2lWeight: 10, layers: layers,
            originalLength: F.originalLength, targetLength: F.targetLength)
        let context = F.context(student: student, teacher: teacher, seed: seed)
        try strategy.start(context)
        return (strategy, context, student, teacher)
    }

    @Test func longBatchIsCrossEntropyAtContiguousPositions() throws {
        let (strategy, context, student, _) = try started()
        let batch = F.microBatch(.long, fraction: 0.25)
        let result = strategy.loss(for: batch, context: context)
        let logits = student(batch.tokens.inputs, batch: 2).logits
        let expected = 0.25 * Reference.crossEntropy(logits, targets: batch.tokens.targets)
        #expect(Reference.close(Double(result.loss!.item), expected))
        #expect(Reference.close(result.metrics["loss/long"]!, expected / 0.25))
    }

    @Test func shortBatchIsOnlyHiddenStateDistillation() throws {
        let (strategy, context, student, teacher) = try started(layers: .all)
        let batch = F.microBatch(.short, fraction: 0.5)
        let result = strategy.loss(for: batch, context: context)
        // Both models at positions 0..<n, each with its own RoPE, straight from the model.
        let s = student(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates
        let t = teacher(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates
        let distill = (0..<2).reduce(0.0) { $0 + 1 - Reference.similarity(s[$1], t[$1]) }
        #expect(distill > 1e-4)  // the rescaled RoPE makes a visible difference
        #expect(Reference.close(Double(result.loss!.item), 0.5 * 5 * distill))
        #expect(Reference.close(result.metrics["loss/short_distill"]!, distill))
        // No cross-entropy: other targets give the same loss.
        var scrambled = batch.tokens
        scrambled.targets = scrambled.targets.map { ($0 + 3) % Int32(F.vocab) }
        let again = strategy.loss(for: MicroBatch(kind: .short, tokens: scrambled, fractionOfKind: 0.5), context: context)
        #expect(again.loss!.item == result.loss!.item)
        // A teacher run with the student's RoPE would give another number.
        let original = teacher.rotary
        teacher.rotary = student.rotary
        let wrong = teacher(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates
        teacher.rotary = original
        let wrongDistill = (0..<2).reduce(0.0) { $0 + 1 - Reference.similarity(s[$1], wrong[$1]) }
        #expect(abs(wrongDistill - distill) > 0.1 * distill)
    }

    @Test func shortBatchUsesOnlySelectedLayers() throws {
        let (strategy, context, student, teacher) = try started(layers: .lastOnly)
        #expect(strategy.selectedLayers == [1])
        let batch = F.microBatch(.short, fraction: 1)
        let result = strategy.loss(for: batch, context: context)
        let s = student(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates
        let t = teacher(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates
        #expect(Reference.close(Double(result.loss!.item), 5 * (1 - Reference.similarity(s[1], t[1]))))
    }

    @Test(arguments: [SkippedPositionSampler.uniform, .cream])
    func originalWindowBatchMatchesSkippedPositionStudentToPlainTeacher(sampler: SkippedPositionSampler) throws {
        let (strategy, context, student, teacher) = try started(sampler, seed: 4242)
        let batch = F.microBatch(.originalWindow, fraction: 0.5)
        var generator = context.generator
        let result = strategy.loss(for: batch, context: context)
        // Replay the draws: one sample per row from the context's generator.
        var positions: [Int32] = []
        for _ in 0..<2 {
            positions += sampler.sample(originalLength: F.originalLength, targetLength: F.targetLength, using: &generator)
        }
        #expect(context.generator == generator)
        #expect(positions.max()! == Int32(F.targetLength - 1))
        let s = student(batch.tokens.inputs, batch: 2, positions: positions, outputHiddenStates: true).hiddenStates.last!
        let t = teacher(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates.last!
        let s2l = 1 - Reference.similarity(s, t)
        #expect(Reference.close(Double(result.loss!.item), 0.5 * 10 * s2l))
        #expect(Reference.close(result.metrics["loss/s2l"]!, s2l))
        // The student at contiguous positions would give another number.
        let plain = student(batch.tokens.inputs, batch: 2, outputHiddenStates: true).hiddenStates.last!
        #expect(abs(1 - Reference.similarity(plain, t) - s2l) > 1e-4)
    }

    @Test func defaultWeightsFollowTheExtensionFactor() {
        #expect(LongReD.defaultWeights(extensionFactor: 4) == (5, 10))
        #expect(LongReD.defaultWeights(extensionFactor: 2) == (5, 10))
        #expect(LongReD.defaultWeights(extensionFactor: 16) == (2, 15))
        #expect(LongReD.defaultWeights(extensionFactor: 8) == (2, 15))
        let (student, teacher) = F.pair()
        let strategy = LongReD(sampler: .uniform, originalLength: 8, targetLength: 128)
        let weights = strategy.weights(F.context(student: student, teacher: teacher))
        #expect(weights == (2, 15))
    }

    @Test func startNeedsTheOriginalModel() {
        let (student, _) = F.pair()
        #expect(throws: StrategyError.missingOriginalModel(strategy: "longred-c")) {
            try LongReD(sampler: .cream).start(F.context(student: student, teacher: nil))
        }
    }

    @Test func teacherStaysBitIdenticalAndGetsNoGradients() throws {
        // Even a teacher handed over trainable is frozen by the start hook.
        let (strategy, context, student, teacher) = try started(layers: .attentionDrift(count: 1), teacherFrozen: false)
        let before = F.snapshot(teacher)
        let studentBefore = F.snapshot(student)
        let optimizer = AdamW(module: student, learningRate: 1e-2, weightDecay: 0.1)
        let plan: [MicroBatch] = [
            F.microBatch(.long, seed: 1, fraction: 1), F.microBatch(.short, seed: 2, fraction: 1),
            F.microBatch(.originalWindow, seed: 3, fraction: 1),
        ]
        for step in 0..<3 {
            context.step = step
            for batch in plan {
                strategy.loss(for: batch, context: context).loss!.backward()
            }
            for (_, parameter) in teacher.namedParameters() { #expect(parameter.grad == nil && !parameter.requiresGrad) }
            optimizer.step()
            optimizer.zeroGrad()
        }
        #expect(F.snapshot(teacher) == before)
        #expect(F.snapshot(student) != studentBefore)
    }
}

@Suite("LongReD length checks")
struct StrategyLongReDLengthTests {
    @Test func lengthsTooShortForSkippedPositionsAreATypedError() {
        let (student, teacher) = StrategyFixture.pair()
        let context = StrategyFixture.context(student: student, teacher: teacher)
        // f = 2 needs L0 > 16.
        #expect(throws: StrategyError.self) {
            try LongReD(sampler: .uniform, layers: .lastOnly, originalLength: 16, targetLength: 32).start(context)
        }
        #expect(throws: Never.self) {
            try LongReD(sampler: .uniform, layers: .lastOnly, originalLength: 17, targetLength: 34).start(context)
        }
    }
}
