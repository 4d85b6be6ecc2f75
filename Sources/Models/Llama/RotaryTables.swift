/// The cos/sin tables of one forward pass, `(batch, sequence, headDim / 2)` each, evaluated
/// at every token's position id. Shared by all layers of the pass.
public struct RotaryTables {
    public let cos: Tensor
    public let sin: Tensor

    /// Evaluates `frequencies` at `positions` (row-major `(batch, sequence)`). Dynamic NTK
    /// scales for `max(positions) + 1`, as Hugging Face transformers does.
    public init(frequencies: RotaryFrequencies, positions: [Int32], batch: Int, sequence: Int) {
        precondition(
            positions.count == batch * sequence,
            "RotaryTables: \(positions.count) position ids for batch \(batch) x sequence \(sequence)")
        let shape = [batch, sequence, frequencies.headDim / 2]
        let cos = Tensor(uninitializedShape: shape)
        let sin = Tensor(uninitializedShape: shape)
        positions.withUnsafeBufferPointer { ids in
            cos.withUnsafeMutableBufferPointer { c in
                sin.withUnsafeMutableBufferPointer { s in
                    frequencies.fillTables(positions: ids, cos: c, sin: s)
                }
            }
        }
        self.cos = cos
        self.sin = sin
    }
}
