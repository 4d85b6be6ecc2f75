import Tensors

/// Walks through ``PackedSequences`` epoch after epoch, each epoch in a fresh shuffled
/// order (or in stream order), and can be saved and resumed on exactly the same batches.
///
/// Epoch `e`'s order is a permutation drawn from ``State/generator``, the generator state at
/// the start of that epoch; the generator left after drawing it starts epoch `e + 1`. The
/// ``State`` (epoch, position in the epoch, generator) is small and `Codable`: store it in
/// a checkpoint and pass it to ``init(sequences:resumingFrom:)``.
public struct SequenceCursor: Sendable {
    /// Where the cursor stands; everything needed to resume.
    public struct State: Codable, Equatable, Sendable {
        /// The number of completed passes over the sequences.
        public var epoch: Int
        /// The index, in the current epoch's order, of the next sequence to return.
        public var position: Int
        /// The generator state at the start of the current epoch.
        public var generator: RandomGenerator
        /// Whether each epoch is shuffled.
        public var shuffles: Bool
    }

    /// The sequences the cursor walks.
    public let sequences: PackedSequences
    /// The current position; save it to resume.
    public private(set) var state: State
    private var order: [Int]

    /// Starts at epoch 0, position 0.
    /// - Precondition: there is at least one sequence.
    public init(sequences: PackedSequences, shuffles: Bool = true, seed: UInt64) {
        self.init(
            sequences: sequences,
            resumingFrom: State(epoch: 0, position: 0, generator: RandomGenerator(seed: seed), shuffles: shuffles))
    }

    /// Resumes from a saved state (over the same sequences).
    public init(sequences: PackedSequences, resumingFrom state: State) {
        precondition(sequences.count > 0, "SequenceCursor: no complete sequence of length \(sequences.length)")
        precondition(
            state.position >= 0 && state.position <= sequences.count,
            "SequenceCursor: saved position \(state.position) out of 0...\(sequences.count)")
        self.sequences = sequences
        self.state = state
        self.order = []
        self.order = epochOrder().order
    }

    /// The next `size` sequences; an epoch boundary inside a batch continues into the next epoch.
    public mutating func nextBatch(size: Int) -> TokenBatch {
        precondition(size > 0, "SequenceCursor.nextBatch: size \(size) must be positive")
        var indices: [Int] = []
        indices.reserveCapacity(size)
        while indices.count < size {
            if state.position == order.count { startNextEpoch() }
            indices.append(order[state.position])
            state.position += 1
        }
        return sequences.batch(indices)
    }

    private func epochOrder() -> (order: [Int], next: RandomGenerator) {
        var generator = state.generator
        guard state.shuffles else { return (Array(0..<sequences.count), generator) }
        let order = generator.permutation(count: sequences.count)
        return (order, generator)
    }

    private mutating func startNextEpoch() {
        state.generator = epochOrder().next
        state.epoch += 1
        state.position = 0
        order = epochOrder().order
    }
}
