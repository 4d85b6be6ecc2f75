/// Llama's feed-forward block: `down(silu(gate(x)) * up(x))`.
///
/// Property names give the Hugging Face keys `gate_proj`, `up_proj` and `down_proj`.
public final class SwiGLUMLP: Module {
    /// `dimension -> hiddenDimension`, passed through SiLU.
    public let gateProj: Linear
    /// `dimension -> hiddenDimension`, multiplied by the gate.
    public let upProj: Linear
    /// `hiddenDimension -> dimension`.
    public let downProj: Linear

    /// Wraps existing projections.
    public init(gateProj: Linear, upProj: Linear, downProj: Linear) {
        precondition(
            gateProj.weight.shape == upProj.weight.shape && downProj.weight.shape == gateProj.weight.shape.reversed(),
            "SwiGLUMLP: projection shapes gate \(gateProj.weight.shape), up \(upProj.weight.shape), down \(downProj.weight.shape) do not fit")
        self.gateProj = gateProj
        self.upProj = upProj
        self.downProj = downProj
    }

    /// Freshly initialised projections (see ``Linear`` for `standardDeviation`); Llama has no biases.
    public convenience init(
        dimension: Int, hiddenDimension: Int, bias: Bool = false, standardDeviation: Float? = nil,
        generator: inout RandomGenerator
    ) {
        let gate = Linear(inputSize: dimension, outputSize: hiddenDimension, bias: bias, standardDeviation: standardDeviation, generator: &generator)
        let up = Linear(inputSize: dimension, outputSize: hiddenDimension, bias: bias, standardDeviation: standardDeviation, generator: &generator)
        let down = Linear(inputSize: hiddenDimension, outputSize: dimension, bias: bias, standardDeviation: standardDeviation, generator: &generator)
        self.init(gateProj: gate, upProj: up, downProj: down)
    }

    /// Applies the block to `x` of shape `[..., dimension]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        downProj(Tensor.swiGLU(gate: gateProj(x), up: upProj(x)))
    }
}
