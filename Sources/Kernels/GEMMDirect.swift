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
            if beta == 0 {
                crow.update(repeating: 0, count: n)
            } else if beta != 1 {
                for j in 0..<n { crow[j] *= beta }
            }
            // Four B rows per pass over the C row: a quarter of the C loads/stores.
            var p = 0
            while p + 4 <= k {
                let s0 = SIMD8<Float>(repeating: alpha * arow[p * colStrideA])
                let s1 = SIMD8<Float>(repeating: alpha * arow[(p + 1) * colStrideA])
                let s2 = SIMD8<Float>(repeating: alpha * arow[(p + 2) * colStrideA])
                let s3 = SIMD8<Float>(repeating: alpha * arow[(p + 3) * colStrideA])
                let b0 = b + p * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb
                var j = 0
                while j + 8 <= n {
                    var acc = load8(crow + j)
                    acc = fusedMultiplyAdd(acc, s0, load8(b0 + j))
                    acc = fusedMultiplyAdd(acc, s1, load8(b1 + j))
                    acc = fusedMultiplyAdd(acc, s2, load8(b2 + j))
                    acc = fusedMultiplyAdd(acc, s3, load8(b3 + j))
                    store8(acc, crow + j)
                    j += 8
                }
                while j < n {
                    var acc = crow[j]
                    acc = fusedMultiplyAdd(acc, s0[0], b0[j])
                    acc = fusedMultiplyAdd(acc, s1[0], b1[j])
                    acc = fusedMultiplyAdd(acc, s2[0], b2[j])
                    acc = fusedMultiplyAdd(acc, s3[0], b3[j])
                    crow[j] = acc
                    j += 1
                }
                p += 4
            }
            while p < k {
                let s = alpha * arow[p * colStrideA]
                let brow = b + p * ldb
                let sv = SIMD8<Float>(repeating: s)
                var j = 0
                while j + 8 <= n {
                    store8(fusedMultiplyAdd(load8(crow + j), sv, load8(brow + j)), crow + j)
                    j += 8
                }
                while j < n {
                    crow[j] = fusedMultiplyAdd(crow[j], s, brow[j])
                    j += 1
                }
                p += 1
            }
        } else {
            // op(B) column j is stored row j of B: dot products along k.
            for j in 0..<n {
                let bcol = b + j * ldb
                var sum: Float = 0
                if colStrideA == 1 {
                    var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
                    var p = 0
                    while p + 16 <= k {
                        acc0 = fusedMultiplyAdd(acc0, load8(arow + p), load8(bcol + p))
                        acc1 = fusedMultiplyAdd(acc1, load8(arow + p + 8), load8(bcol + p + 8))
                        p += 16
                    }
                    while p + 8 <= k {
                        acc0 = fusedMultiplyAdd(acc0, load8(arow + p), load8(bcol + p))
                        p += 8
                    }
                    sum = (acc0 + acc1).sum()
                    while p < k {
                        sum = fusedMultiplyAdd(sum, arow[p], bcol[p])
                        p += 1
                    }
                } else {
                    for p in 0..<k { sum = fusedMultiplyAdd(sum, arow[p * colStrideA], bcol[p]) }
                }
                crow[j] = beta == 0 ? alpha * sum : fusedMultiplyAdd(beta * crow[j], sum, alpha)
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
            for i in 0..<m {
                let arow = a + i * lda
                var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
                var p = 0
                while p + 16 <= k {
                    acc0 = fusedMultiplyAdd(acc0, load8(arow + p), load8(x + p))
                    acc1 = fusedMultiplyAdd(acc1, load8(arow + p + 8), load8(x + p + 8))
                    p += 16
                }
                var sum = (acc0 + acc1).sum()
                while p < k {
                    sum = fusedMultiplyAdd(sum, arow[p], x[p])
                    p += 1
                }
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
