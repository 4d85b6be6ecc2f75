// The driver for mid-sized products (about 0.1-2 ms of work): the linear layers of a
// small model's training step, 768 x 128 x 128 and the like.
//
// The longer side of C is split into parts. The other operand (op(B) when rows are
// split) is packed once, every k slice of it, by a first parallel loop; a second loop
// hands out the parts, each packing its own share of the first operand and running
// the macro-kernel over the shared panel. Compared with splitting the product into
// independent sub-products, the shared operand is packed once instead of once per
// part, so parts can be small enough (16 per product) for two threads to finish together.
// A part's own share is read in place where the kernel can (non-transposed A), or,
// with the AVX2 kernel, packed by the first tiles that use it (transposed A,
// non-transposed B), so that its first reads from L3 overlap arithmetic. Run as one
// part, with both of a weight gradient's operands to pack (transposed A, non-transposed
// B), it packs neither up front: the first tiles pack both.
// Each element of C is computed by one part, k slices in order: the result does not
// depend on the thread count, nor on the number of parts.

/// Parts per product: enough for dynamic claiming to balance two threads (each part is
/// 10-40 µs in a small model's step; 16 measured ~4 % faster than 8 there).
let gemmSharedParts = 16

/// Bytes of packed B that one pass of A slivers streams: half of Zen 3's 512 KiB L2, so
/// that the packed A slivers and C passing through do not evict it.
let gemmColumnBlockBytes = 256 << 10

/// The number of column blocks of a `kc x n` packed B of at most ``gemmColumnBlockBytes``
/// each (whole 16-column slivers, split evenly).
func gemmColumnBlocks(n: Int, kc: Int) -> Int {
    let slivers = (n + gemmNR - 1) / gemmNR
    let perBlock = max(1, gemmColumnBlockBytes / (kc * gemmNR * MemoryLayout<Float>.size))
    return (slivers + perBlock - 1) / perBlock
}

/// `C = alpha * op(A) * op(B) + beta * C` for a mid-sized product. The longer side of C
/// is split into parts; the operand along the other side is packed once and shared.
/// `parallel: false` runs it on the calling thread as one part (inside a parallel task).
func gemmShared(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, parallel: Bool = true
) {
    let (kSlices, kcStep) = gemmKSlices(k)
    let mSlivers = (m + gemmMR - 1) / gemmMR
    let nSlivers = (n + gemmNR - 1) / gemmNR
    let splitRows = m >= n
    // The shared operand, packed whole: one k slice after another.
    let sharedSlivers = splitRows ? nSlivers : mSlivers
    let sharedWidth = splitRows ? gemmNR : gemmMR
    let sliceFloats = kcStep * sharedSlivers * sharedWidth
    // Parts own whole row units (see gemmRowUnit) or column slivers.
    let ownWidth = splitRows ? gemmRowUnit : gemmNR
    let ownSlivers = ((splitRows ? m : n) + ownWidth - 1) / ownWidth
    // One thread has nothing to balance, and one part's slivers share the cache lines of
    // their operand that separate parts would fetch again (3-6 % faster on one thread).
    let partLimit = !parallel || Parallel.maxThreads == 1 ? 1 : min(gemmSharedParts, ownSlivers)
    let parts = gemmEvenChunkCount(work: 2 * m * n * k, grain: gemmChunkFlops, limit: partLimit)
    let readsRows = gemmReadsRowsOfA(transA: transA)
    let packsWhileComputing = gemmPacksWhileComputing
    let maxPartFloats = splitRows && readsRows ? 0 : (ownSlivers + parts - 1) / parts * ownWidth * kcStep
    if parts == 1 && transA && !transB && packsWhileComputing {
        // One part (one thread, or a task of the depth split), and both operands need
        // packing: no packing pass at all, the first tiles pack both as they go (0-12 %
        // faster on one thread on Zen 3, 288x288x768 most). B goes in column blocks that
        // stay in L2 while every A sliver passes them.
        let floatsA = gemmRoundUp(m, to: gemmMR) * kcStep
        let blocks = gemmColumnBlocks(n: n, kc: kcStep)
        FloatAllocation.withScratch(count: floatsA + gemmRoundUp(n, to: gemmNR) * kcStep) { packed in
            let packedA = packed, packedB = packed + floatsA
            for slice in 0..<kSlices {
                let pc = slice * kcStep
                let kc = min(kcStep, k - pc)
                let sliceBeta = slice == 0 ? beta : 1
                for block in 0..<blocks {
                    let slivers = gemmPartition(nSlivers, parts: blocks, index: block)
                    let j0 = slivers.lowerBound * gemmNR
                    let nb = min(n, slivers.upperBound * gemmNR) - j0
                    if block == 0 {
                        gemmMacroKernel(
                            mc: m, nc: nb, kc: kc, columns: a + pc * lda, lda: lda, packingInto: packedA,
                            rows: b + pc * ldb, ldb: ldb, packingInto: packedB,
                            alpha: alpha, beta: sliceBeta, c: c, ldc: ldc)
                    } else {
                        gemmMacroKernel(
                            mc: m, nc: nb, kc: kc, packedA: packedA, rows: b + pc * ldb + j0, ldb: ldb,
                            packingInto: packedB + j0 * kc, alpha: alpha, beta: sliceBeta, c: c + j0, ldc: ldc)
                    }
                }
            }
        }
        return
    }

    FloatAllocation.withScratch(count: kSlices * sliceFloats) { shared in
        // Pack in units of (k slice, group of slivers) of about 16 K floats each.
        let sliversPerUnit = max(1, 16_384 / (kcStep * sharedWidth))
        let groups = (sharedSlivers + sliversPerUnit - 1) / sliversPerUnit
        gemmRunChunks(kSlices * groups, parallel: parallel) { unit in
            let slice = unit / groups
            let pc = slice * kcStep
            let kc = min(kcStep, k - pc)
            let range = gemmPartition(sharedSlivers, parts: groups, index: unit % groups)
            let destination = shared + slice * sliceFloats
            if splitRows {
                gemmPackB(
                    transposed: transB, b: transB ? b + pc : b + pc * ldb, ldb: ldb, kc: kc,
                    columns: (range.lowerBound * gemmNR)..<min(n, range.upperBound * gemmNR),
                    into: destination)
            } else {
                let i0 = range.lowerBound * gemmMR
                gemmPackA(
                    transposed: transA, a: transA ? a + pc * lda + i0 : a + i0 * lda + pc, lda: lda,
                    mc: min(m, range.upperBound * gemmMR) - i0, kc: kc, into: destination + i0 * kc)
            }
        }
        // Compute: each part owns a contiguous run of row (or column) slivers of C and
        // packs its own share of the other operand.
        gemmRunChunks(parts, parallel: parallel) { part in
            let own = gemmPartition(ownSlivers, parts: parts, index: part)
            let start = own.lowerBound * ownWidth
            let count = min(splitRows ? m : n, own.upperBound * ownWidth) - start
            FloatAllocation.withScratch(count: maxPartFloats) { packed in
                for slice in 0..<kSlices {
                    let pc = slice * kcStep
                    let kc = min(kcStep, k - pc)
                    let sliceBeta = slice == 0 ? beta : 1
                    if splitRows && readsRows {
                        gemmMacroKernel(
                            mc: count, nc: n, kc: kc, rows: a + start * lda + pc, lda: lda,
                            packedB: shared + slice * sliceFloats,
                            alpha: alpha, beta: sliceBeta, c: c + start * ldc, ldc: ldc)
                    } else if splitRows && transA && packsWhileComputing {
                        gemmMacroKernel(
                            mc: count, nc: n, kc: kc, columns: a + pc * lda + start, lda: lda,
                            packingInto: packed, packedB: shared + slice * sliceFloats,
                            alpha: alpha, beta: sliceBeta, c: c + start * ldc, ldc: ldc)
                    } else if splitRows {
                        gemmPackA(
                            transposed: transA, a: transA ? a + pc * lda + start : a + start * lda + pc,
                            lda: lda, mc: count, kc: kc, into: packed)
                        gemmMacroKernel(
                            mc: count, nc: n, kc: kc, packedA: packed, packedB: shared + slice * sliceFloats,
                            alpha: alpha, beta: sliceBeta, c: c + start * ldc, ldc: ldc)
                    } else if !transB && packsWhileComputing {
                        gemmMacroKernel(
                            mc: m, nc: count, kc: kc, packedA: shared + slice * sliceFloats,
                            rows: b + pc * ldb + start, ldb: ldb, packingInto: packed,
                            alpha: alpha, beta: sliceBeta, c: c + start, ldc: ldc)
                    } else {
                        gemmPackB(
                            transposed: transB, b: transB ? b + start * ldb + pc : b + pc * ldb + start,
                            ldb: ldb, kc: kc, columns: 0..<count, into: packed)
                        gemmMacroKernel(
                            mc: m, nc: count, kc: kc, packedA: shared + slice * sliceFloats, packedB: packed,
                            alpha: alpha, beta: sliceBeta, c: c + start, ldc: ldc)
                    }
                }
            }
        }
    }
}
