extension LlamaForCausalLM {
    /// Continues `prompt` one token at a time with a KV cache: the prompt is run once
    /// (prefill), then each step feeds only the newest token and computes logits only for
    /// the last position.
    ///
    /// Sliding-window models keep just the last `window` positions in the cache; dynamic-NTK
    /// models rescale their frequencies for each step's largest position, so, as in Hugging
    /// Face transformers, cached keys keep the rotation they were computed with.
    ///
    /// - Parameters:
    ///   - prompt: at least one token id, each in `0..<vocabSize`.
    ///   - maxNewTokens: the most tokens to generate (0 returns `[]` without running the model).
    ///   - sampling: how each token is chosen (default greedy).
    ///   - stopTokens: generation ends after producing one of these (it is included in the result).
    ///   - onToken: called with each new token as soon as it is chosen; return false to stop.
    /// - Returns: the new tokens, without the prompt.
    @discardableResult
    public func generate(
        prompt: [Int32], maxNewTokens: Int, sampling: SamplingOptions = .greedy,
        stopTokens: Set<Int32> = [], onToken: (Int32) -> Bool = { _ in true }
    ) -> [Int32] {
        let cache = makeCache()
        return decodeTokens(
            prompt: prompt, maxNewTokens: maxNewTokens, vocabularySize: configuration.vocabSize, sampling: sampling,
            stopTokens: stopTokens, onToken: onToken
        ) { tokens in
            self(tokens, cache: cache, lastPositionOnly: true).logits.scalars
        }
    }
}

/// The token loop every decoding rule shares: `nextLogits` is called with the prompt and then
/// with each chosen token (it runs the model(s) on them, typically with KV caches, and returns
/// the logits of the next token); the tokens are chosen by a ``TokenSampler``. Runs without
/// recording gradients.
///
/// - Parameters:
///   - prompt: at least one token id, each in `0..<vocabularySize`.
///   - maxNewTokens: the most tokens to generate (0 returns `[]` without calling `nextLogits`).
///   - stopTokens: decoding ends after producing one of these (it is included in the result).
///   - onToken: called with each new token as soon as it is chosen; return false to stop.
/// - Returns: the new tokens, without the prompt.
public func decodeTokens(
    prompt: [Int32], maxNewTokens: Int, vocabularySize: Int, sampling: SamplingOptions,
    stopTokens: Set<Int32>, onToken: (Int32) -> Bool, nextLogits: ([Int32]) -> [Float]
) -> [Int32] {
    precondition(!prompt.isEmpty, "generate: the prompt is empty")
    precondition(maxNewTokens >= 0, "generate: maxNewTokens \(maxNewTokens) is negative")
    precondition(
        prompt.allSatisfy { $0 >= 0 && Int($0) < vocabularySize },
        "generate: prompt has ids outside the vocabulary 0..<\(vocabularySize)")
    guard maxNewTokens > 0 else { return [] }
    return withNoGrad {
        var sampler = TokenSampler(options: sampling)
        var logits = nextLogits(prompt)
        var generated: [Int32] = []
        generated.reserveCapacity(maxNewTokens)
        while true {
            let token = sampler.next(logits: logits)
            generated.append(token)
            let keepGoing = onToken(token)
            if !keepGoing || stopTokens.contains(token) || generated.count == maxNewTokens { break }
            logits = nextLogits([token])
        }
        return generated
    }
}
