import Kernels

/// Adam with decoupled weight decay, matching `torch.optim.AdamW` (no AMSGrad):
///
///     p ← p − lr·λ·p
///     m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²
///     p ← p − lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
///
/// `t` counts the updates of each parameter (a parameter without a gradient on some step
/// is not updated and its count does not advance, as in PyTorch). State is created lazily,
/// at a parameter's first update, and only for the parameters the optimizer was given.
public final class AdamW: Optimizer {
    public var learningRate: Float
    /// The exponential decay rates of the first and second moment estimates.
    public let betas: (Float, Float)
    /// Added to the denominator for numerical stability.
    public let epsilon: Float
    /// The parameter groups, each with its own weight decay.
    public var groups: [ParameterGroup] { index.groups }
    /// The number of ``step()`` calls so far.
    public private(set) var stepCount = 0

    private let index: ParameterIndex
    private var states: [String: MomentState] = [:]

    private final class MomentState {
        let exponentialAverage: Tensor
        let exponentialAverageOfSquares: Tensor
        var step: Int

        init(exponentialAverage: Tensor, exponentialAverageOfSquares: Tensor, step: Int) {
            self.exponentialAverage = exponentialAverage
            self.exponentialAverageOfSquares = exponentialAverageOfSquares
            self.step = step
        }
    }

    /// An optimizer over explicit parameter groups.
    public init(
        groups: [ParameterGroup], learningRate: Float, betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8
    ) {
        precondition(
            (0..<1).contains(betas.0) && (0..<1).contains(betas.1),
            "AdamW: betas \(betas) must lie in [0, 1)")
        precondition(epsilon >= 0 && learningRate >= 0, "AdamW: learning rate \(learningRate) and epsilon \(epsilon) must be non-negative")
        index = ParameterIndex(groups, optimizer: "AdamW")
        self.learningRate = learningRate
        self.betas = betas
        self.epsilon = epsilon
    }

    /// An optimizer over one group of named parameters with a single weight decay.
    public convenience init(
        parameters: [(String, Tensor)], learningRate: Float, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) {
        self.init(
            groups: [ParameterGroup(parameters: parameters, weightDecay: weightDecay)],
            learningRate: learningRate, betas: betas, epsilon: epsilon)
    }

    /// An optimizer over the trainable parameters of `module`, split like nanoGPT: weight decay
    /// for parameters of rank ≥ 2 (matrices, embeddings), none for biases and norm scales.
    /// Parameters frozen now are not included, even if unfrozen later.
    public convenience init(
        module: any Module, learningRate: Float, betas: (Float, Float) = (0.9, 0.999),
        epsilon: Float = 1e-8, weightDecay: Float = 0.01
    ) {
        self.init(
            groups: ParameterGroup.decaySplit(of: module, weightDecay: weightDecay),
            learningRate: learningRate, betas: betas, epsilon: epsilon)
    }

    public func step() {
        stepCount += 1
        var segments: [AdamWSegment] = []
        for group in index.groups {
            for (name, parameter) in group.parameters {
                guard let grad = ParameterIndex.gradient(of: parameter, name: name, optimizer: "AdamW") else { continue }
                let state = states[name] ?? {
                    let fresh = MomentState(
                        exponentialAverage: Tensor.zeros(like: parameter),
                        exponentialAverageOfSquares: Tensor.zeros(like: parameter), step: 0)
                    states[name] = fresh
                    return fresh
                }()
                state.step += 1
                segments.append(AdamWSegment(
                    parameter: parameter.storage.pointer, gradient: grad.storage.pointer,
                    m: state.exponentialAverage.storage.pointer, v: state.exponentialAverageOfSquares.storage.pointer,
                    count: parameter.count, weightDecay: group.weightDecay, step: state.step))
            }
        }
        // One parallel update of every tensor; the tensors (and so their storage) stay
        // alive in `index` and `states` until it returns.
        adamWUpdate(segments, learningRate: learningRate, beta1: betas.0, beta2: betas.1, epsilon: epsilon)
    }

    public func zeroGrad() { index.zeroGrad() }

    /// Whether the optimizer holds state for the named parameter (it has been updated).
    public func hasState(for parameterName: String) -> Bool { states[parameterName] != nil }

    public func stateDictionary() -> OptimizerState {
        OptimizerState(
            parameters: states.mapValues { state in
                [
                    "exp_avg": copyOf(state.exponentialAverage),
                    "exp_avg_sq": copyOf(state.exponentialAverageOfSquares),
                    "step": Tensor(scalar: Float(state.step)),
                ]
            },
            scalars: ["step": Double(stepCount), "learning_rate": Double(learningRate)])
    }

    public func loadState(_ state: OptimizerState) throws {
        guard let steps = state.scalars["step"] else { throw OptimizerStateError.missingScalar("step") }
        let tensors = try index.validated(state, slots: [
            "exp_avg": { $0.shape }, "exp_avg_sq": { $0.shape }, "step": { _ in [] },
        ])
        states = tensors.mapValues { slots in
            MomentState(
                exponentialAverage: slots["exp_avg"]!, exponentialAverageOfSquares: slots["exp_avg_sq"]!,
                step: Int(slots["step"]!.item))
        }
        stepCount = Int(steps)
        if let rate = state.scalars["learning_rate"] { learningRate = Float(rate) }
    }
}
