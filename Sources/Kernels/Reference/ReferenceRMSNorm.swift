extension Reference {
    /// Same contract as ``rmsNormForward(x:weight:y:rstd:rows:cols:epsilon:)``; computed in Double.
    public static func rmsNormForward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
        rstd: UnsafeMutablePointer<Float>, rows: Int, cols: Int, epsilon: Float
    ) {
        for r in 0..<rows {
            let o = r * cols
            var s = 0.0
            for j in 0..<cols { s += Double(x[o + j]) * Double(x[o + j]) }
            let rs = 1 / (s / Double(cols) + Double(epsilon)).squareRoot()
            rstd[r] = Float(rs)
            for j in 0..<cols { y[o + j] = Float(Double(x[o + j]) * rs * Double(weight[j])) }
        }
    }

    /// Same contract as ``rmsNormBackward(x:weight:rstd:dy:dx:dweight:rows:cols:)``; computed in
    /// Double from the saved `rstd`.
    public static func rmsNormBackward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, rows: Int, cols: Int
    ) {
        var dw = [Double](repeating: 0, count: cols)
        for r in 0..<rows {
            let o = r * cols
            let rs = Double(rstd[r])
            var dot = 0.0
            for j in 0..<cols { dot += Double(dy[o + j]) * Double(weight[j]) * Double(x[o + j]) }
            for j in 0..<cols {
                let g = Double(dy[o + j]) * Double(weight[j])
                dx[o + j] = Float(rs * g - Double(x[o + j]) * rs * rs * rs * dot / Double(cols))
                dw[j] += Double(dy[o + j]) * Double(x[o + j]) * rs
            }
        }
        if let dweight {
            for j in 0..<cols { dweight[j] = Float(Double(dweight[j]) + dw[j]) }
        }
    }
}
