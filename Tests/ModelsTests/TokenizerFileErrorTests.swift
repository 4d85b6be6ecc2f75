import Foundation
import Testing

@testable import Models

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
        let decoder = TokenDecoder.strip(content: "x", start: 2, stop: 1)
        // Hugging Face: decode(["xxxaxx", "ax"]) == "xaxa".
        #expect(decoder.decode(["xxxaxx", "ax"]) == "xaxa")
        // Hugging Face panics on these (overlapping cuts); here they become empty.
        #expect(decoder.decodeChain(["x", ""]) == ["", ""])
    }
}
