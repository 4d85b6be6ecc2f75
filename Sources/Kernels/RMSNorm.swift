// RMSNorm over the last axis: x, y (rows, cols); weight (cols); rstd (rows).

/// `Σ x[j]^2` over a row with fixed-lane partial sums.
@inlinable @inline(__always)
func rowSumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var a0 = SIMD8<Float>(), a1 = a0
    var i = 0
    while i + 16 <= n {
        let v0 = load8(x + i), v1 = load8(x + i + 8)
        a0 = fusedMultiplyAdd(a0, v0, v0)
        a1 = fusedMultiplyAdd(a1, v1, v1)
        i += 16
    }
    if i + 8 <= n {
        let v0 = load8(x + i)
        a0 = fusedMultiplyAdd(a0, v0, v0)
        i += 8
    }
    var s = (a0 + a1).sum()
    while i < n { s = fusedMultiplyAdd(s, x[i], x[i]); i += 1 }
    return s
}

/// RMSNorm forward with Llama / Hugging Face semantics, computed in Float:
/// `rstd[r] = 1 / sqrt(mean(x[r]^2) + epsilon)` and `y = (x * rstd) * weight`.
/// `y` may alias `x`.
public func rmsNormForward(
    x: UnsafePointer<Float>, weight: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>,
    rstd: UnsafeMutablePointer<Float>, rows: Int, cols: Int, epsilon: Float
) {
    precondition(rows >= 0 && cols > 0, "rmsNormForward: bad shape (\(rows), \(cols))")
    forEachOuterRange(outer: rows, slabWork: cols, grain: streamingGrain) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            let s = (rowSumOfSquares(xr, cols) / Float(cols) + epsilon).squareRoot()
            let rs = 1 / s
            rstd[r] = rs
            let v = SIMD8<Float>(repeating: rs)
            var i = 0
            while i + 8 <= cols {
                store8((load8(xr + i) * v) * load8(weight + i), yr + i)
                i += 8
            }
            while i < cols { yr[i] = (xr[i] * rs) * weight[i]; i += 1 }
        }
    }
}

/// RMSNorm backward. `dx` is overwritten with
/// `rstd * (w ⊙ dy) − x * rstd^3 / cols * Σ_j (w ⊙ dy ⊙ x)`; `dweight` (optional) is
/// ACCUMULATED (`+=`) with `Σ_r dy ⊙ x * rstd`, summed over rows in a fixed order
/// (independent of the thread count).
public func rmsNormBackward(
    x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, rows: Int, cols: Int
) {
    precondition(rows >= 0 && cols > 0, "rmsNormBackward: bad shape (\(rows), \(cols))")
    if rows == 0 { return }
    // Row chunks depend only on the shape; each chunk owns one partial dweight row, and the
    // partials are added in chunk order at the end.
    let chunks = Parallel.chunkCount(work: rows * cols, grain: streamingGrain / 2, limit: min(64, rows))
    let perChunk = (rows + chunks - 1) / chunks
    let partial: UnsafeMutablePointer<Float>? = dweight == nil ? nil : .allocate(capacity: chunks * cols)
    defer { partial?.deallocate() }
    let invCols = 1 / Float(cols)
    Parallel.forEach(chunks) { c in
        let lo = min(rows, c * perChunk), hi = min(rows, lo + perChunk)
        let pw = partial.map { $0 + c * cols }
        pw?.update(repeating: 0, count: cols)
        for r in lo..<hi {
            let xr = x + r * cols, gr = dy + r * cols, dr = dx + r * cols
            let rs = rstd[r]
            var a0 = SIMD8<Float>(), a1 = a0
            var i = 0
            while i + 16 <= cols {
                a0 = fusedMultiplyAdd(a0, load8(gr + i) * load8(weight + i), load8(xr + i))
                a1 = fusedMultiplyAdd(a1, load8(gr + i + 8) * load8(weight + i + 8), load8(xr + i + 8))
                i += 16
            }
            var dot = (a0 + a1).sum()
            while i < cols { dot = fusedMultiplyAdd(dot, gr[i] * weight[i], xr[i]); i += 1 }
            let k = -(rs * rs * rs) * dot * invCols
            let vr = SIMD8<Float>(repeating: rs), vk = SIMD8<Float>(repeating: k)
            i = 0
            while i + 8 <= cols {
                let xv = load8(xr + i), gv = load8(gr + i)
                store8(fusedMultiplyAdd(gv * load8(weight + i) * vr, xv, vk), dr + i)
                if let pw { store8(fusedMultiplyAdd(load8(pw + i), gv, xv * vr), pw + i) }
                i += 8
            }
            while i < cols {
                let xv = xr[i], gv = gr[i]
                dr[i] = fusedMultiplyAdd(gv * weight[i] * rs, xv, k)
                if let pw { pw[i] = fusedMultiplyAdd(pw[i], gv, xv * rs) }
                i += 1
            }
        }
    }
    if let dweight, let partial {
        for c in 0..<chunks {
            accumulateSerial(partial + c * cols, into: dweight, count: cols)
        }
    }
}

/// `y[i] += x[i]` on the calling thread.
@inlinable @inline(__always)
func accumulateSerial(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        store8(load8(y + i) + load8(x + i), y + i)
        i += 8
    }
    while i < count { y[i] += x[i]; i += 1 }
}
