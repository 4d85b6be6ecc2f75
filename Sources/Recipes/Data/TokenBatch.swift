/// A batch of equal-length training rows for next-token prediction.
///
/// Both arrays are row-major `[batchSize, length]`, ready for a `Tensor` of that shape;
/// `targets[b, i]` is the token that follows `inputs[b, i]` in the source stream.
public struct TokenBatch: Equatable, Sendable {
    /// Input ids, `batchSize * length` of them, row after row.
    public var inputs: [Int32]
    /// Next-token ids aligned with `inputs`.
    public var targets: [Int32]
    /// The number of rows.
    public let batchSize: Int
    /// The number of tokens in each row.
    public let length: Int

    /// Creates a batch from flat row-major arrays.
    /// - Precondition: both arrays hold `batchSize * length` ids.
    public init(inputs: [Int32], targets: [Int32], batchSize: Int, length: Int) {
        precondition(
            inputs.count == batchSize * length && targets.count == batchSize * length,
            "TokenBatch: inputs \(inputs.count) / targets \(targets.count) ids for [\(batchSize), \(length)]")
        self.inputs = inputs
        self.targets = targets
        self.batchSize = batchSize
        self.length = length
    }

    /// Builds a batch from windows of `tokens`: row `b` has inputs `tokens[o ..< o + length]`
    /// and targets `tokens[o + 1 ... o + length]` with `o = offsets[b]`.
    /// - Precondition: every window and its shifted target lie inside `tokens`.
    public init(windowsOf tokens: [Int32], offsets: [Int], length: Int) {
        var inputs: [Int32] = []
        var targets: [Int32] = []
        inputs.reserveCapacity(offsets.count * length)
        targets.reserveCapacity(offsets.count * length)
        for offset in offsets {
            precondition(
                offset >= 0 && offset + length < tokens.count,
                "TokenBatch(windowsOf:): window at \(offset) of length \(length) + 1 exceeds \(tokens.count) tokens")
            inputs.append(contentsOf: tokens[offset ..< offset + length])
            targets.append(contentsOf: tokens[offset + 1 ... offset + length])
        }
        self.init(inputs: inputs, targets: targets, batchSize: offsets.count, length: length)
    }

    /// The number of input tokens, `batchSize * length`.
    public var tokenCount: Int { batchSize * length }

    /// Row `index`: its inputs and targets.
    public func row(_ index: Int) -> (inputs: ArraySlice<Int32>, targets: ArraySlice<Int32>) {
        precondition(index >= 0 && index < batchSize, "TokenBatch.row: \(index) out of 0..<\(batchSize)")
        let range = index * length ..< (index + 1) * length
        return (inputs[range], targets[range])
    }
}
