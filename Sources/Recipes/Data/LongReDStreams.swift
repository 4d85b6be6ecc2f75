import Tensors

/// The three LongReD data streams drawn from one token stream: for each micro-step, a batch
/// of random windows (nanoGPT-style offsets) of that micro-step's stream length.
///
/// One generator draws all offsets, in micro-step order, so a plan executed from a saved
/// ``generator`` yields the same batches again.
///
/// ```swift
/// var streams = LongReDStreams(tokens: trainTokens, lengths: lengths, seed: 1)
/// let plan = DataMix.longRed.plan(tokensPerStep: 8192, lengths: lengths, maxTokensPerMicroStep: 2048)
/// for (microStep, batch) in streams.batches(for: plan) { ... }
/// ```
public struct LongReDStreams: Sendable {
    /// The stream every window is cut from.
    public let tokens: [Int32]
    /// The text length of each stream.
    public let lengths: StreamLengths
    /// The generator that draws the offsets; `Codable`, save it to resume.
    public var generator: RandomGenerator

    /// Creates the streams.
    /// - Precondition: the stream holds more than `lengths.long` tokens.
    public init(tokens: [Int32], lengths: StreamLengths, generator: RandomGenerator) {
        let longest = max(lengths.long, lengths.short, lengths.originalWindow)
        precondition(
            tokens.count > longest,
            "LongReDStreams: \(tokens.count) tokens are too few for windows of \(longest) + 1")
        self.tokens = tokens
        self.lengths = lengths
        self.generator = generator
    }

    /// Creates the streams with a generator seeded by `seed`.
    public init(tokens: [Int32], lengths: StreamLengths, seed: UInt64) {
        self.init(tokens: tokens, lengths: lengths, generator: RandomGenerator(seed: seed))
    }

    /// A batch for `microStep`: `batchSize` random windows of `sequenceLength` tokens.
    public mutating func batch(for microStep: MicroStep) -> TokenBatch {
        var sampler = RandomWindowSampler(tokens: tokens, length: microStep.sequenceLength, generator: generator)
        let batch = sampler.nextBatch(size: microStep.batchSize)
        generator = sampler.generator
        return batch
    }

    /// The batches of a whole optimizer step, in the plan's order.
    public mutating func batches(for plan: MicroStepPlan) -> [(microStep: MicroStep, batch: TokenBatch)] {
        plan.microSteps.map { ($0, batch(for: $0)) }
    }
}
