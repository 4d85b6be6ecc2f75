import Kernels

/// Stochastic gradient descent with optional momentum, matching `torch.optim.SGD`:
///
///     g ← g + λ·p                                   (L2 weight decay, when λ ≠ 0)
///     b ← g on the first step, else μ·b + (1 − dampening)·g
///     g ← g + μ·b (Nesterov)  or  g ← b
///     p ← p − lr·g
public final class SGD: Optimizer {
    public var learningRate: Float
    /// The momentum factor μ (0 disables momentum and its state).
    public let momentum: Float
    /// The dampening of the gradient's contribution to the momentum buffer.
    public let dampening: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// The parameter groups, each with its own weight decay.
    public var groups: [ParameterGroup] { index.groups }
    /// The number of ``step()`` calls so far.
    public private(set) var stepCount = 0

    private let index: ParameterIndex
    private var momentumBuffers: [String: Tensor] = [:]

    /// An optimizer over explicit parameter groups.
    public init(
        groups: [ParameterGroup], learningRate: Float, momentum: Float = 0, dampening: Float = 0, nesterov: Bool = false
    ) {
        precondition(learningRate >= 0 && momentum >= 0, "SGD: learning rate \(learningRate) and momentum \(momentum) must be non-negative")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and zero dampening")
        index = ParameterIndex(groups, optimizer: "SGD")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
    }

    /// An optimizer over one group of named parameters.
    public convenience init(
        parameters: [(String, Tensor)], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
        nesterov: Bool = false, weightDecay: Float = 0
    ) {
        self.init(
            groups: [ParameterGroup(parameters: parameters, weightDecay: weightDecay)], learningRate: learningRate,
            momentum: momentum, dampening: dampening, nesterov: nesterov)
    }

    public func step() {
        stepCount += 1
        for group in index.groups {
            for (name, parameter) in group.parameters {
                guard let grad = ParameterIndex.gradient(of: parameter, name: name, optimizer: "SGD") else { continue }
                let p = parameter.storage.pointer
                let count = parameter.count
                // The effective gradient, in a scratch copy: `grad` itself is left as computed.
                let direction = copyOf(grad)
                let d = direction.storage.pointer
                if group.weightDecay != 0 {
                    scaleAdd(alpha: group.weightDecay, p, beta: 1, d, count: count)
                }
                if momentum != 0 {
                    if let buffer = momentumBuffers[name] {
                        scaleAdd(alpha: 1 - dampening, d, beta: momentum, buffer.storage.pointer, count: count)
                        if nesterov {
                            scaleAdd(alpha: momentum, buffer.storage.pointer, beta: 1, d, count: count)
                        } else {
                            direction.assign(buffer)
                        }
                    } else {
                        let buffer = copyOf(direction)
                        momentumBuffers[name] = buffer
                        if nesterov { scaleAdd(alpha: momentum, buffer.storage.pointer, beta: 1, d, count: count) }
                    }
                }
                scaleAdd(alpha: -learningRate, d, beta: 1, p, count: count)
            }
        }
    }

    public func zeroGrad() { index.zeroGrad() }

    public func stateDictionary() -> OptimizerState {
        OptimizerState(
            parameters: momentumBuffers.mapValues { ["momentum_buffer": copyOf($0)] },
            scalars: ["step": Double(stepCount), "learning_rate": Double(learningRate)])
    }

    public func loadState(_ state: OptimizerState) throws {
        guard let steps = state.scalars["step"] else { throw OptimizerStateError.missingScalar("step") }
        let tensors = try index.validated(state, slots: ["momentum_buffer": { $0.shape }])
        momentumBuffers = tensors.mapValues { $0["momentum_buffer"]! }
        stepCount = Int(steps)
        if let rate = state.scalars["learning_rate"] { learningRate = Float(rate) }
    }
}
