/// The `rope_scaling` (Transformers 4) or `rope_parameters` (Transformers 5) object of a
/// Hugging Face configuration: which rescaling of rotary position embeddings to use and
/// its parameters. The base (`rope_theta`) lives in `LlamaConfiguration`; raising it is
/// "ABF" and needs no scaling object.
///
/// Fields that a type does not use are kept (for round trips) but ignored.
public struct RopeScaling: Equatable, Sendable {
    /// The rescaling method, spelled as Hugging Face's `rope_type`.
    public enum Kind: String, CaseIterable, Sendable {
        /// Plain RoPE (`theta_j = base^(-2j/d)`).
        case `default`
        /// Position interpolation: every frequency divided by `factor`.
        case linear
        /// Dynamic NTK: the base grows with the sequence length past `max_position_embeddings`.
        case dynamic
        /// YaRN: per-frequency blend of interpolation and extrapolation plus attention scaling.
        case yarn
        /// Llama 3.1: low frequencies divided by `factor`, a smooth ramp between.
        case llama3
    }

    public var kind: Kind
    /// The context extension factor (required for every kind but `default`).
    public var factor: Double?
    /// The pre-training context length (yarn, llama3); Hugging Face defaults it to
    /// `max_position_embeddings` when absent.
    public var originalMaxPositionEmbeddings: Int?
    /// llama3: wavelengths longer than `original / lowFreqFactor` are fully interpolated.
    public var lowFreqFactor: Double?
    /// llama3: wavelengths shorter than `original / highFreqFactor` are kept.
    public var highFreqFactor: Double?
    /// yarn: rotations at which extrapolation ends (default 32).
    public var betaFast: Double?
    /// yarn: rotations at which interpolation starts (default 1).
    public var betaSlow: Double?
    /// yarn: `mscale` of the DeepSeek-style attention factor (used with `mscaleAllDim`).
    public var mscale: Double?
    /// yarn: `mscale_all_dim` of the DeepSeek-style attention factor.
    public var mscaleAllDim: Double?
    /// yarn: an explicit cos/sin scaling, overriding the one derived from `factor`.
    public var attentionFactor: Double?
    /// yarn: whether to round the correction range to whole dimensions (default true).
    public var truncate: Bool?

    public init(
        kind: Kind, factor: Double? = nil, originalMaxPositionEmbeddings: Int? = nil,
        lowFreqFactor: Double? = nil, highFreqFactor: Double? = nil, betaFast: Double? = nil,
        betaSlow: Double? = nil, mscale: Double? = nil, mscaleAllDim: Double? = nil,
        attentionFactor: Double? = nil, truncate: Bool? = nil
    ) {
        self.kind = kind
        self.factor = factor
        self.originalMaxPositionEmbeddings = originalMaxPositionEmbeddings
        self.lowFreqFactor = lowFreqFactor
        self.highFreqFactor = highFreqFactor
        self.betaFast = betaFast
        self.betaSlow = betaSlow
        self.mscale = mscale
        self.mscaleAllDim = mscaleAllDim
        self.attentionFactor = attentionFactor
        self.truncate = truncate
    }

    /// Reads the object; `rope_type` wins over the older `type` when both are present.
    init(reading reader: ConfigurationReader) throws {
        let typeKey = reader.has("rope_type") ? "rope_type" : "type"
        let name = try reader.optional(typeKey, as: String.self, expected: "a string") ?? "default"
        guard let kind = Kind(rawValue: name) else {
            throw ConfigurationError(key: reader.prefix + typeKey, problem: .unknownRopeType(name))
        }
        self.kind = kind
        factor = try reader.optional("factor", expected: "a number")
        originalMaxPositionEmbeddings = try reader.optional("original_max_position_embeddings", expected: "an integer")
        lowFreqFactor = try reader.optional("low_freq_factor", expected: "a number")
        highFreqFactor = try reader.optional("high_freq_factor", expected: "a number")
        betaFast = try reader.optional("beta_fast", expected: "a number")
        betaSlow = try reader.optional("beta_slow", expected: "a number")
        mscale = try reader.optional("mscale", expected: "a number")
        mscaleAllDim = try reader.optional("mscale_all_dim", expected: "a number")
        attentionFactor = try reader.optional("attention_factor", expected: "a number")
        truncate = try reader.optional("truncate", expected: "a boolean")
    }

    /// Writes the object with Hugging Face key names, omitting absent fields.
    func encode(to container: inout KeyedEncodingContainer<ConfigurationKey>, ropeTheta: Double?) throws {
        try container.encode(kind.rawValue, forKey: ConfigurationKey("rope_type"))
        if let ropeTheta { try container.encode(ropeTheta, forKey: ConfigurationKey("rope_theta")) }
        try container.encodeIfPresent(factor, forKey: ConfigurationKey("factor"))
        try container.encodeIfPresent(originalMaxPositionEmbeddings, forKey: ConfigurationKey("original_max_position_embeddings"))
        try container.encodeIfPresent(lowFreqFactor, forKey: ConfigurationKey("low_freq_factor"))
        try container.encodeIfPresent(highFreqFactor, forKey: ConfigurationKey("high_freq_factor"))
        try container.encodeIfPresent(betaFast, forKey: ConfigurationKey("beta_fast"))
        try container.encodeIfPresent(betaSlow, forKey: ConfigurationKey("beta_slow"))
        try container.encodeIfPresent(mscale, forKey: ConfigurationKey("mscale"))
        try container.encodeIfPresent(mscaleAllDim, forKey: ConfigurationKey("mscale_all_dim"))
        try container.encodeIfPresent(attentionFactor, forKey: ConfigurationKey("attention_factor"))
        try container.encodeIfPresent(truncate, forKey: ConfigurationKey("truncate"))
    }

    /// Checks the fields the kind needs; `key` is where the object came from.
    func validate(key: String) throws {
        func invalid(_ field: String, _ reason: String) -> ConfigurationError {
            ConfigurationError(key: "\(key).\(field)", problem: .invalid(reason))
        }
        if kind != .default {
            guard let factor else {
                throw ConfigurationError(key: "\(key).factor", problem: .missing)
            }
            guard factor.isFinite, factor > 0 else { throw invalid("factor", "must be a positive number, got \(factor)") }
        }
        if let original = originalMaxPositionEmbeddings, original <= 0 {
            throw invalid("original_max_position_embeddings", "must be positive, got \(original)")
        }
        switch kind {
        case .llama3:
            guard let low = lowFreqFactor else { throw ConfigurationError(key: "\(key).low_freq_factor", problem: .missing) }
            guard let high = highFreqFactor else {
                throw ConfigurationError(key: "\(key).high_freq_factor", problem: .missing)
            }
            guard low > 0, low.isFinite else { throw invalid("low_freq_factor", "must be positive, got \(low)") }
            guard high > low, high.isFinite else {
                throw invalid("high_freq_factor", "must be greater than low_freq_factor (\(low)), got \(high)")
            }
        case .yarn:
            if let attentionFactor, !(attentionFactor.isFinite && attentionFactor > 0) {
                throw invalid("attention_factor", "must be a positive number, got \(attentionFactor)")
            }
            for (field, value) in [("beta_fast", betaFast), ("beta_slow", betaSlow)] {
                if let value, !(value.isFinite && value > 0) { throw invalid(field, "must be positive, got \(value)") }
            }
            if let mscale, !mscale.isFinite { throw invalid("mscale", "must be finite") }
            if let mscaleAllDim, !mscaleAllDim.isFinite { throw invalid("mscale_all_dim", "must be finite") }
        case .default, .linear, .dynamic:
            break
        }
    }
}
