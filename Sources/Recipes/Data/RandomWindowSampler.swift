import Tensors

/// Batches of windows at random offsets of a token stream (nanoGPT's `get_batch`).
///
/// Each row starts at an offset drawn uniformly from `0 ... tokens.count - length - 1`
/// (every window with a complete shifted target). The only state is the generator, so
/// saving ``generator`` and restoring it reproduces the following batches exactly.
public struct RandomWindowSampler: Sendable {
    /// The stream the windows are cut from.
    public let tokens: [Int32]
    /// The number of input tokens per row.
    public let length: Int
    /// The generator that draws the offsets; `Codable`, save it to resume.
    public var generator: RandomGenerator

    /// Creates a sampler drawing with `generator`.
    /// - Precondition: the stream holds more than `length` tokens.
    public init(tokens: [Int32], length: Int, generator: RandomGenerator) {
        precondition(length > 0, "RandomWindowSampler: length \(length) must be positive")
        precondition(
            tokens.count > length,
            "RandomWindowSampler: \(tokens.count) tokens are too few for windows of \(length) + 1")
        self.tokens = tokens
        self.length = length
        self.generator = generator
    }

    /// Creates a sampler whose draws depend only on `seed`.
    public init(tokens: [Int32], length: Int, seed: UInt64) {
        self.init(tokens: tokens, length: length, generator: RandomGenerator(seed: seed))
    }

    /// The next `size` random windows.
    public mutating func nextBatch(size: Int) -> TokenBatch {
        precondition(size > 0, "RandomWindowSampler.nextBatch: size \(size) must be positive")
        let last = tokens.count - length - 1
        var offsets: [Int] = []
        offsets.reserveCapacity(size)
        for _ in 0..<size { offsets.append(generator.uniformInt(in: 0...last)) }
        return TokenBatch(windowsOf: tokens, offsets: offsets, length: length)
    }
}
