import Foundation
import Testing
@testable import Recipes

/// Runs the built `longred` executable (SwiftPM builds it with the tests, next to the test
/// bundle) and checks exit codes and messages of `pretrain` and `extend`.
@Suite("longred pretrain / extend command line")
struct TrainerCommandLineTests {
    typealias F = TrainerFixture

    static let executable: URL? = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [
            runner.appendingPathComponent("longred"),
            runner.deletingLastPathComponent().appendingPathComponent("longred"),
            root.appendingPathComponent(".build/debug/longred"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    struct MissingExecutable: Error, CustomStringConvertible {
        var description: String { "the longred executable was not found next to the test bundle or in .build/debug" }
    }

    /// Runs `longred arguments` in the package root; returns the exit code, stdout and stderr.
    func run(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
        try runLongred(arguments)
    }

    /// A tiny base model (with tokenizer) and a small corpus.
    func baseDirectory(maxPosition: Int = 16) throws -> (base: URL, corpus: URL) {
        let base = F.temporaryDirectory()
        try F.model(seed: 5, maxPosition: maxPosition).save(to: base.path)
        try F.data.tokenizer.save(to: base.appendingPathComponent("tokenizer.json"))
        let corpus = base.appendingPathComponent("corpus.txt")
        try F.data.tokenizer.decode((F.data.training.prefix(6000)).map(Int.init)).write(to: corpus, atomically: true, encoding: .utf8)
        return (base, corpus)
    }

    @Test("pretrain: bad flags and values exit with 2 and name the flag")
    func pretrainUsageErrors() throws {
        let cases: [([String], String)] = [
            (["pretrain", "--bogus"], "unknown option '--bogus'"),
            (["pretrain", "--steps", "0"], "'--steps' must be a positive integer"),
            (["pretrain", "--lr", "fast"], "'--lr' expects a number, got 'fast'"),
            (["pretrain", "--lr-schedule", "step"], "'--lr-schedule' expects constant, cosine or linear"),
            (["pretrain", "--hidden", "30", "--heads", "4"], "'--hidden'"),
            (["pretrain", "--steps", "10", "--warmup", "20"], "'--warmup' (20) exceeds --steps (10)"),
            (["pretrain", "--output", F.temporaryDirectory().path, "--resume"], "'--resume': no checkpoint"),
        ]
        for (arguments, message) in cases {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
            #expect(result.error.contains("USAGE: longred pretrain"))
        }
        let help = try run(["pretrain", "--help"])
        #expect(help.status == 0)
        for flag in ["--corpus", "--steps", "--lr", "--warmup", "--beta2", "--weight-decay", "--grad-clip",
                     "--eval-interval", "--eval-batches", "--output", "--seed", "--resume", "--threads", "--context",
                     "--batch-size", "--untied-embeddings"] {
            #expect(help.output.contains(flag), "\(flag) missing from --help")
        }
        #expect(help.output.contains("(default: 0.99)"))
    }

    @Test("extend: invalid RoPE, unknown recipe, short target and missing flags exit with 2")
    func extendUsageErrors() throws {
        let (base, _) = try baseDirectory()
        let common = ["extend", "--base", base.path]
        let cases: [([String], String)] = [
            (common + ["--recipe", "cpt", "--rope", "ntk:2", "--target-length", "32"], "'--rope': invalid RoPE extension 'ntk:2'"),
            (common + ["--recipe", "cpt", "--rope", "pi", "--target-length", "32"], "'--rope'"),
            (common + ["--recipe", "magic", "--rope", "pi:2", "--target-length", "32"], "unknown recipe 'magic'"),
            (common + ["--recipe", "cpt", "--rope", "pi:2", "--target-length", "16"],
             "target length 16 must be larger than the base model's max_position_embeddings 16"),
            (common + ["--recipe", "cpt", "--rope", "pi:2"], "missing required option '--target-length'"),
            (common + ["--recipe", "longred-c", "--rope", "pi:2", "--target-length", "32"], "LongReD's skipped positions need L0 (16)"),
            (common + ["--recipe", "longred-c", "--rope", "pi:2", "--target-length", "64", "--option", "lora-rank=2"],
             "option 'lora-rank' is not used by recipe 'longred-c'"),
            (common + ["--recipe", "longred-c+lora", "--rope", "pi:2", "--target-length", "64", "--option", "lora-rank=0"],
             "lora-rank"),
            (common + ["--recipe", "cpt", "--rope", "pi:2", "--target-length", "32", "--a1", "5"], "option 'a1' is not used"),
            (common + ["--recipe", "cpt", "--rope", "pi:2", "--target-length", "32", "--option", "x"], "key=value"),
        ]
        for (arguments, message) in cases {
            let result = try run(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.error.contains(message), "\(arguments): \(result.error)")
            #expect(result.error.contains("USAGE: longred extend"))
        }
    }

    @Test("extend runs cpt end to end, writes the rescaled config, and resumes")
    func extendRuns() throws {
        let (base, corpus) = try baseDirectory()
        let output = F.temporaryDirectory().appendingPathComponent("run")
        let arguments = [
            "extend", "--recipe", "cpt", "--base", base.path, "--rope", "pi:2", "--target-length", "32",
            "--corpus", corpus.path, "--output", output.path, "--steps", "2", "--tokens-per-step", "64",
            "--eval-batches", "1", "--eval-batch-size", "2", "--lr", "1e-3", "--quiet",
        ]
        let result = try run(arguments)
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("done: 2 steps"))
        let saved = try LlamaConfiguration(contentsOf: output.appendingPathComponent("config.json").path)
        #expect(saved.ropeScaling == RopeScaling(kind: .linear, factor: 2))
        #expect(saved.maxPositionEmbeddings == 32)
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("tokenizer.json").path))
        #expect(FileManager.default.fileExists(atPath: output.appendingPathComponent("checkpoint-2/trainer_state.json").path))
        // Refuses to overwrite; continues with --resume (here: to 3 steps).
        let again = try run(arguments)
        #expect(again.status == 2 && again.error.contains("already holds a run"))
        var resumed = arguments
        resumed[resumed.firstIndex(of: "--steps")! + 1] = "3"
        let third = try run(resumed + ["--resume"])
        #expect(third.status == 0, "\(third.error)")
        #expect(third.error.contains("resumed from step 2"))
        #expect(third.output.contains("done: 3 steps"))
    }

    @Test("extend with a distillation recipe builds the frozen original and saves only the student")
    func extendWithLongReD() throws {
        // LongReD's skipped positions need L0 > 8f: L0 = 32, Lt = 64.
        let (base, corpus) = try baseDirectory(maxPosition: 32)
        let output = F.temporaryDirectory().appendingPathComponent("run")
        let result = try run([
            "extend", "--recipe", "longred-c", "--base", base.path, "--rope", "yarn:2", "--target-length", "64",
            "--corpus", corpus.path, "--output", output.path, "--steps", "1", "--tokens-per-step", "256",
            "--eval-interval", "0", "--a1", "5", "--a2", "10", "--quiet",
        ])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.error.contains("original model frozen"))
        let saved = try LlamaConfiguration(contentsOf: output.appendingPathComponent("config.json").path)
        #expect(saved.ropeScaling?.kind == .yarn && saved.ropeScaling?.originalMaxPositionEmbeddings == 32)
        let weights = try SafetensorsFile(path: output.appendingPathComponent("checkpoint-1/model.safetensors").path)
        #expect(Set(weights.names) == Set(F.model().namedParameters().map(\.0)))
    }
}
