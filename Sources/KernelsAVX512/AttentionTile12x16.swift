#if arch(x86_64)

/// One 12 x 16 block of Kernels' attention tile product with zmm registers:
/// `c[i, j] (+)= Σ_p a[i, p] * b[p, j]` for `i < 12`, `j < 16`, `p < depth`, with
/// `a[i, p]` at `a + i * aRowStride + p * aDepthStride` and rows of `b` and `c`
/// contiguous. Each element is one FMA chain over `p` in order, starting from `c` or 0,
/// exactly as in the AVX2 6 x 16 block, so both give the same bits.
@inline(never)
package func attentionTile12x16(
    depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let rowBytes = ldc * 4
    let cr = UnsafeMutableRawPointer(c)
    @inline(__always) func initial(_ i: Int) -> SIMD16<Float> {
        accumulate ? (cr + i * rowBytes).loadUnaligned(as: SIMD16<Float>.self) : SIMD16<Float>()
    }
    var c0 = initial(0), c1 = initial(1), c2 = initial(2), c3 = initial(3)
    var c4 = initial(4), c5 = initial(5), c6 = initial(6), c7 = initial(7)
    var c8 = initial(8), c9 = initial(9), c10 = initial(10), c11 = initial(11)
    // Two groups of six rows: with one pointer per row there would not be enough
    // general registers for the loop.
    let g0 = a, g1 = a + 6 * aRowStride
    var bp = UnsafeRawPointer(b)
    let bStep = ldb * 4
    var ap = 0
    for _ in 0..<depth {
        let bv = bp.loadUnaligned(as: SIMD16<Float>.self)
        let p0 = g0 + ap, p1 = g1 + ap
        c0 = c0.addingProduct(SIMD16(repeating: p0[0]), bv)
        c1 = c1.addingProduct(SIMD16(repeating: p0[aRowStride]), bv)
        c2 = c2.addingProduct(SIMD16(repeating: p0[2 * aRowStride]), bv)
        c3 = c3.addingProduct(SIMD16(repeating: p0[3 * aRowStride]), bv)
        c4 = c4.addingProduct(SIMD16(repeating: p0[4 * aRowStride]), bv)
        c5 = c5.addingProduct(SIMD16(repeating: p0[5 * aRowStride]), bv)
        c6 = c6.addingProduct(SIMD16(repeating: p1[0]), bv)
        c7 = c7.addingProduct(SIMD16(repeating: p1[aRowStride]), bv)
        c8 = c8.addingProduct(SIMD16(repeating: p1[2 * aRowStride]), bv)
        c9 = c9.addingProduct(SIMD16(repeating: p1[3 * aRowStride]), bv)
        c10 = c10.addingProduct(SIMD16(repeating: p1[4 * aRowStride]), bv)
        c11 = c11.addingProduct(SIMD16(repeating: p1[5 * aRowStride]), bv)
        bp += bStep
        ap &+= aDepthStride
    }
    @inline(__always) func store(_ v: SIMD16<Float>, _ i: Int) {
        (cr + i * rowBytes).storeBytes(of: v, as: SIMD16<Float>.self)
    }
    store(c0, 0); store(c1, 1); store(c2, 2); store(c3, 3); store(c4, 4); store(c5, 5)
    store(c6, 6); store(c7, 7); store(c8, 8); store(c9, 9); store(c10, 10); store(c11, 11)
}

#endif
