import Foundation

/// Why a corpus could not be loaded. Every case names the offending file (and, for JSON
/// Lines, the 1-based line) so the message alone tells the user what to fix.
public enum CorpusError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// The file or folder does not exist.
    case missingFile(path: String)
    /// The file or folder exists but could not be read (permissions, I/O error).
    case unreadable(path: String, reason: String)
    /// The file, folder or JSON Lines file contains no text.
    case emptyCorpus(path: String)
    /// The bytes are not valid UTF-8; `line` is the first line (1-based) holding a bad byte.
    case invalidUTF8(path: String, line: Int)
    /// A JSON Lines line is not valid JSON.
    case invalidJSON(path: String, line: Int)
    /// A JSON Lines line is valid JSON but not an object with a string field "text".
    case missingTextField(path: String, line: Int)

    public var description: String {
        switch self {
        case .missingFile(let path):
            return "corpus file not found: \(path)"
        case .unreadable(let path, let reason):
            return "corpus file \(path) could not be read: \(reason)"
        case .emptyCorpus(let path):
            return "corpus \(path) contains no text"
        case .invalidUTF8(let path, let line):
            return "corpus file \(path), line \(line): invalid UTF-8"
        case .invalidJSON(let path, let line):
            return "corpus file \(path), line \(line): not valid JSON"
        case .missingTextField(let path, let line):
            return "corpus file \(path), line \(line): expected a JSON object with a string field \"text\""
        }
    }

    public var errorDescription: String? { description }
}
