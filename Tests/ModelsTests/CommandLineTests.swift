import Foundation
import Testing
@testable import Models

/// Runs the `longred` executable that `swift build` / `swift test` put next to the test bundle.
private struct LongredRun {
    let status: Int32
    let standardOutput: String
    let standardError: String

    /// The build products directory is an ancestor of the test resources (on Linux
    /// `.build/debug/LongReD_ModelsTests.resources/Fixtures`).
    static func executable() throws -> URL {
        var directory = try modelIOFixturesDirectory()
        for _ in 0..<5 {
            directory.deleteLastPathComponent()
            let candidate = directory.appendingPathComponent("longred")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        Issue.record("no longred executable above \(try modelIOFixturesDirectory().path); build the package first")
        throw CocoaError(.fileNoSuchFile)
    }

    init(_ arguments: [String], input: String = "") throws {
        let process = Process()
        process.executableURL = try Self.executable()
        process.arguments = arguments
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        // Read both pipes before waiting so a large output cannot block the child.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        status = process.terminationStatus
        standardOutput = String(decoding: output, as: UTF8.self)
        standardError = String(decoding: error, as: UTF8.self)
    }
}

private struct TokenizerExpectation: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let idsWithSpecial: [Int]
        enum CodingKeys: String, CodingKey { case text, ids, idsWithSpecial = "ids_with_special" }
    }
    let cases: [Case]
}

@Suite("longred score / tokenize / generate")
struct CommandLineTests {
    @Test(arguments: ["llama_default", "mistral_sliding", "llama_dynamic"])
    func scoreMatchesTheFixtureReference(name: String) throws {
        let directory = try modelIOFixturesDirectory().appendingPathComponent(name)
        let reference = try JSONDecoder().decode(
            ModelReference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
        let run = try LongredRun([
            "score", "--model", directory.path, "--ids", reference.inputIDs.map(String.init).joined(separator: ","),
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.split(separator: "\n").count == 1)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: [Double]])
        let logprobs = try #require(object["next_token_logprobs"])
        #expect(object.count == 1)
        #expect(logprobs.count == reference.nextTokenLogprobs.count)
        let worst = zip(logprobs, reference.nextTokenLogprobs).map { abs(Float($0) - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "\(name): max |Δ log p| = \(worst)")
    }

    @Test(arguments: ["llama2", "llama3", "mistral"])
    func tokenizeMatchesTheTokenizerFixture(name: String) throws {
        let directory = try modelIOFixturesDirectory().appendingPathComponent("tokenizers")
        let expected = try JSONDecoder().decode(
            TokenizerExpectation.self, from: Data(contentsOf: directory.appendingPathComponent("\(name).expected.json")))
        let file = directory.appendingPathComponent("\(name).json").path
        for testCase in expected.cases.prefix(3) {
            let plain = try LongredRun(["tokenize", "--tokenizer", file], input: testCase.text)
            #expect(plain.status == 0, "\(plain.standardError)")
            #expect(try JSONDecoder().decode([Int].self, from: Data(plain.standardOutput.utf8)) == testCase.ids)
            let special = try LongredRun(["tokenize", "--tokenizer", file, "--add-special-tokens"], input: testCase.text)
            #expect(try JSONDecoder().decode([Int].self, from: Data(special.standardOutput.utf8)) == testCase.idsWithSpecial)
        }
    }

    @Test func generateStreamsTheGreedyCompletion() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let fixture = try modelIOFixturesDirectory().appendingPathComponent("llama_default")
        for file in ["config.json", "model.safetensors"] {
            try FileManager.default.copyItem(
                at: fixture.appendingPathComponent(file), to: temporary.url.appendingPathComponent(file))
        }
        // Printable ASCII: 95 characters, ids 0..<95 inside the model's 97.
        let tokenizer = CharacterTokenizer(characters: (32..<127).map { Unicode.Scalar(UInt8($0)) })
        try tokenizer.save(to: temporary.url.appendingPathComponent("tokenizer.json"))
        let run = try LongredRun([
            "generate", "--model", temporary.url.path, "--prompt", "Hello", "--max-tokens", "12", "--temperature", "0",
            "--ignore-eos",
        ])
        #expect(run.status == 0, "\(run.standardError)")
        let model = try LlamaForCausalLM.load(directory: temporary.url.path)
        let prompt = try tokenizer.encode("Hello").map { Int32($0) }
        let tokens = model.generate(prompt: prompt, maxNewTokens: 12).map { Int($0) }
        #expect(run.standardOutput == tokenizer.decode(tokens) + "\n")

        // score --text uses the directory's tokenizer: the same numbers as --ids.
        let text = try LongredRun(["score", "--model", temporary.url.path, "--text", "Hello"])
        let ids = try LongredRun([
            "score", "--model", temporary.url.path, "--ids", prompt.map(String.init).joined(separator: ","),
        ])
        #expect(text.status == 0 && ids.status == 0, "\(text.standardError)")
        #expect(text.standardOutput == ids.standardOutput)
        #expect(text.standardOutput.hasPrefix("{\"next_token_logprobs\": ["))
    }

    @Test func usageErrorsExitWithTwo() throws {
        let model = try modelIOFixturesDirectory().appendingPathComponent("llama_default").path
        let unknown = try LongredRun(["score", "--model", model, "--bogus", "1"])
        #expect(unknown.status == 2)
        #expect(unknown.standardError.contains("--bogus") && unknown.standardError.contains("USAGE: longred score"))
        let badIDs = try LongredRun(["score", "--model", model, "--ids", "1,two"])
        #expect(badIDs.status == 2)
        #expect(badIDs.standardError.contains("--ids"))
        let outside = try LongredRun(["score", "--model", model, "--ids", "1,97"])
        #expect(outside.status == 2 && outside.standardError.contains("--ids"))
        let badNumber = try LongredRun(["generate", "--model", model, "--prompt", "a", "--max-tokens", "many"])
        #expect(badNumber.status == 2 && badNumber.standardError.contains("--max-tokens"))
        let badTopP = try LongredRun(["generate", "--model", model, "--prompt", "a", "--top-p", "1.5"])
        #expect(badTopP.status == 2 && badTopP.standardError.contains("--top-p"))
        let help = try LongredRun(["tokenize", "--help"])
        #expect(help.status == 0 && help.standardOutput.contains("--add-special-tokens"))
    }

    @Test func badFilesExitWithOne() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let missing = try LongredRun(["score", "--model", temporary.path("absent"), "--ids", "1,2"])
        #expect(missing.status == 1)
        #expect(missing.standardError.contains(temporary.path("absent/config.json")))
        let bogus = try temporary.write("bogus.json", bytes: Array("{\"vocab\": {}}".utf8))
        let badTokenizer = try LongredRun(["tokenize", "--tokenizer", bogus], input: "x")
        #expect(badTokenizer.status == 1 && badTokenizer.standardError.contains(bogus))
        // A model directory without a tokenizer cannot score text.
        let model = try modelIOFixturesDirectory().appendingPathComponent("llama_default").path
        let noTokenizer = try LongredRun(["score", "--model", model, "--text", "hi"])
        #expect(noTokenizer.status == 1 && noTokenizer.standardError.contains("tokenizer.json"))
    }
}
