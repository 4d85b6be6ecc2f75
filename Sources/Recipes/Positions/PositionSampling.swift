/// Position-id samplers for context extension: pure functions of their arguments and a
/// ``RandomGenerator`` (so a seed fixes every draw), each returning one example's ids as
/// `[Int32]`, strictly increasing and, for a target window `Lt`, inside `0 ..< Lt`.
///
/// Symbols follow METHODS.md: `L0` original window, `Lt` target window, `f = Lt / L0`
/// (integer division, as the authors' code does). The samplers:
/// - ``contiguous(count:)``: `0 ..< n`.
/// - ``longRedUniform(originalLength:targetLength:using:)``: LongReD-U skipped positions.
/// - ``cream(originalLength:targetLength:using:)``: LongReD-C (CREAM) skipped positions.
/// - ``pose(windowLength:targetLength:using:)``: PoSE, two chunks.
/// - ``longRecipe(segmentLengths:targetLength:using:)``: LongRecipe's index transformation.
public enum PositionSampling {
    /// The ids `0 ..< count`: ordinary positions.
    public static func contiguous(count: Int) -> [Int32] {
        precondition(count >= 0, "PositionSampling.contiguous: count \(count) must be non-negative")
        return (0..<count).map { Int32($0) }
    }

    /// Checked narrowing for position ids.
    static func positionID(_ value: Int) -> Int32 {
        guard let id = Int32(exactly: value) else {
            preconditionFailure("PositionSampling: position \(value) does not fit in Int32")
        }
        return id
    }
}
