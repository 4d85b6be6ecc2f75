import Foundation
import Testing
@testable import Recipes

@Suite("Trainer checkpoints")
struct TrainerCheckpointTests {
    typealias F = TrainerFixture

    /// A base model saved to disk and a student with PI x2 built from it.
    private func extendedStudent() throws -> (base: URL, student: LlamaForCausalLM) {
        let base = F.temporaryDirectory()
        try F.model(seed: 3).save(to: base.path)
        let student = try RopeExtension.positionInterpolation(factor: 2).makeStudent(baseDirectory: base.path, targetLength: 32)
        return (base, student)
    }

    @Test("a checkpoint holds the student (HF format, same logits), optimizer and trainer state, not the original")
    func contents() throws {
        let (base, student) = try extendedStudent()
        let output = F.temporaryDirectory()
        let trainer = try F.trainer(
            student: student, original: try LlamaForCausalLM.load(directory: base.path), strategy: ProbeDistillation(),
            configuration: F.trainingConfiguration(output: output, steps: 2))
        trainer.auxiliaryFiles = [try saveTokenizer()]
        try trainer.train()
        let checkpoint = output.appendingPathComponent("checkpoint-2")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: checkpoint.path))
        #expect(files == [
            "config.json", "model.safetensors", "optimizer.safetensors", "optimizer.json", "trainer_state.json", "tokenizer.json",
        ])
        // The saved student: PI x2 in its config, the trained weights, the same logits.
        let loaded = try LlamaForCausalLM.load(directory: checkpoint.path)
        #expect(loaded.configuration.ropeScaling == RopeScaling(kind: .linear, factor: 2))
        #expect(loaded.configuration.maxPositionEmbeddings == 32)
        #expect(loaded.rotary == trainer.student.rotary)
        let ids = Array(F.data.validation.prefix(32))
        let expected = withNoGrad { trainer.student(ids).logits.scalars }
        #expect(withNoGrad { loaded(ids).logits.scalars } == expected)
        // Only the student's parameters are stored (no teacher copy under another prefix).
        let stored = try SafetensorsFile(path: checkpoint.appendingPathComponent("model.safetensors").path)
        #expect(Set(stored.names) == Set(trainer.student.namedParameters().map(\.0)))
        // Optimizer state round-trips exactly.
        let optimizer = try #require(trainer.optimizer)
        let saved = try OptimizerStateFile.read(from: checkpoint)
        let live = optimizer.stateDictionary()
        #expect(saved.scalars == live.scalars)
        #expect(Set(saved.parameters.keys) == Set(live.parameters.keys))
        for (name, slots) in live.parameters {
            for (slot, tensor) in slots { #expect(saved.parameters[name]?[slot]?.scalars == tensor.scalars) }
        }
        // The checkpoint is the state before the finish hook; the trainer has since logged the
        // evaluation of the finished model ("final"), and nothing else.
        let state = try CheckpointStore.readState(at: checkpoint)
        var beforeFinish = trainer.state
        #expect(beforeFinish.records.last?.type == "final")
        beforeFinish.records.removeAll { $0.type == "final" }
        #expect(state == beforeFinish)
        // The final model sits in the output directory itself, ready for `extend --base`.
        let final = try LlamaForCausalLM.load(directory: output.path)
        #expect(withNoGrad { final(ids).logits.scalars } == expected)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("tokenizer.json").path))
    }

    @Test("an interrupted save leaves the previous checkpoint and 'latest' intact")
    func interruptedSave() throws {
        let output = F.temporaryDirectory()
        let trainer = try F.trainer(
            student: F.model(), strategy: LongCPT(), configuration: F.trainingConfiguration(output: output, steps: 4))
        try trainer.train(until: 2)
        let good = try #require(try trainer.checkpoints.latest())
        let goodState = try CheckpointStore.readState(at: good)
        struct SimulatedCrash: Error {}
        trainer.checkpoints.afterWritingFile = { name in
            if name == OptimizerStateFile.tensorFileName { throw SimulatedCrash() }
        }
        #expect(throws: (any Error).self) { try trainer.train(until: 3) }
        #expect(trainer.step == 3)
        #expect(try trainer.checkpoints.latest() == good)
        #expect(try CheckpointStore.readState(at: good) == goodState)
        #expect(trainer.checkpoints.steps() == [2])
        // No half-written directory is left behind, and the previous checkpoint still loads.
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path)
        #expect(!names.contains { $0.hasPrefix(".checkpoint") })
        _ = try LlamaForCausalLM.load(directory: good.path)
        // A fresh trainer resumes from it.
        let resumed = try F.trainer(
            student: F.model(), strategy: LongCPT(), configuration: F.trainingConfiguration(output: output, steps: 4))
        try resumed.prepare(resumingFrom: try resumed.checkpoints.latest())
        #expect(resumed.step == 2)
    }

    @Test("only the newest checkpoints are kept")
    func keepLast() throws {
        let output = F.temporaryDirectory()
        var configuration = F.trainingConfiguration(output: output, steps: 4)
        configuration.checkpointInterval = 1
        configuration.keepLastCheckpoints = 2
        configuration.evaluationInterval = 0
        let trainer = try F.trainer(student: F.model(), strategy: LongCPT(), configuration: configuration)
        try trainer.train()
        #expect(trainer.checkpoints.steps() == [3, 4])
        #expect(try trainer.checkpoints.latest()?.lastPathComponent == "checkpoint-4")
    }

    @Test("resuming with another strategy or from a damaged checkpoint is a clear error")
    func resumeErrors() throws {
        let output = F.temporaryDirectory()
        let trainer = try F.trainer(
            student: F.model(), strategy: LongCPT(), configuration: F.trainingConfiguration(output: output, steps: 2))
        try trainer.train(until: 1)
        let checkpoint = try #require(try trainer.checkpoints.latest())
        let other = try F.trainer(
            student: F.model(), original: F.model(), strategy: ProbeDistillation(),
            configuration: F.trainingConfiguration(output: output, steps: 2))
        #expect(throws: TrainingError.invalidCheckpoint(path: checkpoint.path, reason: "written by strategy 'cpt', not 'probe'")) {
            try other.prepare(resumingFrom: checkpoint)
        }
        try FileManager.default.removeItem(at: checkpoint.appendingPathComponent("trainer_state.json"))
        let again = try F.trainer(
            student: F.model(), strategy: LongCPT(), configuration: F.trainingConfiguration(output: output, steps: 2))
        #expect(throws: TrainingError.self) { try again.prepare(resumingFrom: checkpoint) }
        #expect(try CheckpointStore(directory: F.temporaryDirectory()).latest() == nil)
    }

    @Test("RoPE extension specs parse, and bad ones are rejected with the reason")
    func ropeSpecs() throws {
        #expect(try RopeExtension(parsing: "abf:500000") == .abf(base: 500_000))
        #expect(try RopeExtension(parsing: "pi:4") == .positionInterpolation(factor: 4))
        #expect(try RopeExtension(parsing: "yarn:2.5") == .yarn(factor: 2.5))
        #expect(try RopeExtension(parsing: "dynamic:2") == .dynamic(factor: 2))
        #expect(try RopeExtension(parsing: "llama3:8") == .llama3(factor: 8))
        for bad in ["abf", "pi:x", "ntk:2", "pi:0.5", "abf:1", "pi:2:3"] {
            #expect(throws: ContextExtensionError.self) { try RopeExtension(parsing: bad) }
        }
        let base = F.configuration(maxPosition: 16)
        #expect(throws: ContextExtensionError.targetNotLonger(target: 16, original: 16)) {
            try RopeExtension.yarn(factor: 2).configuration(extending: base, targetLength: 16)
        }
        let yarn = try RopeExtension.yarn(factor: 2).configuration(extending: base, targetLength: 32)
        #expect(yarn.maxPositionEmbeddings == 32 && yarn.ropeScaling?.originalMaxPositionEmbeddings == 16)
        let dynamic = try RopeExtension.dynamic(factor: 2).configuration(extending: base, targetLength: 32)
        #expect(dynamic.maxPositionEmbeddings == 16 && dynamic.ropeScaling?.kind == .dynamic)
        let abf = try RopeExtension.abf(base: 1e6).configuration(extending: base, targetLength: 64)
        #expect(abf.ropeTheta == 1e6 && abf.ropeScaling == nil && abf.maxPositionEmbeddings == 64)
    }

    @Test("the registry builds the built-ins, composes with +, and rejects unknown names and options")
    func registry() throws {
        #expect(try StrategyRegistry.make(name: "cpt", options: [:]).name == "cpt")
        let composite = try StrategyRegistry.make(name: "longred-c+lora", options: ["a1": "3", "lora-rank": "2"])
        #expect(composite is CompositeStrategy && composite.needsOriginalModel)
        #expect(Set(StrategyRegistry.names).isSuperset(of: ["cpt", "mix-cpt", "longred-u", "longred-c", "lora", "ewc"]))
        #expect(throws: StrategyRegistryError.unknownStrategy("nope", known: StrategyRegistry.names)) {
            try StrategyRegistry.make(name: "nope", options: [:])
        }
        #expect(throws: StrategyRegistryError.unusedOption("a1", strategy: "cpt")) {
            try StrategyRegistry.make(name: "cpt", options: ["a1": "5"])
        }
    }

    private func saveTokenizer() throws -> URL {
        let url = F.temporaryDirectory().appendingPathComponent("tokenizer.json")
        try F.data.tokenizer.save(to: url)
        return url
    }
}
