import Testing
@testable import Tensors

@Suite("Fused attention op")
struct AttentionOpTests {
    /// Attention written with plain ops: (B, T, H, D) in, per-head softmax(QKᵀ·s + mask)·V.
    func composedAttention(_ q: Tensor, _ k: Tensor, _ v: Tensor, groups: Int) -> Tensor {
        let qh = q.permuted([0, 2, 1, 3])  // (B, H, T, D)
        let repeatHeads = { (t: Tensor) -> Tensor in
            let perHead = t.permuted([0, 2, 1, 3])  // (B, Hkv, T, D)
            let pieces = (0..<perHead.shape[1]).flatMap { h in
                Array(repeating: perHead.sliced(alongAxis: 1, h..<(h + 1)), count: groups)
            }
            return Tensor.concatenated(pieces, alongAxis: 1)
        }
        let kh = repeatHeads(k), vh = repeatHeads(v)
        let scores = Tensor.matmul(qh, kh, transposeB: true) / Float(q.shape[3]).squareRoot()
        let probabilities = scores.causallyMasked().softmax()
        return Tensor.matmul(probabilities, vh).permuted([0, 2, 1, 3])
    }

    @Test func matchesComposedAttentionWithGroupedHeads() {
        let q = randomTensor([2, 5, 4, 8], seed: 61)
        let k = randomTensor([2, 5, 2, 8], seed: 62)
        let v = randomTensor([2, 5, 2, 8], seed: 63)
        let fused = Tensor.scaledDotProductAttention(query: q, key: k, value: v)
        expectClose(fused.scalars, composedAttention(q, k, v, groups: 2).scalars, tolerance: 1e-5)
    }

    @Test func gradientsMatchFiniteDifferences() {
        let q = randomTensor([1, 4, 2, 4], seed: 64)
        let k = randomTensor([1, 4, 1, 4], seed: 65)
        let v = randomTensor([1, 4, 1, 4], seed: 66)
        expectGradientsMatch([q, k, v]) { Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2]) }
        expectGradientsMatch([q, k, v]) {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], window: 2)
        }
        let mask = BooleanMask([true, false, true, true, true, true, false, true, true, true, true, false, true, true, true, true], shape: [1, 4, 4])
        expectGradientsMatch([q, k, v]) {
            Tensor.scaledDotProductAttention(query: $0[0], key: $0[1], value: $0[2], causal: false, mask: mask)
        }
    }
}
