/// A lookup table from integer ids to learned vectors (`torch.nn.Embedding`).
public final class Embedding: Module {
    /// The table, `[count, dimension]`; row `i` is the vector of id `i`.
    public let weight: Tensor

    /// Wraps an existing table (made trainable).
    public init(weight: Tensor) {
        precondition(weight.rank == 2, "Embedding: weight must be a matrix [count, dimension], got shape \(weight.shape)")
        self.weight = weight.requiringGrad()
    }

    /// A table drawn from `normal(0, standardDeviation)` (PyTorch's default is 1; Hugging Face
    /// decoders use their `initializer_range`, typically 0.02).
    public convenience init(count: Int, dimension: Int, standardDeviation: Float = 1, generator: inout RandomGenerator) {
        precondition(count > 0 && dimension > 0, "Embedding: count \(count) and dimension \(dimension) must be positive")
        self.init(weight: Tensor.randomNormal([count, dimension], standardDeviation: standardDeviation, generator: &generator))
    }

    /// The number of ids.
    public var count: Int { weight.shape[0] }
    /// The vector size.
    public var dimension: Int { weight.shape[1] }

    /// Looks up `ids` laid out with `shape` (for example `[batch, sequence]`), giving a tensor
    /// of shape `shape + [dimension]`.
    public func callAsFunction(_ ids: [Int32], shape: [Int]) -> Tensor {
        precondition(
            ids.count == Shape.count(shape),
            "Embedding: \(ids.count) ids do not fill shape \(shape)")
        return weight.indexSelect(ids, alongAxis: 0).reshaped(shape + [dimension])
    }

    /// Looks up a batch of equal-length sequences, giving `[batch, sequence, dimension]`.
    public func callAsFunction(_ ids: [[Int]]) -> Tensor {
        let length = ids.first?.count ?? 0
        precondition(ids.allSatisfy { $0.count == length }, "Embedding: sequences in the batch have different lengths")
        return self(ids.flatMap { $0.map { Int32($0) } }, shape: [ids.count, length])
    }
}
