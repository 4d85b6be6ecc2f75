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

/// Elements per parallel chunk, sized so a chunk is 5-30 microseconds on one core, well
/// above the hand-off to a spinning ``WorkerPool`` thread (~1 µs), so that the 768 x 128
/// activations of a small model's training step are split too (halving the grains gained
/// about 4 % of that step): for kernels that evaluate exp, log, a division or a square
/// root per element (~0.6-2 ns each) ...
@usableFromInline let transcendentalGrain = 1 << 14
/// ... and for kernels that only stream data through a few arithmetic operations (~0.2 ns).
@usableFromInline let streamingGrain = 1 << 15

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

/// Applies `f` to `x[range]` eight lanes at a time, writing `y`; the tail is padded with
/// ones (a value every unary function accepts) so it runs the same vector code.
///
/// The per-function kernels below are `@_transparent` and selected by a `switch` inside the
/// loop: closures passed to a generic helper were not inlined (a call per vector) and a
/// well-predicted branch costs less.
@_transparent @usableFromInline
func mapUnary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ range: Range<Int>) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        store8(unaryVector(f, load8(x + i)), y + i)
        i += 8
    }
    let rest = range.upperBound - i
    if rest > 0 {
        var v = SIMD8<Float>(repeating: 1)
        for k in 0..<rest { v[k] = x[i + k] }
        let r = unaryVector(f, v)
        for k in 0..<rest { y[i + k] = r[k] }
    }
}

@_transparent @usableFromInline
func mapUnaryBackward(
    _ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
    _ dx: UnsafeMutablePointer<Float>, _ range: Range<Int>
) {
    var i = range.lowerBound
    while i + 8 <= range.upperBound {
        store8(unaryDerivativeTimes(f, load8(x + i), load8(y + i), load8(dy + i)), dx + i)
        i += 8
    }
    let rest = range.upperBound - i
    if rest > 0 {
        var vx = SIMD8<Float>(repeating: 1), vy = vx, vg = vx
        for k in 0..<rest { vx[k] = x[i + k]; vy[k] = y[i + k]; vg[k] = dy[i + k] }
        let r = unaryDerivativeTimes(f, vx, vy, vg)
        for k in 0..<rest { dx[i + k] = r[k] }
    }
}

/// `0.5 * (1 + erf(x / sqrt 2))`, the standard normal CDF.
@_transparent @usableFromInline
func vectorNormalCDF(_ x: SIMD8<Float>) -> SIMD8<Float> {
    fusedMultiplyAdd(SIMD8(repeating: 0.5), SIMD8(repeating: 0.5), vectorErf(x * 0.70710678118654752))
}

@_transparent @usableFromInline
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
    case .relu: return select(signMask(v) & ~nanMask(v), SIMD8(repeating: 0), v)  // NaN stays NaN
    case .square: return v * v
    case .reciprocal: return 1 / v
    }
}

/// `y[i] = f(x[i])` for `i` in `0..<count`; `y` may alias `x`.
public func applyUnary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "applyUnary(\(f)): negative count \(count)")
    let grain = f == .negate || f == .relu || f == .square ? streamingGrain : transcendentalGrain
    forEachRange(count: count, grain: grain) { range in
        mapUnary(f, x, y, range)
    }
}

/// `dx[i] = dy[i] * f'(x[i])`. `y` is the forward output `f(x)`; the derivatives of
/// exp, tanh, sigmoid, sqrt, rsqrt and reciprocal are computed from it. All three inputs
/// are read for every function (pass `x` as `y` when the function does not need it).
/// `dx` may alias `dy`, `x` or `y`.
public func applyUnaryBackward(
    _ f: UnaryFunction, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dx: UnsafeMutablePointer<Float>, count: Int
) {
    precondition(count >= 0, "applyUnaryBackward(\(f)): negative count \(count)")
    let grain = f == .silu || f == .gelu || f == .log || f == .sqrt ? transcendentalGrain : streamingGrain
    forEachRange(count: count, grain: grain) { range in
        mapUnaryBackward(f, x, y, dy, dx, range)
    }
}

/// `g * f'(x)`, using the forward output `y` where that is cheaper.
@_transparent @usableFromInline
func unaryDerivativeTimes(_ f: UnaryFunction, _ x: SIMD8<Float>, _ y: SIMD8<Float>, _ g: SIMD8<Float>) -> SIMD8<Float> {
    switch f {
    case .negate: return -g
    case .exp: return g * y
    case .log: return g / x
    case .sqrt: return g * 0.5 / y
    // d/dx x^(-1/2) = -x^(-3/2) / 2 = -y^3 / 2
    case .rsqrt: return g * (-0.5 * y * y * y)
    case .tanh: return g * (1 - y * y)
    case .sigmoid: return g * (y * (1 - y))
    case .silu:
        // d/dx x s(x) = s (1 + x (1 - s))
        let s = vectorSigmoid(x)
        return g * (s * fusedMultiplyAdd(SIMD8(repeating: 1), x, 1 - s))
    case .gelu:
        // d/dx x Φ(x) = Φ(x) + x φ(x)
        let pdf = vectorExp(x * x * -0.5) * 0.39894228040143268
        return g * fusedMultiplyAdd(vectorNormalCDF(x), x, pdf)
    case .relu:
        // x > 0 ⇔ -x has its sign bit set and x is neither ±0 nor NaN.
        let positive = signMask(-x) & ~zeroMask(bits(x) & 0x7FFF_FFFF) & ~nanMask(x)
        return select(positive, g, SIMD8(repeating: 0))
    case .square: return g * (x + x)
    case .reciprocal: return g * -(y * y)
    }
}

@_transparent @usableFromInline
func binaryVector(_ f: BinaryFunction, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    switch f {
    case .add: return a + b
    case .subtract: return a - b
    case .multiply: return a * b
    case .divide: return a / b
    case .maximum:
        // a < b ⇔ a - b < 0 (exact or nonzero for finite values; inf - inf and NaN fixed below).
        let m = select(signMask(a - b), b, a)
        return select(nanMask(a) | nanMask(b), a + b, select(zeroMask(bits(a) ^ bits(b)), a, m))
    case .minimum:
        let m = select(signMask(b - a), b, a)
        return select(nanMask(a) | nanMask(b), a + b, select(zeroMask(bits(a) ^ bits(b)), a, m))
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
    let grain = f == .power || f == .divide ? transcendentalGrain : streamingGrain
    forEachRange(count: count, grain: grain) { range in
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
    forEachRange(count: count, grain: streamingGrain) { range in
        var i = range.lowerBound
        if beta == 0 {
            while i + 8 <= range.upperBound { store8(load8(x + i) * va, y + i); i += 8 }
            while i < range.upperBound { y[i] = alpha * x[i]; i += 1 }
        } else {
            while i + 8 <= range.upperBound { store8(fusedMultiplyAdd(load8(x + i) * va, load8(y + i), vb), y + i); i += 8 }
            while i < range.upperBound { y[i] = fusedMultiplyAdd(alpha * x[i], y[i], beta); i += 1 }
        }
    }
}

/// `y[i] += x[i]` for `i` in `0..<count`.
public func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "accumulate: negative count \(count)")
    forEachRange(count: count, grain: streamingGrain) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound { store8(load8(y + i) + load8(x + i), y + i); i += 8 }
        while i < range.upperBound { y[i] += x[i]; i += 1 }
    }
}
