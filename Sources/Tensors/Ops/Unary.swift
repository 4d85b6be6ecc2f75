import Kernels

extension Tensor {
    /// Applies a kernel unary function; the backward uses the saved input and output.
    func unary(_ function: UnaryFunction) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        applyUnary(function, storage.pointer, out.storage.pointer, count: count)
        let saved = out.detached()
        return out.recording([self]) { [self] g in
            let dx = Tensor(uninitializedShape: shape)
            applyUnaryBackward(
                function, x: storage.pointer, y: saved.storage.pointer, dy: g.storage.pointer,
                dx: dx.storage.pointer, count: count)
            return [dx]
        }
    }

    public func exp() -> Tensor { unary(.exp) }
    public func log() -> Tensor { unary(.log) }
    public func sqrt() -> Tensor { unary(.sqrt) }
    /// `1 / sqrt(self)`.
    public func rsqrt() -> Tensor { unary(.rsqrt) }
    public func tanh() -> Tensor { unary(.tanh) }
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    /// `x * sigmoid(x)` (SiLU / swish).
    public func silu() -> Tensor { unary(.silu) }
    /// The exact (erf) GELU, PyTorch's default.
    public func gelu() -> Tensor { unary(.gelu) }
    public func relu() -> Tensor { unary(.relu) }
    public func squared() -> Tensor { unary(.square) }
    public func reciprocal() -> Tensor { unary(.reciprocal) }

    /// `self ** exponent` elementwise.
    public func pow(_ exponent: Float) -> Tensor { Tensor.pow(self, Tensor(scalar: exponent)) }

    /// Clamps from below: `max(self, floor)`.
    public func clamped(min floor: Float) -> Tensor { Tensor.maximum(self, Tensor(scalar: floor)) }
}

public prefix func - (x: Tensor) -> Tensor { x.unary(.negate) }
