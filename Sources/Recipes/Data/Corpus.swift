import Foundation

/// A list of text documents: the raw material every data stream is cut from.
///
/// Load one with ``init(contentsOf:)`` (a `.txt` file, a folder of `.txt` files or a
/// `.jsonl` file), split it with ``split(validationFraction:)`` and turn it into token ids
/// with ``tokens(encodedBy:documentSeparator:)``. Loading is deterministic: folders are
/// read in sorted file-name order.
public struct Corpus: Equatable, Sendable {
    /// The documents, in load order. None is empty.
    public var documents: [String]

    /// Creates a corpus from documents already in memory (empty documents are dropped).
    public init(documents: [String]) {
        self.documents = documents.filter { !$0.isEmpty }
    }

    /// The number of Unicode scalars over all documents (Python's `len` of the text).
    public var scalarCount: Int {
        documents.reduce(0) { $0 + $1.unicodeScalars.count }
    }

    /// Loads a corpus, choosing the format from `url`: a directory is read with
    /// ``init(contentsOfFolder:)``, a `.jsonl` file with ``init(contentsOfJSONLines:)``,
    /// anything else as one plain-text document.
    public init(contentsOf url: URL) throws(CorpusError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw .missingFile(path: url.path)
        }
        if isDirectory.boolValue {
            try self.init(contentsOfFolder: url)
        } else if url.pathExtension.lowercased() == "jsonl" {
            try self.init(contentsOfJSONLines: url)
        } else {
            try self.init(contentsOfTextFile: url)
        }
    }

    /// Loads one UTF-8 text file as a single document.
    public init(contentsOfTextFile url: URL) throws(CorpusError) {
        let text = try Self.readUTF8(url)
        guard !text.isEmpty else { throw .emptyCorpus(path: url.path) }
        documents = [text]
    }

    /// Loads every `.txt` file directly inside `folder`, sorted by file name, one document
    /// per file. Empty files are skipped; a folder with no text at all is an error.
    public init(contentsOfFolder folder: URL) throws(CorpusError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        } catch {
            if !FileManager.default.fileExists(atPath: folder.path) {
                throw .missingFile(path: folder.path)
            }
            throw .unreadable(path: folder.path, reason: "\(error)")
        }
        var documents: [String] = []
        for name in names.sorted() where name.lowercased().hasSuffix(".txt") {
            let text = try Self.readUTF8(folder.appendingPathComponent(name))
            if !text.isEmpty { documents.append(text) }
        }
        guard !documents.isEmpty else { throw .emptyCorpus(path: folder.path) }
        self.documents = documents
    }

    /// Loads a JSON Lines file: each non-blank line is a JSON object whose string field
    /// `"text"` is one document (other fields are ignored; empty texts are skipped).
    public init(contentsOfJSONLines url: URL) throws(CorpusError) {
        let data = try Self.readData(url)
        var documents: [String] = []
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard Self.decodeUTF8(line) != nil else {
                throw .invalidUTF8(path: url.path, line: lineNumber)
            }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            let object: Any
            do {
                object = try JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
            } catch {
                throw .invalidJSON(path: url.path, line: lineNumber)
            }
            guard let record = object as? [String: Any], let text = record["text"] as? String else {
                throw .missingTextField(path: url.path, line: lineNumber)
            }
            if !text.isEmpty { documents.append(text) }
        }
        guard !documents.isEmpty else { throw .emptyCorpus(path: url.path) }
        self.documents = documents
    }

    private static func readData(_ url: URL) throws(CorpusError) -> Data {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingFile(path: url.path)
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: "\(error)")
        }
    }

    private static func readUTF8(_ url: URL) throws(CorpusError) -> String {
        let data = try readData(url)
        if let text = decodeUTF8(data) { return text }
        // Only on failure: find the line so the message points at the bad byte.
        var lineNumber = 0
        for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            if decodeUTF8(line) == nil { break }
        }
        throw .invalidUTF8(path: url.path, line: lineNumber)
    }

    /// The text of `bytes` if they are valid UTF-8, else `nil`.
    static func decodeUTF8<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        if #available(macOS 15, *) {
            return String(validating: bytes, as: UTF8.self)
        }
        return decodeUTF8WithDecoder(bytes)
    }

    /// `decodeUTF8` for systems without `String(validating:as:)` (macOS before 15):
    /// validates with the standard library's decoder, then decodes.
    static func decodeUTF8WithDecoder<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return String(decoding: bytes, as: UTF8.self)
            case .error: return nil
            }
        }
    }
}
