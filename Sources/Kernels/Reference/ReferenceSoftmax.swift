import Foundation

extension Reference {
    /// Same contract as ``softmaxRows(_:_:rows:cols:)``; computed in Double.
    public static func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows {
            let xr = x + r * cols, yr = y + r * cols
            var m = -Double.infinity
            for j in 0..<cols { m = Swift.max(m, Double(xr[j])) }
            if m == -.infinity {
                for j in 0..<cols { yr[j] = 0 }
                continue
            }
            var s = 0.0
            for j in 0..<cols { s += Foundation.exp(Double(xr[j]) - m) }
            for j in 0..<cols { yr[j] = Float(Foundation.exp(Double(xr[j]) - m) / s) }
        }
    }

    /// Same contract as ``logSoftmaxRows(_:_:rows:cols:)``; computed in Double.
    public static func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
        for r in 0..<rows {
            let xr = x + r * cols, yr = y + r * cols
            var m = -Double.infinity
            for j in 0..<cols { m = Swift.max(m, Double(xr[j])) }
            if m == -.infinity {
                for j in 0..<cols { yr[j] = -.infinity }
                continue
            }
            var s = 0.0
            for j in 0..<cols { s += Foundation.exp(Double(xr[j]) - m) }
            let lse = m + Foundation.log(s)
            for j in 0..<cols { yr[j] = Float(Double(xr[j]) - lse) }
        }
    }

    /// Same contract as ``softmaxRowsBackward(y:dy:dx:rows:cols:)``; computed in Double.
    public static func softmaxRowsBackward(
        y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        for r in 0..<rows {
            let o = r * cols
            var dot = 0.0
            for j in 0..<cols { dot += Double(y[o + j]) * Double(dy[o + j]) }
            for j in 0..<cols { dx[o + j] = Float(Double(y[o + j]) * (Double(dy[o + j]) - dot)) }
        }
    }

    /// Same contract as ``logSoftmaxRowsBackward(y:dy:dx:rows:cols:)``; computed in Double.
    public static func logSoftmaxRowsBackward(
        y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int
    ) {
        for r in 0..<rows {
            let o = r * cols
            var s = 0.0
            for j in 0..<cols { s += Double(dy[o + j]) }
            for j in 0..<cols { dx[o + j] = Float(Double(dy[o + j]) - Foundation.exp(Double(y[o + j])) * s) }
        }
    }
}
