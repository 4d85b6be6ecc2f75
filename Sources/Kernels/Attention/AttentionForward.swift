import Foundation

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
/// Results do not depend on `Parallel.maxThreads`.
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
    // One work item per (batch, head, query tile): each writes its own rows of `out` and
    // `logSumExp`, so no two threads touch the same memory.
    Parallel.forEach(items) { item in
        let scratch = ForwardScratch(shape: shape, tiling: tiling)
        defer { scratch.deallocate() }
        let head = (item / queryBlocks) % shape.heads
        let batch = item / (queryBlocks * shape.heads)
        forwardQueryTile(
            q: q, k: k, v: v, out: out, logSumExp: logSumExp, shape: shape,
            mask: mask.map { $0 + batch * maskStride }, tiling: tiling,
            batch: batch, head: head, queryBlock: item % queryBlocks, scratch: scratch)
    }
}

/// Per-work-item buffers of the forward pass, allocated once per tile of queries.
private struct ForwardScratch {
    /// Unnormalised output accumulator, `queryBlock x headDim`.
    let output: UnsafeMutablePointer<Float>
    /// The key tile transposed, `headDim x keyBlock`.
    let keysTransposed: UnsafeMutablePointer<Float>
    /// Scores, then probabilities, `queryBlock x keyBlock`.
    let scores: UnsafeMutablePointer<Float>
    /// Running maximum and running sum per query row.
    let rowMax: UnsafeMutablePointer<Float>
    let rowSum: UnsafeMutablePointer<Float>

    init(shape: AttentionShape, tiling: AttentionTiling) {
        let d = shape.headDim, br = tiling.queryBlock, bc = tiling.keyBlock
        output = .allocate(capacity: br * d)
        keysTransposed = .allocate(capacity: d * bc)
        scores = .allocate(capacity: br * bc)
        rowMax = .allocate(capacity: br)
        rowSum = .allocate(capacity: br)
    }

    func deallocate() {
        output.deallocate(); keysTransposed.deallocate(); scores.deallocate()
        rowMax.deallocate(); rowSum.deallocate()
    }
}

/// Attention output of one tile of queries of one head; `mask` is already offset to the batch entry.
private func forwardQueryTile(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafeMutablePointer<Float>, logSumExp: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, tiling: AttentionTiling,
    batch: Int, head: Int, queryBlock: Int, scratch: ForwardScratch
) {
    let d = shape.headDim, tq = shape.queryLength, tk = shape.keyLength
    let bc = tiling.keyBlock
    let firstQuery = queryBlock * tiling.queryBlock
    let rows = min(tiling.queryBlock, tq - firstQuery)
    let queryStride = shape.heads * d, keyStride = shape.kvHeads * d
    let kvHead = head / shape.groupSize
    let queries = q + ((batch * tq + firstQuery) * shape.heads + head) * d
    let keys = k + (batch * tk * shape.kvHeads + kvHead) * d
    let values = v + (batch * tk * shape.kvHeads + kvHead) * d
    let o = scratch.output, s = scratch.scores, rowMax = scratch.rowMax, rowSum = scratch.rowSum

    o.update(repeating: 0, count: rows * d)
    rowMax.update(repeating: -.infinity, count: rows)
    rowSum.update(repeating: 0, count: rows)

    // Visible keys of the tile form one range: the first row has the earliest start, the
    // last row the latest end. Key tiles outside it are skipped.
    let keyStart = shape.firstVisibleKey(query: firstQuery)
    let keyEnd = shape.visibleKeyEnd(query: firstQuery + rows - 1)
    var firstKey = keyStart / bc * bc
    while firstKey < keyEnd {
        let cols = min(bc, tk - firstKey)
        attentionTranspose(
            rows: cols, width: d, source: keys + firstKey * keyStride, sourceStride: keyStride,
            destination: scratch.keysTransposed, destinationStride: bc)
        attentionTileProduct(
            m: rows, n: cols, depth: d, a: queries, aRowStride: queryStride, aDepthStride: 1,
            b: scratch.keysTransposed, ldb: bc, c: s, ldc: bc, accumulate: false)
        for i in 0..<rows {
            let row = s + i * bc
            let visible = attentionPrepareScores(
                row, count: cols, firstKey: firstKey, query: firstQuery + i, shape: shape,
                maskRow: mask.map { $0 + (firstQuery + i) * tk })
            let newMax = max(rowMax[i], attentionRowMaximum(row, visible))
            if newMax == -.infinity {
                row.update(repeating: 0, count: cols)
                continue
            }
            let tileSum = attentionExponentiate(row, count: cols, shift: newMax)
            // Rescale what earlier key tiles accumulated to the new running maximum.
            let correction = Foundation.exp(rowMax[i] - newMax)
            rowSum[i] = fusedMultiplyAdd(tileSum, rowSum[i], correction)
            if correction != 1 {
                let orow = o + i * d
                for c in 0..<d { orow[c] *= correction }
            }
            rowMax[i] = newMax
        }
        attentionTileProduct(
            m: rows, n: d, depth: cols, a: s, aRowStride: bc, aDepthStride: 1,
            b: values + firstKey * keyStride, ldb: keyStride, c: o, ldc: d, accumulate: true)
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
