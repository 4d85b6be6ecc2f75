extension Reference {
    /// Same contract as ``reduceSum(_:_:outer:length:inner:)``; accumulates in Double.
    public static func reduceSum(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int) {
        for o in 0..<outer {
            for i in 0..<inner {
                var s = 0.0
                for l in 0..<length { s += Double(x[(o * length + l) * inner + i]) }
                y[o * inner + i] = Float(s)
            }
        }
    }

    /// Same contract as ``reduceMax(_:_:argmax:outer:length:inner:)``.
    public static func reduceMax(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?,
        outer: Int, length: Int, inner: Int
    ) {
        for o in 0..<outer {
            for i in 0..<inner {
                var best = -Float.infinity
                var index = 0
                for l in 0..<length {
                    let v = x[(o * length + l) * inner + i]
                    if best.isNaN { break }
                    if v.isNaN || v > best { best = v; index = l }
                }
                y[o * inner + i] = best
                argmax?[o * inner + i] = Int32(index)
            }
        }
    }

    /// Same contract as ``sumAll(_:count:)`` (sequential Double sum).
    public static func sumAll(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var s = 0.0
        for i in 0..<count { s += Double(x[i]) }
        return s
    }

    /// Same contract as ``sumOfSquares(_:count:)`` (sequential Double sum).
    public static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
        var s = 0.0
        for i in 0..<count { s += Double(x[i]) * Double(x[i]) }
        return s
    }
}
