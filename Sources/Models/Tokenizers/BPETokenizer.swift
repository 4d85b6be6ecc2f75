import Foundation

/// A byte-pair-encoding tokenizer loaded from a Hugging Face `tokenizer.json` file
/// (model type `BPE`), reproducing the `tokenizers` library's ids exactly.
///
/// The pipeline is Hugging Face's: added tokens are cut out of the raw text (and, for
/// tokens marked `normalized`, out of the normalized text); the remaining pieces go
/// through the normalizer, the pre-tokenizer and the BPE model; the post-processor adds
/// special tokens on request. Supported components:
/// - normalizers: `Sequence`, `Prepend`, `Replace` (string patterns), `NFC`, `NFD`,
///   `NFKC`, `NFKD`, `Lowercase`, `Strip`;
/// - pre-tokenizers: `Sequence`, `ByteLevel`, `Split` (string patterns and the GPT-2 and
///   Llama-3 regexes), `Metaspace`;
/// - model: `BPE` with `unk_token`, `fuse_unk`, `byte_fallback`, `ignore_merges`;
/// - decoders: `Sequence`, `ByteLevel`, `Replace`, `ByteFallback`, `Fuse`, `Strip`,
///   `Metaspace`;
/// - post-processors: `TemplateProcessing`, `ByteLevel`, `Sequence`, `BertProcessing`,
///   `RobertaProcessing`.
/// Anything else is rejected at load time with ``TokenizerError/unsupported(file:key:value:)``.
///
/// Encoding is thread-safe (all state is immutable except the per-word cache, which is
/// behind a lock), hence the `@unchecked Sendable`.
public final class BPETokenizer: Tokenizer, @unchecked Sendable {
    let model: BPEModel
    let normalizer: Normalizer?
    let preTokenizer: PreTokenizer?
    let postProcessor: PostProcessor?
    let decoder: TokenDecoder?
    let addedTokens: [AddedToken]
    private let addedById: [Int: AddedToken]
    /// Text of each added token as decode sees it (normalized tokens: normalized content).
    private let addedText: [Int: String]
    private let addedByContent: [[Unicode.Scalar]: Int]
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher

    public let vocabularySize: Int
    public let bosTokenId: Int?
    public let eosTokenId: Int?

    /// Loads `tokenizer.json` from `url`.
    public convenience init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, fileName: url.lastPathComponent)
    }

    /// Parses the contents of a `tokenizer.json`; `fileName` is used in error messages.
    public init(data: Data, fileName: String = "tokenizer.json") throws {
        let root: JSONValue
        do {
            root = try JSONParser.parse(data)
        } catch let failure as JSONParser.Failure {
            throw TokenizerError.invalidJSON(file: fileName, offset: failure.offset, reason: failure.message)
        }
        let loader = TokenizerLoader(reader: TokenizerFileReader(file: fileName))
        let parts = try loader.load(root)
        model = parts.model
        normalizer = parts.normalizer
        preTokenizer = parts.preTokenizer
        postProcessor = parts.postProcessor
        decoder = parts.decoder
        addedTokens = parts.addedTokens

        var byId: [Int: AddedToken] = [:]
        var byContent: [[Unicode.Scalar]: Int] = [:]
        for token in addedTokens {
            byId[token.id] = token
            byContent[token.content] = token.id
        }
        addedById = byId
        // Hugging Face stores tokens marked `normalized` by their normalized content, which
        // is what `id_to_token` and decoding then see.
        addedText = byId.mapValues { token in
            var content = token.content
            if token.normalized { parts.normalizer?.apply(&content) }
            return string(content)
        }
        addedByContent = byContent
        // Special tokens first, then the others, as Hugging Face orders its tries.
        let ordered = addedTokens.filter(\.special) + addedTokens.filter { !$0.special }
        rawMatcher = AddedTokenMatcher(ordered.filter { !$0.normalized }.map { ($0.content, $0) })
        let normalizer = parts.normalizer
        normalizedMatcher = AddedTokenMatcher(
            ordered.filter(\.normalized).map { token in
                var content = token.content
                normalizer?.apply(&content)
                return (content, token)
            })

        let maxModelId = model.tokens.keys.max() ?? -1
        let maxAddedId = addedTokens.map(\.id).max() ?? -1
        vocabularySize = max(maxModelId, maxAddedId) + 1

        let surrounding = parts.postProcessor?.surroundingIds ?? (before: [], after: [])
        bosTokenId = surrounding.before.first
        let eosNames = ["</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>", "[SEP]"]
        eosTokenId =
            surrounding.after.last
            ?? eosNames.lazy.compactMap { byContent[Array($0.unicodeScalars)] }.first
    }

    /// Encodes `text` exactly as Hugging Face's `Tokenizer.encode(text, add_special_tokens:)`.
    public func encode(_ text: String, addSpecialTokens: Bool) -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 3)
        let input = TextPiece(text: Array(text.unicodeScalars), atStart: true)
        for segment in rawMatcher.split(input) {
            guard case .text(var piece) = segment else {
                if case .token(let id) = segment { ids.append(id) }
                continue
            }
            normalizer?.apply(&piece.text)
            for inner in normalizedMatcher.split(piece) {
                switch inner {
                case .token(let id):
                    ids.append(id)
                case .text(let normalized):
                    let words = preTokenizer?.apply([normalized]) ?? [normalized]
                    for word in words { model.tokenize(word.text, into: &ids) }
                }
            }
        }
        if addSpecialTokens, let postProcessor { ids = postProcessor.process(ids) }
        return ids
    }

    /// Decodes like Hugging Face's `Tokenizer.decode(ids, skip_special_tokens:)`.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool) -> String {
        var tokens: [String] = []
        tokens.reserveCapacity(ids.count)
        for id in ids {
            if let added = addedById[id] {
                if skipSpecialTokens && added.special { continue }
                tokens.append(addedText[id]!)
            } else if let token = model.tokens[id] {
                tokens.append(token)
            }
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens)
    }

    public func id(of token: String) -> Int? {
        let scalars = Array(token.unicodeScalars)
        return addedByContent[scalars] ?? model.vocabulary[scalars]
    }

    public func token(of id: Int) -> String? {
        if let text = addedText[id] { return text }
        return model.tokens[id]
    }

    /// Whether `id` is an added token marked `special`.
    public func isSpecialToken(_ id: Int) -> Bool {
        addedById[id]?.special ?? false
    }
}
