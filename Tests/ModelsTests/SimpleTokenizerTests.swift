import Foundation
import Testing

@testable import Models

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
