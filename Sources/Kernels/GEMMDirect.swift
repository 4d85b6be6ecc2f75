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
            for p in 0..<k {
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
