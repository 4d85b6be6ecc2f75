/// One pre-norm decoder block: `h = x + attn(norm(x)); out = h + mlp(norm(h))`.
public final class LlamaDecoderLayer: Module {
    public let selfAttn: LlamaAttention
    public let mlp: SwiGLUMLP
    public let inputLayernorm: RMSNorm
    public let postAttentionLayernorm: RMSNorm

    public init(configuration c: LlamaConfiguration, generator: inout RandomGenerator) {
        selfAttn = LlamaAttention(configuration: c, generator: &generator)
        mlp = SwiGLUMLP(
            dimension: c.hiddenSize, hiddenDimension: c.intermediateSize, bias: c.mlpBias,
            standardDeviation: 0.02, generator: &generator)
        inputLayernorm = RMSNorm(dimension: c.hiddenSize, epsilon: Float(c.rmsNormEps))
        postAttentionLayernorm = RMSNorm(dimension: c.hiddenSize, epsilon: Float(c.rmsNormEps))
    }

    public func callAsFunction(
        _ x: Tensor, rotary: RotaryTables, cache: KVCache.Layer? = nil, probabilities: Bool = false
    ) -> (output: Tensor, probabilities: Tensor?) {
        let attention = selfAttn(inputLayernorm(x), rotary: rotary, cache: cache, probabilities: probabilities)
        let h = x + attention.output
        return (h + mlp(postAttentionLayernorm(h)), attention.probabilities)
    }
}

/// The decoder stack without the LM head (Hugging Face's `LlamaModel`, key `model`).
public final class LlamaModel: Module {
    public let embedTokens: Embedding
    public let layers: [LlamaDecoderLayer]
    public let norm: RMSNorm

    public init(configuration c: LlamaConfiguration, generator: inout RandomGenerator) {
        embedTokens = Embedding(count: c.vocabSize, dimension: c.hiddenSize, standardDeviation: 0.02, generator: &generator)
        layers = (0..<c.numHiddenLayers).map { _ in LlamaDecoderLayer(configuration: c, generator: &generator) }
        norm = RMSNorm(dimension: c.hiddenSize, epsilon: Float(c.rmsNormEps))
    }
}
