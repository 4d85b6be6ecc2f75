import Foundation

/// The tokenizer stored with a model: `tokenizer.json` in the model directory, either a
/// ``CharacterTokenizer`` file (`{"type": "CharacterTokenizer", ...}`, written by
/// `longred pretrain`) or a Hugging Face BPE `tokenizer.json`.
public enum ModelDirectoryTokenizer {
    /// The file name inside a model directory.
    public static let fileName = "tokenizer.json"

    /// The tokenizer of the model in `directory`, or nil when it has no `tokenizer.json`.
    /// - Throws: ``TokenizerError`` when the file exists but cannot be read.
    public static func load(directory: String) throws -> (any Tokenizer)? {
        let url = URL(fileURLWithPath: directory).appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        if isCharacterTokenizer(data) { return try CharacterTokenizer(jsonData: data, fileName: url.path) }
        return try BPETokenizer(data: data, fileName: url.path)
    }

    /// Whether the JSON's top-level `type` is `CharacterTokenizer`. Character vocabularies
    /// are small, so large files (BPE) are not parsed twice.
    private static func isCharacterTokenizer(_ data: Data) -> Bool {
        guard data.count < 1 << 20, let object = try? JSONSerialization.jsonObject(with: data),
              let dictionary = object as? [String: Any] else { return false }
        return dictionary["type"] as? String == "CharacterTokenizer"
    }
}
