import Foundation
import Testing
@testable import Recipes

/// Every built-in recipe run from the command line on the bundled corpus with a tiny model:
/// each finishes in well under a second and lowers the validation loss.
@Suite("longred extend: every built-in recipe", .serialized)
struct RecipeCommandLineTests {
    static let recipes: [(String, [String])] = [
        ("cpt", []), ("mix-cpt", []), ("pose", []), ("longred-u", []), ("longred-c", []), ("merging", []),
        ("attention-only", []), ("l2", ["--option", "l2-lambda=0.01"]), ("ewc", ["--option", "ewc-lambda=10"]),
        ("lora", []), ("longred-c+lora+merging", []),
    ]

    /// A character-level base model pretrained for 200 steps at L0 = 32 on the first 20 000
    /// characters of the bundled corpus (a random model leaves nothing for recipes to keep).
    static let base: Result<(base: URL, corpus: URL), Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recipes-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let corpus = directory.appendingPathComponent("corpus.txt")
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("Data/tinyshakespeare.txt"), encoding: .utf8)
        try String(text.prefix(20_000)).write(to: corpus, atomically: true, encoding: .utf8)
        let base = directory.appendingPathComponent("base")
        let result = try runLongred([
            "pretrain", "--corpus", corpus.path, "--output", base.path, "--steps", "200", "--context", "32",
            "--hidden", "32", "--layers", "2", "--heads", "2", "--intermediate", "64", "--lr", "1e-2",
            "--warmup", "10", "--eval-interval", "0", "--quiet",
        ])
        guard result.status == 0 else { throw CommandFailure(description: result.error) }
        return (base, corpus)
    }

    @Test(arguments: recipes.map(\.0))
    func recipeRunsAndLowersTheLoss(recipe: String) throws {
        let (base, corpus) = try Self.base.get()
        let output = base.deletingLastPathComponent().appendingPathComponent("extend-\(recipe)")
        let options = Self.recipes.first { $0.0 == recipe }!.1
        let result = try runLongred([
            "extend", "--recipe", recipe, "--base", base.path, "--rope", "pi:2", "--target-length", "64",
            "--corpus", corpus.path, "--output", output.path, "--steps", "8", "--lr", "3e-3",
            "--eval-interval", "8", "--eval-batches", "2", "--quiet",
        ] + options)
        #expect(result.status == 0, "\(result.error)")
        let log = try String(contentsOf: output.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let losses = log.split(separator: "\n").compactMap { line -> (String, Double)? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let type = object["type"] as? String, type != "train", let loss = object["val_loss"] as? Double
            else { return nil }
            return (type, loss)
        }
        let first = try #require(losses.first), last = try #require(losses.last)
        #expect(first.0 == "eval" && last.0 == "final")
        // Threshold: the finished model (after merging / adapter folding) beats the base.
        #expect(last.1 < first.1 - 0.02, "\(recipe): validation loss \(first.1) -> \(last.1)")
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Runs the built `longred` executable from the repository root.
func runLongred(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    guard let executable = TrainerCommandLineTests.executable else { throw TrainerCommandLineTests.MissingExecutable() }
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = repositoryRoot
    let output = Pipe(), error = Pipe()
    process.standardOutput = output
    process.standardError = error
    try process.run()
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    let errData = error.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
