/// Errors raised while loading tokenizer files or encoding text a tokenizer cannot
/// represent. Every case names the file (or input) and the key at fault.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read at all.
    case unreadableFile(file: String, reason: String)
    /// The file is not valid JSON; `offset` is the byte offset of the problem.
    case invalidJSON(file: String, offset: Int, reason: String)
    /// A required key is absent. `key` is a dotted path such as `model.vocab`.
    case missingKey(file: String, key: String)
    /// A key holds a value of the wrong kind or out of range.
    case invalidValue(file: String, key: String, reason: String)
    /// A component type (model, normalizer, pre-tokenizer, ...) or option this
    /// implementation does not support.
    case unsupported(file: String, key: String, value: String)
    /// A merge rule names a token that is not in the vocabulary.
    case unknownMergeToken(file: String, key: String, token: String)
    /// `CharacterTokenizer.encode` met a character outside its vocabulary;
    /// `offset` counts Unicode scalars from the start of the input.
    case unknownCharacter(Unicode.Scalar, offset: Int)

    public var description: String {
        switch self {
        case .unreadableFile(let file, let reason):
            return "\(file): cannot read tokenizer file: \(reason)"
        case .invalidJSON(let file, let offset, let reason):
            return "\(file): not valid JSON at byte \(offset): \(reason)"
        case .missingKey(let file, let key):
            return "\(file): missing key '\(key)'"
        case .invalidValue(let file, let key, let reason):
            return "\(file): invalid value for '\(key)': \(reason)"
        case .unsupported(let file, let key, let value):
            return "\(file): unsupported '\(key)' value \(value)"
        case .unknownMergeToken(let file, let key, let token):
            return "\(file): '\(key)' names token \(token.debugDescription), which is not in the vocabulary"
        case .unknownCharacter(let scalar, let offset):
            let hex = String(scalar.value, radix: 16, uppercase: true)
            return "character U+\(hex) at offset \(offset) is not in the tokenizer's vocabulary"
        }
    }
}
