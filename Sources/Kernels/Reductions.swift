// Reductions over one axis of an (outer, length, inner) view, and whole-buffer sums in
// Double. Every output element is reduced by one thread in a fixed order, so results do
// not depend on `Parallel.maxThreads`.

/// Splits `outer` independent slabs of `slabWork` elements each into parallel chunks of about
/// `grain` elements (boundaries depend only on the sizes).
@inlinable @inline(__always)
func forEachOuterRange(outer: Int, slabWork: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = Parallel.chunkCount(work: outer * max(slabWork, 1), grain: grain, limit: min(64, max(outer, 1)))
    if chunks == 1 {
        body(0..<outer)
        return
    }
    let per = (outer + chunks - 1) / chunks
    Parallel.forEach(chunks) { c in
        let lo = min(outer, c * per)
        let hi = min(outer, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}

/// Sum of `x[0..<n]` with eight lanes of partial sums, combined in a fixed order.
@inlinable @inline(__always)
func rowSum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc0 = SIMD8<Float>(), acc1 = SIMD8<Float>()
    var i = 0
    while i + 16 <= n {
        acc0 += load8(x + i)
        acc1 += load8(x + i + 8)
        i += 16
    }
    if i + 8 <= n {
        acc0 += load8(x + i)
        i += 8
    }
    var s = (acc0 + acc1).sum()
    while i < n { s += x[i]; i += 1 }
    return s
}

/// `y[o, i] = Σ_l x[o, l, i]` with `x` viewed as (outer, length, inner) and `y` as (outer, inner).
public func reduceSum(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, outer: Int, length: Int, inner: Int) {
    precondition(outer >= 0 && length >= 0 && inner >= 0, "reduceSum: bad shape (\(outer), \(length), \(inner))")
    if outer == 0 || inner == 0 { return }
    if inner == 1 {
        forEachOuterRange(outer: outer, slabWork: length, grain: streamingGrain) { range in
            for o in range { y[o] = rowSum(x + o * length, length) }
        }
        return
    }
    if outer == 1 {
        // One slab: split the inner columns instead, each column summed down `length` in order.
        forEachRange(count: inner, grain: max(8, streamingGrain / max(length, 1))) { cols in
            sumColumns(x, y, length: length, inner: inner, columns: cols)
        }
        return
    }
    forEachOuterRange(outer: outer, slabWork: length * inner, grain: streamingGrain) { range in
        for o in range {
            sumColumns(x + o * length * inner, y + o * inner, length: length, inner: inner, columns: 0..<inner)
        }
    }
}

@inlinable @inline(__always)
func sumColumns(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, length: Int, inner: Int, columns: Range<Int>) {
    // Row by row into y (which stays in L1), so x is read contiguously; each column is still
    // summed in order l = 0, 1, 2, ...
    let lo = columns.lowerBound, hi = columns.upperBound
    if length == 0 {
        (y + lo).update(repeating: 0, count: hi - lo)
        return
    }
    (y + lo).update(from: x + lo, count: hi - lo)
    for l in 1..<max(length, 1) {
        let row = x + l * inner
        var j = lo
        while j + 8 <= hi {
            store8(load8(y + j) + load8(row + j), y + j)
            j += 8
        }
        while j < hi { y[j] += row[j]; j += 1 }
    }
}

/// `y[o, i] = max_l x[o, l, i]`; `argmax[o, i]` (optional) receives the first index `l` of
/// the maximum. NaN propagates: a slice containing NaN gives NaN and the index of its first NaN.
/// An empty axis (`length == 0`) gives `-inf` and index 0.
public func reduceMax(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>?,
    outer: Int, length: Int, inner: Int
) {
    precondition(outer >= 0 && length >= 0 && inner >= 0, "reduceMax: bad shape (\(outer), \(length), \(inner))")
    precondition(length <= Int(Int32.max), "reduceMax: length \(length) does not fit Int32 indices")
    if outer == 0 || inner == 0 { return }
    forEachOuterRange(outer: outer, slabWork: length * inner, grain: streamingGrain) { range in
        for o in range {
            let slab = x + o * length * inner
            if inner == 1 {
                let (value, index) = rowMax(slab, length)
                y[o] = value
                argmax?[o] = Int32(index)
                continue
            }
            for i in 0..<inner {
                var best = -Float.infinity
                var bestIndex = 0
                var p = slab + i
                for l in 0..<length {
                    let v = p.pointee
                    if v > best || (v.isNaN && !best.isNaN) { best = v; bestIndex = l }
                    p += inner
                }
                y[o * inner + i] = best
                argmax?[o * inner + i] = Int32(bestIndex)
            }
        }
    }
}

/// Maximum of a contiguous row and the first index reaching it (NaN wins).
@inlinable @inline(__always)
func rowMax(_ x: UnsafePointer<Float>, _ n: Int) -> (Float, Int) {
    if n == 0 { return (-.infinity, 0) }
    // Vector pass for the value; NaN lanes are tracked separately because comparisons ignore them.
    var acc = SIMD8<Float>(repeating: -.infinity)
    var sawNaN = SIMD8<Int32>()
    var i = 0
    while i + 8 <= n {
        let v = load8(x + i)
        acc = acc.replacing(with: v, where: v .> acc)
        sawNaN |= nanMask(v)
        i += 8
    }
    var best = acc.max()
    var nan = sawNaN != SIMD8()
    while i < n {
        let v = x[i]
        if v > best { best = v }
        if v.isNaN { nan = true }
        i += 1
    }
    for k in 0..<n where nan ? x[k].isNaN : x[k] == best { return (x[k], k) }
    return (best, 0)
}

/// Number of elements per block of the whole-buffer sums; blocks are the unit of
/// parallel work and their partial sums are added in block order.
@usableFromInline let sumBlock = 1 << 16

@inlinable @inline(__always)
func blockSum(_ x: UnsafePointer<Float>, _ n: Int, squares: Bool) -> Double {
    var acc0 = SIMD8<Double>(), acc1 = SIMD8<Double>()
    var i = 0
    while i + 16 <= n {
        let a = SIMD8<Double>(load8(x + i)), b = SIMD8<Double>(load8(x + i + 8))
        if squares {
            // Products of floats are exact in Double, so no FMA is needed.
            acc0 += a * a
            acc1 += b * b
        } else {
            acc0 += a
            acc1 += b
        }
        i += 16
    }
    var s = (acc0 + acc1).sum()
    while i < n {
        let v = Double(x[i])
        s += squares ? v * v : v
        i += 1
    }
    return s
}

@inlinable @inline(__always)
func blockedSum(_ x: UnsafePointer<Float>, count: Int, squares: Bool) -> Double {
    precondition(count >= 0, "sumAll/sumOfSquares: negative count \(count)")
    let blocks = (count + sumBlock - 1) / sumBlock
    if blocks <= 1 { return blockSum(x, count, squares: squares) }
    let partial = UnsafeMutablePointer<Double>.allocate(capacity: blocks)
    defer { partial.deallocate() }
    forEachOuterRange(outer: blocks, slabWork: sumBlock, grain: streamingGrain) { range in
        for b in range {
            let lo = b * sumBlock
            partial[b] = blockSum(x + lo, min(sumBlock, count - lo), squares: squares)
        }
    }
    var s = 0.0
    for b in 0..<blocks { s += partial[b] }
    return s
}

/// Sum of `x[0..<count]`, accumulated in Double in a fixed order (independent of the thread count).
public func sumAll(_ x: UnsafePointer<Float>, count: Int) -> Double {
    blockedSum(x, count: count, squares: false)
}

/// Sum of squares of `x[0..<count]` in Double (for gradient-norm clipping), in a fixed order.
public func sumOfSquares(_ x: UnsafePointer<Float>, count: Int) -> Double {
    blockedSum(x, count: count, squares: true)
}
