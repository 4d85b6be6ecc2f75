import Tensors

// Draws built directly on `next()` so that the sequences depend only on the generator's
// state, never on how a particular standard library implements `Int.random(in:using:)`
// or `shuffle(using:)` (those algorithms are allowed to change between Swift releases,
// which would silently change every batch of a resumed run).
extension RandomGenerator {
    /// A uniform integer in `range` (unbiased: Lemire's multiply-shift with rejection).
    mutating func uniformInt(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound))
        if span == UInt64.max { return Int(truncatingIfNeeded: next()) }
        let n = span &+ 1
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold { product = next().multipliedFullWidth(by: n) }
        }
        return range.lowerBound &+ Int(truncatingIfNeeded: product.high)
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    mutating func uniformUnitDouble() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniformly random permutation of `0..<count` (Fisher-Yates, drawn with `uniformInt`).
    mutating func permutation(count: Int) -> [Int] {
        var order = Array(0..<count)
        var i = count - 1
        while i > 0 {
            order.swapAt(i, uniformInt(in: 0...i))
            i -= 1
        }
        return order
    }
}
