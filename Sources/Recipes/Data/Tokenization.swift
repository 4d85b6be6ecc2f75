/// Turns text into token ids. Any tokenizer fits: pass `tokenizer.encode` or a closure.
///
/// The data pipeline only needs this one function, so it does not depend on a tokenizer type.
public typealias TokenEncoder = (String) -> [Int]

extension Corpus {
    /// Encodes every document and concatenates the results into one token stream.
    ///
    /// - Parameters:
    ///   - encode: the tokenizer.
    ///   - documentSeparator: ids inserted between consecutive documents (for example the
    ///     end-of-text id), so that windows crossing a boundary see it; empty by default.
    /// - Precondition: every id fits in `Int32` (the type `Tensor` ops take for ids).
    public func tokens(encodedBy encode: TokenEncoder, documentSeparator: [Int] = []) -> [Int32] {
        var stream: [Int32] = []
        for (index, document) in documents.enumerated() {
            if index > 0 { stream.append(contentsOf: documentSeparator.map(Self.tokenID)) }
            stream.append(contentsOf: encode(document).map(Self.tokenID))
        }
        return stream
    }

    private static func tokenID(_ id: Int) -> Int32 {
        guard let narrow = Int32(exactly: id) else {
            preconditionFailure("Corpus.tokens: token id \(id) does not fit in Int32")
        }
        return narrow
    }
}
