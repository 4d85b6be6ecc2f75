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
