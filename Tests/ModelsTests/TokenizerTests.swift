import Foundation
import Testing

@testable import Models

/// Reference ids and texts recorded with Hugging Face `tokenizers`
/// (Scripts/make_tokenizer_fixtures.py).
private struct Expected {
    struct Case {
        var text: String
        var ids: [Int]
        var idsWithSpecial: [Int]
        var decoded: String
        var decodedWithSpecial: String
        var decodedSkipSpecial: String
    }

    var vocabularySize: Int
    var tokenIds: [String: Int?]
    var idToToken: [Int: String]
    var cases: [Case]
    var decodeOnly: [(ids: [Int], decoded: String)]

    init(name: String) throws {
        let data = try Data(contentsOf: fixtureURL(name + ".expected.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        vocabularySize = try #require(root["vocab_size"] as? Int)
        let ids = try #require(root["token_ids"] as? [String: Any])
        tokenIds = ids.mapValues { $0 as? Int }
        let tokens = try #require(root["id_to_token"] as? [String: String])
        idToToken = Dictionary(uniqueKeysWithValues: tokens.map { (Int($0.key)!, $0.value) })
        cases = try #require(root["cases"] as? [[String: Any]]).map { entry in
            Case(
                text: try #require(entry["text"] as? String),
                ids: try #require(entry["ids"] as? [Int]),
                idsWithSpecial: try #require(entry["ids_with_special"] as? [Int]),
                decoded: try #require(entry["decoded"] as? String),
                decodedWithSpecial: try #require(entry["decoded_with_special"] as? String),
                decodedSkipSpecial: try #require(entry["decoded_skip_special"] as? String))
        }
        decodeOnly = try #require(root["decode_only"] as? [[String: Any]]).map { entry in
            (try #require(entry["ids"] as? [Int]), try #require(entry["decoded"] as? String))
        }
    }
}

func fixtureURL(_ name: String) -> URL {
    Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
        .appendingPathComponent("tokenizers").appendingPathComponent(name)
}

/// Exact comparison: Swift's `==` on strings treats canonically equivalent text as equal.
private func scalars(_ text: String) -> [UInt32] {
    text.unicodeScalars.map(\.value)
}

private let tokenizerNames = ["gpt2", "gpt2_prefix", "llama3", "qwen2", "llama2", "mistral", "metaspace_always", "metaspace_never"]

@Suite struct BPETokenizerFixtureTests {
    @Test(arguments: tokenizerNames)
    func idsMatchHuggingFace(name: String) throws {
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL(name + ".json"))
        let expected = try Expected(name: name)
        #expect(tokenizer.vocabularySize == expected.vocabularySize)
        for (token, id) in expected.tokenIds {
            #expect(tokenizer.id(of: token) == id, "\(name): id(of: \(token.debugDescription))")
        }
        for (id, token) in expected.idToToken {
            #expect(tokenizer.token(of: id).map(scalars) == scalars(token), "\(name): token(of: \(id))")
        }
        for testCase in expected.cases {
            let label = "\(name): \(testCase.text.debugDescription)"
            #expect(tokenizer.encode(testCase.text, addSpecialTokens: false) == testCase.ids, "\(label)")
            #expect(tokenizer.encode(testCase.text, addSpecialTokens: true) == testCase.idsWithSpecial, "\(label)")
            #expect(
                scalars(tokenizer.decode(testCase.ids, skipSpecialTokens: false)) == scalars(testCase.decoded),
                "\(label)")
            #expect(
                scalars(tokenizer.decode(testCase.idsWithSpecial, skipSpecialTokens: false))
                    == scalars(testCase.decodedWithSpecial), "\(label)")
            #expect(
                scalars(tokenizer.decode(testCase.idsWithSpecial, skipSpecialTokens: true))
                    == scalars(testCase.decodedSkipSpecial), "\(label)")
        }
        for entry in expected.decodeOnly {
            #expect(scalars(tokenizer.decode(entry.ids, skipSpecialTokens: false)) == scalars(entry.decoded), "\(name)")
        }
    }

    /// Where Hugging Face's decode gives the input back, ours does too.
    @Test(arguments: tokenizerNames)
    func roundTripsWhereHuggingFaceDoes(name: String) throws {
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL(name + ".json"))
        let expected = try Expected(name: name)
        var roundTrips = 0
        for testCase in expected.cases where scalars(testCase.decoded) == scalars(testCase.text) {
            let ids = tokenizer.encode(testCase.text, addSpecialTokens: false)
            #expect(scalars(tokenizer.decode(ids, skipSpecialTokens: false)) == scalars(testCase.text))
            roundTrips += 1
        }
        #expect(roundTrips >= 3, "\(name): expected most fixture strings to round-trip")
    }

    @Test func corpusPrefixMatchesHuggingFace() throws {
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL("llama3.json"))
        let data = try Data(contentsOf: fixtureURL("llama3.corpus.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let characters = try #require(root["characters"] as? Int)
        let expectedIds = try #require(root["ids"] as? [Int])
        let text = try corpusText()
        let prefix = String(String.UnicodeScalarView(text.unicodeScalars.prefix(characters)))
        #expect(tokenizer.encode(prefix, addSpecialTokens: false) == expectedIds)
    }

    @Test func bosAndEosComeFromTheTemplate() throws {
        let llama2 = try BPETokenizer(contentsOf: fixtureURL("llama2.json"))
        #expect(llama2.bosTokenId == 1)
        #expect(llama2.eosTokenId == 2)
        let mistral = try BPETokenizer(contentsOf: fixtureURL("mistral.json"))
        #expect(mistral.bosTokenId == 1)
        #expect(mistral.eosTokenId == 2)
        let llama3 = try BPETokenizer(contentsOf: fixtureURL("llama3.json"))
        #expect(llama3.bosTokenId == 0)
        #expect(llama3.eosTokenId == 1)
        let gpt2 = try BPETokenizer(contentsOf: fixtureURL("gpt2.json"))
        #expect(gpt2.bosTokenId == nil)
        #expect(gpt2.eosTokenId == 0)
    }
}

/// The Shakespeare corpus shipped in the fixtures' sibling: read from the repository's
/// Data folder relative to this source file.
func corpusText() throws -> String {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Data/tinyshakespeare.txt")
    return try String(contentsOf: url, encoding: .utf8)
}

@Suite struct CharacterTokenizerTests {
    @Test func shakespeareVocabularyIsNanoGPTs() throws {
        let text = try corpusText()
        let tokenizer = CharacterTokenizer(trainingText: text)
        // nanoGPT's shakespeare_char: 65 symbols, "\n" first, then " ", "!", ...
        #expect(tokenizer.vocabularySize == 65)
        #expect(tokenizer.characters.prefix(3) == ["\n", " ", "!"])
        #expect(tokenizer.characters.last == "z")
        #expect(tokenizer.id(of: "A") == 13)
        #expect(tokenizer.id(of: "a") == 39)
        let sample = String(text.prefix(2000))
        let ids = try tokenizer.encode(sample, addSpecialTokens: false)
        #expect(ids.count == sample.unicodeScalars.count)
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == sample)
        #expect(try tokenizer.encode("hi", addSpecialTokens: false) == [46, 47])
    }

    @Test func unknownCharacterIsATypedError() throws {
        let tokenizer = CharacterTokenizer(trainingText: "abc\n")
        #expect(throws: TokenizerError.unknownCharacter("é", offset: 2)) {
            try tokenizer.encode("ab\u{e9}c", addSpecialTokens: false)
        }
        // Scalars, not grapheme clusters: "\r\n" needs "\r" in the vocabulary.
        #expect(throws: TokenizerError.unknownCharacter("\r", offset: 1)) {
            try tokenizer.encode("a\r\nb", addSpecialTokens: false)
        }
    }

    @Test func savesAndLoadsAsJSON() throws {
        let tokenizer = CharacterTokenizer(trainingText: "To be, or not to be: \u{e9}\u{301}\u{1F600}\r\n")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("chars-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try tokenizer.save(to: url)
        let loaded = try CharacterTokenizer(contentsOf: url)
        #expect(loaded == tokenizer)
        #expect(loaded.characters.map(\.value) == tokenizer.characters.map(\.value))
        let text = "be\u{301} \u{1F600}\r\n"
        #expect(loaded.decode(try loaded.encode(text, addSpecialTokens: false), skipSpecialTokens: false)
            .unicodeScalars.elementsEqual(text.unicodeScalars))
    }

    @Test func malformedFilesAreTypedErrors() {
        #expect(throws: TokenizerError.missingKey(file: "c.json", key: "characters")) {
            try CharacterTokenizer(jsonData: Data(#"{"type": "CharacterTokenizer"}"#.utf8), fileName: "c.json")
        }
        #expect(throws: TokenizerError.invalidValue(file: "c.json", key: "characters[1]", reason: "expected a single character")) {
            try CharacterTokenizer(jsonData: Data(#"{"type": "CharacterTokenizer", "characters": ["a", "bc"]}"#.utf8), fileName: "c.json")
        }
        #expect(throws: TokenizerError.invalidValue(file: "c.json", key: "characters", reason: "duplicate character U+61")) {
            try CharacterTokenizer(jsonData: Data(#"{"type": "CharacterTokenizer", "characters": ["a", "a"]}"#.utf8), fileName: "c.json")
        }
        #expect(throws: TokenizerError.self) {
            try CharacterTokenizer(jsonData: Data("[1, 2".utf8), fileName: "c.json")
        }
    }
}

@Suite struct ByteTokenizerTests {
    @Test func roundTripsAnyUTF8() {
        let tokenizer = ByteTokenizer()
        #expect(tokenizer.vocabularySize == 256)
        for text in ["", "plain", "caf\u{e9} e\u{301} \u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}", "\r\n\t\u{0}", "\u{10FFFF}"] {
            let ids = tokenizer.encode(text, addSpecialTokens: true)
            #expect(ids == text.utf8.map { Int($0) })
            #expect(tokenizer.decode(ids, skipSpecialTokens: false).unicodeScalars.elementsEqual(text.unicodeScalars))
        }
        // A truncated sequence decodes to one replacement character.
        #expect(tokenizer.decode([0xF0, 0x9F, 0x61], skipSpecialTokens: false) == "\u{FFFD}a")
    }

    @Test func specialTokensAreSplitOutAndSkippable() {
        let tokenizer = ByteTokenizer(specialTokens: ["<bos>", "<eos>"], bosToken: "<bos>", eosToken: "<eos>")
        #expect(tokenizer.vocabularySize == 258)
        #expect(tokenizer.bosTokenId == 256)
        #expect(tokenizer.eosTokenId == 257)
        let ids = tokenizer.encode("hi<eos>", addSpecialTokens: true)
        #expect(ids == [256, 104, 105, 257])
        #expect(tokenizer.decode(ids, skipSpecialTokens: false) == "<bos>hi<eos>")
        #expect(tokenizer.decode(ids, skipSpecialTokens: true) == "hi")
        #expect(tokenizer.id(of: "<eos>") == 257)
        #expect(tokenizer.id(of: "A") == 65)
        #expect(tokenizer.token(of: 256) == "<bos>")
    }
}

@Suite struct TokenizerFileErrorTests {
    private func load(_ json: String) throws -> BPETokenizer {
        try BPETokenizer(data: Data(json.utf8), fileName: "bad.json")
    }

    private let vocab = #""vocab": {"a": 0, "b": 1, "ab": 2}"#

    @Test func notJSON() {
        #expect(throws: TokenizerError.invalidJSON(file: "bad.json", offset: 12, reason: "expected ',' or '}'")) {
            try load(#"{"model": 1 2}"#)
        }
        #expect(throws: TokenizerError.invalidJSON(file: "bad.json", offset: 0, reason: "unexpected character 'h'")) {
            try load("hello")
        }
    }

    @Test func unreadableFile() {
        let url = URL(fileURLWithPath: "/nonexistent/tokenizer.json")
        #expect {
            try BPETokenizer(contentsOf: url)
        } throws: { error in
            guard case TokenizerError.unreadableFile(let file, _) = error else { return false }
            return file == "/nonexistent/tokenizer.json"
        }
    }

    @Test func missingModelAndVocab() {
        #expect(throws: TokenizerError.missingKey(file: "bad.json", key: "model")) {
            try load(#"{"normalizer": null}"#)
        }
        #expect(throws: TokenizerError.missingKey(file: "bad.json", key: "model.vocab")) {
            try load(#"{"model": {"type": "BPE", "merges": []}}"#)
        }
        #expect(throws: TokenizerError.invalidValue(file: "bad.json", key: "model.vocab[\"a\"]", reason: "expected a non-negative integer, found a string")) {
            try load(#"{"model": {"type": "BPE", "vocab": {"a": "0"}, "merges": []}}"#)
        }
    }

    @Test func unknownComponentTypes() {
        #expect(throws: TokenizerError.unsupported(file: "bad.json", key: "model.type", value: "WordPiece")) {
            try load(#"{"model": {"type": "WordPiece", \#(vocab)}}"#)
        }
        #expect(throws: TokenizerError.unsupported(file: "bad.json", key: "pre_tokenizer.pretokenizers[1].type", value: "Whitespace")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": []}, "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "ByteLevel"}, {"type": "Whitespace"}]}}"#)
        }
        #expect(throws: TokenizerError.unsupported(file: "bad.json", key: "normalizer.type", value: "BertNormalizer")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": []}, "normalizer": {"type": "BertNormalizer"}}"#)
        }
        #expect(throws: TokenizerError.unsupported(file: "bad.json", key: "decoder.type", value: "WordPiece")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": []}, "decoder": {"type": "WordPiece"}}"#)
        }
        #expect(throws: TokenizerError.unsupported(file: "bad.json", key: "pre_tokenizer.pattern.Regex", value: "\"\\\\d+\"")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": []}, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated"}}"#)
        }
    }

    @Test func mergeNamingAnUnknownToken() {
        #expect(throws: TokenizerError.unknownMergeToken(file: "bad.json", key: "model.merges[1]", token: "z")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": ["a b", "a z"]}}"#)
        }
        #expect(throws: TokenizerError.unknownMergeToken(file: "bad.json", key: "model.merges[0]", token: "ba")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": [["b", "a"]]}}"#)
        }
        #expect(throws: TokenizerError.invalidValue(file: "bad.json", key: "model.merges[0]", reason: "expected \"left right\", found \"ab\"")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": ["ab"]}}"#)
        }
    }

    @Test func templateNamingAnUnknownSpecialToken() {
        #expect(throws: TokenizerError.missingKey(file: "bad.json", key: "post_processor.special_tokens.<s>")) {
            try load(#"{"model": {"type": "BPE", \#(vocab), "merges": []}, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {}}}"#)
        }
    }

    @Test func minimalFileWorks() throws {
        let tokenizer = try load(#"{"model": {"type": "BPE", \#(vocab), "merges": ["a b"]}}"#)
        #expect(tokenizer.encode("abab", addSpecialTokens: true) == [2, 2])
        #expect(tokenizer.encode("bac", addSpecialTokens: false) == [1, 0])  // no unk: "c" is dropped
        #expect(tokenizer.decode([2, 1], skipSpecialTokens: false) == "ab b")  // no decoder: joined by spaces
    }

    @Test func errorMessagesNameFileAndKey() {
        let message = TokenizerError.unknownMergeToken(file: "tok.json", key: "model.merges[3]", token: "q").description
        #expect(message.contains("tok.json") && message.contains("model.merges[3]") && message.contains("\"q\""))
    }
}

/// Random strings over an alphabet at the edges of the split regexes' classes.
@Suite struct TokenizerFuzzTests {
    @Test(arguments: tokenizerNames)
    func randomStringsMatchHuggingFace(name: String) throws {
        let data = try Data(contentsOf: fixtureURL("fuzz.expected.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let strings = try #require(root["strings"] as? [String])
        let expected = try #require(root[name] as? [[Int]])
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL(name + ".json"))
        var mismatches = 0
        for (text, ids) in zip(strings, expected) {
            let actual = tokenizer.encode(text, addSpecialTokens: false)
            if actual != ids {
                mismatches += 1
                if mismatches <= 5 {
                    Issue.record("\(name): \(text.debugDescription): got \(actual), expected \(ids)")
                }
            }
        }
        #expect(mismatches == 0)
        #expect(strings.count == 200)
    }

    /// Two threads filling the shared word cache at once still get Hugging Face's ids.
    @Test func concurrentEncodingIsConsistent() throws {
        let data = try Data(contentsOf: fixtureURL("fuzz.expected.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let strings = try #require(root["strings"] as? [String])
        let expected = try #require(root["llama3"] as? [[Int]])
        let tokenizer = try BPETokenizer(contentsOf: fixtureURL("llama3.json"))
        let results = UnsafeMutableBufferPointer<[Int]>.allocate(capacity: 2 * strings.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { thread in
            for (index, text) in strings.enumerated() {
                results[thread * strings.count + index] = tokenizer.encode(text, addSpecialTokens: false)
            }
        }
        #expect(Array(results[0..<strings.count]) == expected)
        #expect(Array(results[strings.count...]) == expected)
    }
}

/// Components whose options the trained fixtures do not exercise; expectations are
/// Hugging Face outputs (`pre_tokenize_str`, `encode`) recorded by hand.
@Suite struct TokenizerComponentTests {
    @Test func splitBehaviorsMatchHuggingFace() {
        let text = TextPiece(text: Array("--a-b--c-".unicodeScalars), atStart: true)
        let expected: [(SplitBehavior, Bool, [String])] = [
            (.removed, false, ["a", "b", "c"]),
            (.removed, true, ["-", "-", "-", "-", "-", "-"]),
            (.isolated, false, ["-", "-", "a", "-", "b", "-", "-", "c", "-"]),
            (.isolated, true, ["-", "-", "a", "-", "b", "-", "-", "c", "-"]),
            (.mergedWithPrevious, false, ["-", "-", "a-", "b-", "-", "c-"]),
            (.mergedWithPrevious, true, ["-", "-a", "-b", "-", "-c", "-"]),
            (.mergedWithNext, false, ["-", "-a", "-b", "-", "-c", "-"]),
            (.mergedWithNext, true, ["-", "-", "a-", "b-", "-", "c-"]),
            (.contiguous, false, ["--", "a", "-", "b", "--", "c", "-"]),
            (.contiguous, true, ["--", "a", "-", "b", "--", "c", "-"]),
        ]
        for (behavior, invert, pieces) in expected {
            let actual = PreTokenizer.split(text, .literal(["-"]), behavior, invert: invert).map { string($0.text) }
            #expect(actual == pieces, "\(behavior) invert: \(invert)")
        }
    }

    @Test func ignoreMergesTakesWholeWordsFromTheVocabulary() throws {
        func tokenizer(ignoreMerges: Bool) throws -> BPETokenizer {
            let json = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "c": 2, "ab": 3, "bc": 4, "abc": 5}, "merges": ["b c", "a b"], "ignore_merges": \#(ignoreMerges)}}"#
            return try BPETokenizer(data: Data(json.utf8))
        }
        #expect(try tokenizer(ignoreMerges: true).encode("abc", addSpecialTokens: false) == [5])
        #expect(try tokenizer(ignoreMerges: true).encode("abcab", addSpecialTokens: false) == [0, 4, 3])
        #expect(try tokenizer(ignoreMerges: false).encode("abc", addSpecialTokens: false) == [0, 4])
    }

    @Test func stripDecoderRemovesAtBothEnds() {
        let decoder = Decoder.strip(content: "x", start: 2, stop: 1)
        // Hugging Face: decode(["xxxaxx", "ax"]) == "xaxa".
        #expect(decoder.decode(["xxxaxx", "ax"]) == "xaxa")
        // Hugging Face panics on these (overlapping cuts); here they become empty.
        #expect(decoder.decodeChain(["x", ""]) == ["", ""])
    }
}
