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

/// One 8 x 32 block of the attention tile product (same contract and bits as
/// ``attentionTile12x16(depth:a:aRowStride:aDepthStride:b:ldb:c:ldc:accumulate:)``).
/// Two B vectors per depth step serve eight broadcasts: ten loads per sixteen FMAs
/// instead of thirteen per twelve, and the 64-row tiles of attention split evenly.
@inline(never)
package func attentionTile8x32(
    depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let rowBytes = ldc * 4
    let cr = UnsafeMutableRawPointer(c)
    @inline(__always) func initial(_ i: Int, _ half: Int) -> SIMD16<Float> {
        accumulate ? (cr + i * rowBytes + half * 64).loadUnaligned(as: SIMD16<Float>.self) : SIMD16<Float>()
    }
    var x0 = initial(0, 0), y0 = initial(0, 1), x1 = initial(1, 0), y1 = initial(1, 1)
    var x2 = initial(2, 0), y2 = initial(2, 1), x3 = initial(3, 0), y3 = initial(3, 1)
    var x4 = initial(4, 0), y4 = initial(4, 1), x5 = initial(5, 0), y5 = initial(5, 1)
    var x6 = initial(6, 0), y6 = initial(6, 1), x7 = initial(7, 0), y7 = initial(7, 1)
    let g0 = a, g1 = a + 4 * aRowStride
    var bp = UnsafeRawPointer(b)
    let bStep = ldb * 4
    var ap = 0
    for _ in 0..<depth {
        let bx = bp.loadUnaligned(as: SIMD16<Float>.self)
        let by = (bp + 64).loadUnaligned(as: SIMD16<Float>.self)
        let p0 = g0 + ap, p1 = g1 + ap
        var s = SIMD16<Float>(repeating: p0[0])
        x0 = x0.addingProduct(s, bx); y0 = y0.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p0[aRowStride])
        x1 = x1.addingProduct(s, bx); y1 = y1.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p0[2 * aRowStride])
        x2 = x2.addingProduct(s, bx); y2 = y2.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p0[3 * aRowStride])
        x3 = x3.addingProduct(s, bx); y3 = y3.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p1[0])
        x4 = x4.addingProduct(s, bx); y4 = y4.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p1[aRowStride])
        x5 = x5.addingProduct(s, bx); y5 = y5.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p1[2 * aRowStride])
        x6 = x6.addingProduct(s, bx); y6 = y6.addingProduct(s, by)
        s = SIMD16<Float>(repeating: p1[3 * aRowStride])
        x7 = x7.addingProduct(s, bx); y7 = y7.addingProduct(s, by)
        bp += bStep
        ap &+= aDepthStride
    }
    @inline(__always) func store(_ x: SIMD16<Float>, _ y: SIMD16<Float>, _ i: Int) {
        (cr + i * rowBytes).storeBytes(of: x, as: SIMD16<Float>.self)
        (cr + i * rowBytes + 64).storeBytes(of: y, as: SIMD16<Float>.self)
    }
    store(x0, y0, 0); store(x1, y1, 1); store(x2, y2, 2); store(x3, y3, 3)
    store(x4, y4, 4); store(x5, y5, 5); store(x6, y6, 6); store(x7, y7, 7)
}

#endif
