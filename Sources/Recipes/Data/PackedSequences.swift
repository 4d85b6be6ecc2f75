/// A token stream cut into non-overlapping training sequences of a fixed length.
///
/// Sequence `i` has inputs `tokens[i*n ..< (i+1)*n]` and targets one token later,
/// `tokens[i*n + 1 ... (i+1)*n]`, so consecutive sequences share only the boundary token
/// (the last target of one is the first input of the next). A stream of `m` tokens gives
/// `(m - 1) / n` sequences; the remainder at the end is not used.
public struct PackedSequences: Sendable {
    /// The whole token stream.
    public let tokens: [Int32]
    /// The length `n` of every sequence.
    public let length: Int

    /// Packs `tokens` into sequences of `length` tokens.
    /// - Precondition: `length > 0`.
    public init(tokens: [Int32], length: Int) {
        precondition(length > 0, "PackedSequences: length \(length) must be positive")
        self.tokens = tokens
        self.length = length
    }

    /// The number of complete sequences.
    public var count: Int { tokens.isEmpty ? 0 : (tokens.count - 1) / length }

    /// Sequence `index`: `length` inputs and their next-token targets.
    public subscript(index: Int) -> (inputs: [Int32], targets: [Int32]) {
        precondition(index >= 0 && index < count, "PackedSequences: sequence \(index) out of 0..<\(count)")
        let start = index * length
        return (Array(tokens[start ..< start + length]), Array(tokens[start + 1 ... start + length]))
    }

    /// The sequences at `indices`, in that order, as one batch.
    public func batch(_ indices: [Int]) -> TokenBatch {
        for index in indices {
            precondition(index >= 0 && index < count, "PackedSequences.batch: sequence \(index) out of 0..<\(count)")
        }
        return TokenBatch(windowsOf: tokens, offsets: indices.map { $0 * length }, length: length)
    }
}
