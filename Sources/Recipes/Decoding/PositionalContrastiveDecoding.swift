import Foundation

/// Positional contrastive decoding (PCD, METHODS.md §7), a training-free decoding rule for
/// long inputs. Each step computes the next-token logits twice: `L` with the model's RoPE and
/// `L*` with "local-aware" frequencies that attend mostly to nearby tokens. The token is then
/// chosen from `(1 + beta) * L - beta * L*` over the `topCount` largest entries of `L` (the
/// others are excluded), which promotes the tokens that the distant context supports.
public struct PositionalContrastiveDecoding: Equatable, Sendable {
    /// `alpha` of `T(x) = 2 - exp(alpha * x)`: how fast, along the pairs, the local-aware
    /// frequencies move from the model's toward those of the small base.
    public var alpha: Double
    /// `beta`, the weight of the contrast (0 decodes from `L` restricted to its top tokens).
    public var beta: Float
    /// `gamma`: only this many of `L`'s most likely tokens can be chosen.
    public var topCount: Int
    /// `B' / B`: the local-aware frequencies mix in those of the base `B' = baseRatio * B`.
    public var baseRatio: Double

    /// The paper's defaults: `alpha = 0.2`, `beta = 2.5`, `gamma = 30`, `B' = 1e-4 * B`.
    ///
    /// - Precondition: finite `alpha` and `beta`, `topCount > 0`, `baseRatio > 0`.
    public init(alpha: Double = 0.2, beta: Float = 2.5, topCount: Int = 30, baseRatio: Double = 1e-4) {
        precondition(alpha.isFinite && beta.isFinite, "PositionalContrastiveDecoding: alpha \(alpha) and beta \(beta) must be finite")
        precondition(topCount > 0, "PositionalContrastiveDecoding: topCount \(topCount) must be positive")
        precondition(baseRatio > 0 && baseRatio.isFinite, "PositionalContrastiveDecoding: baseRatio \(baseRatio) must be positive")
        self.alpha = alpha
        self.beta = beta
        self.topCount = topCount
        self.baseRatio = baseRatio
    }

    /// The local-aware frequencies for a model's `rotary`: pair `j` of `d/2` rotates by
    /// `T(j / (d/2)) * theta_j + (1 - T(j / (d/2))) * theta'_j`, where `theta` are the model's
    /// frequencies (the unscaled ones for dynamic NTK, whose scaling starts past the trained
    /// length) and `theta'_j = (baseRatio * base) ^ (-2j / d)`. Computed in Double, rounded once.
    /// Only the frequencies change: YaRN's attention factor stays the model's.
    ///
    /// - Precondition: `rotary` is described by a base (not by explicit frequencies).
    public func localAwareFrequencies(for rotary: RotaryFrequencies) -> RotaryFrequencies {
        precondition(
            rotary.explicitInverseFrequencies == nil,
            "PositionalContrastiveDecoding: the model's frequencies must come from a base, not an explicit table")
        let model = rotary.inverseFrequencies()
        let pairs = rotary.headDim / 2
        let smallBase = baseRatio * rotary.base
        let local = (0..<pairs).map { j -> Float in
            let mix = 2 - Foundation.exp(alpha * Double(j) / Double(pairs))
            let small = Foundation.pow(smallBase, -Double(2 * j) / Double(rotary.headDim))
            return Float(mix * Double(model[j]) + (1 - mix) * small)
        }
        return RotaryFrequencies(
            headDim: rotary.headDim, inverseFrequencies: local, attentionScaling: rotary.attentionScaling,
            maxPositionEmbeddings: rotary.maxPositionEmbeddings)
    }

    /// The logits PCD decodes from: `(1 + beta) * L - beta * L*` for the `topCount` largest
    /// entries of `logits` (the lower id first among equal values), `-infinity` elsewhere.
    ///
    /// - Precondition: `logits` and `localLogits` have the same length.
    public func contrastiveLogits(_ logits: [Float], local localLogits: [Float]) -> [Float] {
        precondition(
            logits.count == localLogits.count,
            "PositionalContrastiveDecoding: \(logits.count) logits against \(localLogits.count) local-aware logits")
        // The top tokens in one pass (a full sort of a 32 000-entry vocabulary would cost
        // more than a small model's decoding step): `kept` stays ordered by logit, then id.
        var kept: [Int] = []
        kept.reserveCapacity(topCount + 1)
        for index in logits.indices {
            if kept.count == topCount, !(logits[index] > logits[kept[topCount - 1]]) { continue }
            let position = kept.firstIndex { logits[$0] < logits[index] } ?? kept.count
            kept.insert(index, at: position)
            if kept.count > topCount { kept.removeLast() }
        }
        var result = [Float](repeating: -.infinity, count: logits.count)
        for index in kept { result[index] = (1 + beta) * logits[index] - beta * localLogits[index] }
        return result
    }
}

extension LlamaForCausalLM {
    /// Continues `prompt` with positional contrastive decoding: like
    /// ``generate(prompt:maxNewTokens:sampling:stopTokens:onToken:)``, but every step runs the
    /// model twice, with its own RoPE and with `contrastive`'s local-aware frequencies (each
    /// with its own KV cache), and samples from ``PositionalContrastiveDecoding/contrastiveLogits(_:local:)``.
    ///
    /// The model's ``rotary`` is swapped during the call and restored before it returns, so
    /// the model must not be used concurrently.
    @discardableResult
    public func generate(
        prompt: [Int32], maxNewTokens: Int, contrastive: PositionalContrastiveDecoding,
        sampling: SamplingOptions = .greedy, stopTokens: Set<Int32> = [], onToken: (Int32) -> Bool = { _ in true }
    ) -> [Int32] {
        let original = rotary
        let localAware = contrastive.localAwareFrequencies(for: original)
        defer { rotary = original }
        let cache = makeCache()
        let localCache = makeCache()
        return decodeTokens(
            prompt: prompt, maxNewTokens: maxNewTokens, vocabularySize: configuration.vocabSize, sampling: sampling,
            stopTokens: stopTokens, onToken: onToken
        ) { tokens in
            rotary = original
            let logits = self(tokens, cache: cache, lastPositionOnly: true).logits.scalars
            rotary = localAware
            let local = self(tokens, cache: localCache, lastPositionOnly: true).logits.scalars
            return contrastive.contrastiveLogits(logits, local: local)
        }
    }
}
