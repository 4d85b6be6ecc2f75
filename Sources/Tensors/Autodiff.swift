/// Records how a tensor was computed: its inputs and the function mapping the
/// gradient of the output to gradients of the inputs.
final class GradientNode {
    let inputs: [Tensor]
    /// Returns one gradient per input (nil where the input does not require one).
    let backward: (Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record gradients on the current task/thread.
enum GradMode {
    @TaskLocal static var isEnabled = true
}

/// Runs `body` without recording gradients (like `torch.no_grad()`): results of ops
/// inside are plain tensors even when inputs require gradients.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// Whether ops currently record gradients.
public var isGradEnabled: Bool { GradMode.isEnabled }

extension Tensor {
    /// Attaches a gradient node to `self` (an op's fresh output) when recording is on
    /// and some input requires a gradient. Returns `self` for chaining.
    @discardableResult
    func recording(_ inputs: [Tensor], backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.requiresGrad }) else { return self }
        requiresGrad = true
        node = GradientNode(inputs: inputs, backward: backward)
        return self
    }

    /// The same values, cut off from the graph (never requires a gradient). Shares storage.
    public func detached() -> Tensor { Tensor(shape: shape, storage: storage) }

    /// Back-propagates from this scalar: accumulates d(self)/d(leaf) into the `grad`
    /// of every leaf that requires a gradient, then releases the graph.
    public func backward() {
        precondition(count == 1, "Tensor.backward: called on a tensor of shape \(shape); it needs a scalar (or pass a gradient)")
        backward(gradient: Tensor.full(1, shape: shape))
    }

    /// Back-propagates `gradient` (same shape as `self`) through the recorded graph.
    public func backward(gradient: Tensor) {
        precondition(shape == gradient.shape, "Tensor.backward(gradient:): gradient shape \(gradient.shape) vs tensor shape \(shape)")
        precondition(requiresGrad, "Tensor.backward: the tensor does not require a gradient (no input was trainable, or it was computed under withNoGrad)")
        let order = topologicalOrder()
        var pending: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): gradient]
        withNoGrad {
            for tensor in order.reversed() {
                guard let upstream = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
                guard let node = tensor.node else {
                    tensor.accumulateGrad(upstream)
                    continue
                }
                let grads = node.backward(upstream)
                for (input, grad) in zip(node.inputs, grads) {
                    guard input.requiresGrad, let grad else { continue }
                    precondition(grad.shape == input.shape, "backward: gradient shape \(grad.shape) for input of shape \(input.shape)")
                    let key = ObjectIdentifier(input)
                    if let existing = pending[key] {
                        pending[key] = existing.adding(grad)
                    } else {
                        pending[key] = grad
                    }
                }
            }
        }
        // Free saved activations and closures: the graph is used once.
        for tensor in order { tensor.node = nil }
    }

    /// Tensors reachable from `self` through nodes of inputs that require gradients,
    /// inputs before outputs. Iterative, so deep graphs do not overflow the stack.
    private func topologicalOrder() -> [Tensor] {
        var order: [Tensor] = []
        var visited: Set<ObjectIdentifier> = []
        var stack: [(Tensor, Bool)] = [(self, false)]
        while let (tensor, expanded) = stack.popLast() {
            if expanded { order.append(tensor); continue }
            guard visited.insert(ObjectIdentifier(tensor)).inserted else { continue }
            stack.append((tensor, true))
            for input in tensor.node?.inputs ?? [] where input.requiresGrad {
                if !visited.contains(ObjectIdentifier(input)) { stack.append((input, false)) }
            }
        }
        return order
    }

    private func accumulateGrad(_ incoming: Tensor) {
        if let grad {
            incoming.withUnsafeBufferPointer { src in
                Kernels.accumulate(src.baseAddress!, into: grad.storage.pointer, count: count)
            }
        } else {
            // Own a private copy: `incoming` may share storage with an activation.
            let copy = Tensor(uninitializedShape: shape)
            copy.storage.pointer.update(from: incoming.storage.pointer, count: count)
            grad = copy
        }
    }

    /// Elementwise sum of two same-shape tensors without recording (used to merge gradients).
    func adding(_ other: Tensor) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        Kernels.applyBinary(.add, storage.pointer, aStep: 1, other.storage.pointer, bStep: 1, out.storage.pointer, count: count)
        return out
    }
}
