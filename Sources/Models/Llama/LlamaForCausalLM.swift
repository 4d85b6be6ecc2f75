/// What one forward pass returns.
public struct CausalLMOutput {
    /// (batch, sequence, vocab), or (batch, 1, vocab) when only the last position was asked for.
    public let logits: Tensor
    /// When requested: the hidden state after each decoder layer, (batch, sequence, hidden);
    /// the last entry is the final-norm output (the LM head's input), as in METHODS.md §3.
    public let hiddenStates: [Tensor]
    /// When requested: attention probabilities per layer, (batch, heads, queries, keys).
    public let attentions: [Tensor]
}

/// A Llama- or Mistral-style causal language model with Hugging Face parameter names
/// (`model.layers.0.self_attn.q_proj.weight`, `lm_head.weight`).
///
/// Positions are explicit per token, so recipes can feed skipped position ids, and the
/// rotary embedding is a value (`rotary`) that can be swapped without touching weights.
public final class LlamaForCausalLM: Module {
    public let model: LlamaModel
    /// Nil when the configuration ties the LM head to the token embedding.
    public let lmHead: Linear?
    public let configuration: LlamaConfiguration
    /// The rotary frequencies used by every layer; replace it to extend the context.
    public var rotary: RotaryFrequencies
    /// The last forward pass's rotary tables (see ``rotaryTables(positions:batch:sequence:)``).
    private var lastRotaryTables: (frequencies: RotaryFrequencies, positions: [Int32], batch: Int, tables: RotaryTables)?

    /// A randomly initialised model (normal(0, 0.02) weights, unit norms), like Hugging Face's
    /// `_init_weights` with `initializer_range = 0.02`.
    public init(configuration: LlamaConfiguration, generator: inout RandomGenerator) {
        self.configuration = configuration
        model = LlamaModel(configuration: configuration, generator: &generator)
        lmHead = configuration.tieWordEmbeddings ? nil : Linear(
            inputSize: configuration.hiddenSize, outputSize: configuration.vocabSize, bias: false,
            standardDeviation: 0.02, generator: &generator)
        rotary = RotaryFrequencies(configuration: configuration)
    }

    /// The cos/sin tables for `positions`, reused while the positions and ``rotary`` stay the
    /// same: training repeats them every step, and evaluating tens of thousands of sines and
    /// cosines ran alone on the calling thread while the workers waited.
    private func rotaryTables(positions: [Int32], batch: Int, sequence: Int) -> RotaryTables {
        if let last = lastRotaryTables, last.frequencies == rotary, last.batch == batch, last.positions == positions {
            return last.tables
        }
        let tables = RotaryTables(frequencies: rotary, positions: positions, batch: batch, sequence: sequence)
        lastRotaryTables = (rotary, positions, batch, tables)
        return tables
    }

    /// Runs the model on `ids`, row-major (batch, sequence).
    ///
    /// - Parameters:
    ///   - positions: one position id per token (default `0..<sequence` per row, or continuing
    ///     after the cache).
    ///   - cache: a KV cache for incremental decoding.
    ///   - outputHiddenStates / outputAttentions: also return per-layer states / probabilities.
    ///   - lastPositionOnly: compute logits only for the last position (generation).
    public func callAsFunction(
        _ ids: [Int32], batch: Int = 1, positions: [Int32]? = nil, cache: KVCache? = nil,
        outputHiddenStates: Bool = false, outputAttentions: Bool = false, lastPositionOnly: Bool = false
    ) -> CausalLMOutput {
        precondition(batch > 0 && ids.count % batch == 0 && !ids.isEmpty, "LlamaForCausalLM: \(ids.count) ids do not split into \(batch) rows")
        let sequence = ids.count / batch
        let start = cache?.position ?? 0
        let positionIDs = positions ?? (0..<batch).flatMap { _ in (0..<sequence).map { Int32(start + $0) } }
        precondition(positionIDs.count == ids.count, "LlamaForCausalLM: \(positionIDs.count) position ids for \(ids.count) tokens")
        let tables = rotaryTables(positions: positionIDs, batch: batch, sequence: sequence)
        var h = model.embedTokens(ids, shape: [batch, sequence])
        var hiddenStates: [Tensor] = []
        var attentions: [Tensor] = []
        for (index, layer) in model.layers.enumerated() {
            let result = layer(h, rotary: tables, cache: cache?.layers[index], probabilities: outputAttentions)
            h = result.output
            if outputHiddenStates && index < model.layers.count - 1 { hiddenStates.append(h) }
            if let probabilities = result.probabilities { attentions.append(probabilities) }
        }
        cache?.position = start + sequence
        var normed = model.norm(h)
        if outputHiddenStates { hiddenStates.append(normed) }
        if lastPositionOnly { normed = normed.sliced(alongAxis: 1, (sequence - 1)..<sequence) }
        let logits = lmHead.map { $0(normed) } ?? Tensor.matmul(normed, model.embedTokens.weight, transposeB: true)
        return CausalLMOutput(logits: logits, hiddenStates: hiddenStates, attentions: attentions)
    }

    /// A KV cache sized for this model (bounded by the sliding window, if any).
    public func makeCache() -> KVCache {
        KVCache(layerCount: model.layers.count, window: configuration.slidingWindow)
    }
}
