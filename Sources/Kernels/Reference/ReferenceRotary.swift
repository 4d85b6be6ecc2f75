extension Reference {
    /// Same contract as ``rotaryEmbedding(x:y:cos:sin:batch:seq:heads:headDim:inverse:)``; computed in Double.
    public static func rotaryEmbedding(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
        batch: Int, seq: Int, heads: Int, headDim: Int, inverse: Bool
    ) {
        let half = headDim / 2
        for p in 0..<(batch * seq) {
            for h in 0..<heads {
                let base = (p * heads + h) * headDim
                for j in 0..<half {
                    let c = Double(cos[p * half + j])
                    let s = Double(sin[p * half + j]) * (inverse ? -1 : 1)
                    let a = Double(x[base + j]), b = Double(x[base + j + half])
                    y[base + j] = Float(a * c - b * s)
                    y[base + j + half] = Float(b * c + a * s)
                }
            }
        }
    }
}
