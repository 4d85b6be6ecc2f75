import Foundation
#if arch(x86_64)
import KernelsAVX512
#endif

/// Fused causal/windowed/masked softmax attention, forward pass:
/// `out = softmax(scale * q kᵀ + hidden) v` per batch and head, where `hidden` is
/// `-infinity` at the keys that ``AttentionShape`` or the mask hide.
///
/// Memory stays linear in the sequence length: queries are processed in tiles against key
/// tiles with an online softmax (running maximum and sum), so no `queryLength x keyLength`
/// matrix exists. Key tiles that the causal/window rule hides entirely are skipped (causal
/// attention does about half the work of full attention).
///
/// - Parameters:
///   - q: `(batch, queryLength, heads, headDim)`.
///   - k, v: `(batch, keyLength, kvHeads, headDim)`.
///   - out: `(batch, queryLength, heads, headDim)`, overwritten.
///   - logSumExp: `(batch, heads, queryLength)`, overwritten with
///     `log Σ_j exp(scale * q_i·k_j)` over the visible keys; ``attentionBackward(q:k:v:out:logSumExp:dOut:dq:dk:dv:shape:mask:maskBatchStride:)``
///     needs it. A query that sees no key gets output 0 and `-infinity` here.
///   - mask: optional `(batch or 1, queryLength, keyLength)` `Bool`s, `true` = may attend,
///     applied on top of the causal/window rule.
///   - maskBatchStride: distance between the masks of consecutive batch entries; 0
///     broadcasts one mask over the batch; nil means `queryLength * keyLength`.
///
/// Extra memory: a head-major copy of `k` and `v` when `kvHeads > 1` and more than one
/// query tile reads them, plus a few tiles per work item. Results do not depend on `Parallel.maxThreads`.
public func attentionForward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>? = nil, maskBatchStride: Int? = nil
) {
    attentionForward(
        q: q, k: k, v: v, out: out, logSumExp: logSumExp, shape: shape, mask: mask,
        maskBatchStride: maskBatchStride, tiling: AttentionTiling())
}

/// ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)`` with explicit tile sizes.
func attentionForward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, maskBatchStride: Int?, tiling: AttentionTiling
) {
    shape.validate("attentionForward", maskBatchStride: maskBatchStride)
    precondition(
        tiling.queryBlock > 0 && tiling.keyBlock > 0, "attentionForward: tile sizes must be positive")
    let queryBlocks = (shape.queryLength + tiling.queryBlock - 1) / tiling.queryBlock
    let items = shape.batch * shape.heads * queryBlocks
    let maskStride = maskBatchStride ?? shape.queryLength * shape.keyLength
    if shape.queryLength == 1 {
        // Decoding: see AttentionDecode.swift.
        attentionForwardSingleQuery(
            q: q, k: k, v: v, out: out, logSumExp: logSumExp, shape: shape, mask: mask, maskStride: maskStride)
        return
    }
    // Key/value rows are read once per query tile of each head in the group; a single read
    // (one query tile, no shared key/value heads) is cheaper in place than after a copy.
    let copy = queryBlocks * shape.groupSize > 1
    let keys = HeadMajorBuffer(
        k, batch: shape.batch, length: shape.keyLength, heads: shape.kvHeads, headDim: shape.headDim, copy: copy)
    defer { keys.deallocate() }
    let values = HeadMajorBuffer(
        v, batch: shape.batch, length: shape.keyLength, heads: shape.kvHeads, headDim: shape.headDim, copy: copy)
    defer { values.deallocate() }
    // One work item per (batch, head, query tile): each writes its own rows of `out` and
    // `logSumExp`, so no two threads touch the same memory.
    Parallel.forEach(items) { item in
        let scratch = ForwardScratch(shape: shape, tiling: tiling)
        defer { scratch.deallocate() }
        let head = (item / queryBlocks) % shape.heads
        let batch = item / (queryBlocks * shape.heads)
        forwardQueryTile(
            q: q, keys: keys, values: values, out: out, logSumExp: logSumExp, shape: shape,
            mask: mask.map { $0 + batch * maskStride }, tiling: tiling,
            batch: batch, head: head, queryBlock: item % queryBlocks, scratch: scratch)
    }
}

/// Per-work-item buffers of the forward pass, allocated once per tile of queries. Query
/// columns are padded to a multiple of 8 (`paddedRows`) so that every softmax step is a
/// whole SIMD8 operation across queries.
private struct ForwardScratch {
    let paddedRows: Int
    /// Unnormalised output accumulator, `queryBlock x headDim`.
    let output: UnsafeMutablePointer<Float>
    /// The query tile transposed and multiplied by `scale`, `headDim x paddedRows`.
    let queriesTransposed: UnsafeMutablePointer<Float>
    /// Scores, then probabilities, transposed: `keyBlock x paddedRows`.
    let scores: UnsafeMutablePointer<Float>
    /// Running maximum, running sum and the latest rescaling factor per query.
    let rowMax: UnsafeMutablePointer<Float>
    let rowSum: UnsafeMutablePointer<Float>
    let correction: UnsafeMutablePointer<Float>

    init(shape: AttentionShape, tiling: AttentionTiling) {
        let d = shape.headDim, br = tiling.queryBlock, bc = tiling.keyBlock
        paddedRows = (br + 7) / 8 * 8
        output = .allocate(capacity: br * d)
        queriesTransposed = .allocate(capacity: d * paddedRows)
        scores = .allocate(capacity: bc * paddedRows)
        rowMax = .allocate(capacity: paddedRows)
        rowSum = .allocate(capacity: paddedRows)
        correction = .allocate(capacity: paddedRows)
    }

    func deallocate() {
        output.deallocate(); queriesTransposed.deallocate(); scores.deallocate()
        rowMax.deallocate(); rowSum.deallocate(); correction.deallocate()
    }
}

/// Attention output of one tile of queries of one head; `mask` is already offset to the batch entry.
///
/// Scores are kept transposed (keys x queries), so the online softmax runs down the columns
/// with eight queries per SIMD lane group and needs no horizontal reductions; the query
/// tile is transposed once and reused against every key tile.
private func forwardQueryTile(
    q: UnsafePointer<Float>, keys: HeadMajorBuffer, values: HeadMajorBuffer,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, tiling: AttentionTiling,
    batch: Int, head: Int, queryBlock: Int, scratch: ForwardScratch
) {
    let d = shape.headDim, tq = shape.queryLength, tk = shape.keyLength
    let bc = tiling.keyBlock, ld = scratch.paddedRows
    let firstQuery = queryBlock * tiling.queryBlock
    let rows = min(tiling.queryBlock, tq - firstQuery)
    let lanes = (rows + 7) / 8 * 8
    let queryStride = shape.heads * d
    let kvHead = head / shape.groupSize
    let queries = q + ((batch * tq + firstQuery) * shape.heads + head) * d
    let o = scratch.output, s = scratch.scores, qt = scratch.queriesTransposed
    let rowMax = scratch.rowMax, rowSum = scratch.rowSum, correction = scratch.correction

    o.update(repeating: 0, count: rows * d)
    rowMax.update(repeating: -.infinity, count: lanes)
    rowSum.update(repeating: 0, count: lanes)
    // Padding lanes hold zero queries: finite scores that are never written out.
    qt.update(repeating: 0, count: d * ld)
    for i in 0..<rows {
        let row = queries + i * queryStride
        for c in 0..<d { qt[c * ld + i] = row[c] * shape.scale }
    }

    // Visible keys of the tile form one range: the first query has the earliest start, the
    // last query the latest end. Key tiles outside it are skipped.
    let keyStart = shape.firstVisibleKey(query: firstQuery)
    let keyEnd = shape.visibleKeyEnd(query: firstQuery + rows - 1)
    var firstKey = keyStart / bc * bc
    while firstKey < keyEnd {
        let cols = min(bc, tk - firstKey)
        attentionTileProduct(
            m: cols, n: lanes, depth: d, a: keys.row(batch: batch, head: kvHead, position: firstKey), aRowStride: keys.rowStride,
            aDepthStride: 1, b: qt, ldb: ld, c: s, ldc: ld, accumulate: false)
        hideScores(
            s, ld: ld, keys: cols, queries: rows, firstKey: firstKey, firstQuery: firstQuery,
            shape: shape, mask: mask)
        var firstLane = 0
        #if arch(x86_64)
        if usesAVX512Kernels {
            while firstLane + 16 <= lanes {
                attentionSoftmaxLanes16(
                    scores: s, ld: ld, keys: cols, lane: firstLane, rowMax: rowMax, rowSum: rowSum,
                    correction: correction)
                firstLane += 16
            }
        }
        #endif
        for i0 in stride(from: firstLane, to: lanes, by: 8) {
            var tileMax = SIMD8<Float>(repeating: -.infinity)
            for j in 0..<cols { tileMax = attentionMax(tileMax, load8(s + j * ld + i0)) }
            let oldMax = load8(rowMax + i0)
            let newMax = attentionMax(oldMax, tileMax)
            // Queries that have seen no visible key yet keep shift 0: their scores are all
            // -infinity, so they get probability 0 instead of NaN.
            let shift = newMax.replacing(with: 0, where: newMax .== -.infinity)
            var tileSum = SIMD8<Float>()
            for j in 0..<cols {
                let e = vectorExp(load8(s + j * ld + i0) - shift)
                store8(e, s + j * ld + i0)
                tileSum += e
            }
            // Rescales what earlier key tiles accumulated to the new running maximum.
            let factor = vectorExp(oldMax - shift)
            store8(fusedMultiplyAdd(tileSum, load8(rowSum + i0), factor), rowSum + i0)
            store8(newMax, rowMax + i0)
            store8(factor, correction + i0)
        }
        for i in 0..<rows where correction[i] != 1 {
            let orow = o + i * d, factor = correction[i]
            for c in 0..<d { orow[c] *= factor }
        }
        attentionTileProduct(
            m: rows, n: d, depth: cols, a: s, aRowStride: 1, aDepthStride: ld,
            b: values.row(batch: batch, head: kvHead, position: firstKey), ldb: values.rowStride, c: o, ldc: d,
            accumulate: true)
        firstKey += bc
    }

    let outRows = out + ((batch * tq + firstQuery) * shape.heads + head) * d
    let lse = logSumExp + (batch * shape.heads + head) * tq + firstQuery
    for i in 0..<rows {
        let orow = o + i * d, dst = outRows + i * queryStride
        if rowSum[i] > 0 {
            let inverse = 1 / rowSum[i]
            for c in 0..<d { dst[c] = orow[c] * inverse }
            lse[i] = rowMax[i] + Foundation.log(rowSum[i])
        } else {
            dst.update(repeating: 0, count: d)
            lse[i] = -.infinity
        }
    }
}

/// Sets the transposed scores `s[j * ld + i]` (key `firstKey + j`, query `firstQuery + i`)
/// to `-infinity` wherever the causal/window rule or the mask hides the key.
private func hideScores(
    _ s: UnsafeMutablePointer<Float>, ld: Int, keys: Int, queries: Int, firstKey: Int, firstQuery: Int,
    shape: AttentionShape, mask: UnsafePointer<Bool>?
) {
    let tk = shape.keyLength
    for j in 0..<keys {
        let key = firstKey + j
        let row = s + j * ld
        // Query i sees the key iff key <= i + offset (causal) and key > i + offset - window.
        let relative = key - shape.queryOffset - firstQuery
        let first = shape.causal ? min(queries, max(0, relative)) : 0
        let end = shape.window.map { max(first, min(queries, relative + $0)) } ?? queries
        for i in 0..<first { row[i] = -.infinity }
        for i in end..<queries { row[i] = -.infinity }
        if let mask {
            for i in first..<end where !mask[(firstQuery + i) * tk + key] { row[i] = -.infinity }
        }
    }
}
