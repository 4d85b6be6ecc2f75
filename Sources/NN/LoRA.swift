/// A low-rank adapter (LoRA, Hu et al. 2021) for a ``Linear`` layer: it adds
/// `(alpha / r) · (x Aᵀ) Bᵀ` to the layer's output, with `A` of shape `[r, inputSize]` and
/// `B` of shape `[outputSize, r]`.
///
/// `A` starts from `uniform(-1/√inputSize, 1/√inputSize)` (PEFT's Kaiming-uniform default) and
/// `B` from zero, so a fresh adapter leaves the layer's function unchanged. Parameter names,
/// inside the adapted layer: `lora_a` and `lora_b` (`model.layers.0.self_attn.q_proj.lora_a`).
public final class LoRAAdapter: Module {
    /// `A`, `[rank, inputSize]`.
    public let loraA: Tensor
    /// `B`, `[outputSize, rank]`.
    public let loraB: Tensor
    /// `alpha / rank`.
    public let scale: Float

    /// Wraps existing tensors (made trainable).
    public init(loraA: Tensor, loraB: Tensor, scale: Float) {
        precondition(
            loraA.rank == 2 && loraB.rank == 2 && loraA.shape[0] == loraB.shape[1],
            "LoRAAdapter: A \(loraA.shape) and B \(loraB.shape) must be [r, in] and [out, r]")
        self.loraA = loraA.requiringGrad()
        self.loraB = loraB.requiringGrad()
        self.scale = scale
    }

    /// A fresh adapter for a `inputSize -> outputSize` layer (B = 0: the identity update).
    public convenience init(inputSize: Int, outputSize: Int, rank: Int, alpha: Float, generator: inout RandomGenerator) {
        precondition(rank > 0, "LoRAAdapter: rank \(rank) must be positive")
        let bound = 1 / Float(inputSize).squareRoot()
        self.init(
            loraA: Tensor.randomUniform([rank, inputSize], in: -bound..<bound, generator: &generator),
            loraB: Tensor.zeros([outputSize, rank]),
            scale: alpha / Float(rank))
    }

    /// The rank `r`.
    public var rank: Int { loraA.shape[0] }

    /// `scale · (x Aᵀ) Bᵀ` for `x` of shape `[..., inputSize]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let down = Tensor.matmul(x, loraA, transposeB: true)
        return Tensor.matmul(down, loraB, transposeB: true) * scale
    }

    /// The dense update `scale · B A`, `[outputSize, inputSize]` (no gradient recorded).
    public func deltaWeight() -> Tensor {
        withNoGrad { Tensor.matmul(loraB, loraA) * scale }
    }
}

extension Linear {
    /// Attaches a fresh adapter of rank `rank` (replacing any existing one) and returns it.
    @discardableResult
    public func addAdapter(rank: Int, alpha: Float, generator: inout RandomGenerator) -> LoRAAdapter {
        let fresh = LoRAAdapter(inputSize: inputSize, outputSize: outputSize, rank: rank, alpha: alpha, generator: &generator)
        attachAdapter(fresh)
        return fresh
    }

    /// Attaches `adapter` (replacing any existing one).
    public func attachAdapter(_ adapter: LoRAAdapter) {
        precondition(
            adapter.loraA.shape[1] == inputSize && adapter.loraB.shape[0] == outputSize,
            "Linear.attachAdapter: adapter A \(adapter.loraA.shape), B \(adapter.loraB.shape) does not fit weight \(weight.shape)")
        self.adapter = adapter
    }

    /// Folds the adapter into the weight (`W += (alpha/r) · B A`, in place) and removes it.
    /// Does nothing without an adapter.
    public func mergeAdapter() {
        guard let adapter else { return }
        let delta = adapter.deltaWeight()
        weight.withUnsafeMutableBufferPointer { w in
            delta.withUnsafeBufferPointer { d in
                for i in 0..<w.count { w[i] += d[i] }
            }
        }
        self.adapter = nil
    }

    /// Removes the adapter without merging it.
    public func removeAdapter() { adapter = nil }
}
