#if arch(x86_64)
import KernelsAVX512
#endif

/// Backward pass of ``attentionForward(q:k:v:out:logSumExp:shape:mask:maskBatchStride:)``
/// (FlashAttention-2 style).
///
/// Probabilities are recomputed tile by tile from the saved `logSumExp`, so memory stays
/// linear in the sequence length. With `D_i = Σ_c dOut[i, c] * out[i, c]`,
/// `P = exp(scale * q kᵀ - logSumExp)`:
/// `dv += Pᵀ dOut`, `dP = dOut vᵀ`, `dS = P ⊙ (dP - D)`, `dq += scale * dS k`,
/// `dk += scale * dSᵀ q`.
///
/// - Parameters:
///   - q, k, v, shape, mask, maskBatchStride: exactly as passed to the forward pass.
///   - out, logSumExp: as the forward pass produced them.
///   - dOut: gradient of the loss with respect to `out`, same layout.
///   - dq: `(batch, queryLength, heads, headDim)`, overwritten.
///   - dk, dv: `(batch, keyLength, kvHeads, headDim)`, overwritten; each is the sum over
///     the query heads that share the key/value head.
///
/// Queries that see no key get zero gradient. Work is split over (batch, key/value head,
/// group of key tiles) so that no two threads write the same memory; when there are few
/// key/value heads, the key tiles of a head are dealt into several groups whose `dq`
/// contributions go to separate scratch buffers, summed in a fixed order. The result is
/// bit-identical for any `Parallel.maxThreads`.
///
/// Extra memory, all linear in the sequence length: head-major copies of `q`, `dOut`
/// (when `heads > 1`), `k`, `v` (when `kvHeads > 1`), `batch * heads * queryLength` floats
/// for `D`, and one `dq`-sized buffer per extra group of key tiles (none when
/// `batch * kvHeads >= 8`; at most 7, and at most 256 MiB in total).
public func attentionBackward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>? = nil, maskBatchStride: Int? = nil
) {
    attentionBackward(
        q: q, k: k, v: v, out: out, logSumExp: logSumExp, dOut: dOut, dq: dq, dk: dk, dv: dv,
        shape: shape, mask: mask, maskBatchStride: maskBatchStride, tiling: AttentionTiling())
}

/// ``attentionBackward(q:k:v:out:logSumExp:dOut:dq:dk:dv:shape:mask:maskBatchStride:)`` with explicit tile sizes.
func attentionBackward(
    q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>,
    out: UnsafePointer<Float>, logSumExp: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, maskBatchStride: Int?, tiling: AttentionTiling
) {
    shape.validate("attentionBackward", maskBatchStride: maskBatchStride)
    precondition(
        tiling.queryBlock > 0 && tiling.keyBlock > 0, "attentionBackward: tile sizes must be positive")
    let d = shape.headDim, tq = shape.queryLength
    let rowWidth = shape.heads * d
    let dqCount = shape.batch * tq * rowWidth
    let splits = backwardSplits(shape: shape, tiling: tiling)
    let rowDotCount = shape.batch * shape.heads * tq
    let rowDot = FloatAllocation.allocate(count: rowDotCount)
    defer { FloatAllocation.deallocate(rowDot, count: rowDotCount) }
    let dqScratchCount = (splits - 1) * dqCount
    let dqScratch = FloatAllocation.allocate(count: dqScratchCount)
    defer { FloatAllocation.deallocate(dqScratch, count: dqScratchCount) }

    // Pass 1, over chunks of (batch, query) rows: D_i = dOut_i · out_i, and zero the dq
    // accumulators.
    let rowCount = shape.batch * tq
    let rowChunks = Parallel.chunkCount(work: dqCount, grain: 1 << 18)
    Parallel.forEach(rowChunks) { chunk in
        let rowRange = (chunk * rowCount / rowChunks)..<((chunk + 1) * rowCount / rowChunks)
        let first = rowRange.lowerBound * rowWidth, count = rowRange.count * rowWidth
        (dq + first).update(repeating: 0, count: count)
        for s in 0..<(splits - 1) { (dqScratch + s * dqCount + first).update(repeating: 0, count: count) }
        for r in rowRange {
            let batch = r / max(tq, 1), query = r % max(tq, 1)
            for head in 0..<shape.heads {
                let offset = r * rowWidth + head * d
                rowDot[(batch * shape.heads + head) * tq + query] = attentionDot(dOut + offset, out + offset, d)
            }
        }
    }

    // Pass 2, over (batch, kv head, split): dk and dv of the split's key tiles, and their
    // dq contributions into the split's own accumulator.
    let maskStride = maskBatchStride ?? tq * shape.keyLength
    let b = shape.batch, tk = shape.keyLength
    let queries = HeadMajorBuffer(q, batch: b, length: tq, heads: shape.heads, headDim: d)
    defer { queries.deallocate() }
    let outGrads = HeadMajorBuffer(dOut, batch: b, length: tq, heads: shape.heads, headDim: d)
    defer { outGrads.deallocate() }
    let keys = HeadMajorBuffer(k, batch: b, length: tk, heads: shape.kvHeads, headDim: d)
    defer { keys.deallocate() }
    let values = HeadMajorBuffer(v, batch: b, length: tk, heads: shape.kvHeads, headDim: d)
    defer { values.deallocate() }
    Parallel.forEach(shape.batch * shape.kvHeads * splits) { item in
        let split = item % splits
        let kvHead = (item / splits) % shape.kvHeads
        let batch = item / (splits * shape.kvHeads)
        let scratch = BackwardScratch(shape: shape, tiling: tiling)
        defer { scratch.deallocate() }
        backwardKeyTiles(
            queries: queries, outGrads: outGrads, keys: keys, values: values,
            logSumExp: logSumExp, rowDot: rowDot,
            dq: split == 0 ? dq : dqScratch + (split - 1) * dqCount, dk: dk, dv: dv,
            shape: shape, mask: mask.map { $0 + batch * maskStride }, tiling: tiling,
            batch: batch, kvHead: kvHead, split: split, splits: splits, scratch: scratch)
    }

    // Pass 3: add the other splits' dq in split order.
    if splits > 1 {
        let chunks = Parallel.chunkCount(work: dqCount * (splits - 1), grain: 1 << 18)
        Parallel.forEach(chunks) { chunk in
            let range = (chunk * dqCount / chunks)..<((chunk + 1) * dqCount / chunks)
            for s in 0..<(splits - 1) {
                let src = dqScratch + s * dqCount
                for e in range { dq[e] += src[e] }
            }
        }
    }
}

/// How many interleaved groups the key tiles of each (batch, kv head) are dealt into.
/// Depends only on the problem size, never on the thread count.
private func backwardSplits(shape: AttentionShape, tiling: AttentionTiling) -> Int {
    let keyBlocks = (shape.keyLength + tiling.keyBlock - 1) / tiling.keyBlock
    let heads = max(1, shape.batch * shape.kvHeads)
    var splits = min(keyBlocks, (tiling.backwardWorkItems + heads - 1) / heads)
    let dqCount = shape.batch * shape.queryLength * shape.heads * shape.headDim
    if dqCount > 0 { splits = min(splits, 1 + tiling.maxScratchFloats / dqCount) }
    return max(1, splits)
}

/// `Σ_c a[c] * b[c]` for `c < count`, in a fixed order.
@inline(__always)
private func attentionDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>()
    var c = 0
    while c + 8 <= count {
        acc = fusedMultiplyAdd(acc, load8(a + c), load8(b + c))
        c += 8
    }
    var sum = acc.sum()
    while c < count { sum = fusedMultiplyAdd(sum, a[c], b[c]); c += 1 }
    return sum
}

/// Per-work-item buffers of the backward pass, allocated once per item.
private struct BackwardScratch {
    /// Key and value tiles transposed, `headDim x keyBlock` each.
    let keysTransposed: UnsafeMutablePointer<Float>
    let valuesTransposed: UnsafeMutablePointer<Float>
    /// Probabilities `P` and then `dS`, `queryBlock x keyBlock` each.
    let probabilities: UnsafeMutablePointer<Float>
    let scoreGradients: UnsafeMutablePointer<Float>
    /// dk and dv of the current key tile, `keyBlock x headDim` each.
    let keyGradients: UnsafeMutablePointer<Float>
    let valueGradients: UnsafeMutablePointer<Float>

    init(shape: AttentionShape, tiling: AttentionTiling) {
        let d = shape.headDim, br = tiling.queryBlock, bc = tiling.keyBlock
        keysTransposed = .allocate(capacity: d * bc)
        valuesTransposed = .allocate(capacity: d * bc)
        probabilities = .allocate(capacity: br * bc)
        scoreGradients = .allocate(capacity: br * bc)
        keyGradients = .allocate(capacity: bc * d)
        valueGradients = .allocate(capacity: bc * d)
    }

    func deallocate() {
        keysTransposed.deallocate(); valuesTransposed.deallocate()
        probabilities.deallocate(); scoreGradients.deallocate()
        keyGradients.deallocate(); valueGradients.deallocate()
    }
}

/// Gradients of key tiles `split, split + splits, ...` of one (batch, kv head), summed over
/// the query heads of the group; dq contributions are added to `dq` (laid out like `q`).
/// `mask` is already offset to the batch entry.
private func backwardKeyTiles(
    queries allQueries: HeadMajorBuffer, outGrads allOutGrads: HeadMajorBuffer,
    keys allKeys: HeadMajorBuffer, values allValues: HeadMajorBuffer,
    logSumExp: UnsafePointer<Float>, rowDot: UnsafePointer<Float>,
    dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
    shape: AttentionShape, mask: UnsafePointer<Bool>?, tiling: AttentionTiling,
    batch: Int, kvHead: Int, split: Int, splits: Int, scratch: BackwardScratch
) {
    let d = shape.headDim, tq = shape.queryLength, tk = shape.keyLength
    let br = tiling.queryBlock, bc = tiling.keyBlock
    let queryStride = shape.heads * d, keyStride = shape.kvHeads * d
    let kvOffset = (batch * tk * shape.kvHeads + kvHead) * d
    let p = scratch.probabilities, ds = scratch.scoreGradients
    let dkTile = scratch.keyGradients, dvTile = scratch.valueGradients
    let scale = SIMD8<Float>(repeating: shape.scale)

    var firstKey = split * bc
    while firstKey < tk {
        defer { firstKey += splits * bc }
        let cols = min(bc, tk - firstKey)
        let keys = allKeys.row(batch: batch, head: kvHead, position: firstKey)
        attentionTranspose(
            rows: cols, width: d, source: keys, sourceStride: allKeys.rowStride,
            destination: scratch.keysTransposed, destinationStride: bc)
        attentionTranspose(
            rows: cols, width: d, source: allValues.row(batch: batch, head: kvHead, position: firstKey),
            sourceStride: allValues.rowStride, destination: scratch.valuesTransposed, destinationStride: bc)
        dkTile.update(repeating: 0, count: cols * d)
        dvTile.update(repeating: 0, count: cols * d)

        for head in (kvHead * shape.groupSize)..<((kvHead + 1) * shape.groupSize) {
            let lse = logSumExp + (batch * shape.heads + head) * tq
            let dots = rowDot + (batch * shape.heads + head) * tq
            var firstQuery = 0
            while firstQuery < tq {
                defer { firstQuery += br }
                let rows = min(br, tq - firstQuery)
                // Skip query tiles that the causal/window rule hides from this key tile.
                if shape.firstVisibleKey(query: firstQuery) >= firstKey + cols
                    || shape.visibleKeyEnd(query: firstQuery + rows - 1) <= firstKey
                { continue }
                let rowOffset = ((batch * tq + firstQuery) * shape.heads + head) * d
                let queries = allQueries.row(batch: batch, head: head, position: firstQuery)
                let outGrad = allOutGrads.row(batch: batch, head: head, position: firstQuery)

                // P = exp(scale * q kᵀ - logSumExp), zero where hidden.
                attentionTileProduct(
                    m: rows, n: cols, depth: d, a: queries, aRowStride: allQueries.rowStride, aDepthStride: 1,
                    b: scratch.keysTransposed, ldb: bc, c: p, ldc: bc, accumulate: false)
                for i in 0..<rows {
                    let query = firstQuery + i
                    recomputeProbabilities(
                        p + i * bc, count: cols, firstKey: firstKey, query: query,
                        logSumExp: lse[query], shape: shape, maskRow: mask.map { $0 + query * tk })
                }
                // dv += Pᵀ dOut
                attentionTileProduct(
                    m: cols, n: d, depth: rows, a: p, aRowStride: 1, aDepthStride: bc,
                    b: outGrad, ldb: allOutGrads.rowStride, c: dvTile, ldc: d, accumulate: true)
                // dP = dOut vᵀ, then dS = scale * P ⊙ (dP - D)
                attentionTileProduct(
                    m: rows, n: cols, depth: d, a: outGrad, aRowStride: allOutGrads.rowStride, aDepthStride: 1,
                    b: scratch.valuesTransposed, ldb: bc, c: ds, ldc: bc, accumulate: false)
                for i in 0..<rows {
                    let prow = p + i * bc, drow = ds + i * bc
                    let dot = dots[firstQuery + i], vdot = SIMD8<Float>(repeating: dot)
                    var j = 0
                    while j + 8 <= cols {
                        store8(load8(prow + j) * (load8(drow + j) - vdot) * scale, drow + j)
                        j += 8
                    }
                    while j < cols { drow[j] = prow[j] * (drow[j] - dot) * shape.scale; j += 1 }
                }
                // dk += dSᵀ q
                attentionTileProduct(
                    m: cols, n: d, depth: rows, a: ds, aRowStride: 1, aDepthStride: bc,
                    b: queries, ldb: allQueries.rowStride, c: dkTile, ldc: d, accumulate: true)
                // dq += dS k
                attentionTileProduct(
                    m: rows, n: d, depth: cols, a: ds, aRowStride: bc, aDepthStride: 1,
                    b: keys, ldb: allKeys.rowStride, c: dq + rowOffset, ldc: queryStride, accumulate: true)
            }
        }

        for j in 0..<cols {
            let offset = kvOffset + (firstKey + j) * keyStride
            (dk + offset).update(from: dkTile + j * d, count: d)
            (dv + offset).update(from: dvTile + j * d, count: d)
        }
    }
}

/// Turns a row of raw scores `q_i·k_j` for keys `firstKey ..< firstKey + count` into the
/// forward pass's probabilities `exp(scale * q_i·k_j - logSumExp)`, 0 at every key the shape
/// or the mask hides and for queries that see no key. `maskRow` points at the mask entry
/// of key 0 for this query.
@inline(__always)
private func recomputeProbabilities(
    _ s: UnsafeMutablePointer<Float>, count: Int, firstKey: Int, query: Int, logSumExp: Float,
    shape: AttentionShape, maskRow: UnsafePointer<Bool>?
) {
    if logSumExp == -.infinity {
        s.update(repeating: 0, count: count)
        return
    }
    let lower = min(count, max(0, shape.firstVisibleKey(query: query) - firstKey))
    let upper = max(lower, min(count, shape.visibleKeyEnd(query: query) - firstKey))
    for j in 0..<lower { s[j] = 0 }
    for j in upper..<count { s[j] = 0 }
    var j = lower
    #if arch(x86_64)
    if usesAVX512Kernels {
        let run = (upper - lower) / 16 * 16
        attentionRecomputeExp16(s + lower, count: run, scale: shape.scale, logSumExp: logSumExp)
        j += run
    }
    #endif
    let scale = SIMD8<Float>(repeating: shape.scale), shift = SIMD8<Float>(repeating: -logSumExp)
    while j + 8 <= upper {
        store8(vectorExp(fusedMultiplyAdd(shift, load8(s + j), scale)), s + j)
        j += 8
    }
    if j < upper {
        var tail = SIMD8<Float>(repeating: -.infinity)
        for t in 0..<(upper - j) { tail[t] = fusedMultiplyAdd(-logSumExp, s[j + t], shape.scale) }
        let e = vectorExp(tail)
        for t in 0..<(upper - j) { s[j + t] = e[t] }
    }
    if let maskRow {
        let m = maskRow + firstKey
        for j in lower..<upper where !m[j] { s[j] = 0 }
    }
}
