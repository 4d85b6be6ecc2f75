/// A fully connected layer, `y = x · Wᵀ + b`, with PyTorch's and Hugging Face's layout:
/// `weight` has shape `[outputSize, inputSize]`, `bias` shape `[outputSize]`.
///
/// An optional low-rank adapter (``LoRAAdapter``, attached with ``addAdapter(rank:alpha:generator:)``)
/// adds `(alpha / r) · (x Aᵀ) Bᵀ`; its parameters are named `lora_a` and `lora_b` inside the
/// layer's namespace (`...q_proj.lora_a`).
public final class Linear: Module {
    /// The weight matrix, `[outputSize, inputSize]`.
    public let weight: Tensor
    /// The bias, `[outputSize]`, or nil for a bias-free layer (Llama's projections).
    public let bias: Tensor?
    /// A low-rank adapter applied on top of the weight, or nil.
    public internal(set) var adapter: LoRAAdapter?

    /// The adapter's parameters live in the layer's own namespace (`lora_a`, not `adapter.lora_a`).
    public static var parameterKeys: [String: String] { ["adapter": ""] }

    /// Wraps existing tensors (made trainable).
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be a matrix [out, in], got shape \(weight.shape)")
        if let bias {
            precondition(
                bias.shape == [weight.shape[0]],
                "Linear: bias shape \(bias.shape) does not match weight shape \(weight.shape)")
        }
        self.weight = weight.requiringGrad()
        self.bias = bias?.requiringGrad()
    }

    /// A freshly initialised layer.
    ///
    /// Without `standardDeviation`, weight and bias are drawn from
    /// `uniform(-1/√inputSize, 1/√inputSize)` like `torch.nn.Linear`. With it, the weight is
    /// drawn from `normal(0, standardDeviation)` and the bias is zero, like Hugging Face's
    /// `_init_weights` for decoder models (`initializer_range`).
    public convenience init(
        inputSize: Int, outputSize: Int, bias: Bool = true, standardDeviation: Float? = nil,
        generator: inout RandomGenerator
    ) {
        precondition(inputSize > 0 && outputSize > 0, "Linear: sizes must be positive, got \(inputSize) -> \(outputSize)")
        let weight: Tensor
        var biasTensor: Tensor?
        if let standardDeviation {
            weight = Tensor.randomNormal([outputSize, inputSize], standardDeviation: standardDeviation, generator: &generator)
            if bias { biasTensor = Tensor.zeros([outputSize]) }
        } else {
            let bound = 1 / Float(inputSize).squareRoot()
            weight = Tensor.randomUniform([outputSize, inputSize], in: -bound..<bound, generator: &generator)
            if bias { biasTensor = Tensor.randomUniform([outputSize], in: -bound..<bound, generator: &generator) }
        }
        self.init(weight: weight, bias: biasTensor)
    }

    /// The number of input features.
    public var inputSize: Int { weight.shape[1] }
    /// The number of output features.
    public var outputSize: Int { weight.shape[0] }

    /// Applies the layer to `x` of shape `[..., inputSize]`, giving `[..., outputSize]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(
            x.shape.last == inputSize,
            "Linear: input of shape \(x.shape) does not end in the layer's input size \(inputSize) (weight \(weight.shape))")
        var product = Tensor.matmul(x, weight, transposeB: true)
        if let bias { product = product + bias }
        guard let adapter else { return product }
        return product + adapter(x)
    }
}
