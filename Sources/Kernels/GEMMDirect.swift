// Direct (unpacked) GEMM for problems too small to amortise packing. Single-threaded:
// below the size threshold the whole product costs less than a thread hand-off.

/// `C = alpha * op(A) * op(B) + beta * C` without packing; same contract as ``sgemm``.
func gemmDirect(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // op(A)(i, p) = a[i * rowStrideA + p * colStrideA]
    let rowStrideA = transA ? 1 : lda
    let colStrideA = transA ? lda : 1
    for i in 0..<m {
        let crow = c + i * ldc
        let arow = a + i * rowStrideA
        if !transB {
            // C row i as a sum of scaled B rows: every access is sequential.
            if beta != 0 && beta != 1 {
                for j in 0..<n { crow[j] *= beta }
            }
            // Up to eight B rows per pass over the C row: an eighth of the C loads and
            // stores, and eight B streams in flight (a GEMV with m = 1 is bound by reading B).
            // With beta 0 the first pass starts from zeros instead of a zeroed C row (the
            // same sums, without writing C one more time: an outer product, k = 1, writes
            // C once instead of twice).
            var p = 0
            var fromZero = beta == 0
            @inline(__always) func addScaledRows(_ count: Int) {
                // Two copies of the loop, so that neither tests fromZero per element.
                if fromZero {
                    scaledRowsPass(count, fromZero: true)
                    fromZero = false
                } else {
                    scaledRowsPass(count, fromZero: false)
                }
            }
            @inline(__always) func scaledRowsPass(_ count: Int, fromZero: Bool) {
                var s = SIMD8<Float>()
                for q in 0..<count { s[q] = alpha * arow[(p + q) * colStrideA] }
                let b0 = b + p * ldb
                var j = 0
                while j + 8 <= n {
                    var acc = fromZero ? SIMD8<Float>() : load8(crow + j)
                    var row = b0 + j
                    for q in 0..<count {
                        acc = fusedMultiplyAdd(acc, SIMD8(repeating: s[q]), load8(row))
                        row += ldb
                    }
                    store8(acc, crow + j)
                    j += 8
                }
                while j < n {
                    var acc: Float = fromZero ? 0 : crow[j]
                    var row = b0 + j
                    for q in 0..<count {
                        acc = fusedMultiplyAdd(acc, s[q], row.pointee)
                        row += ldb
                    }
                    crow[j] = acc
                    j += 1
                }
                p += count
            }
            while p + 8 <= k { addScaledRows(8) }
            if p + 4 <= k { addScaledRows(4) }
            while p < k { addScaledRows(1) }
            if fromZero { crow.update(repeating: 0, count: n) }  // k = 0
        } else {
            // op(B) column j is stored row j of B: dot products along k.
            @inline(__always) func update(_ j: Int, _ sum: Float) {
                crow[j] = beta == 0 ? alpha * sum : fusedMultiplyAdd(beta * crow[j], sum, alpha)
            }
            if colStrideA == 1 {
                gemmDotEachRow(arow, rows: b, stride: ldb, count: n, depth: k, update)
            } else {
                for j in 0..<n {
                    let bcol = b + j * ldb
                    var sum: Float = 0
                    for p in 0..<k { sum = fusedMultiplyAdd(sum, arow[p * colStrideA], bcol[p]) }
                    update(j, sum)
                }
            }
        }
    }
}

/// Matrix-vector product (`n == 1`): `c[i * ldc] = alpha * (op(A) x)[i] + beta * c[i * ldc]`
/// with x the single column of op(B), gathered once so every inner loop is contiguous.
func gemmVector(
    transA: Bool, transB: Bool, m: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    FloatAllocation.withScratch(count: k + m) { scratch in
        let x = scratch
        let stride = transB ? 1 : ldb
        for p in 0..<k { x[p] = b[p * stride] }
        if !transA {
            // y_i = row i of A · x.
            gemmDotEachRow(x, rows: a, stride: lda, count: m, depth: k) { i, sum in
                let ci = c + i * ldc
                ci.pointee = beta == 0 ? alpha * sum : fusedMultiplyAdd(beta * ci.pointee, sum, alpha)
            }
        } else {
            // y = sum over p of x_p * (stored row p of A), accumulated contiguously.
            let y = scratch + k
            y.update(repeating: 0, count: m)
            for p in 0..<k {
                let arow = a + p * lda
                let s = SIMD8<Float>(repeating: x[p])
                var i = 0
                while i + 8 <= m {
                    store8(fusedMultiplyAdd(load8(y + i), s, load8(arow + i)), y + i)
                    i += 8
                }
                while i < m {
                    y[i] = fusedMultiplyAdd(y[i], x[p], arow[i])
                    i += 1
                }
            }
            for i in 0..<m {
                let ci = c + i * ldc
                ci.pointee = beta == 0 ? alpha * y[i] : fusedMultiplyAdd(beta * ci.pointee, y[i], alpha)
            }
        }
    }
}

/// Rows at least this long (in floats) are read four in step by matrix-vector products.
let gemmDotRowsInStepDepth = 1024

/// `result(i, x · row i)` for the `count` rows at `rows + i * stride`, each `depth` long.
///
/// A matrix-vector product is bound by reading the matrix. Rows of 4 KiB or more are read
/// four in step (``gemmDots4(_:_:_:_:_:count:)``): four streams the prefetcher follows
/// each, 1.3-1.9x faster than one row after another at 1024-4096 floats per row on Zen 3.
/// Shorter rows are read one after another (``gemmDot(_:_:count:)``): four in step lost
/// up to 40 % at 288 floats (1 KiB rows, streams too short to be picked up) and still
/// lost 25 % at 640. Both sum a row in the same order: the bits do not depend on the path.
@inline(__always)
func gemmDotEachRow(
    _ x: UnsafePointer<Float>, rows: UnsafePointer<Float>, stride: Int, count: Int, depth k: Int,
    _ result: (Int, Float) -> Void
) {
    if k < gemmDotRowsInStepDepth {
        for i in 0..<count { result(i, gemmDot(x, rows + i * stride, count: k)) }
        return
    }
    var i = 0
    while i < count {
        // A last group of fewer than four repeats its last row (same sums, not stored twice).
        @inline(__always) func row(_ q: Int) -> UnsafePointer<Float> { rows + min(i + q, count - 1) * stride }
        let sums = gemmDots4(x, row(0), row(1), row(2), row(3), count: k)
        for q in 0..<min(4, count - i) { result(i + q, sums[q]) }
        i += 4
    }
}

/// `x · y` over `count` floats: two SIMD8 accumulators over blocks of 16, then blocks of 8
/// into the first, then scalars; ``gemmDots4(_:_:_:_:_:count:)`` sums each row in exactly
/// this order.
@inline(__always)
func gemmDot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count k: Int) -> Float {
    var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
    var p = 0
    while p + 16 <= k {
        acc0 = fusedMultiplyAdd(acc0, load8(x + p), load8(y + p))
        acc1 = fusedMultiplyAdd(acc1, load8(x + p + 8), load8(y + p + 8))
        p += 16
    }
    while p + 8 <= k {
        acc0 = fusedMultiplyAdd(acc0, load8(x + p), load8(y + p))
        p += 8
    }
    var sum = (acc0 + acc1).sum()
    while p < k {
        sum = fusedMultiplyAdd(sum, x[p], y[p])
        p += 1
    }
    return sum
}

/// `x · y0`, ..., `x · y3` read in step, each summed as ``gemmDot(_:_:count:)`` sums
/// (eight accumulators in all). Out of line: inlined into its caller, LLVM re-vectorised
/// the four rows across 128-bit lanes and spilled (25 % slower).
@inline(never)
func gemmDots4(
    _ x: UnsafePointer<Float>, _ y0: UnsafePointer<Float>, _ y1: UnsafePointer<Float>,
    _ y2: UnsafePointer<Float>, _ y3: UnsafePointer<Float>, count k: Int
) -> SIMD4<Float> {
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
    var b0 = SIMD8<Float>(), b1 = SIMD8<Float>(), b2 = SIMD8<Float>(), b3 = SIMD8<Float>()
    var p = 0
    while p + 16 <= k {
        let x0 = load8(x + p), x1 = load8(x + p + 8)
        a0 = fusedMultiplyAdd(a0, x0, load8(y0 + p)); b0 = fusedMultiplyAdd(b0, x1, load8(y0 + p + 8))
        a1 = fusedMultiplyAdd(a1, x0, load8(y1 + p)); b1 = fusedMultiplyAdd(b1, x1, load8(y1 + p + 8))
        a2 = fusedMultiplyAdd(a2, x0, load8(y2 + p)); b2 = fusedMultiplyAdd(b2, x1, load8(y2 + p + 8))
        a3 = fusedMultiplyAdd(a3, x0, load8(y3 + p)); b3 = fusedMultiplyAdd(b3, x1, load8(y3 + p + 8))
        p += 16
    }
    while p + 8 <= k {
        let x0 = load8(x + p)
        a0 = fusedMultiplyAdd(a0, x0, load8(y0 + p))
        a1 = fusedMultiplyAdd(a1, x0, load8(y1 + p))
        a2 = fusedMultiplyAdd(a2, x0, load8(y2 + p))
        a3 = fusedMultiplyAdd(a3, x0, load8(y3 + p))
        p += 8
    }
    var sums = SIMD4<Float>((a0 + b0).sum(), (a1 + b1).sum(), (a2 + b2).sum(), (a3 + b3).sum())
    while p < k {
        sums[0] = fusedMultiplyAdd(sums[0], x[p], y0[p])
        sums[1] = fusedMultiplyAdd(sums[1], x[p], y1[p])
        sums[2] = fusedMultiplyAdd(sums[2], x[p], y2[p])
        sums[3] = fusedMultiplyAdd(sums[3], x[p], y3[p])
        p += 1
    }
    return sums
}
