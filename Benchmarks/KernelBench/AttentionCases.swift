import Kernels

/// Fused causal attention, 8 heads of size 64, batch 1, at T = 512 ... 16384, and the decoding
/// step (one query per head over T = 2048 and 16384 cached keys).
/// FLOPs: forward 4·T²·d per head, halved by causality; backward counted as 2.5x forward.
/// Sizes up to 2048 are checked against the naive reference; longer ones against a 512-token
/// prefix problem (causal attention of the first 512 queries only sees the first 512 keys, and
/// with dOut zero past the prefix, the gradients must equal the prefix problem's, and vanish after).
func attentionCases() -> [BenchmarkCase] {
    let heads = 8, headDim = 64
    var cases: [BenchmarkCase] = []
    for length in [512, 2048, 8192, 16384] {
        let forwardFlops = 4.0 * Double(length) * Double(length) * Double(headDim) * Double(heads) * 0.5
        let shape = AttentionShape(heads: heads, queryLength: length, headDim: headDim)
        let count = length * heads * headDim
        cases.append(BenchmarkCase(kernel: "attention.fwd", shape: [length, heads, headDim], work: .flops(forwardFlops)) {
            let q = BenchArray.random(count: count, seed: 1), k = BenchArray.random(count: count, seed: 2)
            let v = BenchArray.random(count: count, seed: 3)
            let out = BenchArray(count: count), lse = BenchArray(count: heads * length)
            return BenchmarkInstance(
                run: { attentionForward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer, shape: shape) },
                check: { try checkAttentionForward(q: q, k: k, v: v, out: out, length: length, heads: heads, headDim: headDim) })
        })
        cases.append(BenchmarkCase(kernel: "attention.bwd", shape: [length, heads, headDim], work: .flops(2.5 * forwardFlops)) {
            let q = BenchArray.random(count: count, seed: 4), k = BenchArray.random(count: count, seed: 5)
            let v = BenchArray.random(count: count, seed: 6), dOut = BenchArray.random(count: count, seed: 7)
            let out = BenchArray(count: count), lse = BenchArray(count: heads * length)
            attentionForward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer, shape: shape)
            let dq = BenchArray(count: count), dk = BenchArray(count: count), dv = BenchArray(count: count)
            return BenchmarkInstance(
                run: {
                    attentionBackward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer,
                                      dOut: dOut.pointer, dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: shape)
                },
                check: { try checkAttentionBackward(q: q, k: k, v: v, length: length, heads: heads, headDim: headDim) })
        })
    }
    // Decoding: one query per head against T cached keys (the step of generation with a KV
    // cache), memory-bound: reported as GB/s of keys and values read.
    for length in [2048, 16384] {
        let shape = AttentionShape(heads: heads, queryLength: 1, keyLength: length, headDim: headDim)
        let cached = length * heads * headDim
        cases.append(BenchmarkCase(
            kernel: "attention.decode", shape: [length, heads, headDim], work: .bytes(2.0 * Double(cached) * 4)
        ) {
            let q = BenchArray.random(count: heads * headDim, seed: 8), k = BenchArray.random(count: cached, seed: 9)
            let v = BenchArray.random(count: cached, seed: 10)
            let out = BenchArray(count: heads * headDim), lse = BenchArray(count: heads)
            return BenchmarkInstance(
                run: { attentionForward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer, shape: shape) },
                check: {
                    let expected = BenchArray(count: heads * headDim), expectedLSE = BenchArray(count: heads)
                    Reference.attentionForward(
                        q: q.pointer, k: k.pointer, v: v.pointer, out: expected.pointer, logSumExp: expectedLSE.pointer, shape: shape)
                    try expectClose(out.pointer, expected.pointer, count: expected.count, tolerance: 1e-5, what: "attention.decode T=\(length)")
                })
        })
    }
    return cases
}

private func checkAttentionForward(q: BenchArray, k: BenchArray, v: BenchArray, out: BenchArray, length: Int, heads: Int, headDim: Int) throws {
    let checked = min(length, 2048)
    let shape = AttentionShape(heads: heads, queryLength: checked, headDim: headDim)
    let expected = BenchArray(count: checked * heads * headDim), lse = BenchArray(count: heads * checked)
    Reference.attentionForward(q: q.pointer, k: k.pointer, v: v.pointer, out: expected.pointer, logSumExp: lse.pointer, shape: shape)
    try expectClose(out.pointer, expected.pointer, count: expected.count, tolerance: 1e-5, what: "attention.fwd T=\(length) (first \(checked) queries)")
}

private func checkAttentionBackward(q: BenchArray, k: BenchArray, v: BenchArray, length: Int, heads: Int, headDim: Int) throws {
    let prefix = min(length, 512)
    let count = length * heads * headDim, prefixCount = prefix * heads * headDim
    let dOut = BenchArray.random(count: count, seed: 8)
    (dOut.pointer + prefixCount).update(repeating: 0, count: count - prefixCount)
    let full = AttentionShape(heads: heads, queryLength: length, headDim: headDim)
    let out = BenchArray(count: count), lse = BenchArray(count: heads * length)
    let dq = BenchArray(count: count), dk = BenchArray(count: count), dv = BenchArray(count: count)
    attentionForward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer, shape: full)
    attentionBackward(q: q.pointer, k: k.pointer, v: v.pointer, out: out.pointer, logSumExp: lse.pointer,
                      dOut: dOut.pointer, dq: dq.pointer, dk: dk.pointer, dv: dv.pointer, shape: full)
    let small = AttentionShape(heads: heads, queryLength: prefix, headDim: headDim)
    let rq = BenchArray(count: prefixCount), rk = BenchArray(count: prefixCount), rv = BenchArray(count: prefixCount)
    Reference.attentionBackward(q: q.pointer, k: k.pointer, v: v.pointer, dOut: dOut.pointer, dq: rq.pointer, dk: rk.pointer, dv: rv.pointer, shape: small)
    try expectClose(dq.pointer, rq.pointer, count: prefixCount, tolerance: 1e-4, what: "attention.bwd dq T=\(length)")
    try expectClose(dk.pointer, rk.pointer, count: prefixCount, tolerance: 1e-4, what: "attention.bwd dk T=\(length)")
    try expectClose(dv.pointer, rv.pointer, count: prefixCount, tolerance: 1e-4, what: "attention.bwd dv T=\(length)")
    for i in prefixCount..<count where dk.pointer[i] != 0 || dv.pointer[i] != 0 {
        throw BenchmarkMismatch(description: "attention.bwd T=\(length): gradient of key \(i / (heads * headDim)) past the prefix is not zero")
    }
}
