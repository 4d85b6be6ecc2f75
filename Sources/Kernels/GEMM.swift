// Public fp32 GEMM entry points and the blocked, parallel driver.
//
// Blocking follows the BLIS loop nest: for each nc-wide column panel and kc-deep
// slice of k, op(B) is packed once into a shared panel (L3-resident), then chunks
// of C rows (mc at a time, packed A block in L2) run the macro-kernel over the
// panel. Every element of C is written by exactly one chunk per k slice, and the k
// slices (whose boundaries depend on k only) are applied in order, so results are
// bit-identical for any thread count.

/// Depth of one k slice: the packed A sliver the macro-kernel keeps in L1 is
/// 6 * kc * 4 bytes (12 KiB). Deeper slices re-read and re-write C less often: 256 was
/// slower at 1024³ and 2048³, while 384, 512 and 768 measured within noise of each other.
let gemmKCMax = 512
/// Up to this depth k stays one slice: a second slice would re-read and re-write all
/// of C, which dominates when C is large (768 x 32000 logits).
let gemmKCSingleMax = 640
/// Rows of C per chunk, the unit of parallel work (smaller chunks balance two
/// threads better); the packed A block is mc * kc * 4 bytes (144 KiB).
let gemmMCMax = 72
/// Columns of one packed B panel, streamed past each A sliver. With the AVX2 kernel
/// (measured on Zen 3, whose L3 streams fast) the panel is kc * nc * 4 = 8 MiB in L3.
/// The AVX-512 kernel needs twice the bandwidth, and the Intel server cores that run it
/// read L3 slowly over the mesh: there the panel stays in L2 (1 MiB; +25 % at 1024³
/// over 4080 on Emerald Rapids).
var gemmNCMax: Int { usesAVX512Kernels ? 512 : 4080 }
/// Below this many multiply-adds the direct path beats packing.
let gemmDirectLimit = 32 * 32 * 32
/// Roughly the flops of one parallel chunk worth a hand-off to a spinning worker (~15 µs).
let gemmChunkFlops = 1 << 20
/// Below this many flops (~4 ms on two cores) a parallel product packs its shared
/// operand whole and splits C into parts (``gemmShared``), instead of the phased driver.
/// 2²⁹ rather than 2²⁸ took the 768 x 288 x 768 products of a training step (0.9 MiB of
/// shared panel) to it: 4-20 % faster on two threads, within ±5 % on one (Zen 3).
let gemmSharedLimit = 1 << 29

/// Single-precision matrix multiply, row-major:
/// `C = alpha * op(A) * op(B) + beta * C` with `op(A)` of shape `m x k` and `op(B)` of
/// shape `k x n`. `op(X)` is `X` or its transpose. With `beta == 0`, `C` is not read
/// (it may hold NaN). `lda`, `ldb`, `ldc` are row strides of the matrices as stored.
///
/// Runs on up to `Parallel.maxThreads` threads; the result does not depend on the
/// thread count.
public func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmCheckArguments(
        transA: transposeA, transB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    gemm(
        transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parallel: true)
}

/// `batch` independent ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``
/// calls; matrix `i` starts at `a + i * strideA` (likewise `b`, `c`). A stride of 0
/// broadcasts one matrix over the batch (never for `c`).
///
/// Small matrices run in parallel across the batch, large ones one after another
/// with each product parallel; results are identical either way.
public func sgemmBatched(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
    alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, strideA: Int,
    b: UnsafePointer<Float>, ldb: Int, strideB: Int,
    beta: Float = 0,
    c: UnsafeMutablePointer<Float>, ldc: Int, strideC: Int,
    batch: Int
) {
    gemmCheckArguments(
        transA: transposeA, transB: transposeB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
    precondition(
        batch >= 0 && strideA >= 0 && strideB >= 0,
        "sgemmBatched: batch \(batch), strideA \(strideA), strideB \(strideB) must be >= 0")
    precondition(
        batch <= 1 || strideC >= m * ldc - (ldc - n),
        "sgemmBatched: strideC \(strideC) makes the \(m)x\(n) outputs (ldc \(ldc)) overlap")
    if batch == 0 || m == 0 || n == 0 { return }
    let flopsEach = 2 * m * n * k
    func one(_ i: Int, parallel: Bool) {
        gemm(
            transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: alpha,
            a: a + i * strideA, lda: lda, b: b + i * strideB, ldb: ldb, beta: beta,
            c: c + i * strideC, ldc: ldc, parallel: parallel)
    }
    if batch > 1 && flopsEach < 4 * gemmChunkFlops {
        let chunks = gemmEvenChunkCount(work: flopsEach * batch, grain: gemmChunkFlops, limit: batch)
        Parallel.forEach(chunks) { chunk in
            for i in gemmPartition(batch, parts: chunks, index: chunk) { one(i, parallel: false) }
        }
    } else {
        for i in 0..<batch { one(i, parallel: true) }
    }
}

func gemmCheckArguments(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative shape m \(m), n \(n), k \(k)")
    precondition(
        lda >= max(1, transA ? m : k),
        "sgemm: lda \(lda) too small for op(A) \(m)x\(k) (transposeA: \(transA))")
    precondition(
        ldb >= max(1, transB ? k : n),
        "sgemm: ldb \(ldb) too small for op(B) \(k)x\(n) (transposeB: \(transB))")
    precondition(ldc >= max(1, n), "sgemm: ldc \(ldc) too small for C \(m)x\(n)")
}

/// Chooses the direct or the packed path; `parallel: false` keeps everything on the
/// calling thread (used inside parallel batches).
func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        for i in 0..<m {
            let crow = c + i * ldc
            if beta == 0 {
                crow.update(repeating: 0, count: n)
            } else {
                for j in 0..<n { crow[j] *= beta }
            }
        }
        return
    }
    // Vector shapes are memory-bound: split the long side so each thread streams its
    // own part of the matrix. Every element is computed the same way in any split.
    let streamChunks = parallel ? Parallel.chunkCount(work: m * n * k, grain: 1 << 18, limit: 8) : 1
    if n == 1 {
        gemmRunChunks(streamChunks, parallel: parallel) { chunk in
            let rows = gemmPartition(m, parts: streamChunks, index: chunk)
            gemmVector(
                transA: transA, transB: transB, m: rows.count, k: k, alpha: alpha,
                a: transA ? a + rows.lowerBound : a + rows.lowerBound * lda, lda: lda, b: b, ldb: ldb,
                beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
        }
        return
    }
    if m == 1 {
        gemmRunChunks(streamChunks, parallel: parallel) { chunk in
            let columns = gemmPartition(n, parts: streamChunks, index: chunk)
            gemmDirect(
                transA: transA, transB: transB, m: 1, n: columns.count, k: k, alpha: alpha, a: a, lda: lda,
                b: transB ? b + columns.lowerBound * ldb : b + columns.lowerBound, ldb: ldb,
                beta: beta, c: c + columns.lowerBound, ldc: ldc)
        }
        return
    }
    // Direct: tiny products, and outer-product-like depths with contiguous B rows,
    // where packing would cost more than the arithmetic.
    if m * n * k <= gemmDirectLimit || (k <= 4 && !transB) {
        gemmDirect(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    let flops = 2 * m * n * k
    if parallel && flops < gemmSharedLimit {
        // Mid-sized: two fork-joins in all (see GEMMShared.swift). The phased driver
        // below would pay a hand-off per k slice and pack the shared panel in chunks
        // too small to split. Deeper than one k slice, the slices may run side by side
        // instead (GEMMSplitDepth.swift).
        if let groups = gemmDepthSplitGroups(
            m: m, n: n, kSlices: gemmKSlices(k).count, threads: Parallel.maxThreads
        ) {
            gemmSplitDepth(
                transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
                a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, groups: groups)
            return
        }
        gemmShared(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
            a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
        return
    }
    gemmPacked(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha,
        a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, parallel: parallel)
}

/// The packed, blocked GEMM (see the file comment for the loop nest).
func gemmPacked(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool
) {
    // Even splits of n too, so no panel is a thin remainder.
    let kcStep = gemmKSlices(k).depth
    let ncMax = gemmNCMax
    let nPanels = (n + ncMax - 1) / ncMax
    let ncStep = gemmRoundUp((n + nPanels - 1) / nPanels, to: gemmNR)
    // Row blocks in whole row units, an even count so two threads get equal shares.
    let unit = gemmRowUnit
    let mUnits = (m + unit - 1) / unit
    var rowBlocks = (m + gemmMCMax - 1) / gemmMCMax
    if rowBlocks > 1 && rowBlocks % 2 == 1 { rowBlocks += 1 }
    rowBlocks = min(rowBlocks, mUnits)
    let maxBlockRows = (mUnits + rowBlocks - 1) / rowBlocks * unit
    func rows(of block: Int) -> Range<Int> {
        let units = gemmPartition(mUnits, parts: rowBlocks, index: block)
        return (units.lowerBound * unit)..<min(m, units.upperBound * unit)
    }
    FloatAllocation.withScratch(count: kcStep * ncStep) { packedB in
        var jc = 0
        while jc < n {
            let nc = min(ncStep, n - jc)
            let panelSlivers = (nc + gemmNR - 1) / gemmNR
            var pc = 0
            while pc < k {
                let kc = min(kcStep, k - pc)
                let bBlock = transB ? b + jc * ldb + pc : b + pc * ldb + jc

                let packChunks = parallel ? max(1, min(8, panelSlivers / 4, kc * nc / 65536)) : 1
                gemmRunChunks(packChunks, parallel: parallel) { chunk in
                    let slivers = gemmPartition(panelSlivers, parts: packChunks, index: chunk)
                    gemmPackB(
                        transposed: transB, b: bBlock, ldb: ldb, kc: kc,
                        columns: (slivers.lowerBound * gemmNR)..<min(nc, slivers.upperBound * gemmNR),
                        into: packedB)
                }

                // Split columns of the panel too when there are few row blocks.
                let wanted = parallel ? min(16, max(1, 2 * m * nc * kc / gemmChunkFlops)) : 1
                var colGroups = 1
                while rowBlocks * colGroups < wanted && colGroups * 4 <= panelSlivers { colGroups *= 2 }
                let sliceBeta: Float = pc == 0 ? beta : 1
                if colGroups == 1 {
                    // One chunk per row block: it packs its own A block, which stays
                    // in the L2 of the core that uses it.
                    gemmRunChunks(rowBlocks, parallel: parallel) { block in
                        let rowRange = rows(of: block)
                        FloatAllocation.withScratch(count: maxBlockRows * kcStep) { packedA in
                            let aBlock = transA ? a + pc * lda + rowRange.lowerBound : a + rowRange.lowerBound * lda + pc
                            gemmPackA(
                                transposed: transA, a: aBlock, lda: lda, mc: rowRange.count, kc: kc,
                                into: packedA)
                            gemmMacroKernel(
                                mc: rowRange.count, nc: nc, kc: kc, packedA: packedA, packedB: packedB,
                                alpha: alpha, beta: sliceBeta, c: c + rowRange.lowerBound * ldc + jc, ldc: ldc)
                        }
                    }
                } else {
                    // Few rows: all of op(A)'s slice is packed once (it is small) and
                    // shared by chunks that split the panel's columns.
                    FloatAllocation.withScratch(count: rowBlocks * maxBlockRows * kcStep) { packedA in
                        gemmRunChunks(rowBlocks, parallel: parallel) { block in
                            let rowRange = rows(of: block)
                            let aBlock = transA ? a + pc * lda + rowRange.lowerBound : a + rowRange.lowerBound * lda + pc
                            gemmPackA(
                                transposed: transA, a: aBlock, lda: lda, mc: rowRange.count, kc: kc,
                                into: packedA + block * maxBlockRows * kcStep)
                        }
                        gemmRunChunks(rowBlocks * colGroups, parallel: parallel) { chunk in
                            let block = chunk / colGroups
                            let rowRange = rows(of: block)
                            let slivers = gemmPartition(panelSlivers, parts: colGroups, index: chunk % colGroups)
                            let j0 = slivers.lowerBound * gemmNR
                            let j1 = min(nc, slivers.upperBound * gemmNR)
                            gemmMacroKernel(
                                mc: rowRange.count, nc: j1 - j0, kc: kc,
                                packedA: packedA + block * maxBlockRows * kcStep, packedB: packedB + j0 * kc,
                                alpha: alpha, beta: sliceBeta, c: c + rowRange.lowerBound * ldc + jc + j0, ldc: ldc)
                        }
                    }
                }
                pc += kc
            }
            jc += nc
        }
    }
}

/// Whether the drivers hand op(A) to the macro-kernel in place instead of packing it:
/// non-transposed A, whose packing would be a transpose (the mid-sized driver only; see
/// ``gemmMacroKernel(mc:nc:kc:rows:lda:packedB:alpha:beta:c:ldc:)``).
@inline(__always)
func gemmReadsRowsOfA(transA: Bool) -> Bool { !transA }

/// Whether the mid-sized driver packs a part's own share of the operand while the first
/// tiles that use it run (the macro-kernels that read a transposed op(A) or a
/// non-transposed op(B) in place and pack it on the way) instead of in a pass of its
/// own: the AVX2 kernel only, as those macro-kernels run six-row tiles.
var gemmPacksWhileComputing: Bool { !usesAVX512Kernels }

/// Rows of C the macro-kernel takes at a time: the tile height of the micro-kernel in
/// use. Drivers split rows in these units so that no block ends in a lone 6-row sliver,
/// which the AVX-512 path would run through the half-width AVX2 kernel.
var gemmRowUnit: Int { usesAVX512Kernels ? 2 * gemmMR : gemmMR }

/// The k slices of every packed driver: their count and depth (the last may be
/// shorter). Even splits, so no slice is a thin remainder. Both drivers must slice k
/// alike for their results to agree bit for bit.
func gemmKSlices(_ k: Int) -> (count: Int, depth: Int) {
    let count = k <= gemmKCSingleMax ? 1 : (k + gemmKCMax - 1) / gemmKCMax
    return (count, (k + count - 1) / count)
}

/// `Parallel.forEach` when `parallel`, else a plain loop on the calling thread.
@inline(__always)
func gemmRunChunks(_ count: Int, parallel: Bool, _ body: (Int) -> Void) {
    if parallel {
        Parallel.forEach(count, body)
    } else {
        for i in 0..<count { body(i) }
    }
}

/// Part `index` of `0..<total` split into `parts` nearly equal contiguous ranges.
func gemmPartition(_ total: Int, parts: Int, index: Int) -> Range<Int> {
    let base = total / parts
    let extra = total % parts
    let start = index * base + min(index, extra)
    return start..<(start + base + (index < extra ? 1 : 0))
}

/// A chunk count from the work size alone, even when above 1 so two threads
/// taking alternate chunks get equal shares.
func gemmEvenChunkCount(work: Int, grain: Int, limit: Int) -> Int {
    var chunks = max(1, min(limit, work / grain))
    if chunks > 1 && chunks % 2 == 1 { chunks = min(limit, chunks + 1) }
    return chunks
}

@inline(__always)
func gemmRoundUp(_ x: Int, to multiple: Int) -> Int {
    (x + multiple - 1) / multiple * multiple
}
