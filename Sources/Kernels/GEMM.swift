/// Single-precision matrix multiply, row-major:
/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k` and `op(B)` of
/// shape `k x n`. `op(X)` is `X` or its transpose. With `beta == 0`, `C` is not read
/// (it may hold NaN). `lda`, `ldb`, `ldc` are row strides of the matrices as stored.
public func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    if m == 0 || n == 0 { return }
    // Interim row-streaming kernel: op(B) packed row-major, each C row accumulated
    // as a sum of scaled B rows in SIMD8 lanes.
    let bp = UnsafeMutablePointer<Float>.allocate(capacity: k * n)
    defer { bp.deallocate() }
    for p in 0..<k {
        for j in 0..<n { bp[p * n + j] = transposeB ? b[j * ldb + p] : b[p * ldb + j] }
    }
    let chunks = Parallel.chunkCount(work: m * n * k, grain: 1 << 20)
    let rowsPerChunk = (m + chunks - 1) / chunks
    let row = UnsafeMutablePointer<Float>.allocate(capacity: n * chunks)
    defer { row.deallocate() }
    Parallel.forEach(chunks) { chunk in
        let acc = row + chunk * n
        for i in (chunk * rowsPerChunk)..<min(m, (chunk + 1) * rowsPerChunk) {
            acc.update(repeating: 0, count: n)
            for p in 0..<k {
                let av = transposeA ? a[p * lda + i] : a[i * lda + p]
                let s = SIMD8<Float>(repeating: av)
                let brow = bp + p * n
                var j = 0
                while j + 8 <= n {
                    store8(fusedMultiplyAdd(load8(acc + j), s, load8(brow + j)), acc + j)
                    j += 8
                }
                while j < n { acc[j] = fusedMultiplyAdd(acc[j], av, brow[j]); j += 1 }
            }
            let crow = c + i * ldc
            for j in 0..<n { crow[j] = alpha * acc[j] + (beta == 0 ? 0 : beta * crow[j]) }
        }
    }
}

/// `batch` independent ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// calls; matrix `i` starts at `a + i * strideA` (likewise `b`, `c`). A stride of 0
/// broadcasts one matrix over the batch (never for `c`).
public func sgemmBatched(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int,
    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int
) {
    for i in 0..<batch {
        sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
            c: c + i * strideC, ldc: ldc)
    }
}
