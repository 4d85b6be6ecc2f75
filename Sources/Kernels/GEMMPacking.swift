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
    var out = dst
    var i0 = 0
    while i0 < mc {
        let mr = min(gemmMR, mc - i0)
        if transposed {
            // Each k step reads mr consecutive floats of one stored row.
            var src = a + i0
            if mr == gemmMR {
                for _ in 0..<kc {
                    out[0] = src[0]; out[1] = src[1]; out[2] = src[2]
                    out[3] = src[3]; out[4] = src[4]; out[5] = src[5]
                    src += lda
                    out += gemmMR
                }
            } else {
                for _ in 0..<kc {
                    for r in 0..<mr { out[r] = src[r] }
                    for r in mr..<gemmMR { out[r] = 0 }
                    src += lda
                    out += gemmMR
                }
            }
        } else if mr == gemmMR {
            // Six stored rows walked in step; each is read sequentially.
            let r0 = a + i0 * lda, r1 = r0 + lda, r2 = r1 + lda
            let r3 = r2 + lda, r4 = r3 + lda, r5 = r4 + lda
            for p in 0..<kc {
                out[0] = r0[p]; out[1] = r1[p]; out[2] = r2[p]
                out[3] = r3[p]; out[4] = r4[p]; out[5] = r5[p]
                out += gemmMR
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
    var j0 = columns.lowerBound
    while j0 < columns.upperBound {
        let nr = min(gemmNR, columns.upperBound - j0)
        var out = dst + j0 * kc
        if !transposed {
            var src = b + j0
            if nr == gemmNR {
                for _ in 0..<kc {
                    store8(load8(src), out)
                    store8(load8(src + 8), out + 8)
                    src += ldb
                    out += gemmNR
                }
            } else {
                for _ in 0..<kc {
                    for j in 0..<nr { out[j] = src[j] }
                    for j in nr..<gemmNR { out[j] = 0 }
                    src += ldb
                    out += gemmNR
                }
            }
        } else if nr == gemmNR {
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
