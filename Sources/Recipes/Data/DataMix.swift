/// The three LongReD data streams (METHODS.md §3), all cut from the same token stream.
public enum StreamKind: String, Codable, CaseIterable, Sendable {
    /// Texts of the target length `Lt`: cross-entropy at positions `0..<Lt` (`L_long`).
    case long
    /// Short texts (default `L0 / 8`): hidden-state distillation at positions `0..<n` (`L_short`).
    case short
    /// Texts of the original window `L0`: short-to-long distillation with skipped positions (`L_s2l`).
    case originalWindow
}

/// The text length of each stream.
public struct StreamLengths: Codable, Equatable, Sendable {
    /// `Lt`, the target context window.
    public var long: Int
    /// The short-text length.
    public var short: Int
    /// `L0`, the original context window.
    public var originalWindow: Int

    /// Lengths for an `L0 -> Lt` extension.
    ///
    /// - Parameter shortLength: defaults to `max(1, L0 / 8)`, the paper's 1024 tokens for an
    ///   8K model; pass another value to change it.
    public init(originalLength: Int, targetLength: Int, shortLength: Int? = nil) {
        precondition(
            originalLength > 0 && targetLength >= originalLength,
            "StreamLengths: need 0 < originalLength \(originalLength) <= targetLength \(targetLength)")
        let short = shortLength ?? max(1, originalLength / 8)
        precondition(short > 0, "StreamLengths: shortLength \(short) must be positive")
        self.long = targetLength
        self.short = short
        self.originalWindow = originalLength
    }

    /// The length of stream `kind`.
    public subscript(kind: StreamKind) -> Int {
        switch kind {
        case .long: return long
        case .short: return short
        case .originalWindow: return originalWindow
        }
    }
}

/// One gradient-accumulation micro-step: a batch of `batchSize` texts of one stream.
public struct MicroStep: Codable, Equatable, Sendable {
    /// The stream kinds (`MicroStep.Kind.long` reads as well as `StreamKind.long`).
    public typealias Kind = StreamKind

    /// Which stream the texts come from.
    public var kind: StreamKind
    /// The number of texts.
    public var batchSize: Int
    /// The number of input tokens per text.
    public var sequenceLength: Int
    /// This micro-step's share of its stream's texts in the optimizer step,
    /// `batchSize / (texts of this kind in the step)`. Scaling the micro-step's mean loss
    /// by it makes the accumulated loss the mean over all the step's texts of that kind.
    public var fractionOfKind: Double

    /// The number of input tokens, `batchSize * sequenceLength`.
    public var tokenCount: Int { batchSize * sequenceLength }
}

/// The micro-steps of one optimizer step.
public struct MicroStepPlan: Codable, Equatable, Sendable {
    /// The micro-steps in execution order: all `long`, then `short`, then `originalWindow`.
    public var microSteps: [MicroStep]

    /// The number of texts of stream `kind` in the step.
    public func sequenceCount(of kind: StreamKind) -> Int {
        microSteps.filter { $0.kind == kind }.reduce(0) { $0 + $1.batchSize }
    }

    /// The number of input tokens of stream `kind` in the step.
    public func tokenCount(of kind: StreamKind) -> Int {
        microSteps.filter { $0.kind == kind }.reduce(0) { $0 + $1.tokenCount }
    }

    /// The number of input tokens in the step.
    public var tokenCount: Int { microSteps.reduce(0) { $0 + $1.tokenCount } }
}

/// The share of each stream in an optimizer step, in tokens.
///
/// ``plan(tokensPerStep:lengths:maxTokensPerMicroStep:)`` turns the shares into integer
/// batch sizes. Rounding: stream `k` gets `round(tokensPerStep * w_k / sum(w) / L_k)` texts
/// (half away from zero), and at least one when its weight is positive. So each stream's
/// token count is within half a text of its exact share, and the step's total can differ
/// from `tokensPerStep` by up to half a text per stream. Choose a budget that is a multiple
/// of `sum(w) * L_k / w_k` for every stream to realise the ratio exactly.
public struct DataMix: Codable, Equatable, Sendable {
    /// Relative token weight of the long stream.
    public var long: Double
    /// Relative token weight of the short stream.
    public var short: Double
    /// Relative token weight of the original-window stream.
    public var originalWindow: Double

    /// Creates a mix from non-negative weights, not all zero.
    public init(long: Double, short: Double, originalWindow: Double) {
        precondition(
            long >= 0 && short >= 0 && originalWindow >= 0 && long + short + originalWindow > 0,
            "DataMix: weights \(long):\(short):\(originalWindow) must be non-negative and not all zero")
        self.long = long
        self.short = short
        self.originalWindow = originalWindow
    }

    /// LongReD's mix (and Mix CPT's), long : short : original-window = 4 : 3 : 1.
    public static let longRed = DataMix(long: 4, short: 3, originalWindow: 1)
    /// Plain long-text continual pretraining: long texts only.
    public static let longOnly = DataMix(long: 1, short: 0, originalWindow: 0)

    /// The weight of stream `kind`.
    public subscript(kind: StreamKind) -> Double {
        switch kind {
        case .long: return long
        case .short: return short
        case .originalWindow: return originalWindow
        }
    }

    /// The micro-steps of one optimizer step (deterministic; see the type's rounding rule).
    ///
    /// - Parameters:
    ///   - tokensPerStep: the token budget of one optimizer step.
    ///   - lengths: the text length of each stream.
    ///   - maxTokensPerMicroStep: the most input tokens one micro-step may hold (memory);
    ///     each stream's texts are split into as few micro-steps as this allows, with batch
    ///     sizes differing by at most one (larger first). A text longer than the limit still
    ///     gets a micro-step of its own. `nil` puts each stream in a single micro-step.
    public func plan(tokensPerStep: Int, lengths: StreamLengths, maxTokensPerMicroStep: Int? = nil) -> MicroStepPlan {
        precondition(tokensPerStep > 0, "DataMix.plan: tokensPerStep \(tokensPerStep) must be positive")
        if let limit = maxTokensPerMicroStep {
            precondition(limit > 0, "DataMix.plan: maxTokensPerMicroStep \(limit) must be positive")
        }
        let totalWeight = long + short + originalWindow
        var microSteps: [MicroStep] = []
        for kind in StreamKind.allCases where self[kind] > 0 {
            let length = lengths[kind]
            let exact = Double(tokensPerStep) * self[kind] / totalWeight / Double(length)
            let texts = max(1, Int(exact.rounded(.toNearestOrAwayFromZero)))
            let perMicroStep = maxTokensPerMicroStep.map { max(1, $0 / length) } ?? texts
            let stepCount = (texts + perMicroStep - 1) / perMicroStep
            for index in 0..<stepCount {
                let size = texts / stepCount + (index < texts % stepCount ? 1 : 0)
                microSteps.append(MicroStep(
                    kind: kind, batchSize: size, sequenceLength: length,
                    fractionOfKind: Double(size) / Double(texts)))
            }
        }
        return MicroStepPlan(microSteps: microSteps)
    }
}
