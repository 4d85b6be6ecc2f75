import Kernels

extension Tensor {
    /// Applies `function` elementwise under NumPy broadcasting, without recording.
    static func broadcasting(_ function: BinaryFunction, _ a: Tensor, _ b: Tensor, operation: String) -> Tensor {
        guard let shape = Shape.broadcast(a.shape, b.shape) else {
            preconditionFailure("\(operation): shapes \(a.shape) and \(b.shape) cannot be broadcast together")
        }
        let out = Tensor(uninitializedShape: shape)
        if out.count == 0 { return out }
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = out.storage.pointer
        if a.shape == b.shape {
            applyBinary(function, pa, aStep: 1, pb, bStep: 1, pc, count: out.count)
            return out
        }
        BroadcastRuns(outputShape: shape, aShape: a.shape, bShape: b.shape).forEachRun {
            aOffset, aStep, bOffset, bStep, outOffset, length in
            applyBinary(function, pa + aOffset, aStep: aStep, pb + bOffset, bStep: bStep, pc + outOffset, count: length)
        }
        return out
    }

    /// Elementwise maximum (gradient goes to `a` where `a >= b`, else to `b`).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcasting(.maximum, a, b, operation: "maximum")
        return out.recording([a, b]) { g in
            let takeA = broadcasting(.subtract, a, b, operation: "maximum").stepMask(positiveOrZero: true)
            return selectGradients(g, mask: takeA, a: a, b: b)
        }
    }

    /// Elementwise minimum (gradient goes to `a` where `a <= b`, else to `b`).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcasting(.minimum, a, b, operation: "minimum")
        return out.recording([a, b]) { g in
            let takeA = broadcasting(.subtract, b, a, operation: "minimum").stepMask(positiveOrZero: true)
            return selectGradients(g, mask: takeA, a: a, b: b)
        }
    }

    /// `a ** b` elementwise, with gradients to both operands.
    public static func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcasting(.power, a, b, operation: "pow")
        let saved = out.detached()
        return out.recording([a, b]) { g in
            [a.requiresGrad ? (g * b * Tensor.pow(a, b - 1)).summed(toShape: a.shape) : nil,
             b.requiresGrad ? (g * saved * a.log()).summed(toShape: b.shape) : nil]
        }
    }

    /// 1 where `self >= 0` (or `> 0` when `positiveOrZero` is false), else 0.
    private func stepMask(positiveOrZero: Bool) -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        for i in 0..<count {
            let v = storage.pointer[i]
            out.storage.pointer[i] = (positiveOrZero ? v >= 0 : v > 0) ? 1 : 0
        }
        return out
    }

    private static func selectGradients(_ g: Tensor, mask: Tensor, a: Tensor, b: Tensor) -> [Tensor?] {
        [a.requiresGrad ? (g * mask).summed(toShape: a.shape) : nil,
         b.requiresGrad ? (g * (1 - mask)).summed(toShape: b.shape) : nil]
    }
}

public func + (a: Tensor, b: Tensor) -> Tensor {
    let out = Tensor.broadcasting(.add, a, b, operation: "+")
    return out.recording([a, b]) { g in
        [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? g.summed(toShape: b.shape) : nil]
    }
}

public func - (a: Tensor, b: Tensor) -> Tensor {
    let out = Tensor.broadcasting(.subtract, a, b, operation: "-")
    return out.recording([a, b]) { g in
        [a.requiresGrad ? g.summed(toShape: a.shape) : nil, b.requiresGrad ? (-g).summed(toShape: b.shape) : nil]
    }
}

public func * (a: Tensor, b: Tensor) -> Tensor {
    let out = Tensor.broadcasting(.multiply, a, b, operation: "*")
    return out.recording([a, b]) { g in
        [a.requiresGrad ? (g * b).summed(toShape: a.shape) : nil,
         b.requiresGrad ? (g * a).summed(toShape: b.shape) : nil]
    }
}

public func / (a: Tensor, b: Tensor) -> Tensor {
    let out = Tensor.broadcasting(.divide, a, b, operation: "/")
    return out.recording([a, b]) { g in
        [a.requiresGrad ? (g / b).summed(toShape: a.shape) : nil,
         b.requiresGrad ? (-(g * a) / (b * b)).summed(toShape: b.shape) : nil]
    }
}

public func + (a: Tensor, b: Float) -> Tensor { a + Tensor(scalar: b) }
public func + (a: Float, b: Tensor) -> Tensor { Tensor(scalar: a) + b }
public func - (a: Tensor, b: Float) -> Tensor { a - Tensor(scalar: b) }
public func - (a: Float, b: Tensor) -> Tensor { Tensor(scalar: a) - b }
public func * (a: Tensor, b: Float) -> Tensor { a * Tensor(scalar: b) }
public func * (a: Float, b: Tensor) -> Tensor { Tensor(scalar: a) * b }
public func / (a: Tensor, b: Float) -> Tensor { a / Tensor(scalar: b) }
public func / (a: Float, b: Tensor) -> Tensor { Tensor(scalar: a) / b }
