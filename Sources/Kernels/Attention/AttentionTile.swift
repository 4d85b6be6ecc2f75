/// Small dense products and score-row helpers shared by the attention forward and backward.

#if arch(x86_64)
import KernelsAVX512
#endif

/// `c[i, j] (+)= Σ_p a[i, p] * b[p, j]` for `i < m`, `j < n`, `p < depth`.
///
/// `a[i, p]` is read at `a + i * aRowStride + p * aDepthStride` (one scalar broadcast per
/// use, so a transposed `a` costs nothing extra); rows of `b` and `c` are contiguous with
/// strides `ldb` and `ldc`. With `accumulate == false`, `c` is overwritten (not read).
/// Register tiles are 6 rows x 16 columns (12 accumulators: enough independent FMA chains
/// to hide the FMA latency, within AVX2's 16 registers); leftover rows use 4-row then
/// 1-row tiles, leftover columns 8-wide then scalar code.
///
/// On CPUs with AVX-512, whole 8 x 32 or 12 x 16 blocks go to the zmm kernels of
/// KernelsAVX512 (same bits) and only the leftover rows and columns take the SIMD8 path.
func attentionTileProduct(
    m: Int, n: Int, depth: Int,
    a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    #if arch(x86_64)
    // 8 x 32 blocks first (attention's 64-row, 32- or 64-column tiles split evenly), then
    // 12 x 16; what is left of the rows and columns recurses into the smaller shapes.
    if usesAVX512Kernels && m >= 8 && n >= 32 {
        attentionProductInBlocks(
            height: 8, width: 32, kernel: attentionTile8x32, m: m, n: n, depth: depth, a: a,
            aRowStride: aRowStride, aDepthStride: aDepthStride, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    if usesAVX512Kernels && m >= 12 && n >= 16 {
        attentionProductInBlocks(
            height: 12, width: 16, kernel: attentionTile12x16, m: m, n: n, depth: depth, a: a,
            aRowStride: aRowStride, aDepthStride: aDepthStride, b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
        return
    }
    #endif
    attentionTileProductSIMD8(
        m: m, n: n, depth: depth, a: a, aRowStride: aRowStride, aDepthStride: aDepthStride,
        b: b, ldb: ldb, c: c, ldc: ldc, accumulate: accumulate)
}

#if arch(x86_64)
/// Runs `kernel` (one AVX-512 block of `height x width`) on every whole block of the
/// product, then ``attentionTileProduct(m:n:depth:a:aRowStride:aDepthStride:b:ldb:c:ldc:accumulate:)``
/// on the leftover columns and rows.
private func attentionProductInBlocks(
    height: Int, width: Int,
    kernel: (Int, UnsafePointer<Float>, Int, Int, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Bool) -> Void,
    m: Int, n: Int, depth: Int, a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    let blockRows = m / height * height, blockColumns = n / width * width
    for i in stride(from: 0, to: blockRows, by: height) {
        for j in stride(from: 0, to: blockColumns, by: width) {
            kernel(depth, a + i * aRowStride, aRowStride, aDepthStride, b + j, ldb, c + i * ldc + j, ldc, accumulate)
        }
    }
    if blockColumns < n {
        attentionTileProduct(
            m: blockRows, n: n - blockColumns, depth: depth, a: a, aRowStride: aRowStride, aDepthStride: aDepthStride,
            b: b + blockColumns, ldb: ldb, c: c + blockColumns, ldc: ldc, accumulate: accumulate)
    }
    if blockRows < m {
        attentionTileProduct(
            m: m - blockRows, n: n, depth: depth, a: a + blockRows * aRowStride, aRowStride: aRowStride,
            aDepthStride: aDepthStride, b: b, ldb: ldb, c: c + blockRows * ldc, ldc: ldc, accumulate: accumulate)
    }
}
#endif

/// ``attentionTileProduct(m:n:depth:a:aRowStride:aDepthStride:b:ldb:c:ldc:accumulate:)``
/// with AVX2-sized (SIMD8) vectors only.
func attentionTileProductSIMD8(
    m: Int, n: Int, depth: Int,
    a: UnsafePointer<Float>, aRowStride: Int, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int,
    c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
) {
    var i = 0
    while i + 6 <= m {
        let a0 = a + i * aRowStride, a1 = a0 + aRowStride, a2 = a1 + aRowStride
        let a3 = a2 + aRowStride, a4 = a3 + aRowStride, a5 = a4 + aRowStride
        let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc, c4 = c3 + ldc, c5 = c4 + ldc
        var j = 0
        while j + 16 <= n {
            var x0 = SIMD8<Float>(), y0 = SIMD8<Float>(), x1 = SIMD8<Float>(), y1 = SIMD8<Float>()
            var x2 = SIMD8<Float>(), y2 = SIMD8<Float>(), x3 = SIMD8<Float>(), y3 = SIMD8<Float>()
            var x4 = SIMD8<Float>(), y4 = SIMD8<Float>(), x5 = SIMD8<Float>(), y5 = SIMD8<Float>()
            if accumulate {
                x0 = load8(c0 + j); y0 = load8(c0 + j + 8); x1 = load8(c1 + j); y1 = load8(c1 + j + 8)
                x2 = load8(c2 + j); y2 = load8(c2 + j + 8); x3 = load8(c3 + j); y3 = load8(c3 + j + 8)
                x4 = load8(c4 + j); y4 = load8(c4 + j + 8); x5 = load8(c5 + j); y5 = load8(c5 + j + 8)
            }
            var bp = b + j
            var ap = 0
            for _ in 0..<depth {
                let bx = load8(bp), by = load8(bp + 8)
                let s0 = SIMD8<Float>(repeating: a0[ap])
                x0 = fusedMultiplyAdd(x0, s0, bx); y0 = fusedMultiplyAdd(y0, s0, by)
                let s1 = SIMD8<Float>(repeating: a1[ap])
                x1 = fusedMultiplyAdd(x1, s1, bx); y1 = fusedMultiplyAdd(y1, s1, by)
                let s2 = SIMD8<Float>(repeating: a2[ap])
                x2 = fusedMultiplyAdd(x2, s2, bx); y2 = fusedMultiplyAdd(y2, s2, by)
                let s3 = SIMD8<Float>(repeating: a3[ap])
                x3 = fusedMultiplyAdd(x3, s3, bx); y3 = fusedMultiplyAdd(y3, s3, by)
                let s4 = SIMD8<Float>(repeating: a4[ap])
                x4 = fusedMultiplyAdd(x4, s4, bx); y4 = fusedMultiplyAdd(y4, s4, by)
                let s5 = SIMD8<Float>(repeating: a5[ap])
                x5 = fusedMultiplyAdd(x5, s5, bx); y5 = fusedMultiplyAdd(y5, s5, by)
                bp += ldb
                ap &+= aDepthStride
            }
            store8(x0, c0 + j); store8(y0, c0 + j + 8); store8(x1, c1 + j); store8(y1, c1 + j + 8)
            store8(x2, c2 + j); store8(y2, c2 + j + 8); store8(x3, c3 + j); store8(y3, c3 + j + 8)
            store8(x4, c4 + j); store8(y4, c4 + j + 8); store8(x5, c5 + j); store8(y5, c5 + j + 8)
            j += 16
        }
        if j + 8 <= n {
            var x0 = SIMD8<Float>(), x1 = SIMD8<Float>(), x2 = SIMD8<Float>()
            var x3 = SIMD8<Float>(), x4 = SIMD8<Float>(), x5 = SIMD8<Float>()
            if accumulate {
                x0 = load8(c0 + j); x1 = load8(c1 + j); x2 = load8(c2 + j)
                x3 = load8(c3 + j); x4 = load8(c4 + j); x5 = load8(c5 + j)
            }
            var bp = b + j
            var ap = 0
            for _ in 0..<depth {
                let bx = load8(bp)
                x0 = fusedMultiplyAdd(x0, SIMD8(repeating: a0[ap]), bx)
                x1 = fusedMultiplyAdd(x1, SIMD8(repeating: a1[ap]), bx)
                x2 = fusedMultiplyAdd(x2, SIMD8(repeating: a2[ap]), bx)
                x3 = fusedMultiplyAdd(x3, SIMD8(repeating: a3[ap]), bx)
                x4 = fusedMultiplyAdd(x4, SIMD8(repeating: a4[ap]), bx)
                x5 = fusedMultiplyAdd(x5, SIMD8(repeating: a5[ap]), bx)
                bp += ldb
                ap &+= aDepthStride
            }
            store8(x0, c0 + j); store8(x1, c1 + j); store8(x2, c2 + j)
            store8(x3, c3 + j); store8(x4, c4 + j); store8(x5, c5 + j)
            j += 8
        }
        if j < n {
            // Leftover columns (a head dimension not a multiple of 8), one row at a time.
            for r in 0..<6 {
                attentionRowProduct(
                    n: n, from: j, depth: depth, a: a + (i + r) * aRowStride, aDepthStride: aDepthStride,
                    b: b, ldb: ldb, c: c + (i + r) * ldc, accumulate: accumulate)
            }
        }
        i += 6
    }
    while i + 4 <= m {
        let a0 = a + i * aRowStride, a1 = a0 + aRowStride, a2 = a1 + aRowStride, a3 = a2 + aRowStride
        let c0 = c + i * ldc, c1 = c0 + ldc, c2 = c1 + ldc, c3 = c2 + ldc
        var j = 0
        while j + 16 <= n {
            var x0 = SIMD8<Float>(), y0 = SIMD8<Float>(), x1 = SIMD8<Float>(), y1 = SIMD8<Float>()
            var x2 = SIMD8<Float>(), y2 = SIMD8<Float>(), x3 = SIMD8<Float>(), y3 = SIMD8<Float>()
            if accumulate {
                x0 = load8(c0 + j); y0 = load8(c0 + j + 8); x1 = load8(c1 + j); y1 = load8(c1 + j + 8)
                x2 = load8(c2 + j); y2 = load8(c2 + j + 8); x3 = load8(c3 + j); y3 = load8(c3 + j + 8)
            }
            var bp = b + j
            var ap = 0
            for _ in 0..<depth {
                let bx = load8(bp), by = load8(bp + 8)
                let s0 = SIMD8<Float>(repeating: a0[ap]), s1 = SIMD8<Float>(repeating: a1[ap])
                x0 = fusedMultiplyAdd(x0, s0, bx); y0 = fusedMultiplyAdd(y0, s0, by)
                x1 = fusedMultiplyAdd(x1, s1, bx); y1 = fusedMultiplyAdd(y1, s1, by)
                let s2 = SIMD8<Float>(repeating: a2[ap]), s3 = SIMD8<Float>(repeating: a3[ap])
                x2 = fusedMultiplyAdd(x2, s2, bx); y2 = fusedMultiplyAdd(y2, s2, by)
                x3 = fusedMultiplyAdd(x3, s3, bx); y3 = fusedMultiplyAdd(y3, s3, by)
                bp += ldb
                ap &+= aDepthStride
            }
            store8(x0, c0 + j); store8(y0, c0 + j + 8); store8(x1, c1 + j); store8(y1, c1 + j + 8)
            store8(x2, c2 + j); store8(y2, c2 + j + 8); store8(x3, c3 + j); store8(y3, c3 + j + 8)
            j += 16
        }
        if j + 8 <= n {
            var x0 = SIMD8<Float>(), x1 = SIMD8<Float>(), x2 = SIMD8<Float>(), x3 = SIMD8<Float>()
            if accumulate { x0 = load8(c0 + j); x1 = load8(c1 + j); x2 = load8(c2 + j); x3 = load8(c3 + j) }
            var bp = b + j
            var ap = 0
            for _ in 0..<depth {
                let bx = load8(bp)
                x0 = fusedMultiplyAdd(x0, SIMD8(repeating: a0[ap]), bx)
                x1 = fusedMultiplyAdd(x1, SIMD8(repeating: a1[ap]), bx)
                x2 = fusedMultiplyAdd(x2, SIMD8(repeating: a2[ap]), bx)
                x3 = fusedMultiplyAdd(x3, SIMD8(repeating: a3[ap]), bx)
                bp += ldb
                ap &+= aDepthStride
            }
            store8(x0, c0 + j); store8(x1, c1 + j); store8(x2, c2 + j); store8(x3, c3 + j)
            j += 8
        }
        while j < n {
            scalarEntry(a0, aDepthStride, b + j, ldb, depth, c0 + j, accumulate)
            scalarEntry(a1, aDepthStride, b + j, ldb, depth, c1 + j, accumulate)
            scalarEntry(a2, aDepthStride, b + j, ldb, depth, c2 + j, accumulate)
            scalarEntry(a3, aDepthStride, b + j, ldb, depth, c3 + j, accumulate)
            j += 1
        }
        i += 4
    }
    while i < m {
        attentionRowProduct(
            n: n, from: 0, depth: depth, a: a + i * aRowStride, aDepthStride: aDepthStride,
            b: b, ldb: ldb, c: c + i * ldc, accumulate: accumulate)
        i += 1
    }
}

/// One row of ``attentionTileProduct``: `c[j] (+)= Σ_p a[p * aDepthStride] * b[p * ldb + j]`
/// for `from <= j < n`.
private func attentionRowProduct(
    n: Int, from: Int, depth: Int, a ar: UnsafePointer<Float>, aDepthStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c cr: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    var j = from
    while j + 16 <= n {
        var x = accumulate ? load8(cr + j) : SIMD8<Float>()
        var y = accumulate ? load8(cr + j + 8) : SIMD8<Float>()
        var bp = b + j
        var ap = 0
        for _ in 0..<depth {
            let s = SIMD8<Float>(repeating: ar[ap])
            x = fusedMultiplyAdd(x, s, load8(bp))
            y = fusedMultiplyAdd(y, s, load8(bp + 8))
            bp += ldb
            ap &+= aDepthStride
        }
        store8(x, cr + j); store8(y, cr + j + 8)
        j += 16
    }
    if j + 8 <= n {
        var x = accumulate ? load8(cr + j) : SIMD8<Float>()
        var bp = b + j
        var ap = 0
        for _ in 0..<depth {
            x = fusedMultiplyAdd(x, SIMD8(repeating: ar[ap]), load8(bp))
            bp += ldb
            ap &+= aDepthStride
        }
        store8(x, cr + j)
        j += 8
    }
    while j < n {
        scalarEntry(ar, aDepthStride, b + j, ldb, depth, cr + j, accumulate)
        j += 1
    }
}

/// One entry of ``attentionTileProduct``: `c (+)= Σ_p a[p * aStride] * b[p * ldb]`.
@inline(__always)
private func scalarEntry(
    _ a: UnsafePointer<Float>, _ aStride: Int, _ b: UnsafePointer<Float>, _ ldb: Int, _ depth: Int,
    _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool
) {
    var sum: Float = accumulate ? c.pointee : 0
    for p in 0..<depth { sum = fusedMultiplyAdd(sum, a[p * aStride], b[p * ldb]) }
    c.pointee = sum
}

/// A `(batch, heads, length, headDim)` copy of a `(batch, length, heads, headDim)` buffer,
/// so that the rows of one head are consecutive.
///
/// The kernels read tiles of rows of one head many times. In the interleaved layout those
/// rows lie `heads * headDim` floats apart, a power-of-two stride that maps a tile onto a
/// few cache sets (evicting itself) and that made copying tiles per use cost ~15% of the
/// time. One copy up front costs one pass over the buffer. With a single head the layouts
/// agree, and with `copy == false` (rows read only once, as when decoding one query) the
/// buffer is used in place.
struct HeadMajorBuffer {
    private let base: UnsafePointer<Float>
    private let storage: UnsafeMutablePointer<Float>?
    private let length: Int, headDim: Int, heads: Int, count: Int
    /// Distance between consecutive rows of one head.
    let rowStride: Int

    init(_ source: UnsafePointer<Float>, batch: Int, length: Int, heads: Int, headDim: Int, copy: Bool = true) {
        self.length = length
        self.headDim = headDim
        count = batch * heads * length * headDim
        if heads == 1 || !copy {
            base = source
            storage = nil
            self.heads = heads
            rowStride = heads * headDim
            return
        }
        let buffer = FloatAllocation.allocate(count: count)
        Parallel.forEach(batch * heads) { item in
            let b = item / heads, h = item % heads
            let destination = buffer + item * length * headDim
            let origin = source + (b * length * heads + h) * headDim
            // Rows are short (32-128 floats): an inline vector copy, not a memmove call each.
            let vectors = headDim / 8
            for t in 0..<length {
                let to = destination + t * headDim, from = origin + t * heads * headDim
                for i in 0..<vectors { store8(load8(from + 8 * i), to + 8 * i) }
                for i in (8 * vectors)..<headDim { to[i] = from[i] }
            }
        }
        base = UnsafePointer(buffer)
        storage = buffer
        self.heads = heads
        rowStride = headDim
    }

    /// Row `position` of head `head` of sequence `batch`; the next row is `rowStride` further.
    @inline(__always)
    func row(batch: Int, head: Int, position: Int) -> UnsafePointer<Float> {
        storage == nil
            ? base + ((batch * length + position) * heads + head) * headDim
            : base + ((batch * heads + head) * length + position) * headDim
    }

    func deallocate() { storage.map { FloatAllocation.deallocate($0, count: count) } }
}

/// Copies `rows` rows of `width` floats (source row stride `sourceStride`) transposed into
/// `destination`, so that `destination[d * destinationStride + r] = source[r * sourceStride + d]`.
func attentionTranspose(
    rows: Int, width: Int, source: UnsafePointer<Float>, sourceStride: Int,
    destination: UnsafeMutablePointer<Float>, destinationStride: Int
) {
    for r in 0..<rows {
        let s = source + r * sourceStride
        for d in 0..<width { destination[d * destinationStride + r] = s[d] }
    }
}
