import Foundation

// Fused softmax cross-entropy: logits (rows, vocab), targets (rows). The forward saves the
// log-sum-exp of each row so the backward needs a single pass over the logits.

/// Per-row cross-entropy: `losses[r] = logSumExp(logits[r]) − logits[r][targets[r]]`, with
/// `logSumExp[r]` saved for ``crossEntropyBackward(logits:targets:logSumExp:rowScale:dlogits:rows:vocab:ignoreIndex:)``.
/// Rows whose target equals `ignoreIndex` get loss 0 (their log-sum-exp is still saved).
/// A target outside `0..<vocab` that is not `ignoreIndex` is a precondition failure.
public func crossEntropyForward(
    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, losses: UnsafeMutablePointer<Float>,
    logSumExp: UnsafeMutablePointer<Float>, rows: Int, vocab: Int, ignoreIndex: Int32
) {
    precondition(rows >= 0 && vocab > 0, "crossEntropyForward: bad shape (\(rows), \(vocab))")
    checkTargets(targets, rows: rows, vocab: vocab, ignoreIndex: ignoreIndex, operation: "crossEntropyForward")
    forEachOuterRange(outer: rows, slabWork: vocab, grain: transcendentalGrain) { range in
        for r in range {
            let lr = logits + r * vocab
            let m = rowMaximum(lr, vocab)
            let lse = m == -.infinity ? m : m + Foundation.log(rowSumExp(lr, vocab, shift: m, store: nil))
            logSumExp[r] = lse
            let t = targets[r]
            losses[r] = t == ignoreIndex ? 0 : lse - lr[Int(t)]
        }
    }
}

/// Backward of ``crossEntropyForward(logits:targets:losses:logSumExp:rows:vocab:ignoreIndex:)``:
/// `dlogits[r] = rowScale[r] * (softmax(logits[r]) − onehot(targets[r]))`, zero rows for
/// ignored targets. `dlogits` may alias `logits`.
public func crossEntropyBackward(
    logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, logSumExp: UnsafePointer<Float>,
    rowScale: UnsafePointer<Float>, dlogits: UnsafeMutablePointer<Float>, rows: Int, vocab: Int, ignoreIndex: Int32
) {
    precondition(rows >= 0 && vocab > 0, "crossEntropyBackward: bad shape (\(rows), \(vocab))")
    checkTargets(targets, rows: rows, vocab: vocab, ignoreIndex: ignoreIndex, operation: "crossEntropyBackward")
    forEachOuterRange(outer: rows, slabWork: vocab, grain: transcendentalGrain) { range in
        for r in range {
            let lr = logits + r * vocab, dr = dlogits + r * vocab
            let t = targets[r]
            if t == ignoreIndex {
                dr.update(repeating: 0, count: vocab)
                continue
            }
            let scale = rowScale[r], lse = logSumExp[r]
            let ti = Int(t)
            let targetLogit = lr[ti]  // read before the row is overwritten when dlogits aliases logits
            let vs = SIMD8<Float>(repeating: scale), vl = SIMD8<Float>(repeating: lse)
            var i = 0
            while i + 8 <= vocab {
                store8(expOfNonPositive(load8(lr + i) - vl) * vs, dr + i)
                i += 8
            }
            if i < vocab {
                var v = SIMD8<Float>(repeating: -.infinity)
                for k in 0..<(vocab - i) { v[k] = lr[i + k] }
                let e = expOfNonPositive(v - vl) * vs
                for k in 0..<(vocab - i) { dr[i + k] = e[k] }
            }
            dr[ti] = scale * (expOfNonPositive(SIMD8(repeating: targetLogit - lse))[0] - 1)
        }
    }
}

@inline(__always)
func checkTargets(_ targets: UnsafePointer<Int32>, rows: Int, vocab: Int, ignoreIndex: Int32, operation: String) {
    for r in 0..<rows {
        let t = targets[r]
        precondition(
            t == ignoreIndex || (t >= 0 && Int(t) < vocab),
            "\(operation): target \(t) at row \(r) is outside 0..<\(vocab) (ignoreIndex \(ignoreIndex))")
    }
}
