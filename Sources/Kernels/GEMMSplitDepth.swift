// The depth-split form of the mid-sized driver, for products deeper than one k slice
// whose C is small: the weight gradients of a training step (dW = dYᵀ·X over 768 tokens,
// 128 x 128 x 768 and the like).
//
// ``gemmShared`` packs one operand once and shares it among all parts. On two cores,
// each core then reads half of that panel from the other core's cache, and both stream
// it once per A sliver: on Zen 3 a 128 x 128 x 768 product on two threads ran at 82
// GFLOPS, while two one-thread products side by side ran at 118 in all. Here each task
// takes one k slice of the product (or of a group of its rows) whole and runs it on one
// thread: it packs its own share of the operands, which stay in its core's L2. The first
// slice is written into C as usual; every other slice's sum goes into a buffer of its
// own. A last pass adds the buffers into C in slice order with the rounding of the
// kernel's own update (`c + sum * alpha`, fused), so C holds the same bits as when the
// slices run one after another.

/// Up to this many elements of C (128 KiB) a mid-sized product deeper than one k slice
/// splits its depth: 128 x 128 x 768 ran 1.12-1.35x and 65 x 128 x 768 1.03-1.24x faster
/// on two threads, while 352 x 128 x 768 lost 14 % and 288 x 288 x 768 9 % (Zen 3).
let gemmDepthSplitLimit = 1 << 15

/// The number of row groups per k slice when an `m x n` product with `kSlices` slices
/// splits its depth over `threads` threads, or nil when it does not: C too large, or
/// tasks that would not give every thread the same share (the slices then run one after
/// another, in ``gemmShared``).
func gemmDepthSplitGroups(m: Int, n: Int, kSlices: Int, threads: Int) -> Int? {
    guard threads > 1 && kSlices > 1 && m * n <= gemmDepthSplitLimit else { return nil }
    let groups = max(1, threads / kSlices)
    return kSlices * groups % threads == 0 ? groups : nil
}

/// `C = alpha * op(A) * op(B) + beta * C` with the k slices (see ``gemmKSlices(_:)``) of
/// each of `groups` row groups run as parallel tasks, then summed in slice order.
func gemmSplitDepth(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, groups: Int
) {
    let (kSlices, kcStep) = gemmKSlices(k)
    let unit = gemmRowUnit
    let mUnits = (m + unit - 1) / unit
    let groups = min(groups, mUnits)
    func rows(of group: Int) -> Range<Int> {
        let units = gemmPartition(mUnits, parts: groups, index: group)
        return (units.lowerBound * unit)..<min(m, units.upperBound * unit)
    }
    // The sums of slices 1, 2, ..., each m x n with row stride n.
    FloatAllocation.withScratch(count: (kSlices - 1) * m * n) { sums in
        Parallel.forEach(kSlices * groups) { task in
            let slice = task / groups
            let rowRange = rows(of: task % groups)
            let pc = slice * kcStep
            let i0 = rowRange.lowerBound
            // The first slice updates C with the caller's beta; the others store their
            // plain sums (alpha 1, beta 0: exact) for the pass below.
            let first = slice == 0
            gemmShared(
                transA: transA, transB: transB, m: rowRange.count, n: n, k: min(kcStep, k - pc),
                alpha: first ? alpha : 1,
                a: transA ? a + pc * lda + i0 : a + i0 * lda + pc, lda: lda,
                b: transB ? b + pc : b + pc * ldb, ldb: ldb,
                beta: first ? beta : 0,
                c: first ? c + i0 * ldc : sums + (slice - 1) * m * n + i0 * n, ldc: first ? ldc : n,
                parallel: false)
        }
        let chunks = gemmEvenChunkCount(work: m * n * (kSlices - 1), grain: 1 << 15, limit: min(m, 16))
        Parallel.forEach(chunks) { chunk in
            let alphaV = SIMD8<Float>(repeating: alpha)
            for i in gemmPartition(m, parts: chunks, index: chunk) {
                let crow = c + i * ldc
                for slice in 1..<kSlices {
                    let srow = sums + (slice - 1) * m * n + i * n
                    var j = 0
                    while j + 8 <= n {
                        store8(fusedMultiplyAdd(load8(crow + j), load8(srow + j), alphaV), crow + j)
                        j += 8
                    }
                    while j < n {
                        crow[j] = fusedMultiplyAdd(crow[j], srow[j], alpha)
                        j += 1
                    }
                }
            }
        }
    }
}
