import Foundation

/// The file name a model directory keeps its tokenizer under, whichever kind it is: a
/// Hugging Face `tokenizer.json` or a ``CharacterTokenizer`` file (told apart by content).
public let tokenizerFileName = "tokenizer.json"

/// Loads the tokenizer in the file at `path`, recognising its kind by content: a JSON
/// object with `"type": "CharacterTokenizer"` is a ``CharacterTokenizer``; one with a
/// `model` key is a Hugging Face `tokenizer.json` (loaded as a ``BPETokenizer``).
///
/// Errors are ``TokenizerError`` values naming `path`: unreadable file, invalid JSON, a
/// document of neither kind, or a malformed / unsupported file of either kind.
public func loadTokenizer(path: String) throws -> any Tokenizer {
    let data: Data
    do {
        data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
        throw TokenizerError.unreadableFile(file: path, reason: error.localizedDescription)
    }
    let root: JSONValue
    do {
        root = try JSONParser.parse(data)
    } catch let failure as JSONParser.Failure {
        throw TokenizerError.invalidJSON(file: path, offset: failure.offset, reason: failure.message)
    }
    guard case .object = root else {
        throw TokenizerError.invalidValue(file: path, key: "(root)", reason: "expected an object, found \(root.kindName)")
    }
    if case .string("CharacterTokenizer")? = root["type"] {
        return try CharacterTokenizer(jsonData: data, fileName: path)
    }
    if root["model"] != nil {
        return try BPETokenizer(data: data, fileName: path)
    }
    throw TokenizerError.invalidValue(
        file: path, key: "(root)",
        reason: "neither a Hugging Face tokenizer.json (no 'model' key) "
            + "nor a CharacterTokenizer file (no \"type\": \"CharacterTokenizer\")")
}

/// Loads `tokenizer.json` from a model directory (see ``loadTokenizer(path:)``).
public func loadTokenizer(modelDirectory: String) throws -> any Tokenizer {
    let path = URL(fileURLWithPath: modelDirectory).appendingPathComponent(tokenizerFileName).path
    guard FileManager.default.fileExists(atPath: path) else {
        throw TokenizerError.unreadableFile(file: path, reason: "the model directory has no \(tokenizerFileName)")
    }
    return try loadTokenizer(path: path)
}
