import Synchronization
import Foundation
import Testing
@testable import Kernels

/// Deterministic inputs: SplitMix64 mapped to [-1, 1).
private struct SplitMix {
    var state: UInt64
    mutating func next() -> Float {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Float(z >> 40) / Float(1 << 23) - 1
    }
    mutating func values(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in next() * scale } }
}

/// One attention problem with its inputs.
private struct Problem {
    var shape: AttentionShape
    var tiling = AttentionTiling(queryBlock: 8, keyBlock: 8)
    var mask: [Bool]? = nil
    var maskBatchStride: Int? = nil
    var q: [Float], k: [Float], v: [Float], dOut: [Float]

    init(_ shape: AttentionShape, tiling: AttentionTiling = AttentionTiling(queryBlock: 8, keyBlock: 8), seed: UInt64 = 1) {
        self.shape = shape
        self.tiling = tiling
        var rng = SplitMix(state: seed)
        let queries = shape.batch * shape.queryLength * shape.heads * shape.headDim
        let keys = shape.batch * shape.keyLength * shape.kvHeads * shape.headDim
        // Scaled up so that the softmax is far from uniform.
        q = rng.values(queries, scale: 2)
        k = rng.values(keys, scale: 2)
        v = rng.values(keys)
        dOut = rng.values(queries)
    }

    var queryCount: Int { q.count }
    var keyCount: Int { k.count }
    var lseCount: Int { shape.batch * shape.heads * shape.queryLength }
}

private struct Results: Equatable {
    var out: [Float], lse: [Float], dq: [Float], dk: [Float], dv: [Float]

    /// Bit patterns, so that the comparison is exact and -0 differs from 0.
    var bits: [[UInt32]] { [out, lse, dq, dk, dv].map { $0.map(\.bitPattern) } }
}

private func withMask<R>(_ p: Problem, _ body: (UnsafePointer<Bool>?) -> R) -> R {
    guard let mask = p.mask else { return body(nil) }
    return mask.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Runs the tiled kernels (the `nan` fill checks that every output element is written).
private func runKernels(_ p: Problem) -> Results {
    var r = Results(
        out: .init(repeating: .nan, count: p.queryCount), lse: .init(repeating: .nan, count: p.lseCount),
        dq: .init(repeating: .nan, count: p.queryCount), dk: .init(repeating: .nan, count: p.keyCount),
        dv: .init(repeating: .nan, count: p.keyCount))
    withMask(p) { mask in
        attentionForward(
            q: p.q, k: p.k, v: p.v, out: &r.out, logSumExp: &r.lse, shape: p.shape, mask: mask,
            maskBatchStride: p.maskBatchStride, tiling: p.tiling)
        attentionBackward(
            q: p.q, k: p.k, v: p.v, out: r.out, logSumExp: r.lse, dOut: p.dOut, dq: &r.dq, dk: &r.dk,
            dv: &r.dv, shape: p.shape, mask: mask, maskBatchStride: p.maskBatchStride, tiling: p.tiling)
    }
    return r
}

private func runReference(_ p: Problem) -> Results {
    var r = Results(
        out: .init(repeating: .nan, count: p.queryCount), lse: .init(repeating: .nan, count: p.lseCount),
        dq: .init(repeating: .nan, count: p.queryCount), dk: .init(repeating: .nan, count: p.keyCount),
        dv: .init(repeating: .nan, count: p.keyCount))
    withMask(p) { mask in
        Reference.attentionForward(
            q: p.q, k: p.k, v: p.v, out: &r.out, logSumExp: &r.lse, shape: p.shape, mask: mask,
            maskBatchStride: p.maskBatchStride)
        Reference.attentionBackward(
            q: p.q, k: p.k, v: p.v, dOut: p.dOut, dq: &r.dq, dk: &r.dk, dv: &r.dv, shape: p.shape,
            mask: mask, maskBatchStride: p.maskBatchStride)
    }
    return r
}

/// Largest `|a - b| / (1 + |b|)`; infinities must match exactly.
private func maxError(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        if x.isInfinite || y.isInfinite {
            if x != y { return .infinity }
            continue
        }
        let e = abs(x - y) / (1 + abs(y))
        worst = e.isNaN ? .infinity : max(worst, e)
    }
    return worst
}

private func expectMatchesReference(_ p: Problem, tolerance: Float = 2e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    let got = runKernels(p), want = runReference(p)
    let names = ["out", "logSumExp", "dq", "dk", "dv"]
    for (name, (a, b)) in zip(names, zip([got.out, got.lse, got.dq, got.dk, got.dv], [want.out, want.lse, want.dq, want.dk, want.dv])) {
        let error = maxError(a, b)
        #expect(error <= tolerance, "\(name) differs from the reference by \(error)", sourceLocation: sourceLocation)
    }
}

@Suite(.serialized) struct AttentionTests {
    @Test func causalMultiHead() {
        expectMatchesReference(Problem(AttentionShape(batch: 2, heads: 2, queryLength: 37, headDim: 16)))
    }

    @Test func nonCausalMultiHead() {
        expectMatchesReference(
            Problem(AttentionShape(batch: 1, heads: 2, queryLength: 29, headDim: 8, causal: false)))
    }

    @Test func groupedQuery() {
        expectMatchesReference(Problem(AttentionShape(heads: 4, kvHeads: 2, queryLength: 33, headDim: 16)))
        expectMatchesReference(
            Problem(AttentionShape(heads: 4, kvHeads: 2, queryLength: 21, headDim: 8, causal: false)))
    }

    @Test func multiQueryWithOddTiles() {
        let shape = AttentionShape(batch: 2, heads: 4, kvHeads: 1, queryLength: 40, headDim: 8)
        expectMatchesReference(Problem(shape, tiling: AttentionTiling(queryBlock: 5, keyBlock: 7)))
    }

    @Test func slidingWindow() {
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 35, headDim: 8, window: 6)))
        // A window with no causal limit only hides keys too far in the past.
        expectMatchesReference(
            Problem(AttentionShape(heads: 2, kvHeads: 1, queryLength: 26, headDim: 8, causal: false, window: 11)))
    }

    @Test func booleanMaskWithFullyMaskedRow() {
        var p = Problem(AttentionShape(batch: 2, heads: 2, queryLength: 19, headDim: 8), seed: 7)
        var rng = SplitMix(state: 99)
        var mask = (0..<(2 * 19 * 19)).map { _ in rng.next() > -0.4 }
        for j in 0..<19 { mask[3 * 19 + j] = false }  // batch 0, query 3 sees nothing
        for j in 0..<19 { mask[19 * 19 + 12 * 19 + j] = false }  // batch 1, query 12
        p.mask = mask
        expectMatchesReference(p)
        let r = runKernels(p)
        for (b, query) in [(0, 3), (1, 12)] {
            for h in 0..<2 {
                #expect(r.lse[(b * 2 + h) * 19 + query] == -.infinity)
                let row = ((b * 19 + query) * 2 + h) * 8
                #expect(r.out[row..<(row + 8)].allSatisfy { $0 == 0 })
                #expect(r.dq[row..<(row + 8)].allSatisfy { $0 == 0 })
            }
        }
        #expect(!r.dq.contains { $0.isNaN } && !r.dk.contains { $0.isNaN } && !r.dv.contains { $0.isNaN })
    }

    @Test func broadcastMask() {
        var p = Problem(AttentionShape(batch: 3, heads: 2, queryLength: 12, keyLength: 17, headDim: 8, causal: false))
        var rng = SplitMix(state: 5)
        p.mask = (0..<(12 * 17)).map { _ in rng.next() > 0 }
        p.maskBatchStride = 0
        expectMatchesReference(p)
    }

    @Test func queriesAfterCachedKeys() {
        // Decoding with a KV cache: the queries are the last positions.
        expectMatchesReference(Problem(AttentionShape(heads: 4, kvHeads: 2, queryLength: 5, keyLength: 31, headDim: 16)))
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 1, keyLength: 23, headDim: 8, window: 9)))
        // Queries in the middle of the keys, and queries with no visible key at all.
        expectMatchesReference(
            Problem(AttentionShape(heads: 2, queryLength: 8, keyLength: 31, headDim: 8, queryOffset: 10)))
        expectMatchesReference(
            Problem(AttentionShape(heads: 2, queryLength: 12, keyLength: 20, headDim: 8, queryOffset: -4)))
        // Empty query or key sets: zero gradients, and outputs 0 with logSumExp -infinity.
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 0, keyLength: 9, headDim: 8)))
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 3, keyLength: 0, headDim: 8)))
    }

    /// One query per head (the decoding step) takes its own path: every key row once per group.
    @Test func singleQueryDecoding() {
        expectMatchesReference(Problem(AttentionShape(batch: 2, heads: 6, kvHeads: 2, queryLength: 1, keyLength: 70, headDim: 12)))
        expectMatchesReference(Problem(AttentionShape(heads: 4, kvHeads: 1, queryLength: 1, keyLength: 41, headDim: 16, window: 9)))
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 1, keyLength: 30, headDim: 5, queryOffset: 12)))
        // A mask per batch entry (one of them hides every key: output 0, logSumExp -infinity).
        var masked = Problem(AttentionShape(batch: 2, heads: 4, kvHeads: 2, queryLength: 1, keyLength: 19, headDim: 8))
        var rng = SplitMix(state: 9)
        masked.mask = (0..<19).map { _ in rng.next() > 0 } + [Bool](repeating: false, count: 19)
        expectMatchesReference(masked)
        #expect(runKernels(masked).lse.suffix(4).allSatisfy { $0 == -.infinity })
        // The same bits on any thread count.
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        let p = Problem(AttentionShape(batch: 2, heads: 6, kvHeads: 3, queryLength: 1, keyLength: 53, headDim: 24))
        Parallel.maxThreads = 1
        let one = runKernels(p)
        Parallel.maxThreads = 2
        #expect(runKernels(p).bits == one.bits)
    }

    @Test func headDimensionNotMultipleOfEight() {
        expectMatchesReference(Problem(AttentionShape(heads: 2, kvHeads: 1, queryLength: 27, headDim: 13)))
        expectMatchesReference(Problem(AttentionShape(heads: 2, queryLength: 18, headDim: 20, causal: false)))
        expectMatchesReference(Problem(AttentionShape(heads: 1, queryLength: 9, headDim: 3)))
    }

    @Test func defaultTiling() {
        expectMatchesReference(
            Problem(AttentionShape(batch: 2, heads: 4, kvHeads: 2, queryLength: 40, headDim: 16), tiling: AttentionTiling()))
    }

    @Test func scratchSplitsAgree() {
        // One split (dq written in place) and several (dq summed from scratch buffers).
        let shape = AttentionShape(heads: 2, kvHeads: 1, queryLength: 38, headDim: 8)
        var single = Problem(shape)
        single.tiling.backwardWorkItems = 1
        var several = Problem(shape)
        several.tiling.backwardWorkItems = 5
        expectMatchesReference(single)
        expectMatchesReference(several)
        #expect(maxError(runKernels(single).dq, runKernels(several).dq) <= 1e-6)
    }

    @Test func sameBitsForAnyThreadCount() {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        let problems = [
            Problem(AttentionShape(batch: 2, heads: 4, kvHeads: 1, queryLength: 40, headDim: 16, window: 17)),
            Problem(AttentionShape(heads: 2, queryLength: 33, headDim: 12, causal: false)),
        ]
        for p in problems {
            Parallel.maxThreads = 1
            let one = runKernels(p)
            Parallel.maxThreads = 2
            let two = runKernels(p)
            Parallel.maxThreads = 3
            let three = runKernels(p)
            #expect(one.bits == two.bits)
            #expect(one.bits == three.bits)
        }
    }

    /// The AVX-512 tile products (8 x 32 and 12 x 16 blocks) must give the bits of the
    /// SIMD8 path; the default 64 x 64 tiles and these lengths reach both block shapes,
    /// the leftover rows and columns, and the causal edge tiles.
    @Test func avx512AndSIMD8GiveIdenticalBits() {
        guard CPUFeatures.hasAVX512 else { return }
        defer { avx512KernelsEnabled.store(true, ordering: .relaxed) }
        let problems = [
            Problem(AttentionShape(heads: 2, queryLength: 100, headDim: 32), tiling: AttentionTiling()),
            Problem(AttentionShape(batch: 2, heads: 4, kvHeads: 2, queryLength: 75, headDim: 64, window: 40), tiling: AttentionTiling()),
            Problem(AttentionShape(heads: 1, queryLength: 70, headDim: 48, causal: false), tiling: AttentionTiling()),
        ]
        for p in problems {
            avx512KernelsEnabled.store(true, ordering: .relaxed)
            let wide = runKernels(p)
            expectMatchesReference(p)
            avx512KernelsEnabled.store(false, ordering: .relaxed)
            let narrow = runKernels(p)
            #expect(wide.bits == narrow.bits, "\(p.shape)")
        }
    }

    /// Central differences of `loss = Σ out ⊙ R` in Double check both the reference's
    /// analytic backward (tightly) and the kernels' Float gradients.
    @Test func gradientsMatchFiniteDifferences() {
        let shape = AttentionShape(heads: 2, kvHeads: 1, queryLength: 6, keyLength: 7, headDim: 4, window: 5)
        var p = Problem(shape, tiling: AttentionTiling(queryBlock: 4, keyBlock: 4), seed: 3)
        p.mask = (0..<(6 * 7)).map { ($0 * 7) % 5 != 0 }
        let mask = p.mask!
        let maskFunction: Reference.AttentionMask = { _, i, j in mask[i * 7 + j] }
        let r = p.dOut.map(Double.init)
        var inputs = [p.q, p.k, p.v].map { $0.map(Double.init) }
        func loss() -> Double {
            let out = Reference.attentionForward(q: inputs[0], k: inputs[1], v: inputs[2], shape: shape, mask: maskFunction).out
            return zip(out, r).reduce(0) { $0 + $1.0 * $1.1 }
        }
        let analytic = Reference.attentionBackward(
            q: inputs[0], k: inputs[1], v: inputs[2], dOut: r, shape: shape, mask: maskFunction)
        let kernels = runKernels(p)
        let h = 1e-5
        for (which, (exact, fast)) in zip(0..<3, zip([analytic.dq, analytic.dk, analytic.dv], [kernels.dq, kernels.dk, kernels.dv])) {
            for e in 0..<inputs[which].count {
                let x = inputs[which][e]
                inputs[which][e] = x + h
                let up = loss()
                inputs[which][e] = x - h
                let down = loss()
                inputs[which][e] = x
                let numeric = (up - down) / (2 * h)
                #expect(abs(exact[e] - numeric) <= 1e-7 * (1 + abs(numeric)), "input \(which) element \(e)")
                #expect(abs(Double(fast[e]) - numeric) <= 2e-5 * (1 + abs(numeric)), "input \(which) element \(e)")
            }
        }
    }
}
