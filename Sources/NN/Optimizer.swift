/// Updates parameters from their accumulated gradients.
///
/// An optimizer is built on named parameters (usually from ``Module/namedParameters()``) and
/// keeps per-parameter state keyed by those names, so its state can be saved next to the model
/// and restored into a new optimizer built on a freshly loaded model. Parameters whose `grad`
/// is nil or that are frozen (`requiresGrad == false`) are skipped by ``step()``.
///
/// The usual loop, with gradient accumulation over micro-batches:
///
///     optimizer.learningRate = schedule.learningRate(atStep: step)
///     let loss = accumulateGradients(microBatches: 4) { i in lossOf(microBatch(i)) }
///     clipGradientNorm(model.trainableParameters(), maxNorm: 1)
///     optimizer.step()
///     optimizer.zeroGrad()
public protocol Optimizer: AnyObject {
    /// The learning rate of the next ``step()``; set it before each step to follow a schedule.
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Drops the gradients of the optimizer's parameters (`grad = nil`).
    func zeroGrad()
    /// A snapshot (copies) of the optimizer's state: per-parameter tensors and scalars.
    func stateDictionary() -> OptimizerState
    /// Replaces the optimizer's state by `state` (copied), as saved by ``stateDictionary()``.
    /// - Throws: ``OptimizerStateError`` naming the parameter or field that does not fit.
    func loadState(_ state: OptimizerState) throws
}

/// A set of parameters sharing hyperparameters inside one optimizer (PyTorch's param group).
public struct ParameterGroup {
    /// The parameters with their names (the keys of the optimizer state).
    public var parameters: [(String, Tensor)]
    /// The decoupled (AdamW) or L2 (SGD) weight decay of this group.
    public var weightDecay: Float

    /// A group of named parameters sharing `weightDecay`.
    public init(parameters: [(String, Tensor)], weightDecay: Float) {
        self.parameters = parameters
        self.weightDecay = weightDecay
    }

    /// nanoGPT's split of trainable parameters: matrices and embeddings (rank ≥ 2) decay,
    /// biases and norm scales (rank < 2) do not. Frozen parameters are left out.
    public static func decaySplit(of module: any Module, weightDecay: Float) -> [ParameterGroup] {
        let trainable = module.namedTrainableParameters()
        return [
            ParameterGroup(parameters: trainable.filter { $0.1.rank >= 2 }, weightDecay: weightDecay),
            ParameterGroup(parameters: trainable.filter { $0.1.rank < 2 }, weightDecay: 0),
        ]
    }
}

/// The saved state of an optimizer.
///
/// `parameters` maps a parameter name to its state tensors (for AdamW `exp_avg`,
/// `exp_avg_sq` and `step`, for SGD `momentum_buffer`, PyTorch's names); `scalars` holds
/// optimizer-wide values such as `step` (the number of ``Optimizer/step()`` calls) and
/// `learning_rate`. It is `Codable` (tensors as shape + values) for small states; large
/// states are better written as tensors (for example to safetensors) with the scalars apart.
public struct OptimizerState: Codable {
    /// Per-parameter state: parameter name -> state name -> tensor.
    public var parameters: [String: [String: Tensor]]
    /// Optimizer-wide scalars.
    public var scalars: [String: Double]

    /// A state with the given per-parameter tensors and scalars.
    public init(parameters: [String: [String: Tensor]] = [:], scalars: [String: Double] = [:]) {
        self.parameters = parameters
        self.scalars = scalars
    }

    private struct StoredTensor: Codable {
        var shape: [Int]
        var values: [Float]
    }

    private enum CodingKeys: String, CodingKey { case parameters, scalars }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scalars = try container.decode([String: Double].self, forKey: .scalars)
        let stored = try container.decode([String: [String: StoredTensor]].self, forKey: .parameters)
        parameters = try stored.mapValues { slots in
            try slots.mapValues { tensor in
                guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.values.count == Shape.count(tensor.shape) else {
                    throw DecodingError.dataCorrupted(DecodingError.Context(
                        codingPath: container.codingPath + [CodingKeys.parameters],
                        debugDescription: "optimizer state tensor of shape \(tensor.shape) has \(tensor.values.count) values"))
                }
                return Tensor(tensor.values, shape: tensor.shape)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scalars, forKey: .scalars)
        try container.encode(
            parameters.mapValues { $0.mapValues { StoredTensor(shape: $0.shape, values: $0.scalars) } },
            forKey: .parameters)
    }
}

/// Why a saved optimizer state does not fit an optimizer.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// The state has an entry for a parameter the optimizer was not given.
    case unknownParameter(String)
    /// A parameter's entry lacks a state tensor the optimizer needs.
    case missingState(parameter: String, name: String)
    /// A state tensor has the wrong shape.
    case shapeMismatch(parameter: String, name: String, expected: [Int], found: [Int])
    /// A required optimizer-wide scalar is absent.
    case missingScalar(String)

    public var description: String {
        switch self {
        case let .unknownParameter(name):
            return "optimizer state has an entry for parameter '\(name)', which this optimizer does not update"
        case let .missingState(parameter, name):
            return "optimizer state for parameter '\(parameter)' lacks '\(name)'"
        case let .shapeMismatch(parameter, name, expected, found):
            return "optimizer state '\(name)' of parameter '\(parameter)' has shape \(found), expected \(expected)"
        case let .missingScalar(name):
            return "optimizer state lacks the scalar '\(name)'"
        }
    }
}

/// Names and tensors of an optimizer's groups, checked once at construction.
struct ParameterIndex {
    let groups: [ParameterGroup]
    /// Parameter name -> tensor, for every parameter of every group.
    let byName: [String: Tensor]

    init(_ groups: [ParameterGroup], optimizer: String) {
        var byName: [String: Tensor] = [:]
        var identities: Set<ObjectIdentifier> = []
        for group in groups {
            for (name, tensor) in group.parameters {
                precondition(byName[name] == nil, "\(optimizer): parameter name '\(name)' appears twice")
                precondition(
                    identities.insert(ObjectIdentifier(tensor)).inserted,
                    "\(optimizer): parameter '\(name)' (shape \(tensor.shape)) was given twice under different names")
                byName[name] = tensor
            }
        }
        self.groups = groups
        self.byName = byName
    }

    /// Drops every parameter's gradient.
    func zeroGrad() {
        for tensor in byName.values { tensor.grad = nil }
    }

    /// The gradient to apply to `parameter`, or nil when it is frozen or has none.
    static func gradient(of parameter: Tensor, name: String, optimizer: String) -> Tensor? {
        guard parameter.requiresGrad, let grad = parameter.grad else { return nil }
        precondition(
            grad.shape == parameter.shape,
            "\(optimizer): gradient of '\(name)' has shape \(grad.shape), parameter has \(parameter.shape)")
        return grad
    }

    /// Checks `state` against the parameters and returns copies of its tensors.
    func validated(_ state: OptimizerState, slots: [String: (Tensor) -> [Int]]) throws -> [String: [String: Tensor]] {
        var result: [String: [String: Tensor]] = [:]
        for name in state.parameters.keys.sorted() {
            guard let parameter = byName[name] else { throw OptimizerStateError.unknownParameter(name) }
            let saved = state.parameters[name]!
            var copies: [String: Tensor] = [:]
            for slot in slots.keys.sorted() {
                guard let tensor = saved[slot] else { throw OptimizerStateError.missingState(parameter: name, name: slot) }
                let expected = slots[slot]!(parameter)
                guard tensor.shape == expected else {
                    throw OptimizerStateError.shapeMismatch(parameter: name, name: slot, expected: expected, found: tensor.shape)
                }
                copies[slot] = copyOf(tensor)
            }
            result[name] = copies
        }
        return result
    }
}

/// A fresh tensor with the same shape and values as `tensor`, detached from any graph.
func copyOf(_ tensor: Tensor) -> Tensor {
    let copy = Tensor(uninitializedShape: tensor.shape)
    copy.assign(tensor)
    return copy
}
