import Foundation

// Row-wise softmax and log-softmax over a (rows, cols) matrix. Each row is handled by one
// thread with fixed-lane partial sums, so results do not depend on the thread count.

/// Largest entry of `x[0..<n]` (NaN entries are skipped), `-inf` for an empty row.
@inlinable @inline(__always)
func rowMaximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var a0 = SIMD8<Float>(repeating: -.infinity), a1 = a0
    var i = 0
    while i + 16 <= n {
        let v0 = load8(x + i), v1 = load8(x + i + 8)
        a0 = a0.replacing(with: v0, where: v0 .> a0)
        a1 = a1.replacing(with: v1, where: v1 .> a1)
        i += 16
    }
    a0 = a0.replacing(with: a1, where: a1 .> a0)
    var m = a0.max()
    while i < n { if x[i] > m { m = x[i] }; i += 1 }
    return m
}

/// `Σ exp(x[j] - shift)`; when `store` is given, also writes each `exp(x[j] - shift)` there.
@inlinable @inline(__always)
func rowSumExp(_ x: UnsafePointer<Float>, _ n: Int, shift: Float, store: UnsafeMutablePointer<Float>?) -> Float {
    let s = SIMD8<Float>(repeating: shift)
    var a0 = SIMD8<Float>(), a1 = a0
    var i = 0
    while i + 16 <= n {
        let e0 = expOfNonPositive(load8(x + i) - s), e1 = expOfNonPositive(load8(x + i + 8) - s)
        if let store { store8(e0, store + i); store8(e1, store + i + 8) }
        a0 += e0
        a1 += e1
        i += 16
    }
    if i + 8 <= n {
        let e0 = expOfNonPositive(load8(x + i) - s)
        if let store { store8(e0, store + i) }
        a0 += e0
        i += 8
    }
    let rest = n - i
    if rest > 0 {
        var v = SIMD8<Float>(repeating: -.infinity)
        for k in 0..<rest { v[k] = x[i + k] }
        let e = expOfNonPositive(v - s)  // padded lanes give exp(-inf) = 0
        if let store { for k in 0..<rest { store[i + k] = e[k] } }
        a1 += e
    }
    return (a0 + a1).sum()
}

/// `y[j] = x[j] * scale + offset` over a row (`y` may alias `x`).
@inlinable @inline(__always)
func rowAffine(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int, scale: Float, offset: Float) {
    let s = SIMD8<Float>(repeating: scale), o = SIMD8<Float>(repeating: offset)
    var i = 0
    while i + 8 <= n {
        store8(fusedMultiplyAdd(o, load8(x + i), s), y + i)
        i += 8
    }
    while i < n { y[i] = fusedMultiplyAdd(offset, x[i], scale); i += 1 }
}

/// Softmax of each row of the (rows, cols) matrix `x` into `y` (which may alias `x`).
/// A row whose entries are all `-inf` (fully masked) gives zeros.
public func softmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    precondition(rows >= 0 && cols >= 0, "softmaxRows: bad shape (\(rows), \(cols))")
    forEachOuterRange(outer: rows, slabWork: cols, grain: transcendentalGrain) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            let m = rowMaximum(xr, cols)
            if m == -.infinity {
                yr.update(repeating: 0, count: cols)
                continue
            }
            let sum = rowSumExp(xr, cols, shift: m, store: yr)
            rowAffine(yr, yr, cols, scale: 1 / sum, offset: 0)
        }
    }
}

/// Log-softmax of each row of the (rows, cols) matrix `x` into `y` (which may alias `x`).
/// A row whose entries are all `-inf` gives `-inf` throughout.
public func logSoftmaxRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, rows: Int, cols: Int) {
    precondition(rows >= 0 && cols >= 0, "logSoftmaxRows: bad shape (\(rows), \(cols))")
    forEachOuterRange(outer: rows, slabWork: cols, grain: transcendentalGrain) { range in
        for r in range {
            let xr = x + r * cols, yr = y + r * cols
            let m = rowMaximum(xr, cols)
            if m == -.infinity {
                yr.update(repeating: -.infinity, count: cols)
                continue
            }
            let sum = rowSumExp(xr, cols, shift: m, store: nil)
            // (x - m) is exact near the maximum, so subtracting in two steps keeps small outputs accurate.
            let mv = SIMD8<Float>(repeating: m), lv = SIMD8<Float>(repeating: Foundation.log(sum))
            var i = 0
            while i + 8 <= cols {
                store8((load8(xr + i) - mv) - lv, yr + i)
                i += 8
            }
            while i < cols { yr[i] = (xr[i] - m) - lv[0]; i += 1 }
        }
    }
}

/// Backward of ``softmaxRows(_:_:rows:cols:)``: `dx = y ⊙ (dy − Σ_row dy ⊙ y)`, with `y`
/// the softmax output. `dx` may alias `dy`.
public func softmaxRowsBackward(
    y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int
) {
    precondition(rows >= 0 && cols >= 0, "softmaxRowsBackward: bad shape (\(rows), \(cols))")
    forEachOuterRange(outer: rows, slabWork: cols, grain: streamingGrain) { range in
        for r in range {
            let yr = y + r * cols, gr = dy + r * cols, dr = dx + r * cols
            var a0 = SIMD8<Float>(), a1 = a0
            var i = 0
            while i + 16 <= cols {
                a0 = fusedMultiplyAdd(a0, load8(yr + i), load8(gr + i))
                a1 = fusedMultiplyAdd(a1, load8(yr + i + 8), load8(gr + i + 8))
                i += 16
            }
            var dot = (a0 + a1).sum()
            while i < cols { dot = fusedMultiplyAdd(dot, yr[i], gr[i]); i += 1 }
            let d = SIMD8<Float>(repeating: dot)
            i = 0
            while i + 8 <= cols {
                store8(load8(yr + i) * (load8(gr + i) - d), dr + i)
                i += 8
            }
            while i < cols { dr[i] = yr[i] * (gr[i] - dot); i += 1 }
        }
    }
}

/// Backward of ``logSoftmaxRows(_:_:rows:cols:)``: `dx = dy − exp(y) · Σ_row dy`, with `y`
/// the log-softmax output. `dx` may alias `dy`.
public func logSoftmaxRowsBackward(
    y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, rows: Int, cols: Int
) {
    precondition(rows >= 0 && cols >= 0, "logSoftmaxRowsBackward: bad shape (\(rows), \(cols))")
    forEachOuterRange(outer: rows, slabWork: cols, grain: transcendentalGrain) { range in
        for r in range {
            let yr = y + r * cols, gr = dy + r * cols, dr = dx + r * cols
            let s = rowSum(gr, cols)
            let ns = SIMD8<Float>(repeating: -s)
            var i = 0
            while i + 8 <= cols {
                store8(fusedMultiplyAdd(load8(gr + i), expOfNonPositive(load8(yr + i)), ns), dr + i)
                i += 8
            }
            while i < cols {
                var v = SIMD8<Float>(repeating: -.infinity)
                v[0] = yr[i]
                dr[i] = fusedMultiplyAdd(gr[i], expOfNonPositive(v)[0], -s)
                i += 1
            }
        }
    }
}
