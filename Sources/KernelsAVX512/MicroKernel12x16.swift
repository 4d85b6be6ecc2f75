// The GEMM micro-kernel for x86_64 cores with AVX-512. This module alone is compiled
// for x86-64-v4 (see Package.swift), so its code may use zmm registers; `Kernels`
// calls into it only after checking at run time that the CPU has AVX-512
// (`CPUFeatures`), and falls back to its AVX2 kernel otherwise.
//
// The tile is 12 x 16: two of Kernels' packed 6-row A slivers and one 16-column B
// sliver, which is exactly one zmm register per C row. Twelve accumulators are twelve
// independent FMA chains, enough to cover the FMA latency (4 cycles) on two 512-bit
// FMA ports, and each B row loaded is used twelve times. Every C element is the same
// chain of FMAs over k, in the same order, as in the 6 x 16 AVX2 kernel, and is
// written with the same rounding, so the two kernels give identical bits.

#if arch(x86_64)

/// `C[0..<12, 0..<16] = alpha * (Ã · B̃) + beta * C` for the packed A slivers `a0`
/// (rows 0-5) and `a1` (rows 6-11), each kc x 6 p-major, and the packed B sliver `b`
/// (kc x 16, p-major). With `beta == 0`, C is not read.
@inline(never)
package func gemmMicroKernel12x16(
    kc: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel12x16(
        kc: kc, a0: a0, a1: a1, rowStride: 1, depthStride: 6, b: b, alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// ``gemmMicroKernel12x16(kc:a0:a1:b:alpha:beta:c:ldc:)`` reading twelve rows of a
/// row-major op(A) in place (`a[r * lda + p]`) instead of two packed slivers, as Kernels'
/// AVX2 kernel does for non-transposed A: packing that A is a 12-row transpose, a
/// sizeable share of a product whose depth is small. Same FMA order, same bits.
@inline(never)
package func gemmMicroKernel12x16(
    kc: Int, rows a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    gemmKernel12x16(
        kc: kc, a0: a, a1: a + 6 * lda, rowStride: lda, depthStride: 1, b: b,
        alpha: alpha, beta: beta, c: c, ldc: ldc)
}

/// The 12 x 16 kernel body; element (p, r) of the A rows is `a0[p * depthStride + r *
/// rowStride]` for r < 6 and `a1[...]` with r - 6 for the others. Inlined into the two
/// wrappers above, each with its strides known at the call.
@inline(__always)
func gemmKernel12x16(
    kc: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, rowStride: Int, depthStride: Int,
    b: UnsafePointer<Float>, alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    // Unlike the AVX2 kernel, this one does not touch the C tile's lines before the k
    // loop: on Emerald Rapids that was 3-6 % slower on a small model's products and no
    // faster at 1024³-2048³.
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
    var c6 = SIMD16<Float>(), c7 = SIMD16<Float>(), c8 = SIMD16<Float>()
    var c9 = SIMD16<Float>(), c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var p0 = a0, p1 = a1
    var bp = UnsafeRawPointer(b)
    @inline(__always) func step(_ o: Int) {
        let bv = (bp + o * 64).loadUnaligned(as: SIMD16<Float>.self)
        let q = p0 + o * depthStride, r = p1 + o * depthStride
        c0 = c0.addingProduct(SIMD16(repeating: q[0]), bv)
        c1 = c1.addingProduct(SIMD16(repeating: q[rowStride]), bv)
        c2 = c2.addingProduct(SIMD16(repeating: q[2 * rowStride]), bv)
        c3 = c3.addingProduct(SIMD16(repeating: q[3 * rowStride]), bv)
        c4 = c4.addingProduct(SIMD16(repeating: q[4 * rowStride]), bv)
        c5 = c5.addingProduct(SIMD16(repeating: q[5 * rowStride]), bv)
        c6 = c6.addingProduct(SIMD16(repeating: r[0]), bv)
        c7 = c7.addingProduct(SIMD16(repeating: r[rowStride]), bv)
        c8 = c8.addingProduct(SIMD16(repeating: r[2 * rowStride]), bv)
        c9 = c9.addingProduct(SIMD16(repeating: r[3 * rowStride]), bv)
        c10 = c10.addingProduct(SIMD16(repeating: r[4 * rowStride]), bv)
        c11 = c11.addingProduct(SIMD16(repeating: r[5 * rowStride]), bv)
    }
    var remaining = kc
    while remaining >= 4 {
        step(0); step(1); step(2); step(3)
        p0 += 4 * depthStride
        p1 += 4 * depthStride
        bp += 4 * 64
        remaining -= 4
    }
    while remaining > 0 {
        step(0)
        p0 += depthStride
        p1 += depthStride
        bp += 64
        remaining -= 1
    }
    let alphaV = SIMD16<Float>(repeating: alpha)
    let raw = UnsafeMutableRawPointer(c)
    let rowBytes = ldc * 4
    if beta == 0 {
        raw.storeBytes(of: alphaV * c0, as: SIMD16<Float>.self)
        (raw + rowBytes).storeBytes(of: alphaV * c1, as: SIMD16<Float>.self)
        (raw + 2 * rowBytes).storeBytes(of: alphaV * c2, as: SIMD16<Float>.self)
        (raw + 3 * rowBytes).storeBytes(of: alphaV * c3, as: SIMD16<Float>.self)
        (raw + 4 * rowBytes).storeBytes(of: alphaV * c4, as: SIMD16<Float>.self)
        (raw + 5 * rowBytes).storeBytes(of: alphaV * c5, as: SIMD16<Float>.self)
        (raw + 6 * rowBytes).storeBytes(of: alphaV * c6, as: SIMD16<Float>.self)
        (raw + 7 * rowBytes).storeBytes(of: alphaV * c7, as: SIMD16<Float>.self)
        (raw + 8 * rowBytes).storeBytes(of: alphaV * c8, as: SIMD16<Float>.self)
        (raw + 9 * rowBytes).storeBytes(of: alphaV * c9, as: SIMD16<Float>.self)
        (raw + 10 * rowBytes).storeBytes(of: alphaV * c10, as: SIMD16<Float>.self)
        (raw + 11 * rowBytes).storeBytes(of: alphaV * c11, as: SIMD16<Float>.self)
    } else {
        // beta * c + acc * alpha, fused: the rounding of the AVX2 kernel's update.
        let betaV = SIMD16<Float>(repeating: beta)
        @inline(__always) func update(_ acc: SIMD16<Float>, _ i: Int) {
            let q = raw + i * rowBytes
            let old = q.loadUnaligned(as: SIMD16<Float>.self)
            q.storeBytes(of: (betaV * old).addingProduct(acc, alphaV), as: SIMD16<Float>.self)
        }
        update(c0, 0); update(c1, 1); update(c2, 2); update(c3, 3)
        update(c4, 4); update(c5, 5); update(c6, 6); update(c7, 7)
        update(c8, 8); update(c9, 9); update(c10, 10); update(c11, 11)
    }
}

/// The 6 x 16 tile of a single A sliver (an odd last sliver, and edge tiles): the AVX2
/// kernel's shape with one zmm per row. Six FMA chains cannot hide the latency on two
/// ports, but they still do 1.5x the work per cycle of the AVX2 kernel's twelve ymm.
@inline(never)
package func gemmMicroKernel6x16(
    kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
    alpha: Float, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
    var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
    var q = a
    var bp = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let bv = bp.loadUnaligned(as: SIMD16<Float>.self)
        c0 = c0.addingProduct(SIMD16(repeating: q[0]), bv)
        c1 = c1.addingProduct(SIMD16(repeating: q[1]), bv)
        c2 = c2.addingProduct(SIMD16(repeating: q[2]), bv)
        c3 = c3.addingProduct(SIMD16(repeating: q[3]), bv)
        c4 = c4.addingProduct(SIMD16(repeating: q[4]), bv)
        c5 = c5.addingProduct(SIMD16(repeating: q[5]), bv)
        q += 6
        bp += 64
    }
    let alphaV = SIMD16<Float>(repeating: alpha)
    let betaV = SIMD16<Float>(repeating: beta)
    let raw = UnsafeMutableRawPointer(c)
    @inline(__always) func update(_ acc: SIMD16<Float>, _ i: Int) {
        let q = raw + i * ldc * 4
        if beta == 0 {
            q.storeBytes(of: alphaV * acc, as: SIMD16<Float>.self)
        } else {
            let old = q.loadUnaligned(as: SIMD16<Float>.self)
            q.storeBytes(of: (betaV * old).addingProduct(acc, alphaV), as: SIMD16<Float>.self)
        }
    }
    update(c0, 0); update(c1, 1); update(c2, 2); update(c3, 3); update(c4, 4); update(c5, 5)
}

#endif
