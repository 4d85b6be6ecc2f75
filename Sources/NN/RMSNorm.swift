/// Root-mean-square normalisation over the last axis with a learned per-feature scale,
/// `x / √(mean(x²) + ε) · weight` (Llama's `LlamaRMSNorm`).
public final class RMSNorm: Module {
    /// The scale, `[dimension]`, initialised to ones.
    public let weight: Tensor
    /// The ε added to the mean square.
    public let epsilon: Float

    /// A norm over vectors of size `dimension` (Llama uses ε = 1e-5 or 1e-6; see `rms_norm_eps`).
    public init(dimension: Int, epsilon: Float = 1e-6) {
        precondition(dimension > 0, "RMSNorm: dimension \(dimension) must be positive")
        weight = Tensor.ones([dimension]).requiringGrad()
        self.epsilon = epsilon
    }

    /// Normalises `x` of shape `[..., dimension]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            x.shape.last == weight.shape[0],
            "RMSNorm: input of shape \(x.shape) does not end in the norm's dimension \(weight.shape[0])")
        return Tensor.rmsNorm(x, weight: weight, epsilon: epsilon)
    }
}
