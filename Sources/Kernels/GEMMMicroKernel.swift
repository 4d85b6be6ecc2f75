#if arch(x86_64)
import KernelsAVX512
#endif

// Register-blocked GEMM micro-kernel and the macro-kernel that tiles a packed block
// with it.
//
// On CPUs with AVX-512 the macro-kernel runs pairs of A slivers through the 12 x 16
// zmm kernel of module KernelsAVX512 instead (twice the work per instruction), and a
// lone sliver or an edge tile through its 6 x 16 zmm kernel. All give identical bits.
//
// The micro-kernel keeps a 6 x 16 tile of C in twelve SIMD8 accumulators. With two
// ymm registers for the B row and one for the broadcast A value that is 15 of
// AVX2's 16 ymm registers, and twelve independent FMA chains cover the FMA latency
// (4 cycles) times the two FMA pipes of current x86 cores.

/// Rows of C per micro-tile (one packed A sliver).
let gemmMR = 6
/// Columns of C per micro-tile (one packed B sliver, two SIMD8 vectors).
let gemmNR = 16

/// `C[0..<6, 0..<16] = alpha * (Ã · B̃) + beta * C` for packed slivers `a` (kc x 6,
/// p-major) and `b` (kc x 16, p-major). With `beta == 0`, C is not read.
/// Kept out of line so the register allocator sees only this loop.
@inline(never)
func gemmMicroKernel6x16(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel6x16(kc: kc, a: a, rowStride: 1, depthStride: gemmMR, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// ``gemmMicroKernel6x16(kc:a:b:alpha:beta:c:ldc:)`` reading six rows of a row-major
/// op(A) in place (`a[r * lda + p]`) instead of a packed sliver. Non-transposed A is the
/// one operand whose packing is a transpose (six rows into p-major order); when the
/// product's depth is small that costs a fifth of the arithmetic. Read in place, the rows
/// cost one pass of loads (``gemmTouchRows(_:lda:count:)``) and then sit in L1 (6 * kc
/// floats) for the sliver's other tiles.
/// The products are summed in the same order, so the bits are those of the packed path.
@inline(never)
func gemmMicroKernel6x16(
    kc: Int, rows a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel6x16(kc: kc, a: a, rowStride: lda, depthStride: 1, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// ``gemmMicroKernel6x16(kc:a:b:alpha:beta:c:ldc:)`` reading six columns of a row-major
/// A in place (op(A) transposed: `a[p * lda + r]`) and packing them into `sliver` (kc x 6,
/// p-major, as ``gemmPackA(transposed:a:lda:mc:kc:into:)`` lays them out) on the way.
/// The strided loads of the sliver's first tile then overlap its arithmetic instead of
/// taking a packing pass of their own; the sliver's other tiles read the packed copy.
/// The products are summed in the same order, so the bits are those of the packed path.
@inline(never)
func gemmMicroKernel6x16(
    kc: Int, columns a: UnsafePointer<Float>, lda: Int, packingInto sliver: UnsafeMutablePointer<Float>,
    b: UnsafePointer<Float>, alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel6x16(
        kc: kc, a: a, rowStride: 1, depthStride: lda, packingAInto: sliver, b: b,
        alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// ``gemmMicroKernel6x16(kc:a:b:alpha:beta:c:ldc:)`` reading sixteen columns of a
/// row-major, non-transposed op(B) in place (`b[p * ldb + j]`) and packing them into
/// `sliver` (kc x 16, p-major, as ``gemmPackB(transposed:b:ldb:kc:columns:into:)`` lays
/// them out) on the way, for the other A slivers' tiles; the B counterpart of
/// ``gemmMicroKernel6x16(kc:columns:lda:packingInto:b:alpha:beta:c:ldc:)``.
@inline(never)
func gemmMicroKernel6x16(
    kc: Int, a: UnsafePointer<Float>, rows b: UnsafePointer<Float>, ldb: Int,
    packingInto sliver: UnsafeMutablePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel6x16(
        kc: kc, a: a, rowStride: 1, depthStride: gemmMR, b: b, bDepthStride: ldb, packingBInto: sliver,
        alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// ``gemmMicroKernel6x16(kc:a:b:alpha:beta:c:ldc:)`` reading both operands in place, a
/// transposed op(A)'s six columns and a non-transposed op(B)'s sixteen columns, and
/// packing both on the way: the first tile of a product whose operands both need packing
/// (see ``gemmMacroKernel(mc:nc:kc:columns:lda:packingInto:rows:ldb:packingInto:alpha:beta:c:ldc:)``).
@inline(never)
func gemmMicroKernel6x16(
    kc: Int, columns a: UnsafePointer<Float>, lda: Int, packingInto sliverA: UnsafeMutablePointer<Float>,
    rows b: UnsafePointer<Float>, ldb: Int, packingInto sliverB: UnsafeMutablePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel6x16(
        kc: kc, a: a, rowStride: 1, depthStride: lda, packingAInto: sliverA,
        b: b, bDepthStride: ldb, packingBInto: sliverB, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// The 6 x 16 kernel body; element (p, r) of the A sliver is `a[p * depthStride + r * rowStride]`
/// and row p of the B sliver starts at `b + p * bDepthStride`. Inlined into the wrappers
/// above, each with its strides known at the call. With `packingAInto` (only where
/// `rowStride` is 1) each step's six A values are also copied to
/// `packingAInto[p * 6 ..< p * 6 + 6]`; with `packingBInto`, its sixteen B values to
/// `packingBInto[p * 16 ..< p * 16 + 16]`.
///
/// Each C row is one `SIMD16<Float>` (two ymm registers). Written with SIMD16 rather
/// than twelve SIMD8 values because LLVM then schedules the loop without spilling:
/// with SIMD8 halves it hoists all six broadcasts and runs out of registers.
@inline(__always)
func gemmKernel6x16(
    kc: Int, a: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
    packingAInto packedA: UnsafeMutablePointer<Float>? = nil,
    b: UnsafePointer<Float>, bDepthStride: Int = gemmNR, packingBInto packedB: UnsafeMutablePointer<Float>? = nil,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // Touch the C tile's cache lines now (a row of 16 floats spans at most two), so
    // their misses overlap the k loop instead of stalling the update at the end.
    // Swift has no prefetch; a never-taken branch on the loaded bits keeps the loads.
    var touch: UInt32 = 0
    var row = UnsafePointer(c)
    for _ in 0..<gemmMR {
        touch |= row[0].bitPattern | row[15].bitPattern
        row += ldc
    }
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
    var ap = a
    var bp = b
    var copiedA = packedA
    var copiedB = packedB
    @inline(__always) func step(_ o: Int) {
        let bv = load16(bp + o * bDepthStride)
        let q = ap + o * depthStride
        c0 = fusedMultiplyAdd16(c0, SIMD16(repeating: q[0]), bv)
        c1 = fusedMultiplyAdd16(c1, SIMD16(repeating: q[rowStride]), bv)
        c2 = fusedMultiplyAdd16(c2, SIMD16(repeating: q[2 * rowStride]), bv)
        c3 = fusedMultiplyAdd16(c3, SIMD16(repeating: q[3 * rowStride]), bv)
        c4 = fusedMultiplyAdd16(c4, SIMD16(repeating: q[4 * rowStride]), bv)
        c5 = fusedMultiplyAdd16(c5, SIMD16(repeating: q[5 * rowStride]), bv)
    }
    // Before a group's loads and FMAs. Placed after them, the stores (which LLVM must
    // assume alias the loads) pin all of the group's loads above them, and the scheduler
    // then hoists the 24 broadcasts and spills them.
    @inline(__always) func copy(steps: Int) {
        if let copiedA {
            for o in 0..<steps {
                let q = UnsafeRawPointer(ap + o * depthStride)
                let out = UnsafeMutableRawPointer(copiedA + o * gemmMR)
                out.storeBytes(of: q.loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                (out + 16).storeBytes(of: (q + 16).loadUnaligned(as: SIMD2<Float>.self), as: SIMD2<Float>.self)
            }
        }
        if let copiedB {
            for o in 0..<steps { store16(load16(bp + o * bDepthStride), copiedB + o * gemmNR) }
        }
    }
    @inline(__always) func advance(steps: Int) {
        ap += steps * depthStride
        bp += steps * bDepthStride
        copiedA = copiedA.map { $0 + steps * gemmMR }
        copiedB = copiedB.map { $0 + steps * gemmNR }
    }
    // Unrolled by four: the B rows stream from L2/L3 past the L1-resident A sliver,
    // and with fewer loop branches the loads run further ahead (about 3 % at 1024³).
    var remaining = kc
    while remaining >= 4 {
        copy(steps: 4)
        step(0); step(1); step(2); step(3)
        advance(steps: 4)
        remaining -= 4
    }
    while remaining > 0 {
        copy(steps: 1)
        step(0)
        advance(steps: 1)
        remaining -= 1
    }
    if touch == 0x7FC0_1234 { gemmTouchSink &+= 1 }
    let alphaV = SIMD16<Float>(repeating: alpha)
    if beta == 0 {
        store16(alphaV * c0, c)
        store16(alphaV * c1, c + ldc)
        store16(alphaV * c2, c + 2 * ldc)
        store16(alphaV * c3, c + 3 * ldc)
        store16(alphaV * c4, c + 4 * ldc)
        store16(alphaV * c5, c + 5 * ldc)
    } else {
        let betaV = SIMD16<Float>(repeating: beta)
        @inline(__always) func update(_ acc: SIMD16<Float>, _ q: UnsafeMutablePointer<Float>) {
            store16(fusedMultiplyAdd16(betaV * load16(q), acc, alphaV), q)
        }
        update(c0, c)
        update(c1, c + ldc)
        update(c2, c + 2 * ldc)
        update(c3, c + 3 * ldc)
        update(c4, c + 4 * ldc)
        update(c5, c + 5 * ldc)
    }
}

/// Target of the never-taken branch in ``gemmMicroKernel6x16``.
nonisolated(unsafe) var gemmTouchSink = 0

/// SIMD16 counterpart of ``fusedMultiplyAdd(_:_:_:)`` (two ymm FMAs under AVX2).
@inline(__always)
func fusedMultiplyAdd16(_ acc: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    #if KERNELS_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

@inline(__always)
func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// A partial micro-tile (`mr <= 6` rows, `nr <= 16` columns) at the bottom or right
/// edge of C. The packed slivers are zero-padded, so the full kernel runs into a
/// local tile whose valid part is then merged with exactly the rounding of the full
/// path (`alpha * acc`, or `beta * c + acc * alpha` fused).
///
/// With `pairedWith` (the next A sliver, AVX-512 only) the tile is 12 rows high and runs
/// the 12 x 16 kernel once instead of the 6 x 16 kernel twice: twelve FMA chains keep
/// both FMA ports busy, where six leave a quarter idle.
func gemmEdgeKernel(
    mr: Int, nr: Int, kc: Int, a: UnsafePointer<Float>, pairedWith a1: UnsafePointer<Float>? = nil,
    b: UnsafePointer<Float>, alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * gemmMR * gemmNR) { tile in
        let t = tile.baseAddress!
        #if arch(x86_64)
        if let a1 {
            gemmMicroKernel12x16(kc: kc, a0: a, a1: a1, b: b, alpha: 1, beta: 0, c: t, ldc: gemmNR)
        } else {
            gemmSingleSliverKernel(kc: kc, a: a, b: b, alpha: 1, beta: 0, c: t, ldc: gemmNR)
        }
        #else
        gemmSingleSliverKernel(kc: kc, a: a, b: b, alpha: 1, beta: 0, c: t, ldc: gemmNR)
        #endif
        gemmMergeTile(mr: mr, nr: nr, tile: t, alpha: alpha, beta: beta, c: c, ldc: ldc)
    }
}

/// Writes the valid `mr x nr` part of a full tile computed with `alpha = 1, beta = 0`
/// (row stride 16) into C, rounding as the full kernel's update does.
@inline(__always)
func gemmMergeTile(
    mr: Int, nr: Int, tile t: UnsafePointer<Float>, alpha: Float, beta: Float,
    c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for r in 0..<mr {
        let crow = c + r * ldc
        let trow = t + r * gemmNR
        if beta == 0 {
            for j in 0..<nr { crow[j] = alpha * trow[j] }
        } else {
            for j in 0..<nr { crow[j] = fusedMultiplyAdd(beta * crow[j], trow[j], alpha) }
        }
    }
}

/// The 6 x 16 tile of one A sliver with the widest vectors the CPU has.
@inline(__always)
func gemmSingleSliverKernel(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    #if arch(x86_64)
    if usesAVX512Kernels {
        KernelsAVX512.gemmMicroKernel6x16(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        return
    }
    #endif
    gemmMicroKernel6x16(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// Multiplies a packed `mc x kc` A block by the packed `kc x nc` B slivers and
/// updates the `mc x nc` block of C at `c`. Loop order keeps one A sliver (6 x kc,
/// 12 KiB for kc = 512) hot in L1 while the B panel streams past it, and walks each
/// C row block left to right, so consecutive tiles share C's cache lines and pages
/// (stepping down six rows per tile measured 10-15 % slower at 1024-2048).
func gemmMacroKernel(
    mc: Int, nc: Int, kc: Int, packedA: UnsafePointer<Float>, packedB: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // On the AVX-512 path rows go in pairs of full slivers (12 x 16 tiles); a lone or
    // partial last sliver takes 6 x 16 tiles.
    #if arch(x86_64)
    let pairs = usesAVX512Kernels
    #else
    let pairs = false
    #endif
    var ir = 0
    while ir < mc {
        let a = packedA + ir * kc
        let paired = pairs && mc - ir >= 2 * gemmMR
        let a1 = paired ? a + gemmMR * kc : nil
        let mr = paired ? 2 * gemmMR : min(gemmMR, mc - ir)
        var jr = 0
        while jr < nc {
            let nr = min(gemmNR, nc - jr)
            let b = packedB + jr * kc
            let ctile = c + ir * ldc + jr
            if nr < gemmNR || mr < gemmMR {
                gemmEdgeKernel(
                    mr: mr, nr: nr, kc: kc, a: a, pairedWith: a1, b: b, alpha: alpha, beta: beta, c: ctile, ldc: ldc)
            } else if let a1 {
                #if arch(x86_64)
                gemmMicroKernel12x16(kc: kc, a0: a, a1: a1, b: b, alpha: alpha, beta: beta, c: ctile, ldc: ldc)
                #endif
            } else {
                gemmSingleSliverKernel(kc: kc, a: a, b: b, alpha: alpha, beta: beta, c: ctile, ldc: ldc)
            }
            jr += gemmNR
        }
        ir += mr
    }
}

/// ``gemmMacroKernel(mc:nc:kc:packedA:packedB:alpha:beta:c:ldc:)`` with op(A) read in
/// place from row-major storage (`a[i * lda + p]`, the block's top-left at `a`): six rows
/// at a time by the AVX2 kernel (see ``gemmMicroKernel6x16(kc:rows:lda:b:alpha:beta:c:ldc:)``),
/// twelve by the AVX-512 one. Rows left below the last full tile are packed
/// (zero-padded) and take the packed path.
func gemmMacroKernel(
    mc: Int, nc: Int, kc: Int, rows a: UnsafePointer<Float>, lda: Int, packedB: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let tileRows = gemmRowUnit
    let fullRows = mc / tileRows * tileRows
    withUnsafeTemporaryAllocation(of: Float.self, capacity: tileRows * gemmNR) { tile in
        let t = tile.baseAddress!
        var ir = 0
        while ir < fullRows {
            let rows = a + ir * lda
            for sliver in stride(from: 0, to: tileRows, by: gemmMR) {
                gemmTouchRows(rows + sliver * lda, lda: lda, count: kc)
            }
            var jr = 0
            while jr < nc {
                let nr = min(gemmNR, nc - jr)
                let full = nr == gemmNR
                gemmRowsKernel(
                    tileRows: tileRows, kc: kc, rows: rows, lda: lda, b: packedB + jr * kc,
                    alpha: full ? alpha : 1, beta: full ? beta : 0,
                    c: full ? c + ir * ldc + jr : t, ldc: full ? ldc : gemmNR)
                if !full {
                    gemmMergeTile(mr: tileRows, nr: nr, tile: t, alpha: alpha, beta: beta, c: c + ir * ldc + jr, ldc: ldc)
                }
                jr += gemmNR
            }
            ir += tileRows
        }
    }
    if fullRows < mc {
        let rest = mc - fullRows
        FloatAllocation.withScratch(count: (rest + gemmMR - 1) / gemmMR * gemmMR * kc) { slivers in
            gemmPackA(transposed: false, a: a + fullRows * lda, lda: lda, mc: rest, kc: kc, into: slivers)
            gemmMacroKernel(
                mc: rest, nc: nc, kc: kc, packedA: slivers, packedB: packedB,
                alpha: alpha, beta: beta, c: c + fullRows * ldc, ldc: ldc)
        }
    }
}

/// ``gemmMacroKernel(mc:nc:kc:packedA:packedB:alpha:beta:c:ldc:)`` with a transposed
/// op(A) packed as it is used (`op(A)(i, p) = a[p * lda + i]`, the block's top-left at `a`):
/// the first tile of each full sliver reads the sliver's six columns in place and leaves
/// the packed sliver in `packedA` (room for `mc` rounded up to 6, times `kc`), where the
/// sliver's other tiles read it (see
/// ``gemmMicroKernel6x16(kc:columns:lda:packingInto:b:alpha:beta:c:ldc:)``). A partial
/// last sliver, and every sliver when the first tile is not 16 columns wide, goes through
/// the packing routine instead. Six-row tiles only: the AVX-512 path, which pairs slivers,
/// packs its blocks whole.
func gemmMacroKernel(
    mc: Int, nc: Int, kc: Int, columns a: UnsafePointer<Float>, lda: Int,
    packingInto packedA: UnsafeMutablePointer<Float>, packedB: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let fused = nc >= gemmNR ? mc / gemmMR * gemmMR : 0
    for i in stride(from: 0, to: fused, by: gemmMR) {
        let sliver = packedA + i * kc
        gemmMicroKernel6x16(
            kc: kc, columns: a + i, lda: lda, packingInto: sliver, b: packedB,
            alpha: alpha, beta: beta, c: c + i * ldc, ldc: ldc)
        if nc > gemmNR {
            gemmMacroKernel(
                mc: gemmMR, nc: nc - gemmNR, kc: kc, packedA: sliver, packedB: packedB + gemmNR * kc,
                alpha: alpha, beta: beta, c: c + i * ldc + gemmNR, ldc: ldc)
        }
    }
    if fused < mc {
        let rest = packedA + fused * kc
        gemmPackA(transposed: true, a: a + fused, lda: lda, mc: mc - fused, kc: kc, into: rest)
        gemmMacroKernel(
            mc: mc - fused, nc: nc, kc: kc, packedA: rest, packedB: packedB,
            alpha: alpha, beta: beta, c: c + fused * ldc, ldc: ldc)
    }
}

/// ``gemmMacroKernel(mc:nc:kc:packedA:packedB:alpha:beta:c:ldc:)`` with a non-transposed
/// op(B) packed as it is used (`op(B)(p, j) = b[p * ldb + j]`, the block's top-left at `b`):
/// the first A sliver's tiles read B's full 16-column slivers in place and leave them in
/// `packedB` (room for `nc` rounded up to 16, times `kc`), where the other slivers' tiles
/// read them (see ``gemmMicroKernel6x16(kc:a:rows:ldb:packingInto:alpha:beta:c:ldc:)``).
/// A partial last B sliver, and all of B when the first A sliver is partial, goes through
/// the packing routine instead. Six-row tiles only, like the A counterpart above.
func gemmMacroKernel(
    mc: Int, nc: Int, kc: Int, packedA: UnsafePointer<Float>, rows b: UnsafePointer<Float>, ldb: Int,
    packingInto packedB: UnsafeMutablePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    let firstRows = mc >= gemmMR ? gemmMR : 0
    let fused = firstRows > 0 ? nc / gemmNR * gemmNR : 0
    for j in stride(from: 0, to: fused, by: gemmNR) {
        gemmMicroKernel6x16(
            kc: kc, a: packedA, rows: b + j, ldb: ldb, packingInto: packedB + j * kc,
            alpha: alpha, beta: beta, c: c + j, ldc: ldc)
    }
    if fused < nc {
        gemmPackB(transposed: false, b: b, ldb: ldb, kc: kc, columns: fused..<nc, into: packedB)
        if firstRows > 0 {
            gemmMacroKernel(
                mc: firstRows, nc: nc - fused, kc: kc, packedA: packedA, packedB: packedB + fused * kc,
                alpha: alpha, beta: beta, c: c + fused, ldc: ldc)
        }
    }
    if firstRows < mc {
        gemmMacroKernel(
            mc: mc - firstRows, nc: nc, kc: kc, packedA: packedA + firstRows * kc, packedB: packedB,
            alpha: alpha, beta: beta, c: c + firstRows * ldc, ldc: ldc)
    }
}

/// The macro-kernel for a transposed op(A) and a non-transposed op(B) that both need
/// packing, with no packing pass: the first tile reads both in place
/// (``gemmMicroKernel6x16(kc:columns:lda:packingInto:rows:ldb:packingInto:alpha:beta:c:ldc:)``),
/// the rest of the first A sliver's tiles pack B as they go and the other slivers' first
/// tiles pack A, as in the two macro-kernels above. `packedA` has room for `mc` rounded up
/// to 6 times `kc`, `packedB` for `nc` rounded up to 16 times `kc`; both hold the packed
/// blocks afterwards. For one thread's whole product: the packing passes wait on their
/// first reads from L3 or memory, where here the arithmetic hides them.
func gemmMacroKernel(
    mc: Int, nc: Int, kc: Int, columns a: UnsafePointer<Float>, lda: Int,
    packingInto packedA: UnsafeMutablePointer<Float>, rows b: UnsafePointer<Float>, ldb: Int,
    packingInto packedB: UnsafeMutablePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    guard mc >= gemmMR && nc >= gemmNR else {
        gemmPackB(transposed: false, b: b, ldb: ldb, kc: kc, columns: 0..<nc, into: packedB)
        gemmMacroKernel(
            mc: mc, nc: nc, kc: kc, columns: a, lda: lda, packingInto: packedA, packedB: packedB,
            alpha: alpha, beta: beta, c: c, ldc: ldc)
        return
    }
    gemmMicroKernel6x16(
        kc: kc, columns: a, lda: lda, packingInto: packedA, rows: b, ldb: ldb, packingInto: packedB,
        alpha: alpha, beta: beta, c: c, ldc: ldc)
    if nc > gemmNR {
        gemmMacroKernel(
            mc: gemmMR, nc: nc - gemmNR, kc: kc, packedA: packedA, rows: b + gemmNR, ldb: ldb,
            packingInto: packedB + gemmNR * kc, alpha: alpha, beta: beta, c: c + gemmNR, ldc: ldc)
    }
    if mc > gemmMR {
        gemmMacroKernel(
            mc: mc - gemmMR, nc: nc, kc: kc, columns: a + gemmMR, lda: lda, packingInto: packedA + gemmMR * kc,
            packedB: packedB, alpha: alpha, beta: beta, c: c + gemmMR * ldc, ldc: ldc)
    }
}

/// One tile of `tileRows` (6, or 12 with AVX-512) rows read in place.
@inline(__always)
func gemmRowsKernel(
    tileRows: Int, kc: Int, rows a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    #if arch(x86_64)
    if tileRows == 2 * gemmMR {
        gemmMicroKernel12x16(kc: kc, rows: a, lda: lda, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
        return
    }
    #endif
    gemmMicroKernel6x16(kc: kc, rows: a, lda: lda, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// Loads one float of every cache line of six rows (`count` floats each), all
/// independent, so their misses overlap; the kernel then finds the sliver in L1
/// instead of waiting on six streams the prefetcher has not picked up yet.
@inline(__always)
func gemmTouchRows(_ a: UnsafePointer<Float>, lda: Int, count: Int) {
    var touch: UInt32 = 0
    for r in 0..<gemmMR {
        let row = a + r * lda
        var p = 0
        while p < count {
            touch |= row[p].bitPattern
            p += 16
        }
        touch |= row[count - 1].bitPattern
    }
    if touch == 0x7FC0_1234 { gemmTouchSink &+= 1 }
}
