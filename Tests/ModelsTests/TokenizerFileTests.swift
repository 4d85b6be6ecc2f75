import Foundation
import Testing
@testable import Models

@Suite("loadTokenizer: kind detected from the file's content")
struct TokenizerFileTests {
    private func tokenizerFixture(_ name: String) throws -> String {
        try modelIOFixturesDirectory().appendingPathComponent("tokenizers/\(name)").path
    }

    @Test func huggingFaceFileLoadsAsBPE() throws {
        let tokenizer = try loadTokenizer(path: tokenizerFixture("llama2.json"))
        #expect(tokenizer is BPETokenizer)
        #expect(try tokenizer.encode("Hello world", addSpecialTokens: true) == [1, 776, 490, 309, 951])
    }

    @Test func characterFileLoadsAsCharacterTokenizer() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let original = CharacterTokenizer(trainingText: "to be or not to be\n")
        try original.save(to: temporary.url.appendingPathComponent(tokenizerFileName))
        let loaded = try loadTokenizer(modelDirectory: temporary.url.path)
        #expect((loaded as? CharacterTokenizer) == original)
        #expect(try loaded.encode("be not", addSpecialTokens: false) == original.encode("be not"))
    }

    @Test func otherContentIsATypedErrorNamingTheFile() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let neither = try temporary.write("neither.json", bytes: Array("{\"type\": \"WordLevel\"}".utf8))
        #expect(throws: TokenizerError.invalidValue(
            file: neither, key: "(root)",
            reason: "neither a Hugging Face tokenizer.json (no 'model' key) nor a CharacterTokenizer file (no \"type\": \"CharacterTokenizer\")")
        ) { try loadTokenizer(path: neither) }
        let array = try temporary.write("array.json", bytes: Array("[1, 2]".utf8))
        #expect(throws: TokenizerError.invalidValue(file: array, key: "(root)", reason: "expected an object, found an array")) {
            try loadTokenizer(path: array)
        }
        let broken = try temporary.write("broken.json", bytes: Array("{\"model\": ".utf8))
        do {
            _ = try loadTokenizer(path: broken)
            Issue.record("broken JSON loaded")
        } catch let error as TokenizerError {
            guard case .invalidJSON(let file, _, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == broken)
        }
        // A malformed file of a recognised kind reports the kind's own error, naming the path.
        let badCharacters = try temporary.write(
            "chars.json", bytes: Array("{\"type\": \"CharacterTokenizer\", \"characters\": [\"ab\"]}".utf8))
        #expect(throws: TokenizerError.invalidValue(file: badCharacters, key: "characters[0]", reason: "expected a single character")) {
            try loadTokenizer(path: badCharacters)
        }
    }

    @Test func missingFilesAreTypedErrors() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let expected = temporary.url.appendingPathComponent("tokenizer.json").path
        #expect(throws: TokenizerError.unreadableFile(file: expected, reason: "the model directory has no tokenizer.json")) {
            try loadTokenizer(modelDirectory: temporary.url.path)
        }
        do {
            _ = try loadTokenizer(path: temporary.path("absent.json"))
            Issue.record("a missing file loaded")
        } catch let error as TokenizerError {
            guard case .unreadableFile(let file, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == temporary.path("absent.json"))
        }
    }
}
