import Foundation

extension Reference {
    /// Same contract as ``crossEntropyForward(logits:targets:losses:logSumExp:rows:vocab:ignoreIndex:)``; in Double.
    public static func crossEntropyForward(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, losses: UnsafeMutablePointer<Float>,
        logSumExp: UnsafeMutablePointer<Float>, rows: Int, vocab: Int, ignoreIndex: Int32
    ) {
        for r in 0..<rows {
            let lr = logits + r * vocab
            var m = -Double.infinity
            for j in 0..<vocab { m = Swift.max(m, Double(lr[j])) }
            var s = 0.0
            for j in 0..<vocab { s += Foundation.exp(Double(lr[j]) - m) }
            let lse = m + Foundation.log(s)
            logSumExp[r] = Float(lse)
            let t = targets[r]
            precondition(t == ignoreIndex || (t >= 0 && Int(t) < vocab), "Reference.crossEntropyForward: bad target \(t)")
            losses[r] = t == ignoreIndex ? 0 : Float(lse - Double(lr[Int(t)]))
        }
    }

    /// Same contract as ``crossEntropyBackward(logits:targets:logSumExp:rowScale:dlogits:rows:vocab:ignoreIndex:)``;
    /// recomputes the log-sum-exp in Double instead of reading the saved one.
    public static func crossEntropyBackward(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, logSumExp: UnsafePointer<Float>,
        rowScale: UnsafePointer<Float>, dlogits: UnsafeMutablePointer<Float>, rows: Int, vocab: Int, ignoreIndex: Int32
    ) {
        for r in 0..<rows {
            let lr = logits + r * vocab, dr = dlogits + r * vocab
            let t = targets[r]
            if t == ignoreIndex {
                for j in 0..<vocab { dr[j] = 0 }
                continue
            }
            var m = -Double.infinity
            for j in 0..<vocab { m = Swift.max(m, Double(lr[j])) }
            var s = 0.0
            for j in 0..<vocab { s += Foundation.exp(Double(lr[j]) - m) }
            let lse = m + Foundation.log(s)
            let scale = Double(rowScale[r])
            for j in 0..<vocab {
                let p = Foundation.exp(Double(lr[j]) - lse)
                dr[j] = Float(scale * (p - (j == Int(t) ? 1 : 0)))
            }
        }
    }
}
