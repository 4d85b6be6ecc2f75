// SIMD8 transcendental functions. Foundation's scalar `exp`/`log` cost a libm call per
// lane; these evaluate eight lanes with a handful of FMAs and stay within ~1-2 ulp.

@usableFromInline let expLog2e: Float = 1.44269504088896341
// ln 2 split so that n * ln2Hi is exact for |n| <= 2^8 (Cody-Waite reduction).
@usableFromInline let expLn2Hi: Float = 0.693359375
@usableFromInline let expLn2Lo: Float = -2.12194440e-4
// 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer held in the low mantissa bits.
@usableFromInline let roundingMagic: Float = 12582912

/// Clamps lane by lane with compare-and-blend (the standard library's `clamped` is not
/// vectorised); NaN lanes pass through unchanged.
@_transparent @usableFromInline
func clamp(_ v: SIMD8<Float>, _ lower: Float, _ upper: Float) -> SIMD8<Float> {
    let lo = SIMD8<Float>(repeating: lower), hi = SIMD8<Float>(repeating: upper)
    return v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
}

@_transparent @usableFromInline
func bits(_ v: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }

@_transparent @usableFromInline
func float(bits v: SIMD8<Int32>) -> SIMD8<Float> { unsafeBitCast(v, to: SIMD8<Float>.self) }

// The public functions are `@_transparent`: plain `@inline(__always)` was not honoured for
// these large bodies, and a call per vector (SIMD8 passed as two xmm halves) cost ~30%.

/// `e^x` lane by lane, within ~1 ulp over the float range.
///
/// Overflows to `+inf` above ~88.72, underflows through the subnormals to `0` below
/// ~-103.9 (`-inf` gives `0`), and propagates NaN.
@_transparent
public func vectorExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Clamp so that 2^n stays representable as a product of two normal powers of two.
    let xc = clamp(x, -104, 89)
    let magic = SIMD8<Float>(repeating: roundingMagic)
    let t = fusedMultiplyAdd(magic, xc, SIMD8(repeating: expLog2e))
    let n = t - magic
    var r = fusedMultiplyAdd(xc, n, SIMD8(repeating: -expLn2Hi))
    r = fusedMultiplyAdd(r, n, SIMD8(repeating: -expLn2Lo))
    // Cephes expf minimax polynomial for e^r - 1 - r on [-ln2/2, ln2/2].
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.3981999507e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 8.3334519073e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 4.1665795894e-2), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.6666665459e-1), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 5.0000001201e-1), p, r)
    let r2 = r * r
    p = fusedMultiplyAdd(r, p, r2) + 1
    // 2^n = 2^n1 * 2^n2 with both halves normal, so subnormal results and overflow round once.
    let ni = bits(t) &- bits(magic)
    let n1 = ni &>> 1
    let n2 = ni &- n1
    let s1 = float(bits: (n1 &+ 127) &<< 23)
    let s2 = float(bits: (n2 &+ 127) &<< 23)
    // NaN lanes stay NaN through the arithmetic (the clamp's comparisons are false for them).
    return p * s1 * s2
}

/// Natural logarithm lane by lane, within ~1 ulp: `log(0) = -inf`, `log(x < 0) = nan`,
/// `log(+inf) = +inf`, NaN propagates; subnormal inputs are handled.
@_transparent
public func vectorLog(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Scale subnormals into the normal range first.
    let tiny = x .< SIMD8(repeating: Float.leastNormalMagnitude)
    let xs = x.replacing(with: x * 8388608, where: tiny)  // * 2^23
    let xb = bits(xs)
    var e = (xb &>> 23) &- 126
    e.replace(with: e &- 23, where: tiny)
    // Mantissa in [0.5, 1).
    var m = float(bits: (xb & 0x007F_FFFF) | 0x3F00_0000)
    // Move m into [sqrt(1/2), sqrt(2)) so the polynomial argument is centred on zero.
    let small = m .< SIMD8(repeating: 0.707106781186547524)
    e.replace(with: e &- 1, where: small)
    m = m.replacing(with: m + m, where: small)
    let f = m - 1
    let ef = SIMD8<Float>(e)
    let z = f * f
    // Cephes logf minimax polynomial.
    var p = SIMD8<Float>(repeating: 7.0376836292e-2)
    p = fusedMultiplyAdd(SIMD8(repeating: -1.1514610310e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.1676998740e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: -1.2420140846e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.4249322787e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: -1.6668057665e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: 2.0000714765e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: -2.4999993993e-1), p, f)
    p = fusedMultiplyAdd(SIMD8(repeating: 3.3333331174e-1), p, f)
    var y = p * f * z
    y = fusedMultiplyAdd(y, ef, SIMD8(repeating: expLn2Lo))
    y = fusedMultiplyAdd(y, SIMD8(repeating: -0.5), z)
    var result = f + y
    result = fusedMultiplyAdd(result, ef, SIMD8(repeating: expLn2Hi))
    result.replace(with: -Float.infinity, where: x .== SIMD8(repeating: 0))
    result.replace(with: .nan, where: x .< SIMD8(repeating: 0))
    result.replace(with: x, where: (x .!= x) .| (x .== SIMD8(repeating: .infinity)))
    return result
}

/// Hyperbolic tangent lane by lane, within ~2 ulp; saturates to ±1, keeps the sign of
/// zero, propagates NaN.
@_transparent
public func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let a = x.replacing(with: -x, where: x .< SIMD8(repeating: 0))
    // |x| >= 0.625: 1 - 2 / (e^{2|x|} + 1), no cancellation because the fraction is <= 0.45.
    let e = vectorExp(a + a)
    var large = 1 - 2 / (e + 1)
    large.replace(with: -large, where: x .< SIMD8(repeating: 0))
    // |x| < 0.625: Cephes tanhf odd polynomial.
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = fusedMultiplyAdd(SIMD8(repeating: 2.06390887954e-2), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: -5.37397155531e-2), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.33314422036e-1), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: -3.33332819422e-1), p, z)
    var smallResult = fusedMultiplyAdd(x, p * z, x)
    smallResult.replace(with: x, where: x .== SIMD8(repeating: 0))  // keeps the sign of zero
    return large.replacing(with: smallResult, where: a .< SIMD8(repeating: 0.625))
}

/// Logistic sigmoid `1 / (1 + e^-x)` lane by lane, within ~2 ulp including the subnormal
/// tail below x ≈ -87; 0 at `-inf`, 1 at `+inf`, NaN propagates.
@_transparent
public func vectorSigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // With e = e^-|x| (never overflows): sigmoid = 1 / (1 + e) for x >= 0, e / (1 + e) below.
    let negative = x .< SIMD8(repeating: 0)
    let e = vectorExp(x.replacing(with: -x, where: .!negative))
    let numerator = SIMD8<Float>(repeating: 1).replacing(with: e, where: negative)
    return numerator / (1 + e)
}

/// Error function lane by lane, absolute error ~1e-7 (rational minimax approximation on
/// [-4, 4]; outside, erf is ±1 in single precision). Used by the exact GELU.
@_transparent
public func vectorErf(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let xc = clamp(x, -4, 4)
    let x2 = xc * xc
    var p = SIMD8<Float>(repeating: -2.72614225801306e-10)
    p = fusedMultiplyAdd(SIMD8(repeating: 2.77068142495902e-08), p, x2)
    p = fusedMultiplyAdd(SIMD8(repeating: -2.10102402082508e-06), p, x2)
    p = fusedMultiplyAdd(SIMD8(repeating: -5.69250639462346e-05), p, x2)
    p = fusedMultiplyAdd(SIMD8(repeating: -7.34990630326855e-04), p, x2)
    p = fusedMultiplyAdd(SIMD8(repeating: -2.95459980854025e-03), p, x2)
    p = fusedMultiplyAdd(SIMD8(repeating: -1.60960333262415e-02), p, x2)
    p = p * xc
    var q = SIMD8<Float>(repeating: -1.45660718464996e-05)
    q = fusedMultiplyAdd(SIMD8(repeating: -2.13374055278905e-04), q, x2)
    q = fusedMultiplyAdd(SIMD8(repeating: -1.68282697438203e-03), q, x2)
    q = fusedMultiplyAdd(SIMD8(repeating: -7.37332916720468e-03), q, x2)
    q = fusedMultiplyAdd(SIMD8(repeating: -1.42647390514189e-02), q, x2)
    return (p / q).replacing(with: x, where: x .!= x)
}

/// Square root lane by lane, within ~0.5 ulp (Newton iterations from a bit-trick estimate;
/// `SIMD8.squareRoot()` compiles to eight scalar `sqrtss` plus errno checks on Linux).
/// `sqrt(-x) = nan`, `sqrt(±0) = ±0`, `sqrt(inf) = inf`, NaN propagates, subnormals handled.
@_transparent
public func vectorSqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Scale small inputs by 2^24 (result by 2^-12) so the estimate starts within ~4% and
    // v / 2 stays normal.
    let tiny = x .< SIMD8(repeating: 0x1p-100)
    let v = x.replacing(with: x * 16777216, where: tiny)
    var r = float(bits: SIMD8<Int32>(repeating: 0x5F37_5A86) &- (bits(v) &>> 1))
    let half = v * 0.5
    for _ in 0..<3 {
        r = r * fusedMultiplyAdd(SIMD8(repeating: 1.5), -half * r, r)
    }
    var s = v * r
    // One correction on the square root itself: s += r/2 * (v - s^2), residual fused.
    let residual = fusedMultiplyAdd(v, -s, s)
    s = fusedMultiplyAdd(s, r * 0.5, residual)
    s = s.replacing(with: s * (1.0 / 4096), where: tiny)
    s.replace(with: x, where: (x .== SIMD8(repeating: 0)) .| (x .== SIMD8(repeating: .infinity)))
    s.replace(with: .nan, where: x .< SIMD8(repeating: 0))
    return s
}
