/// How `LlamaForCausalLM.generate` picks each next token.
///
/// The logits are processed in Hugging Face's order: temperature first, then top-k, then
/// top-p, then a draw from the softmax of what is left. A temperature of 0 (``greedy``)
/// skips all of that and takes the arg-max (the lowest id among equal maxima, like
/// `torch.argmax`).
public struct SamplingOptions: Equatable, Sendable {
    /// Divides the logits; 0 means greedy decoding. Must not be negative.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens (ties with the k-th logit are kept); nil or 0: no limit.
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`
    /// (the top token is always kept); nil or 1: no limit. Must be in (0, 1].
    public var topP: Float?
    /// Seeds the ``RandomGenerator`` the draws come from, so a run is reproducible.
    public var seed: UInt64

    /// - Precondition: `temperature >= 0`, `topK >= 0`, `0 < topP <= 1`.
    public init(temperature: Float = 1, topK: Int? = nil, topP: Float? = nil, seed: UInt64 = 0) {
        precondition(temperature >= 0 && temperature.isFinite, "SamplingOptions: temperature \(temperature) must be finite and >= 0")
        precondition((topK ?? 0) >= 0, "SamplingOptions: topK \(topK ?? 0) must be >= 0")
        precondition(topP.map { $0 > 0 && $0 <= 1 } ?? true, "SamplingOptions: topP \(topP ?? 1) must be in (0, 1]")
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.seed = seed
    }

    /// Always the most likely token.
    public static let greedy = SamplingOptions(temperature: 0)

    /// Whether tokens are chosen by arg-max rather than drawn.
    public var isGreedy: Bool { temperature == 0 }
}
