import Foundation

/// The hyper-parameters of a Llama or Mistral decoder, read from and written to a
/// Hugging Face `config.json` (`LlamaForCausalLM`, `MistralForCausalLM`) with its own
/// key names, so downloaded configurations load as written and saved ones load in
/// Hugging Face.
///
/// Both generations of the RoPE keys are read: Transformers 4 writes `rope_theta` and
/// `rope_scaling` (whose type key was once `type`, later `rope_type`); Transformers 5
/// writes `rope_parameters` with `rope_theta` inside. When both objects are present,
/// `rope_scaling` wins, as in Transformers 5. A scaling of type `default` is stored as
/// `ropeScaling == nil`.
///
/// Every instance is valid: decoding and the memberwise initialiser run `validate()`.
public struct LlamaConfiguration: Codable, Equatable, Sendable {
    /// A token id or a list of them (`eos_token_id` may be either).
    public enum TokenIDs: Codable, Equatable, Sendable {
        case one(Int)
        case many([Int])

        /// All ids, in order.
        public var all: [Int] {
            switch self {
            case .one(let id): return [id]
            case .many(let ids): return ids
            }
        }

        public init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let id = try? container.decode(Int.self) {
                self = .one(id)
            } else {
                self = .many(try container.decode([Int].self))
            }
        }

        public func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .one(let id): try container.encode(id)
            case .many(let ids): try container.encode(ids)
            }
        }
    }

    /// `model_type`: `llama` or `mistral`.
    public var modelType: String
    /// `architectures`, e.g. `["LlamaForCausalLM"]`.
    public var architectures: [String]?
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    /// Key/value heads (grouped-query attention); defaults to `numAttentionHeads`.
    public var numKeyValueHeads: Int
    /// Per-head width; defaults to `hiddenSize / numAttentionHeads`.
    public var headDim: Int
    public var rmsNormEps: Double
    public var vocabSize: Int
    /// Whether `lm_head.weight` is `model.embed_tokens.weight` (default false).
    public var tieWordEmbeddings: Bool
    /// Biases on the q/k/v/o projections (default false).
    public var attentionBias: Bool
    /// Biases on the gate/up/down projections (default false).
    public var mlpBias: Bool
    public var maxPositionEmbeddings: Int
    /// The RoPE base (default 10000); raising it is ABF.
    public var ropeTheta: Double
    /// The RoPE rescaling, `nil` for plain RoPE.
    public var ropeScaling: RopeScaling?
    /// Mistral's attention window: a query at position i sees keys i-w+1...i; `nil` for full attention.
    public var slidingWindow: Int?
    /// Always `silu`.
    public var hiddenAct: String
    public var bosTokenID: Int?
    public var eosTokenID: TokenIDs?
    public var padTokenID: Int?
    /// The stored weight type (`dtype`, formerly `torch_dtype`), e.g. `float32`, `bfloat16`.
    public var dtype: String?

    /// Builds and validates a configuration.
    public init(
        modelType: String = "llama", architectures: [String]? = nil, hiddenSize: Int, intermediateSize: Int,
        numHiddenLayers: Int, numAttentionHeads: Int, numKeyValueHeads: Int? = nil, headDim: Int? = nil,
        rmsNormEps: Double = 1e-5, vocabSize: Int, tieWordEmbeddings: Bool = false, attentionBias: Bool = false,
        mlpBias: Bool = false, maxPositionEmbeddings: Int, ropeTheta: Double = 10000,
        ropeScaling: RopeScaling? = nil, slidingWindow: Int? = nil, hiddenAct: String = "silu",
        bosTokenID: Int? = nil, eosTokenID: TokenIDs? = nil, padTokenID: Int? = nil, dtype: String? = nil
    ) throws {
        self.modelType = modelType
        self.architectures = architectures
        self.hiddenSize = hiddenSize
        self.intermediateSize = intermediateSize
        self.numHiddenLayers = numHiddenLayers
        self.numAttentionHeads = numAttentionHeads
        self.numKeyValueHeads = numKeyValueHeads ?? numAttentionHeads
        if headDim == nil, numAttentionHeads > 0, hiddenSize % numAttentionHeads != 0 {
            throw ConfigurationError(
                key: "hidden_size",
                problem: .invalid("\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads) and head_dim is absent"))
        }
        self.headDim = headDim ?? (numAttentionHeads > 0 ? hiddenSize / numAttentionHeads : 0)
        self.rmsNormEps = rmsNormEps
        self.vocabSize = vocabSize
        self.tieWordEmbeddings = tieWordEmbeddings
        self.attentionBias = attentionBias
        self.mlpBias = mlpBias
        self.maxPositionEmbeddings = maxPositionEmbeddings
        self.ropeTheta = ropeTheta
        self.ropeScaling = ropeScaling?.kind == .default ? nil : ropeScaling
        self.slidingWindow = slidingWindow
        self.hiddenAct = hiddenAct
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.padTokenID = padTokenID
        self.dtype = dtype
        try validate()
    }

    /// Reads and validates a `config.json`; errors name `path`.
    public init(contentsOf path: String) throws {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(file: path, key: "<root>", problem: .unreadable(error.localizedDescription))
        }
        do {
            self = try Self.decode(data)
        } catch var error as ConfigurationError {
            error.file = path
            throw error
        }
    }

    /// Decodes and validates `config.json` bytes, throwing only `ConfigurationError`.
    public static func decode(_ data: Data) throws -> LlamaConfiguration {
        do {
            return try JSONDecoder().decode(LlamaConfiguration.self, from: data)
        } catch let error as ConfigurationError {
            throw error
        } catch let DecodingError.typeMismatch(_, context) where context.codingPath.isEmpty {
            throw ConfigurationError(key: "<root>", problem: .notJSON("expected an object"))
        } catch let DecodingError.dataCorrupted(context) {
            let reason = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            throw ConfigurationError(key: "<root>", problem: .notJSON(reason))
        } catch {
            throw ConfigurationError(key: "<root>", problem: .notJSON("\(error)"))
        }
    }

    /// Encodes as a Hugging Face `config.json` (sorted keys, indented).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Writes `config.json` to `path` atomically.
    public func write(to path: String) throws {
        do {
            try jsonData().write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ConfigurationError(file: path, key: "<root>", problem: .unwritable(error.localizedDescription))
        }
    }
}
