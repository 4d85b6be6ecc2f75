import Foundation

extension RotaryFrequencies {
    /// Fills `cos` and `sin`, each of shape `(positions.count, headDim / 2)` row-major, for
    /// arbitrary (skipped, repeated, unordered) positions.
    ///
    /// - Parameter sequenceLength: the length dynamic NTK scales for; `nil` uses
    ///   `max(positions) + 1` as Transformers does.
    /// - Precondition: both tables hold `positions.count * headDim / 2` values.
    public func fillTables(
        positions: UnsafeBufferPointer<Int32>, sequenceLength: Int? = nil,
        cos: UnsafeMutableBufferPointer<Float>, sin: UnsafeMutableBufferPointer<Float>
    ) {
        let length = sequenceLength ?? Self.sequenceLength(of: positions)
        let inverse = inverseFrequencies(sequenceLength: length)
        inverse.withUnsafeBufferPointer { inverse in
            Self.fillTables(
                positions: positions, inverseFrequencies: inverse, attentionScaling: attentionScaling, cos: cos, sin: sin)
        }
    }

    /// Returns the `(positions.count, headDim / 2)` cos and sin tables.
    public func tables(positions: [Int32], sequenceLength: Int? = nil) -> (cos: [Float], sin: [Float]) {
        let count = positions.count * headDim / 2
        var cos = [Float](repeating: 0, count: count)
        var sin = [Float](repeating: 0, count: count)
        positions.withUnsafeBufferPointer { positions in
            cos.withUnsafeMutableBufferPointer { cos in
                sin.withUnsafeMutableBufferPointer { sin in
                    fillTables(positions: positions, sequenceLength: sequenceLength, cos: cos, sin: sin)
                }
            }
        }
        return (cos, sin)
    }

    /// The table kernel: angle = `Float(position) * inverseFrequencies[j]` (one float32
    /// product, like Transformers), cos / sin of that float32 angle correctly rounded,
    /// then a float32 multiplication by `attentionScaling` rounded to float32.
    public static func fillTables(
        positions: UnsafeBufferPointer<Int32>, inverseFrequencies: UnsafeBufferPointer<Float>, attentionScaling: Double,
        cos: UnsafeMutableBufferPointer<Float>, sin: UnsafeMutableBufferPointer<Float>
    ) {
        let pairs = inverseFrequencies.count
        precondition(
            cos.count == positions.count * pairs && sin.count == positions.count * pairs,
            "RotaryFrequencies.fillTables: tables of \(cos.count) and \(sin.count) values for \(positions.count) positions x \(pairs) pairs")
        let scale = Float(attentionScaling)
        for (row, position) in positions.enumerated() {
            let p = Float(position)
            for j in 0..<pairs {
                let angle = Double(p * inverseFrequencies[j])
                cos[row * pairs + j] = Float(Foundation.cos(angle)) * scale
                sin[row * pairs + j] = Float(Foundation.sin(angle)) * scale
            }
        }
    }
}
