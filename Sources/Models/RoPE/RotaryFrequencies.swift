import Foundation

/// The rotation frequencies of rotary position embeddings (RoPE) and their rescalings
/// (linear / PI, dynamic NTK, YaRN, Llama 3.1; ABF is just a larger `base`), computed
/// the way Hugging Face Transformers' `modeling_rope_utils.py` and `LlamaRotaryEmbedding`
/// do, float32 rounding step by step, so tables match Transformers to about one ulp.
///
/// Layout: pair `j` (`0 ..< headDim/2`) rotates the head dimensions `j` and
/// `j + headDim/2` (Transformers' `rotate_half` convention, not interleaved) by the angle
/// `Float(position) * inverseFrequencies[j]`, and `cos` / `sin` are multiplied by
/// `attentionScaling` (YaRN's temperature; 1 for the other types).
///
/// Dynamic NTK depends on the sequence length: Transformers takes
/// `max(position_ids) + 1` over the whole batch and, if it exceeds
/// `max_position_embeddings`, grows the base to
/// `base * ((factor * len / max_pos) - (factor - 1)) ^ (d / (d - 2))`; otherwise it uses the
/// plain frequencies. `sequenceLength(of:)` implements that choice. One difference is
/// deliberate: Transformers' module caches the largest length it has seen and keeps its
/// frequencies for later, shorter calls that are still past `max_position_embeddings`;
/// this type is a pure function of the length you pass. For cached generation, pass the
/// length at each step (`position + 1` for a single new token) to reproduce Transformers'
/// `generate`, which recomputes the frequencies as the sequence grows.
///
/// Precision: the inverse frequencies follow Transformers' float32 operations exactly,
/// except that `pow` here is correctly rounded while PyTorch's vectorised `powf` is
/// within one ulp, so under 1% of inverse frequencies differ from Transformers' by one
/// ulp; angles are the same float32 product and cos / sin are correctly rounded.
public struct RotaryFrequencies: Equatable, Sendable {
    /// The rotated head width (even); there are `headDim / 2` frequencies.
    public var headDim: Int
    /// `rope_theta` (0 for explicit frequencies).
    public var base: Double
    /// The rescaling; `nil` for plain RoPE.
    public var scaling: RopeScaling?
    /// `max_position_embeddings` (dynamic NTK's threshold, YaRN / llama3's default original length).
    public var maxPositionEmbeddings: Int
    /// Frequencies given outright (``init(headDim:inverseFrequencies:attentionScaling:maxPositionEmbeddings:)``),
    /// used instead of `base` and `scaling`; `nil` for frequencies computed from them.
    public private(set) var explicitInverseFrequencies: [Float]?
    /// The cos/sin multiplier that goes with explicit frequencies.
    private var explicitAttentionScaling: Double = 1

    /// - Precondition: `headDim` is even and positive, `base > 1`, `maxPositionEmbeddings > 0`.
    public init(headDim: Int, base: Double, scaling: RopeScaling? = nil, maxPositionEmbeddings: Int) {
        precondition(headDim > 0 && headDim % 2 == 0, "RotaryFrequencies: head dimension \(headDim) must be even and positive")
        precondition(base > 1 && base.isFinite, "RotaryFrequencies: base \(base) must be finite and greater than 1")
        precondition(maxPositionEmbeddings > 0, "RotaryFrequencies: maxPositionEmbeddings \(maxPositionEmbeddings) must be positive")
        if let scaling, scaling.kind != .default {
            precondition(scaling.factor != nil, "RotaryFrequencies: \(scaling.kind.rawValue) scaling needs a factor")
        }
        self.headDim = headDim
        self.base = base
        self.scaling = scaling?.kind == .default ? nil : scaling
        self.maxPositionEmbeddings = maxPositionEmbeddings
    }

    /// Frequencies that no `rope_theta` / `rope_scaling` describes, such as the local-aware
    /// set of positional contrastive decoding: pair `j` rotates by `inverseFrequencies[j]`
    /// per position, and cos / sin are multiplied by `attentionScaling`. A model using them
    /// cannot be saved as a Hugging Face configuration; they are for decoding-time variants.
    ///
    /// - Precondition: `headDim / 2` finite frequencies, a positive finite `attentionScaling`.
    public init(headDim: Int, inverseFrequencies: [Float], attentionScaling: Double = 1, maxPositionEmbeddings: Int) {
        precondition(
            headDim > 0 && headDim % 2 == 0 && inverseFrequencies.count == headDim / 2,
            "RotaryFrequencies: \(inverseFrequencies.count) frequencies for head dimension \(headDim)")
        precondition(inverseFrequencies.allSatisfy(\.isFinite), "RotaryFrequencies: frequencies must be finite")
        precondition(
            attentionScaling > 0 && attentionScaling.isFinite,
            "RotaryFrequencies: attentionScaling \(attentionScaling) must be positive and finite")
        precondition(maxPositionEmbeddings > 0, "RotaryFrequencies: maxPositionEmbeddings \(maxPositionEmbeddings) must be positive")
        self.headDim = headDim
        base = 0
        scaling = nil
        self.maxPositionEmbeddings = maxPositionEmbeddings
        explicitInverseFrequencies = inverseFrequencies
        explicitAttentionScaling = attentionScaling
    }

    /// The frequencies a validated configuration describes.
    public init(configuration: LlamaConfiguration) {
        self.init(
            headDim: configuration.headDim, base: configuration.ropeTheta, scaling: configuration.ropeScaling,
            maxPositionEmbeddings: configuration.maxPositionEmbeddings)
    }

    /// Whether the frequencies change with the sequence length (dynamic NTK only).
    public var dependsOnSequenceLength: Bool { scaling?.kind == .dynamic }

    /// The sequence length Transformers uses for dynamic NTK: `max(positions) + 1`
    /// (0 for no positions, which selects the plain frequencies).
    public static func sequenceLength<C: Collection>(of positions: C) -> Int where C.Element == Int32 {
        guard let largest = positions.max() else { return 0 }
        return Int(largest) + 1
    }

    /// The cos/sin multiplier: YaRN's attention factor (or the one given with explicit
    /// frequencies), 1 otherwise.
    public var attentionScaling: Double {
        if explicitInverseFrequencies != nil { return explicitAttentionScaling }
        guard let scaling, scaling.kind == .yarn, let factor = scaling.factor else { return 1 }
        if let explicit = scaling.attentionFactor { return explicit }
        func mscale(_ scale: Double, _ m: Double = 1) -> Double { scale <= 1 ? 1 : 0.1 * m * Foundation.log(scale) + 1 }
        // Transformers tests truthiness: a zero `mscale` counts as absent.
        if let m = scaling.mscale, let all = scaling.mscaleAllDim, m != 0, all != 0 {
            return mscale(factor, m) / mscale(factor, all)
        }
        return mscale(factor)
    }

    /// The `headDim / 2` inverse frequencies for a sequence of `sequenceLength` tokens
    /// (only dynamic NTK looks at the length).
    public func inverseFrequencies(sequenceLength: Int = 0) -> [Float] {
        if let explicitInverseFrequencies { return explicitInverseFrequencies }
        guard let scaling else { return Self.plainInverseFrequencies(headDim: headDim, base: Float(base)) }
        let factor = scaling.factor ?? 1
        switch scaling.kind {
        case .default:
            return Self.plainInverseFrequencies(headDim: headDim, base: Float(base))
        case .linear:
            let f = Float(factor)
            return Self.plainInverseFrequencies(headDim: headDim, base: Float(base)).map { $0 / f }
        case .dynamic:
            return dynamicInverseFrequencies(factor: factor, sequenceLength: sequenceLength)
        case .yarn:
            return yarnInverseFrequencies(scaling, factor: factor)
        case .llama3:
            return llama3InverseFrequencies(scaling, factor: factor)
        }
    }

    /// `1 / base ^ (2j / d)` in float32: the exponent is a float32 quotient, the base is
    /// rounded to float32, the power is rounded once, and the reciprocal is a float32 division.
    static func plainInverseFrequencies(headDim: Int, base: Float) -> [Float] {
        powers(headDim: headDim, base: base).map { 1 / $0 }
    }

    /// `base ^ (2j / d)` rounded to float32, as `base ** (arange(0, d, 2).float() / d)`.
    static func powers(headDim: Int, base: Float) -> [Float] {
        let d = Float(headDim)
        return stride(from: 0, to: headDim, by: 2).map { i in
            let exponent = Float(i) / d
            return Float(Foundation.pow(Double(base), Double(exponent)))
        }
    }

    private func dynamicInverseFrequencies(factor: Double, sequenceLength: Int) -> [Float] {
        // At or below the trained length Transformers keeps the frequencies built at
        // construction, whose base is unchanged.
        guard sequenceLength > maxPositionEmbeddings else {
            return Self.plainInverseFrequencies(headDim: headDim, base: Float(base))
        }
        // Transformers receives the length as an int64 tensor, so this arithmetic runs as
        // float32 tensor operations with the Python scalars rounded to float32.
        let f = Float(factor)
        let ratio = (f * Float(sequenceLength)) / Float(maxPositionEmbeddings) - Float(factor - 1)
        // PyTorch raises a float32 tensor to a Python float in double precision.
        let exponent = Double(headDim) / Double(headDim - 2)
        let grown = Float(Foundation.pow(Double(ratio), exponent))
        let newBase = Float(base) * grown
        return Self.plainInverseFrequencies(headDim: headDim, base: newBase)
    }
}
