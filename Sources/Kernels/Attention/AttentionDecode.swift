import Foundation

// Attention of one query per head over all keys: the decoding step with a KV cache.
//
// The tiled forward pads queries to eight SIMD lanes and runs its online softmax per key
// tile; with a single query seven lanes are idle, and the key/value rows, read at the
// cache's row stride, are the whole cost. Here the query heads that share a key/value head
// form one work item, so every key and value row is read once: the scores first, then one
// softmax over all of them, then the weighted sum of the value rows.

/// ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)`` for `queryLength == 1`;
/// `mask` (if any) holds `keyLength` flags per batch entry, `maskStride` apart.
func attentionForwardSingleQuery(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, maskStride: Int
) {
    let d = shape.headDim, group = shape.groupSize
    let keyStart = shape.firstVisibleKey(query: 0)
    let visible = max(0, shape.visibleKeyEnd(query: 0) - keyStart)
    let rowStride = shape.kvHeads * d
    Parallel.forEach(shape.batch * shape.kvHeads) { item in
        let batch = item / shape.kvHeads, kvHead = item % shape.kvHeads
        let firstHead = kvHead * group
        let rows = (batch * shape.keyLength + keyStart) * rowStride + kvHead * d
        let keys = k + rows, values = v + rows
        let keyMask = mask.map { $0 + batch * maskStride + keyStart }
        // Per query head of the group: `visible` scores, the scaled query and the output sum.
        FloatAllocation.withScratch(count: group * (visible + 2 * d)) { scratch in
            let scores = scratch, queries = scratch + group * visible, sums = queries + group * d
            for g in 0..<group {
                let query = q + (batch * shape.heads + firstHead + g) * d
                for c in 0..<d { queries[g * d + c] = query[c] * shape.scale }
            }
            // Four keys at a time: key rows sit `kvHeads * headDim` floats apart, and four
            // independent loads in flight hide their latency (one at a time ran 1.6x slower).
            var j = 0
            while j + 4 <= visible {
                let key = keys + j * rowStride
                for g in 0..<group {
                    let dots = attentionDots4(queries + g * d, key, rowStride: rowStride, count: d)
                    for r in 0..<4 { scores[g * visible + j + r] = dots[r] }
                }
                j += 4
            }
            while j < visible {
                for g in 0..<group { scores[g * visible + j] = attentionDot(queries + g * d, keys + j * rowStride, count: d) }
                j += 1
            }
            if let keyMask {
                for j in 0..<visible where !keyMask[j] {
                    for g in 0..<group { scores[g * visible + j] = -.infinity }
                }
            }
            var totals = [Float](repeating: 0, count: group)
            var maxima = [Float](repeating: -.infinity, count: group)
            for g in 0..<group {
                (maxima[g], totals[g]) = attentionExponentiate(scores + g * visible, count: visible)
            }
            // A head that sees no key keeps -infinity scores: weigh its rows by 0 instead.
            for g in 0..<group where totals[g] == 0 { (scores + g * visible).update(repeating: 0, count: visible) }
            attentionWeightedRowSums(
                values, rowStride: rowStride, weights: scores, count: visible, heads: group, into: sums, width: d)
            for g in 0..<group {
                let head = batch * shape.heads + firstHead + g
                let destination = out + head * d
                if totals[g] > 0 {
                    let inverse = 1 / totals[g]
                    for c in 0..<d { destination[c] = sums[g * d + c] * inverse }
                    logSumExp[head] = maxima[g] + Foundation.log(totals[g])
                } else {
                    // No visible key: output 0 and log-sum-exp -infinity, as the tiled kernel.
                    destination.update(repeating: 0, count: d)
                    logSumExp[head] = -.infinity
                }
            }
        }
    }
}

/// `sum_c a[c] * b[c]`, eight lanes at a time.
@inline(__always)
func attentionDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var acc = SIMD8<Float>()
    var c = 0
    while c + 8 <= count {
        acc = fusedMultiplyAdd(acc, load8(a + c), load8(b + c))
        c += 8
    }
    var total = acc.sum()
    while c < count {
        total = fusedMultiplyAdd(total, a[c], b[c])
        c += 1
    }
    return total
}

/// Replaces `scores` by `exp(score - max)` and returns the maximum and the sum of the
/// exponentials (`(-infinity, 0)`, scores untouched, when every score is `-infinity`).
func attentionExponentiate(_ scores: UnsafeMutablePointer<Float>, count: Int) -> (maximum: Float, total: Float) {
    var maximum: Float = -.infinity
    for j in 0..<count { maximum = max(maximum, scores[j]) }
    guard maximum > -.infinity else { return (maximum, 0) }
    let shift = SIMD8<Float>(repeating: maximum)
    var sum = SIMD8<Float>()
    var j = 0
    while j + 8 <= count {
        let e = vectorExp(load8(scores + j) - shift)
        store8(e, scores + j)
        sum += e
        j += 8
    }
    var total = sum.sum()
    while j < count {
        scores[j] = Foundation.exp(scores[j] - maximum)
        total += scores[j]
        j += 1
    }
    return (maximum, total)
}

/// The dot products of `q` with four rows `rowStride` apart, each summed as ``attentionDot``.
@inline(__always)
func attentionDots4(_ q: UnsafePointer<Float>, _ rows: UnsafePointer<Float>, rowStride: Int, count: Int) -> SIMD4<Float> {
    var a0 = SIMD8<Float>(), a1 = SIMD8<Float>(), a2 = SIMD8<Float>(), a3 = SIMD8<Float>()
    let r1 = rows + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
    var c = 0
    while c + 8 <= count {
        let x = load8(q + c)
        a0 = fusedMultiplyAdd(a0, x, load8(rows + c))
        a1 = fusedMultiplyAdd(a1, x, load8(r1 + c))
        a2 = fusedMultiplyAdd(a2, x, load8(r2 + c))
        a3 = fusedMultiplyAdd(a3, x, load8(r3 + c))
        c += 8
    }
    var totals = SIMD4(a0.sum(), a1.sum(), a2.sum(), a3.sum())
    while c < count {
        totals = SIMD4(
            fusedMultiplyAdd(totals[0], q[c], rows[c]), fusedMultiplyAdd(totals[1], q[c], r1[c]),
            fusedMultiplyAdd(totals[2], q[c], r2[c]), fusedMultiplyAdd(totals[3], q[c], r3[c]))
        c += 1
    }
    return totals
}

/// For each head `g < heads`: `sums[g * width + c] = sum_j weights[g * count + j] * rows[j][c]`,
/// rows `rowStride` apart. Each row is loaded once for all heads, four rows per pass over the
/// sums (so the sums leave registers a quarter as often).
func attentionWeightedRowSums(
    _ rows: UnsafePointer<Float>, rowStride: Int, weights: UnsafePointer<Float>, count: Int, heads: Int,
    into sums: UnsafeMutablePointer<Float>, width: Int
) {
    sums.update(repeating: 0, count: heads * width)
    var j = 0
    while j + 4 <= count {
        let r0 = rows + j * rowStride, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride
        var c = 0
        while c + 8 <= width {
            let v0 = load8(r0 + c), v1 = load8(r1 + c), v2 = load8(r2 + c), v3 = load8(r3 + c)
            for g in 0..<heads {
                let w = weights + g * count + j, target = sums + g * width + c
                var s = load8(target)
                s = fusedMultiplyAdd(s, SIMD8(repeating: w[0]), v0)
                s = fusedMultiplyAdd(s, SIMD8(repeating: w[1]), v1)
                s = fusedMultiplyAdd(s, SIMD8(repeating: w[2]), v2)
                s = fusedMultiplyAdd(s, SIMD8(repeating: w[3]), v3)
                store8(s, target)
            }
            c += 8
        }
        while c < width {
            for g in 0..<heads {
                let w = weights + g * count + j
                var s = sums[g * width + c]
                s = fusedMultiplyAdd(s, w[0], r0[c])
                s = fusedMultiplyAdd(s, w[1], r1[c])
                s = fusedMultiplyAdd(s, w[2], r2[c])
                s = fusedMultiplyAdd(s, w[3], r3[c])
                sums[g * width + c] = s
            }
            c += 1
        }
        j += 4
    }
    while j < count {
        for g in 0..<heads {
            attentionAddScaled(rows + j * rowStride, by: weights[g * count + j], to: sums + g * width, count: width)
        }
        j += 1
    }
}

/// `sums[c] += weight * row[c]` for `c < count`.
@inline(__always)
func attentionAddScaled(_ row: UnsafePointer<Float>, by weight: Float, to sums: UnsafeMutablePointer<Float>, count: Int) {
    let w = SIMD8<Float>(repeating: weight)
    var c = 0
    while c + 8 <= count {
        store8(fusedMultiplyAdd(load8(sums + c), w, load8(row + c)), sums + c)
        c += 8
    }
    while c < count {
        sums[c] = fusedMultiplyAdd(sums[c], weight, row[c])
        c += 1
    }
}
