/// Grouped-query self-attention with rotary position embedding (Llama / Mistral).
/// Parameter keys follow Hugging Face: `q_proj`, `k_proj`, `v_proj`, `o_proj`.
public final class LlamaAttention: Module {
    public let qProj: Linear
    public let kProj: Linear
    public let vProj: Linear
    public let oProj: Linear
    public let heads: Int
    public let kvHeads: Int
    public let headDim: Int
    /// Mistral's sliding window: a token attends to itself and the `window - 1` before it.
    public let slidingWindow: Int?

    public init(configuration c: LlamaConfiguration, generator: inout RandomGenerator) {
        let std = Float(0.02)
        heads = c.numAttentionHeads
        kvHeads = c.numKeyValueHeads
        headDim = c.headDim
        slidingWindow = c.slidingWindow
        qProj = Linear(inputSize: c.hiddenSize, outputSize: heads * headDim, bias: c.attentionBias, standardDeviation: std, generator: &generator)
        kProj = Linear(inputSize: c.hiddenSize, outputSize: kvHeads * headDim, bias: c.attentionBias, standardDeviation: std, generator: &generator)
        vProj = Linear(inputSize: c.hiddenSize, outputSize: kvHeads * headDim, bias: c.attentionBias, standardDeviation: std, generator: &generator)
        oProj = Linear(inputSize: heads * headDim, outputSize: c.hiddenSize, bias: c.attentionBias, standardDeviation: std, generator: &generator)
    }

    /// - Parameters:
    ///   - x: (batch, sequence, hidden).
    ///   - rotary: the pass's cos/sin tables.
    ///   - cache: when given, the new keys/values are appended and attention runs over all
    ///     cached keys (generation); otherwise plain causal self-attention.
    ///   - probabilities: when true, also returns the attention probabilities
    ///     (batch, heads, sequence, keys), materialised: meant for short diagnostic inputs.
    public func callAsFunction(
        _ x: Tensor, rotary: RotaryTables, cache: KVCache.Layer? = nil, probabilities: Bool = false
    ) -> (output: Tensor, probabilities: Tensor?) {
        let (batch, sequence) = (x.shape[0], x.shape[1])
        let q = Tensor.rotaryEmbedding(qProj(x).reshaped([batch, sequence, heads, headDim]), cos: rotary.cos, sin: rotary.sin)
        var k = Tensor.rotaryEmbedding(kProj(x).reshaped([batch, sequence, kvHeads, headDim]), cos: rotary.cos, sin: rotary.sin)
        var v = vProj(x).reshaped([batch, sequence, kvHeads, headDim])
        if let cache { (k, v) = cache.append(keys: k, values: v) }
        let attended = Tensor.scaledDotProductAttention(query: q, key: k, value: v, window: slidingWindow)
        let output = oProj(attended.reshaped([batch, sequence, heads * headDim]))
        return (output, probabilities ? attentionProbabilities(query: q, key: k) : nil)
    }

    /// softmax(QKᵀ/√d + causal/window mask), (batch, heads, queries, keys).
    func attentionProbabilities(query q: Tensor, key k: Tensor) -> Tensor {
        let (queries, keys) = (q.shape[1], k.shape[1])
        let group = heads / kvHeads
        let qh = q.permuted([0, 2, 1, 3])  // (B, H, Tq, D)
        let kh = k.permuted([0, 2, 1, 3])  // (B, Hkv, Tk, D)
        let expanded = group == 1 ? kh : Tensor.concatenated(
            (0..<kvHeads).flatMap { h in Array(repeating: kh.sliced(alongAxis: 1, h..<(h + 1)), count: group) },
            alongAxis: 1)
        let scores = Tensor.matmul(qh, expanded, transposeB: true) / Float(headDim).squareRoot()
        let offset = keys - queries
        var hidden = [Bool](repeating: false, count: queries * keys)
        for i in 0..<queries {
            for j in 0..<keys where j > i + offset || (slidingWindow.map { j <= i + offset - $0 } ?? false) {
                hidden[i * keys + j] = true
            }
        }
        return scores.maskedFill(BooleanMask(hidden, shape: [queries, keys]), with: -.infinity).softmax()
    }
}
