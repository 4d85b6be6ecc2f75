import Foundation

/// How the student's rotary embedding is changed to reach a longer context (METHODS.md §1),
/// as written on the command line: `abf:BASE`, `pi:FACTOR` (linear), `yarn:FACTOR`,
/// `dynamic:FACTOR` or `llama3:FACTOR`.
public enum RopeExtension: Equatable, Sendable, CustomStringConvertible {
    /// A larger `rope_theta`.
    case abf(base: Double)
    /// Position interpolation (`rope_type: linear`).
    case positionInterpolation(factor: Double)
    /// Dynamic NTK.
    case dynamic(factor: Double)
    /// YaRN.
    case yarn(factor: Double)
    /// Llama 3.1 frequency-dependent interpolation.
    case llama3(factor: Double)

    /// Parses `KIND:VALUE`.
    /// - Throws: ``ContextExtensionError/invalidRope(_:reason:)`` for any other text.
    public init(parsing text: String) throws(ContextExtensionError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let expected = "expected abf:BASE, pi:FACTOR, yarn:FACTOR, dynamic:FACTOR or llama3:FACTOR"
        guard parts.count == 2 else { throw .invalidRope(text, reason: expected) }
        guard let value = Double(parts[1]), value.isFinite else {
            throw .invalidRope(text, reason: "'\(parts[1])' is not a number; \(expected)")
        }
        switch parts[0].lowercased() {
        case "abf":
            guard value > 1 else { throw .invalidRope(text, reason: "the RoPE base must be greater than 1") }
            self = .abf(base: value)
        case "pi", "linear", "dynamic", "yarn", "llama3":
            guard value > 1 else { throw .invalidRope(text, reason: "the factor must be greater than 1") }
            switch parts[0].lowercased() {
            case "dynamic": self = .dynamic(factor: value)
            case "yarn": self = .yarn(factor: value)
            case "llama3": self = .llama3(factor: value)
            default: self = .positionInterpolation(factor: value)
            }
        default:
            throw .invalidRope(text, reason: "unknown kind '\(parts[0])'; \(expected)")
        }
    }

    public var description: String {
        switch self {
        case .abf(let base): return "abf:\(base)"
        case .positionInterpolation(let factor): return "pi:\(factor)"
        case .dynamic(let factor): return "dynamic:\(factor)"
        case .yarn(let factor): return "yarn:\(factor)"
        case .llama3(let factor): return "llama3:\(factor)"
        }
    }

    /// The student's configuration: `base` with this RoPE and a context of `targetLength`.
    ///
    /// `max_position_embeddings` becomes `targetLength`, except for dynamic NTK, whose
    /// threshold it is (it stays `L0`, as in Hugging Face). YaRN and llama3 record `L0` as
    /// `original_max_position_embeddings`.
    /// - Throws: ``ContextExtensionError/targetNotLonger(target:original:)`` unless
    ///   `targetLength > base.maxPositionEmbeddings`.
    public func configuration(extending base: LlamaConfiguration, targetLength: Int) throws -> LlamaConfiguration {
        let original = base.maxPositionEmbeddings
        guard targetLength > original else {
            throw ContextExtensionError.targetNotLonger(target: targetLength, original: original)
        }
        var result = base
        result.maxPositionEmbeddings = targetLength
        result.dtype = nil
        switch self {
        case .abf(let theta):
            result.ropeTheta = theta
            result.ropeScaling = nil
        case .positionInterpolation(let factor):
            result.ropeScaling = RopeScaling(kind: .linear, factor: factor)
        case .dynamic(let factor):
            result.maxPositionEmbeddings = original
            result.ropeScaling = RopeScaling(kind: .dynamic, factor: factor)
        case .yarn(let factor):
            result.ropeScaling = RopeScaling(kind: .yarn, factor: factor, originalMaxPositionEmbeddings: original)
        case .llama3(let factor):
            result.ropeScaling = RopeScaling(
                kind: .llama3, factor: factor, originalMaxPositionEmbeddings: original, lowFreqFactor: 1, highFreqFactor: 4)
        }
        // Re-run the configuration's own checks on the edited copy.
        return try LlamaConfiguration.decode(result.jsonData())
    }

    /// Loads the model in `directory` as a student with this RoPE: the same weights, the
    /// configuration from ``configuration(extending:targetLength:)`` (so `save` writes the
    /// right `config.json`).
    public func makeStudent(baseDirectory directory: String, targetLength: Int) throws -> LlamaForCausalLM {
        let base = try LlamaConfiguration(contentsOf: (directory as NSString).appendingPathComponent("config.json"))
        let extended = try configuration(extending: base, targetLength: targetLength)
        var generator = RandomGenerator(seed: 0)
        let student = withNoGrad { LlamaForCausalLM(configuration: extended, generator: &generator) }
        try student.loadWeights(from: try openCheckpoint(directory: directory))
        return student
    }
}

/// Why a context extension cannot be set up.
public enum ContextExtensionError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// The `--rope` text is not one of the accepted forms.
    case invalidRope(String, reason: String)
    /// The target length does not exceed the base model's context.
    case targetNotLonger(target: Int, original: Int)

    public var description: String {
        switch self {
        case let .invalidRope(text, reason):
            return "invalid RoPE extension '\(text)': \(reason)"
        case let .targetNotLonger(target, original):
            return "target length \(target) must be larger than the base model's max_position_embeddings \(original)"
        }
    }

    public var errorDescription: String? { description }
}
