/// Turns text into token ids and back.
///
/// `encode` is declared `throws` so that a tokenizer with a closed alphabet
/// (``CharacterTokenizer``) can reject text it cannot represent; tokenizers that accept
/// any text (``ByteTokenizer``, ``BPETokenizer``) implement it without `throws`, so code
/// holding the concrete type calls them without `try`.
public protocol Tokenizer {
    /// Number of distinct ids (model vocabulary plus added tokens); every id produced by
    /// `encode` is in `0..<vocabularySize`.
    var vocabularySize: Int { get }
    /// Id of the beginning-of-sequence token, if the tokenizer has one.
    var bosTokenId: Int? { get }
    /// Id of the end-of-sequence token, if the tokenizer has one.
    var eosTokenId: Int? { get }

    /// Encodes `text`; with `addSpecialTokens` the tokenizer's template (for example a
    /// leading BOS) is applied around the ids.
    func encode(_ text: String, addSpecialTokens: Bool) throws -> [Int]
    /// Decodes `ids` to text; with `skipSpecialTokens` special tokens (BOS, EOS, ...) are
    /// left out. Ids outside the vocabulary are ignored.
    func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String
    /// The id of the token whose text is exactly `token`, if any.
    func id(of token: String) -> Int?
    /// The text of the token with id `id`, if any.
    func token(of id: Int) -> String?
}
