// Packing of op(A) and op(B) blocks into the sliver layouts the micro-kernel reads
// sequentially. All four transpose combinations are resolved here, so the
// micro-kernel never sees a stride.
//
// Packed A block (mc x kc): slivers of 6 rows, sliver s at offset s * 6 * kc, element
// (p, r) of the sliver at p * 6 + r. Packed B panel (kc x nc): slivers of 16 columns,
// sliver t at t * 16 * kc, element (p, j) at p * 16 + j. Partial slivers are padded
// with zeros so edge tiles run the same kernel.

/// Packs the `mc x kc` block of op(A) whose top-left element is at `a` (already offset
/// to the block). op(A)(i, p) is `a[i * lda + p]`, or `a[p * lda + i]` when transposed.
func gemmPackA(
    transposed: Bool, a: UnsafePointer<Float>, lda: Int, mc: Int, kc: Int,
    into dst: UnsafeMutablePointer<Float>
) {
    if transposed {
        // Tiles of 8 stored rows (8 k steps): the rows' runs of mc floats stay in L1
        // while each sliver receives 8 * 6 consecutive floats. Sliver-outer over all
        // kc rows would touch kc pages when lda is large; row-outer over all slivers
        // scatters single 24-byte stores 6*kc*4 bytes apart.
        // Slivers go in pairs: a stored row's 12 floats are read with two loads (SIMD8 and
        // SIMD4) instead of four.
        let fullSlivers = mc / gemmMR
        let tail = mc - fullSlivers * gemmMR
        var p0 = 0
        while p0 < kc {
            let p1 = min(kc, p0 + 8)
            var s = 0
            while s + 2 <= fullSlivers {
                var out0 = dst + s * gemmMR * kc + p0 * gemmMR
                var out1 = out0 + gemmMR * kc
                var src = a + p0 * lda + s * gemmMR
                for _ in p0..<p1 {
                    let x = UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self)
                    let y = UnsafeRawPointer(src + 8).loadUnaligned(as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(out0).storeBytes(of: x.lowHalf, as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(out0 + 4).storeBytes(of: SIMD2(x[4], x[5]), as: SIMD2<Float>.self)
                    UnsafeMutableRawPointer(out1).storeBytes(of: SIMD2(x[6], x[7]), as: SIMD2<Float>.self)
                    UnsafeMutableRawPointer(out1 + 2).storeBytes(of: y, as: SIMD4<Float>.self)
                    src += lda
                    out0 += gemmMR
                    out1 += gemmMR
                }
                s += 2
            }
            if s < fullSlivers {
                var out = dst + s * gemmMR * kc + p0 * gemmMR
                var src = a + p0 * lda + s * gemmMR
                for _ in p0..<p1 {
                    UnsafeMutableRawPointer(out).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: SIMD4<Float>.self), as: SIMD4<Float>.self)
                    UnsafeMutableRawPointer(out + 4).storeBytes(
                        of: UnsafeRawPointer(src + 4).loadUnaligned(as: SIMD2<Float>.self), as: SIMD2<Float>.self)
                    src += lda
                    out += gemmMR
                }
            }
            if tail > 0 {
                var out = dst + fullSlivers * gemmMR * kc + p0 * gemmMR
                for p in p0..<p1 {
                    let q = a + p * lda + fullSlivers * gemmMR
                    for r in 0..<tail { out[r] = q[r] }
                    for r in tail..<gemmMR { out[r] = 0 }
                    out += gemmMR
                }
            }
            p0 = p1
        }
        return
    }
    var out = dst
    var i0 = 0
    while i0 < mc {
        let mr = min(gemmMR, mc - i0)
        if mr == gemmMR {
            // Six stored rows walked in step, four k steps at a time: a 6 x 4 block read
            // as six SIMD4 rows is written as three SIMD8 runs (twice as fast as scalar
            // copies; 8 k steps at a time is slower, its shuffles cross 128-bit lanes).
            let r0 = a + i0 * lda, r1 = r0 + lda, r2 = r1 + lda
            let r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            var p = 0
            while p + 4 <= kc {
                let x0 = load4(r0 + p), x1 = load4(r1 + p), x2 = load4(r2 + p)
                let x3 = load4(r3 + p), x4 = load4(r4 + p), x5 = load4(r5 + p)
                store8(SIMD8(x0[0], x1[0], x2[0], x3[0], x4[0], x5[0], x0[1], x1[1]), out)
                store8(SIMD8(x2[1], x3[1], x4[1], x5[1], x0[2], x1[2], x2[2], x3[2]), out + 8)
                store8(SIMD8(x4[2], x5[2], x0[3], x1[3], x2[3], x3[3], x4[3], x5[3]), out + 16)
                out += 4 * gemmMR
                p += 4
            }
            while p < kc {
                out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]
                out[3] = r3[p]; out[4] = r4[p]; out[5] = r5[p]
                out += gemmMR
                p += 1
            }
        } else {
            for p in 0..<kc {
                for r in 0..<mr { out[r] = a[(i0 + r) * lda + p] }
                for r in mr..<gemmMR { out[r] = 0 }
                out += gemmMR
            }
        }
        i0 += gemmMR
    }
}

/// Packs columns `j0..<j1` of the `kc x nc` block of op(B) whose top-left element is at
/// `b` into the slivers starting at `dst + j0 * kc` (`j0` a multiple of 16).
/// op(B)(p, j) is `b[p * ldb + j]`, or `b[j * ldb + p]` when transposed.
func gemmPackB(
    transposed: Bool, b: UnsafePointer<Float>, ldb: Int, kc: Int, columns: Range<Int>,
    into dst: UnsafeMutablePointer<Float>
) {
    if !transposed {
        // Two slivers at a time, all kc rows: each stored row gives one 128-byte run
        // and the output is written as two sequential streams. (All slivers per row
        // scatters the stores; one sliver per row reads 64 bytes per page when ldb is
        // large. This order measured 2-3x faster than either.)
        let j0 = columns.lowerBound
        let fullSlivers = columns.count / gemmNR
        let tail = columns.count - fullSlivers * gemmNR
        var s0 = 0
        while s0 < fullSlivers {
            let s1 = min(fullSlivers, s0 + 2)
            for p in 0..<kc {
                let src = b + p * ldb + j0
                for s in s0..<s1 {
                    let out = dst + (j0 + s * gemmNR) * kc + p * gemmNR
                    store8(load8(src + s * gemmNR), out)
                    store8(load8(src + s * gemmNR + 8), out + 8)
                }
            }
            s0 = s1
        }
        if tail > 0 {
            for p in 0..<kc {
                let q = b + p * ldb + j0 + fullSlivers * gemmNR
                let out = dst + (j0 + fullSlivers * gemmNR) * kc + p * gemmNR
                for j in 0..<tail { out[j] = q[j] }
                for j in tail..<gemmNR { out[j] = 0 }
            }
        }
        return
    }
    var j0 = columns.lowerBound
    while j0 < columns.upperBound {
        let nr = min(gemmNR, columns.upperBound - j0)
        var out = dst + j0 * kc
        if nr == gemmNR {
            // Sixteen stored rows (columns of op(B)) read in step, each sequentially;
            // their cache lines stay in L1 across 16 consecutive k steps.
            let base = b + j0 * ldb
            for p in 0..<kc {
                var src = base + p
                for j in 0..<gemmNR {
                    out[j] = src[0]
                    src += ldb
                }
                out += gemmNR
            }
        } else {
            let base = b + j0 * ldb
            for p in 0..<kc {
                for j in 0..<nr { out[j] = base[j * ldb + p] }
                for j in nr..<gemmNR { out[j] = 0 }
                out += gemmNR
            }
        }
        j0 += gemmNR
    }
}
