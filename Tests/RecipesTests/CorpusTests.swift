import Foundation
import Testing
@testable import Recipes

/// A fresh temporary folder, removed by the caller.
private func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func write(_ text: String, to url: URL) throws {
    try Data(text.utf8).write(to: url)
}

@Suite("Corpus")
struct CorpusTests {
    @Test("a text file is one document")
    func textFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("a.txt")
        try write("héllo\nworld\n", to: file)
        let corpus = try Corpus(contentsOf: file)
        #expect(corpus.documents == ["héllo\nworld\n"])
        #expect(corpus.scalarCount == 12)
    }

    @Test("a folder loads its .txt files in sorted order, skipping others and empty files")
    func folder() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try write("second", to: folder.appendingPathComponent("b.txt"))
        try write("first", to: folder.appendingPathComponent("a.txt"))
        try write("third", to: folder.appendingPathComponent("c.txt"))
        try write("", to: folder.appendingPathComponent("d.txt"))
        try write("not text", to: folder.appendingPathComponent("notes.md"))
        let corpus = try Corpus(contentsOf: folder)
        #expect(corpus.documents == ["first", "second", "third"])
    }

    @Test("JSON Lines: one document per line from the text field, blank lines skipped")
    func jsonLines() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("data.jsonl")
        try write("{\"text\": \"one\", \"id\": 1}\n\n{\"id\": 2, \"text\": \"two\\nlines\"}\r\n", to: file)
        let corpus = try Corpus(contentsOf: file)
        #expect(corpus.documents == ["one", "two\nlines"])
    }

    @Test("each bad input is a typed error naming the file and line")
    func errors() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }

        let missing = folder.appendingPathComponent("missing.txt")
        #expect(throws: CorpusError.missingFile(path: missing.path)) { try Corpus(contentsOf: missing) }

        let empty = folder.appendingPathComponent("empty.txt")
        try write("", to: empty)
        #expect(throws: CorpusError.emptyCorpus(path: empty.path)) { try Corpus(contentsOf: empty) }

        let badUTF8 = folder.appendingPathComponent("bad.txt")
        try Data([0x61, 0x0A, 0x62, 0x0A, 0x63, 0xFF, 0x0A]).write(to: badUTF8)
        #expect(throws: CorpusError.invalidUTF8(path: badUTF8.path, line: 3)) { try Corpus(contentsOf: badUTF8) }

        let notJSON = folder.appendingPathComponent("notjson.jsonl")
        try write("{\"text\": \"ok\"}\n{\"text\": oops}\n", to: notJSON)
        #expect(throws: CorpusError.invalidJSON(path: notJSON.path, line: 2)) { try Corpus(contentsOf: notJSON) }

        let noText = folder.appendingPathComponent("notext.jsonl")
        try write("{\"text\": \"ok\"}\n\n{\"body\": \"x\"}\n", to: noText)
        #expect(throws: CorpusError.missingTextField(path: noText.path, line: 3)) { try Corpus(contentsOf: noText) }

        let numberText = folder.appendingPathComponent("number.jsonl")
        try write("{\"text\": 5}\n", to: numberText)
        #expect(throws: CorpusError.missingTextField(path: numberText.path, line: 1)) {
            try Corpus(contentsOf: numberText)
        }

        let arrayLine = folder.appendingPathComponent("array.jsonl")
        try write("[\"text\"]\n", to: arrayLine)
        #expect(throws: CorpusError.missingTextField(path: arrayLine.path, line: 1)) {
            try Corpus(contentsOf: arrayLine)
        }

        let badJSONL = folder.appendingPathComponent("badutf8.jsonl")
        try Data(Array("{\"text\": \"a\"}\n{\"text\": \"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)).write(to: badJSONL)
        #expect(throws: CorpusError.invalidUTF8(path: badJSONL.path, line: 2)) { try Corpus(contentsOf: badJSONL) }

        let blankJSONL = folder.appendingPathComponent("blank.jsonl")
        try write("\n  \n", to: blankJSONL)
        #expect(throws: CorpusError.emptyCorpus(path: blankJSONL.path)) { try Corpus(contentsOf: blankJSONL) }

        let emptyFolder = folder.appendingPathComponent("nothing")
        try FileManager.default.createDirectory(at: emptyFolder, withIntermediateDirectories: true)
        try write("ignored", to: emptyFolder.appendingPathComponent("readme.md"))
        #expect(throws: CorpusError.emptyCorpus(path: emptyFolder.path)) { try Corpus(contentsOf: emptyFolder) }
    }

    @Test("UTF-8 validation: the portable decoder agrees with the standard one")
    func utf8Validation() {
        let cases: [[UInt8]] = [
            Array("plain".utf8), Array("héllo ✓ 𝄞".utf8), [], [0xFF], [0x61, 0xC3], [0xC3, 0x28],
            [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF],
        ]
        let expectedValid = [true, true, true, false, false, false, false, false, false, false]
        for (bytes, valid) in zip(cases, expectedValid) {
            #expect((Corpus.decodeUTF8(bytes) != nil) == valid, "\(bytes)")
            #expect(Corpus.decodeUTF8WithDecoder(bytes) == Corpus.decodeUTF8(bytes), "\(bytes)")
        }
    }

    @Test("error messages name the file, the line and the problem")
    func messages() {
        let error = CorpusError.missingTextField(path: "/data/x.jsonl", line: 7)
        #expect(error.description.contains("/data/x.jsonl"))
        #expect(error.description.contains("line 7"))
        #expect(error.description.contains("\"text\""))
        #expect(error.localizedDescription == error.description)
        #expect(CorpusError.invalidUTF8(path: "/a.txt", line: 2).description.contains("invalid UTF-8"))
    }

    @Test("split by documents keeps the last ones for validation, deterministically")
    func splitDocuments() {
        let corpus = Corpus(documents: (0..<10).map { "doc\($0)" })
        let (training, validation) = corpus.split(validationFraction: 0.1)
        #expect(training.documents == (0..<9).map { "doc\($0)" })
        #expect(validation.documents == ["doc9"])
        let (small, rest) = Corpus(documents: ["a", "b"]).split(validationFraction: 0.01)
        #expect(small.documents == ["a"] && rest.documents == ["b"])
        let again = corpus.split(validationFraction: 0.1)
        #expect(again.training == training && again.validation == validation)
    }

    @Test("a single document is split by characters, nanoGPT's data[:int(n*0.9)]")
    func splitCharacters() {
        let (training, validation) = Corpus(documents: ["abcdéfghij"]).split(validationFraction: 0.25)
        #expect(training.documents == ["abcdéfg"])  // int(10 * 0.75) = 7
        #expect(validation.documents == ["hij"])
    }

    @Test("the bundled corpus is found and splits like nanoGPT's shakespeare_char")
    func bundledShakespeare() throws {
        let url = try #require(Corpus.locateBundledFile(
            searchingFrom: URL(fileURLWithPath: #filePath).deletingLastPathComponent()))
        let corpus = try Corpus.bundledShakespeare(at: url)
        #expect(corpus.scalarCount == 1_115_394)
        let (training, validation) = corpus.split(validationFraction: 0.1)
        #expect(training.scalarCount == 1_003_854)
        #expect(validation.scalarCount == 111_540)
        #expect(training.documents[0].hasPrefix("First Citizen:"))
        #expect(Corpus.locateBundledFile(named: "no-such-file.txt",
                                         searchingFrom: URL(fileURLWithPath: #filePath)) == nil)
    }

    @Test("tokens are the concatenated encodings with separators between documents")
    func tokenStream() {
        let corpus = Corpus(documents: ["ab", "c"])
        let encode: TokenEncoder = { $0.unicodeScalars.map { Int($0.value) } }
        #expect(corpus.tokens(encodedBy: encode) == [97, 98, 99])
        #expect(corpus.tokens(encodedBy: encode, documentSeparator: [0]) == [97, 98, 0, 99])
    }
}
