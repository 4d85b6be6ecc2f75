/// A tokenizer over raw UTF-8 bytes: ids 0...255 are bytes, ids from 256 on are
/// optional special tokens. Round-trips any string.
///
/// Special-token strings in the input are recognised (leftmost, longest first) and
/// encoded as their ids, as added tokens are in Hugging Face tokenizers. With
/// `addSpecialTokens`, the BOS token (if configured) is prepended; nothing is appended.
public struct ByteTokenizer: Tokenizer, Sendable {
    /// Special tokens; `specialTokens[i]` has id `256 + i`.
    public let specialTokens: [String]
    public let bosTokenId: Int?
    public let eosTokenId: Int?
    private let matcher: AddedTokenMatcher

    /// A byte tokenizer with the given special tokens (ids 256, 257, ...); `bosToken` and
    /// `eosToken` must be among them.
    public init(specialTokens: [String] = [], bosToken: String? = nil, eosToken: String? = nil) {
        precondition(Set(specialTokens).count == specialTokens.count, "ByteTokenizer: duplicate special tokens")
        precondition(!specialTokens.contains(""), "ByteTokenizer: empty special token")
        self.specialTokens = specialTokens
        func id(_ token: String?, _ role: String) -> Int? {
            guard let token else { return nil }
            guard let index = specialTokens.firstIndex(of: token) else {
                preconditionFailure("ByteTokenizer: \(role) token \(token.debugDescription) is not a special token")
            }
            return 256 + index
        }
        bosTokenId = id(bosToken, "BOS")
        eosTokenId = id(eosToken, "EOS")
        matcher = AddedTokenMatcher(
            specialTokens.enumerated().map { index, token in
                let scalars = Array(token.unicodeScalars)
                let added = AddedToken(
                    id: 256 + index, content: scalars, special: true, singleWord: false, leftStrip: false,
                    rightStrip: false, normalized: false)
                return (scalars, added)
            })
    }

    public var vocabularySize: Int { 256 + specialTokens.count }

    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(text.utf8.count + 1)
        if addSpecialTokens, let bosTokenId { result.append(bosTokenId) }
        if matcher.isEmpty {
            result += text.utf8.map { Int($0) }
            return result
        }
        for segment in matcher.split(TextPiece(text: Array(text.unicodeScalars), atStart: true)) {
            switch segment {
            case .token(let id):
                result.append(id)
            case .text(let piece):
                for scalar in piece.text { result += UTF8.encode(scalar)!.map { Int($0) } }
            }
        }
        return result
    }

    /// Bytes are decoded as UTF-8, invalid sequences becoming U+FFFD; ids outside the
    /// vocabulary are skipped.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count)
        for id in ids {
            if id >= 0 && id < 256 {
                bytes.append(UInt8(id))
            } else if id >= 256 && id < vocabularySize && !skipSpecialTokens {
                bytes += Array(specialTokens[id - 256].utf8)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    public func id(of token: String) -> Int? {
        if let index = specialTokens.firstIndex(where: { $0.unicodeScalars.elementsEqual(token.unicodeScalars) }) {
            return 256 + index
        }
        let utf8 = Array(token.utf8)
        return utf8.count == 1 ? Int(utf8[0]) : nil
    }

    /// The special token's text, or for a byte id the one-byte string (U+FFFD for bytes
    /// that are not ASCII, which are no string on their own).
    public func token(of id: Int) -> String? {
        if id >= 256 && id < vocabularySize { return specialTokens[id - 256] }
        guard id >= 0 && id < 256 else { return nil }
        return String(decoding: [UInt8(id)], as: UTF8.self)
    }
}
