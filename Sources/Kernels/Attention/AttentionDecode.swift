import Foundation

// Attention of one query per head over all keys: the decoding step with a KV cache.
//
// The tiled forward pads queries to eight SIMD lanes and runs its online softmax per key
// tile; with a single query seven lanes are idle, and the key/value rows, read at the
// cache's row stride, are the whole cost. Here one work item takes a run of key/value heads
// with all their query heads, so the cache rows stream through once: the scores first,
// then one softmax per head over all of them, then the weighted sums of the value rows.

/// ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)`` for `queryLength == 1`;
/// `mask` (if any) holds `keyLength` flags per batch entry, `maskStride` apart.
func attentionForwardSingleQuery(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, maskStride: Int
) {
    // A work item takes a run of key/value heads, so it streams a contiguous part of every
    // cache row. (One head per item read 3 of a row's 18 cache lines in model-bench's model,
    // at 3 GB/s where whole rows stream at 9.) Each head's arithmetic is the same in any
    // grouping, so the split may follow the thread count without changing the bits.
    let parts = min(shape.kvHeads, max(1, Parallel.maxThreads))
    Parallel.forEach(shape.batch * parts) { item in
        let batch = item / parts
        let kvHeadRange = gemmPartition(shape.kvHeads, parts: parts, index: item % parts)
        attentionDecodeHeads(
            q: q, k: k, v: v, out: out, logSumExp: logSumExp, shape: shape,
            mask: mask.map { $0 + batch * maskStride }, batch: batch, kvHeads: kvHeadRange)
    }
}

/// The single-query attention of the query heads of `kvHeads` in sequence `batch`.
private func attentionDecodeHeads(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, batch: Int, kvHeads: Range<Int>
) {
    let d = shape.headDim
    let keyStart = shape.firstVisibleKey(query: 0)
    let visible = max(0, shape.visibleKeyEnd(query: 0) - keyStart)
    let rowStride = shape.kvHeads * d
    let heads = kvHeads.count * shape.groupSize, firstHead = kvHeads.lowerBound * shape.groupSize
    let rows = (batch * shape.keyLength + keyStart) * rowStride + kvHeads.lowerBound * d
    let keys = k + rows, values = v + rows
    // Per query head: `visible` scores, the scaled query and the output sum.
    FloatAllocation.withScratch(count: heads * (visible + 2 * d)) { scratch in
        let scores = scratch, queries = scratch + heads * visible, sums = queries + heads * d
        for h in 0..<heads {
            let query = q + (batch * shape.heads + firstHead + h) * d
            for c in 0..<d { queries[h * d + c] = query[c] * shape.scale }
        }
        // Four keys at a time: four independent rows in flight hide their load latency
        // (one key at a time was slower than the tiled kernel).
        var j = 0
        while j + 4 <= visible {
            for h in 0..<heads {
                let key = keys + j * rowStride + h / shape.groupSize * d
                let dots = gemmDots4(
                    queries + h * d, key, key + rowStride, key + 2 * rowStride, key + 3 * rowStride, count: d)
                for r in 0..<4 { scores[h * visible + j + r] = dots[r] }
            }
            j += 4
        }
        while j < visible {
            for h in 0..<heads {
                scores[h * visible + j] = gemmDot(queries + h * d, keys + j * rowStride + h / shape.groupSize * d, count: d)
            }
            j += 1
        }
        if let mask {
            for j in 0..<visible where !mask[keyStart + j] {
                for h in 0..<heads { scores[h * visible + j] = -.infinity }
            }
        }
        var totals = [Float](repeating: 0, count: heads)
        var maxima = [Float](repeating: -.infinity, count: heads)
        for h in 0..<heads {
            // Scores become exp(score - max) in place; a head that sees no key weighs every
            // row by 0.
            let row = scores + h * visible
            maxima[h] = rowMaximum(row, visible)
            if maxima[h] > -.infinity {
                totals[h] = rowSumExp(row, visible, shift: maxima[h], store: row)
            } else {
                row.update(repeating: 0, count: visible)
            }
        }
        attentionWeightedRowSums(
            values, rowStride: rowStride, weights: scores, count: visible, heads: heads, groupSize: shape.groupSize,
            into: sums, width: d)
        for h in 0..<heads {
            let head = batch * shape.heads + firstHead + h
            let destination = out + head * d
            if totals[h] > 0 {
                let inverse = 1 / totals[h]
                for c in 0..<d { destination[c] = sums[h * d + c] * inverse }
                logSumExp[head] = maxima[h] + Foundation.log(totals[h])
            } else {
                // No visible key: output 0 and log-sum-exp -infinity, as the tiled kernel.
                destination.update(repeating: 0, count: d)
                logSumExp[head] = -.infinity
            }
        }
    }
}

/// For each query head `h < heads`: `sums[h * width + c] = sum_j weights[h * count + j] *
/// rows[j][(h / groupSize) * width + c]`, rows `rowStride` apart. Every row is loaded once,
/// eight rows per pass over the sums (so the sums leave registers an eighth as often; four
/// rows per pass ran 5-15 % slower).
func attentionWeightedRowSums(
    _ rows: UnsafePointer<Float>, rowStride: Int, weights: UnsafePointer<Float>, count: Int, heads: Int,
    groupSize: Int, into sums: UnsafeMutablePointer<Float>, width: Int
) {
    let step = 8
    sums.update(repeating: 0, count: heads * width)
    var j = 0
    while j + step <= count {
        for kvHead in 0..<(heads / groupSize) {
            let block = rows + j * rowStride + kvHead * width
            var c = 0
            while c + 8 <= width {
                for h in (kvHead * groupSize)..<((kvHead + 1) * groupSize) {
                    let w = weights + h * count + j, target = sums + h * width + c
                    var s = load8(target)
                    for r in 0..<step { s = fusedMultiplyAdd(s, SIMD8(repeating: w[r]), load8(block + r * rowStride + c)) }
                    store8(s, target)
                }
                c += 8
            }
            while c < width {
                for h in (kvHead * groupSize)..<((kvHead + 1) * groupSize) {
                    let w = weights + h * count + j
                    var s = sums[h * width + c]
                    for r in 0..<step { s = fusedMultiplyAdd(s, w[r], block[r * rowStride + c]) }
                    sums[h * width + c] = s
                }
                c += 1
            }
        }
        j += step
    }
    while j < count {
        for h in 0..<heads {
            attentionAddScaled(
                rows + j * rowStride + h / groupSize * width, by: weights[h * count + j], to: sums + h * width, count: width)
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
