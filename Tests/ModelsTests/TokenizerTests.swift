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
