import Foundation
import Testing
@testable import Recipes

@Suite("Trainer: loop, resume, frozen models")
struct TrainerTests {
    typealias F = TrainerFixture

    @Test("a run resumed from a checkpoint reproduces the uninterrupted losses and weights bit for bit")
    func resumeIsBitIdentical() throws {
        let steps = 6
        // Uninterrupted.
        let fullDirectory = F.temporaryDirectory()
        let full = try F.trainer(
            student: F.model(), original: F.model(), strategy: ProbeDistillation(),
            configuration: F.trainingConfiguration(output: fullDirectory, steps: steps))
        try full.train()
        let fullLosses = F.losses(full.records)
        #expect(fullLosses.count == steps)

        // Stopped after 3 steps, then resumed by a fresh trainer on fresh models.
        let splitDirectory = F.temporaryDirectory()
        let configuration = F.trainingConfiguration(output: splitDirectory, steps: steps)
        let first = try F.trainer(student: F.model(), original: F.model(), strategy: ProbeDistillation(), configuration: configuration)
        try first.train(until: 3)
        #expect(first.step == 3)
        let checkpoint = try #require(try first.checkpoints.latest())
        #expect(checkpoint.lastPathComponent == "checkpoint-3")

        let second = try F.trainer(student: F.model(), original: F.model(), strategy: ProbeDistillation(), configuration: configuration)
        try second.prepare(resumingFrom: checkpoint)
        #expect(second.step == 3)
        try second.train()
        let resumedLosses = F.losses(second.records)
        #expect(resumedLosses.map(\.bitPattern) == fullLosses.map(\.bitPattern))
        // The distillation metrics (short, s2l: original model + strategy generator) match too.
        let metricNames = ["loss/long", "loss/short", "loss/s2l"]
        let fullMetrics = full.records.filter { $0.type == "train" }.map { r in metricNames.map { r.values[$0]! } }
        let resumedMetrics = second.records.filter { $0.type == "train" }.map { r in metricNames.map { r.values[$0]! } }
        #expect(fullMetrics == resumedMetrics)
        #expect(F.differences(F.snapshot(second.student), F.snapshot(full.student)) == [])
        // Evaluations after the resume equal the uninterrupted ones.
        #expect(second.records.filter { $0.type == "eval" } == full.records.filter { $0.type == "eval" })
        // The metrics log reads as one run: one line per step and per evaluation.
        let lines = try String(contentsOf: splitDirectory.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        let decoded = try lines.map { try JSONDecoder().decode(MetricRecord.self, from: Data($0.utf8)) }
        #expect(decoded.filter { $0.type == "train" }.map(\.step) == Array(1...steps))
        #expect(decoded.filter { $0.type == "eval" }.map(\.step) == [0, 3, 6])
    }

    @Test("the frozen original is untouched, has no gradient and no optimizer state")
    func originalStaysFrozen() throws {
        let original = F.model()
        let before = F.snapshot(original)
        let trainer = try F.trainer(
            student: F.model(), original: original, strategy: ProbeDistillation(),
            configuration: F.trainingConfiguration(output: F.temporaryDirectory(), steps: 3))
        let studentBefore = F.snapshot(trainer.student)
        try trainer.train()
        #expect(trainer.context.original === original)
        #expect(F.differences(F.snapshot(original), before) == [])
        #expect(original.parameters().allSatisfy { !$0.requiresGrad && $0.grad == nil })
        let optimized = Set(try #require(trainer.optimizer).groups.flatMap { $0.parameters.map { ObjectIdentifier($0.1) } })
        #expect(original.parameters().allSatisfy { !optimized.contains(ObjectIdentifier($0)) })
        #expect(optimized.count == trainer.student.parameters().count)
        #expect(F.differences(F.snapshot(trainer.student), studentBefore).count == studentBefore.count)
    }

    @Test("a strategy that needs the original fails clearly without one")
    func missingOriginal() throws {
        #expect(throws: TrainingError.missingOriginalModel(strategy: "probe")) {
            try F.trainer(
                student: F.model(), strategy: ProbeDistillation(),
                configuration: F.trainingConfiguration(output: F.temporaryDirectory()))
        }
    }

    @Test("parameters frozen by the strategy do not move and get no optimizer state")
    func frozenParametersStay() throws {
        let trainer = try F.trainer(
            student: F.model(), strategy: CompositeStrategy([LongCPT(), AttentionOnly()]),
            configuration: F.trainingConfiguration(output: F.temporaryDirectory(), steps: 2))
        let before = F.snapshot(trainer.student)
        try trainer.train()
        let after = F.snapshot(trainer.student)
        let optimizer = try #require(trainer.optimizer)
        for (name, values) in before {
            if name.contains("self_attn") {
                let moved = after[name] != values
                #expect(moved, "\(name) should train")
                #expect(optimizer.hasState(for: name))
            } else {
                let unchanged = after[name] == values
                #expect(unchanged, "\(name) is frozen")
                #expect(!optimizer.hasState(for: name))
            }
        }
    }

    @Test("micro-steps accumulate to the gradient and loss of the whole step's mean")
    func accumulationGivesTheMean() throws {
        // 4 long texts of 32 tokens: one micro-step of 4, or (limit 64 tokens) two of 2.
        func gradients(limit: Int?) throws -> (loss: Double, metrics: [String: Double], grads: [String: [Float]]) {
            let trainer = try F.trainer(
                student: F.model(), strategy: LongCPT(),
                configuration: F.trainingConfiguration(output: F.temporaryDirectory(), maxTokensPerMicroStep: limit))
            #expect(trainer.plan.microSteps.count == (limit == nil ? 1 : 2))
            try trainer.prepare()
            let (loss, metrics) = trainer.accumulateStepGradients()
            let grads = trainer.student.namedParameters().map { ($0.0, $0.1.grad!.scalars) }
            return (loss, metrics, Dictionary(uniqueKeysWithValues: grads))
        }
        let whole = try gradients(limit: nil)
        let split = try gradients(limit: 64)
        #expect(abs(whole.loss - split.loss) < 1e-5)
        #expect(abs(whole.metrics["loss/long"]! - split.metrics["loss/long"]!) < 1e-5)
        #expect(abs(whole.loss - whole.metrics["loss/long"]!) < 1e-6)
        for (name, reference) in whole.grads {
            let values = split.grads[name]!
            let scale = reference.map(abs).max()! + 1e-6
            let difference = zip(reference, values).map { abs($0 - $1) }.max()!
            #expect(difference <= 1e-4 * scale, "\(name): max difference \(difference) of \(scale)")
        }
    }

    @Test("plain long CPT on the bundled corpus lowers the validation loss")
    func trainingLowersLoss() throws {
        var configuration = F.trainingConfiguration(
            output: F.temporaryDirectory(), steps: 40,
            lengths: StreamLengths(originalLength: 32, targetLength: 32), tokensPerStep: 256, maxTokensPerMicroStep: nil)
        configuration.schedule = .warmupCosine(peak: 1e-2, warmupSteps: 4, totalSteps: 40, minimum: 1e-3)
        configuration.evaluationInterval = 40
        configuration.logInterval = 10
        let trainer = try F.trainer(student: F.model(maxPosition: 32), strategy: LongCPT(), configuration: configuration)
        let summary = try trainer.train()
        let evaluations = trainer.records.filter { $0.type == "eval" }
        #expect(evaluations.map(\.step) == [0, 40])
        let initial = evaluations[0].values["val_loss"]!
        let final = try #require(summary.finalEvaluation["val_loss"])
        // ln(65) = 4.17 at initialisation; unigram statistics alone give about 3.3.
        #expect(abs(initial - log(65)) < 0.1)
        #expect(final < initial - 0.8, "validation loss \(initial) -> \(final)")
    }

    @Test("invalid configurations and short streams are typed errors naming the field")
    func configurationErrors() {
        var configuration = TrainingConfiguration(outputDirectory: "/tmp/unused")
        configuration.steps = 0
        #expect(throws: TrainingError.invalidConfiguration(field: "steps", reason: "must be positive, got 0")) {
            try configuration.validate()
        }
        #expect(throws: TrainingError.notEnoughTokens(stream: "validation", count: 10, needed: 34)) {
            try Trainer(
                student: F.model(), original: nil, strategy: LongCPT(), trainingTokens: F.data.training,
                validationTokens: Array(F.data.validation.prefix(10)),
                configuration: F.trainingConfiguration(output: F.temporaryDirectory()))
        }
    }
}
