import Foundation

/// A character-level tokenizer, as nanoGPT's `shakespeare_char`: the vocabulary is the
/// sorted set of characters of a training text, and each character is one id.
///
/// "Character" means Unicode scalar (Python's `str` element), not Swift's grapheme
/// cluster, so "\r\n" is two ids and every string has exactly one encoding. Ids follow
/// code-point order. There are no special tokens.
///
/// Text containing a character outside the vocabulary is rejected by `encode` with
/// ``TokenizerError/unknownCharacter(_:offset:)``: silently substituting would corrupt
/// training data without anyone noticing.
public struct CharacterTokenizer: Tokenizer, Equatable, Sendable {
    /// The vocabulary: `characters[id]` is the character of `id`, in increasing code-point order.
    public let characters: [Unicode.Scalar]
    private let ids: [Unicode.Scalar: Int]

    /// The vocabulary of `text`: its distinct characters, sorted by code point.
    public init(trainingText text: String) {
        self.init(sortedCharacters: Set(text.unicodeScalars).sorted { $0.value < $1.value })
    }

    /// A vocabulary of exactly these characters, sorted by code point.
    public init(characters: [Unicode.Scalar]) {
        let sorted = characters.sorted { $0.value < $1.value }
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            precondition(a != b, "CharacterTokenizer(characters:): duplicate character U+\(String(a.value, radix: 16))")
        }
        self.init(sortedCharacters: sorted)
    }

    private init(sortedCharacters: [Unicode.Scalar]) {
        characters = sortedCharacters
        ids = Dictionary(uniqueKeysWithValues: sortedCharacters.enumerated().map { ($1, $0) })
    }

    public var vocabularySize: Int { characters.count }
    public var bosTokenId: Int? { nil }
    public var eosTokenId: Int? { nil }

    /// One id per Unicode scalar of `text`. `addSpecialTokens` has no effect (there are
    /// none). Throws ``TokenizerError/unknownCharacter(_:offset:)`` for a character
    /// outside the vocabulary.
    public func encode(_ text: String, addSpecialTokens: Bool = false) throws -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(text.utf8.count)
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            guard let id = ids[scalar] else { throw TokenizerError.unknownCharacter(scalar, offset: offset) }
            result.append(id)
        }
        return result
    }

    /// The characters of `ids`; ids outside the vocabulary are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var view = String.UnicodeScalarView()
        for id in ids where id >= 0 && id < characters.count { view.append(characters[id]) }
        return String(view)
    }

    public func id(of token: String) -> Int? {
        let scalars = Array(token.unicodeScalars)
        return scalars.count == 1 ? ids[scalars[0]] : nil
    }

    public func token(of id: Int) -> String? {
        id >= 0 && id < characters.count ? String(Character(characters[id])) : nil
    }

    public static func == (lhs: CharacterTokenizer, rhs: CharacterTokenizer) -> Bool {
        lhs.characters == rhs.characters
    }

    // MARK: Saving and loading

    /// JSON of the form `{"type": "CharacterTokenizer", "characters": ["\n", " ", ...]}`.
    public func jsonData() -> Data {
        let object: [String: Any] = [
            "type": "CharacterTokenizer",
            "characters": characters.map { String(Character($0)) },
        ]
        // Encoding an array of strings cannot fail.
        return try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// Writes ``jsonData()`` to `url`.
    public func save(to url: URL) throws {
        try jsonData().write(to: url, options: .atomic)
    }

    /// Loads a vocabulary written by ``save(to:)``.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        try self.init(jsonData: data, fileName: url.lastPathComponent)
    }

    /// Parses JSON written by ``jsonData()``; `fileName` is used in error messages.
    public init(jsonData data: Data, fileName: String = "tokenizer.json") throws {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data)
        } catch let failure as JSONParser.Failure {
            throw TokenizerError.invalidJSON(file: fileName, offset: failure.offset, reason: failure.message)
        }
        let reader = TokenizerFileReader(file: fileName)
        let type = try reader.string(root, "type", path: "")
        guard type == "CharacterTokenizer" else {
            throw TokenizerError.unsupported(file: fileName, key: "type", value: type)
        }
        var characters: [Unicode.Scalar] = []
        for (index, entry) in try reader.array(root, "characters", path: "").enumerated() {
            let path = "characters[\(index)]"
            let scalars = Array(try reader.string(entry, path: path).unicodeScalars)
            guard scalars.count == 1 else {
                throw TokenizerError.invalidValue(file: fileName, key: path, reason: "expected a single character")
            }
            characters.append(scalars[0])
        }
        let sorted = characters.sorted { $0.value < $1.value }
        if let duplicate = zip(sorted, sorted.dropFirst()).first(where: { $0 == $1 }) {
            throw TokenizerError.invalidValue(
                file: fileName, key: "characters",
                reason: "duplicate character U+\(String(duplicate.0.value, radix: 16, uppercase: true))")
        }
        self.init(sortedCharacters: sorted)
    }
}
