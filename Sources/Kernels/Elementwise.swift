import Foundation

/// Elementwise functions of one argument, for ``applyUnary(_:_:_:count:)``.
public enum UnaryFunction: Sendable, CaseIterable {
    case negate, exp, log, sqrt, rsqrt, tanh, sigmoid, silu
    /// The exact erf form `x * Φ(x)` (PyTorch's default `nn.GELU()`).
    case gelu
    case relu, square, reciprocal
}

/// Elementwise functions of two arguments, for ``applyBinary(_:_:aStep:_:bStep:_:count:)``.
public enum BinaryFunction: Sendable, CaseIterable {
    /// `maximum` and `minimum` propagate NaN (like `torch.maximum`); `power` is `pow(a, b)`.
    case add, subtract, multiply, divide, maximum, minimum, power
}

/// Elements per parallel chunk for streaming elementwise work (~0.5 ms on one core).
@usableFromInline let elementwiseGrain = 1 << 17

/// Splits `0..<count` into ranges whose boundaries depend only on `count` and `grain`
/// (multiples of 8) and runs `body` on them, in parallel when there are several.
@inlinable @inline(__always)
func forEachRange(count: Int, grain: Int, _ body: (Range<Int>) -> Void) {
    let chunks = Parallel.chunkCount(work: count, grain: grain)
    if chunks == 1 {
        body(0..<count)
        return
    }
    let per = ((count + chunks - 1) / chunks + 7) & ~7
    Parallel.forEach(chunks) { c in
        let lo = min(count, c * per)
        let hi = min(count, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}

/// Applies `op` to `x[range]` eight lanes at a time, writing `y`; the tail is padded with
/// ones (a value every unary function accepts) so it runs the same vector code.
@inlinable @inline(__always)
func mapVectors(
    _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>,
    _ op: (SIMD8<Float>) -> SIMD8<Float>
) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        store8(op(load8(x + i)), y + i)
        i += 8
    }
    let rest = range.upperBound - i
    if rest > 0 {
        var v = SIMD8<Float>(repeating: 1)
        for k in 0..<rest { v[k] = x[i + k] }
        let r = op(v)
        for k in 0..<rest { y[i + k] = r[k] }
    }
}

/// Three-input variant of ``mapVectors(_:_:_:_:)`` used by the backward passes.
@inlinable @inline(__always)
func mapVectors3(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
    _ out: UnsafeMutablePointer<Float>, _ range: Range<Int>,
    _ op: (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>
) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        store8(op(load8(a + i), load8(b + i), load8(c + i)), out + i)
        i += 8
    }
    let rest = range.upperBound - i
    if rest > 0 {
        var va = SIMD8<Float>(repeating: 1), vb = va, vc = va
        for k in 0..<rest { va[k] = a[i + k]; vb[k] = b[i + k]; vc[k] = c[i + k] }
        let r = op(va, vb, vc)
        for k in 0..<rest { out[i + k] = r[k] }
    }
}

/// `0.5 * (1 + erf(x / sqrt 2))`, the standard normal CDF.
@inlinable @inline(__always)
func vectorNormalCDF(_ x: SIMD8<Float>) -> SIMD8<Float> {
    fusedMultiplyAdd(SIMD8(repeating: 0.5), SIMD8(repeating: 0.5), vectorErf(x * 0.70710678118654752))
}

@inlinable @inline(__always)
func unaryVector(_ f: UnaryFunction, _ v: SIMD8<Float>) -> SIMD8<Float> {
    switch f {
    case .negate: return -v
    case .exp: return vectorExp(v)
    case .log: return vectorLog(v)
    case .sqrt: return vectorSqrt(v)
    case .rsqrt: return 1 / vectorSqrt(v)
    case .tanh: return vectorTanh(v)
    case .sigmoid: return vectorSigmoid(v)
    case .silu: return v * vectorSigmoid(v)
    case .gelu: return v * vectorNormalCDF(v)
    case .relu: return v.replacing(with: 0, where: v .< SIMD8(repeating: 0))
    case .square: return v * v
    case .reciprocal: return 1 / v
    }
}

/// `y[i] = f(x[i])` for `i` in `0..<count`; `y` may alias `x`.
public func applyUnary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "applyUnary(\(f)): negative count \(count)")
    forEachRange(count: count, grain: elementwiseGrain) { range in
        // One switch per chunk; each case gets its own specialised loop.
        switch f {
        case .negate: mapVectors(x, y, range) { unaryVector(.negate, $0) }
        case .exp: mapVectors(x, y, range) { unaryVector(.exp, $0) }
        case .log: mapVectors(x, y, range) { unaryVector(.log, $0) }
        case .sqrt: mapVectors(x, y, range) { unaryVector(.sqrt, $0) }
        case .rsqrt: mapVectors(x, y, range) { unaryVector(.rsqrt, $0) }
        case .tanh: mapVectors(x, y, range) { unaryVector(.tanh, $0) }
        case .sigmoid: mapVectors(x, y, range) { unaryVector(.sigmoid, $0) }
        case .silu: mapVectors(x, y, range) { unaryVector(.silu, $0) }
        case .gelu: mapVectors(x, y, range) { unaryVector(.gelu, $0) }
        case .relu: mapVectors(x, y, range) { unaryVector(.relu, $0) }
        case .square: mapVectors(x, y, range) { unaryVector(.square, $0) }
        case .reciprocal: mapVectors(x, y, range) { unaryVector(.reciprocal, $0) }
        }
    }
}

/// `dx[i] = dy[i] * f'(x[i])`. `y` is the forward output `f(x)`; the derivatives of
/// exp, tanh, sigmoid, sqrt, rsqrt and reciprocal are computed from it. `dx` may alias `dy`.
public func applyUnaryBackward(
    _ f: UnaryFunction, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
) {
    precondition(count >= 0, "applyUnaryBackward(\(f)): negative count \(count)")
    forEachRange(count: count, grain: elementwiseGrain) { range in
        switch f {
        case .negate:
            mapVectors3(x, y, dy, dx, range) { _, _, g in -g }
        case .exp:
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * y }
        case .log:
            mapVectors3(x, y, dy, dx, range) { x, _, g in g / x }
        case .sqrt:
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * 0.5 / y }
        case .rsqrt:
            // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * (-0.5 * y * y * y) }
        case .tanh:
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * (1 - y * y) }
        case .sigmoid:
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * (y * (1 - y)) }
        case .silu:
            // d/dx x s(x) = s (1 + x (1 - s))
            mapVectors3(x, y, dy, dx, range) { x, _, g in
                let s = vectorSigmoid(x)
                return g * (s * fusedMultiplyAdd(SIMD8(repeating: 1), x, 1 - s))
            }
        case .gelu:
            // d/dx x Φ(x) = Φ(x) + x φ(x)
            mapVectors3(x, y, dy, dx, range) { x, _, g in
                let pdf = vectorExp(x * x * -0.5) * 0.39894228040143268
                return g * fusedMultiplyAdd(vectorNormalCDF(x), x, pdf)
            }
        case .relu:
            mapVectors3(x, y, dy, dx, range) { x, _, g in
                SIMD8(repeating: 0).replacing(with: g, where: x .> SIMD8(repeating: 0))
            }
        case .square:
            mapVectors3(x, y, dy, dx, range) { x, _, g in g * (x + x) }
        case .reciprocal:
            mapVectors3(x, y, dy, dx, range) { _, y, g in g * -(y * y) }
        }
    }
}

@inlinable @inline(__always)
func binaryVector(_ f: BinaryFunction, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    switch f {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .maximum:
        let m = a.replacing(with: b, where: b .> a)
        return m.replacing(with: a + b, where: (a .!= a) .| (b .!= b))
    case .minimum:
        let m = a.replacing(with: b, where: b .< a)
        return m.replacing(with: a + b, where: (a .!= a) .| (b .!= b))
    case .power:
        var r = SIMD8<Float>()
        for k in 0..<8 { r[k] = Foundation.pow(a[k], b[k]) }
        return r
    }
}

@inlinable @inline(__always)
func mapBinary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ aStep: Int, _ b: UnsafePointer<Float>, _ bStep: Int,
    _ c: UnsafeMutablePointer<Float>, _ range: Range<Int>
) {
    var i = range.lowerBound
    let aScalar = SIMD8<Float>(repeating: a[0]), bScalar = SIMD8<Float>(repeating: b[0])
    while i + 8 <= range.upperBound {
        let va = aStep == 0 ? aScalar : load8(a + i)
        let vb = bStep == 0 ? bScalar : load8(b + i)
        store8(binaryVector(f, va, vb), c + i)
        i += 8
    }
    let rest = range.upperBound - i
    if rest > 0 {
        var va = aScalar, vb = bScalar
        for k in 0..<rest {
            if aStep != 0 { va[k] = a[i + k] }
            if bStep != 0 { vb[k] = b[i + k] }
        }
        let r = binaryVector(f, va, vb)
        for k in 0..<rest { c[i + k] = r[k] }
    }
}

/// `c[i] = f(a[i * aStep], b[i * bStep])` for `i` in `0..<count`; `aStep` and `bStep` are
/// 0 (broadcast a scalar) or 1. `c` may alias `a` or `b` when their step is 1.
public func applyBinary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
    _ c: UnsafeMutablePointer<Float>, count: Int
) {
    precondition(
        (aStep == 0 || aStep == 1) && (bStep == 0 || bStep == 1) && count >= 0,
        "applyBinary(\(f)): steps must be 0 or 1 (got aStep \(aStep), bStep \(bStep)), count \(count)")
    if count == 0 { return }
    forEachRange(count: count, grain: elementwiseGrain) { range in
        switch f {
        case .add: mapBinary(.add, a, aStep, b, bStep, c, range)
        case .subtract: mapBinary(.subtract, a, aStep, b, bStep, c, range)
        case .multiply: mapBinary(.multiply, a, aStep, b, bStep, c, range)
        case .divide: mapBinary(.divide, a, aStep, b, bStep, c, range)
        case .maximum: mapBinary(.maximum, a, aStep, b, bStep, c, range)
        case .minimum: mapBinary(.minimum, a, aStep, b, bStep, c, range)
        case .power: mapBinary(.power, a, aStep, b, bStep, c, range)
        }
    }
}

/// `y[i] = alpha * x[i] + beta * y[i]`; with `beta == 0`, `y` is not read (it may hold NaN).
public func scaleAdd(alpha: Float, _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "scaleAdd: negative count \(count)")
    let va = SIMD8<Float>(repeating: alpha), vb = SIMD8<Float>(repeating: beta)
    forEachRange(count: count, grain: elementwiseGrain) { range in
        if beta == 0 {
            mapVectors(x, y, range) { $0 * va }
        } else {
            mapVectors3(x, UnsafePointer(y), UnsafePointer(y), y, range) { x, y, _ in fusedMultiplyAdd(x * va, y, vb) }
        }
    }
}

/// `y[i] += x[i]` for `i` in `0..<count`.
public func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "accumulate: negative count \(count)")
    forEachRange(count: count, grain: elementwiseGrain) { range in
        mapVectors3(x, UnsafePointer(y), UnsafePointer(y), y, range) { x, y, _ in y + x }
    }
}
