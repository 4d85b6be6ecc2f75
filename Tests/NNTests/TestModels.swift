@testable import NN

/// `fc2(relu(fc1(x)))`: the small classifier used by optimizer and training tests.
final class TwoLayerPerceptron: Module {
    let fc1: Linear
    let fc2: Linear

    init(inputs: Int, hidden: Int, classes: Int, generator: inout RandomGenerator) {
        fc1 = Linear(inputSize: inputs, outputSize: hidden, generator: &generator)
        fc2 = Linear(inputSize: hidden, outputSize: classes, generator: &generator)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
}

/// Multi-head causal self-attention written with tensor ops (no KV cache, no RoPE).
final class CausalSelfAttention: Module {
    let qProj: Linear
    let kProj: Linear
    let vProj: Linear
    let oProj: Linear
    let heads: Int

    init(dimension: Int, heads: Int, generator: inout RandomGenerator) {
        precondition(dimension % heads == 0, "CausalSelfAttention: \(heads) heads do not divide \(dimension)")
        qProj = Linear(inputSize: dimension, outputSize: dimension, bias: false, generator: &generator)
        kProj = Linear(inputSize: dimension, outputSize: dimension, bias: false, generator: &generator)
        vProj = Linear(inputSize: dimension, outputSize: dimension, bias: false, generator: &generator)
        oProj = Linear(inputSize: dimension, outputSize: dimension, bias: false, generator: &generator)
        self.heads = heads
    }

    /// `x`: (batch, sequence, dimension).
    func callAsFunction(_ x: Tensor) -> Tensor {
        let (batch, length, dimension) = (x.shape[0], x.shape[1], x.shape[2])
        let headDimension = dimension / heads
        // (B, T, C) -> (B, H, T, D)
        func split(_ t: Tensor) -> Tensor { t.reshaped([batch, length, heads, headDimension]).permuted([0, 2, 1, 3]) }
        let q = split(qProj(x)), k = split(kProj(x)), v = split(vProj(x))
        let scores = Tensor.matmul(q, k, transposeB: true) * (1 / Float(headDimension).squareRoot())
        let weights = scores.causallyMasked().softmax()
        let mixed = Tensor.matmul(weights, v).permuted([0, 2, 1, 3]).reshaped([batch, length, dimension])
        return oProj(mixed)
    }
}

/// One pre-norm decoder block between token + learned position embeddings and an LM head.
final class TinyCausalTransformer: Module {
    let embedTokens: Embedding
    let embedPositions: Embedding
    let inputLayernorm: RMSNorm
    let selfAttn: CausalSelfAttention
    let postAttentionLayernorm: RMSNorm
    let mlp: SwiGLUMLP
    let norm: RMSNorm
    let lmHead: Linear

    init(vocabulary: Int, length: Int, dimension: Int, heads: Int, generator: inout RandomGenerator) {
        embedTokens = Embedding(count: vocabulary, dimension: dimension, standardDeviation: 0.5, generator: &generator)
        embedPositions = Embedding(count: length, dimension: dimension, standardDeviation: 0.5, generator: &generator)
        inputLayernorm = RMSNorm(dimension: dimension, epsilon: 1e-5)
        selfAttn = CausalSelfAttention(dimension: dimension, heads: heads, generator: &generator)
        postAttentionLayernorm = RMSNorm(dimension: dimension, epsilon: 1e-5)
        mlp = SwiGLUMLP(dimension: dimension, hiddenDimension: 2 * dimension, generator: &generator)
        norm = RMSNorm(dimension: dimension, epsilon: 1e-5)
        lmHead = Linear(inputSize: dimension, outputSize: vocabulary, bias: false, generator: &generator)
    }

    /// Logits (batch, sequence, vocabulary) for equal-length sequences of token ids.
    func callAsFunction(_ ids: [[Int]]) -> Tensor {
        let length = ids[0].count
        let positions = embedPositions((0..<length).map(Int32.init), shape: [length])
        var hidden = embedTokens(ids) + positions
        hidden = hidden + selfAttn(inputLayernorm(hidden))
        hidden = hidden + mlp(postAttentionLayernorm(hidden))
        return lmHead(norm(hidden))
    }
}
