// SIMD8 transcendental functions. Foundation's scalar `exp`/`log` cost a libm call per
// lane; these evaluate eight lanes with a handful of FMAs and stay within ~1-2 ulp.

// Constants are written as literals inside the inlinable functions (a global `let` read
// from another module goes through an addressor call):
//   log2(e) = 1.44269504088896341
//   ln 2 = 0.693359375 - 2.12194440e-4, split so that n * 0.693359375 is exact for |n| <= 2^8
//   12582912 = 1.5 * 2^23: adding it rounds a float of magnitude < 2^22 to an integer held in
//   the low mantissa bits.

/// Clamps lane by lane with compare-and-blend (the standard library's `clamped` is not
/// vectorised); NaN lanes pass through unchanged.
@_transparent @usableFromInline
func clamp(_ v: SIMD8<Float>, _ lower: Float, _ upper: Float) -> SIMD8<Float> {
    let lo = SIMD8<Float>(repeating: lower), hi = SIMD8<Float>(repeating: upper)
    return v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)  // vectorises (checked)
}

@_transparent @usableFromInline
func bits(_ v: SIMD8<Float>) -> SIMD8<Int32> { unsafeBitCast(v, to: SIMD8<Int32>.self) }

@_transparent @usableFromInline
func float(bits v: SIMD8<Int32>) -> SIMD8<Float> { unsafeBitCast(v, to: SIMD8<Float>.self) }

// Lane masks are built with integer arithmetic (all-ones or zero per lane) instead of the
// `.<` / `.==` operators: a `SIMDMask` that is kept in a variable, or computed far from its
// use, is materialised lane by lane with branches, which made these functions ~10x slower.

/// All-ones where the sign bit of `x` is set (negative numbers, -0, negative NaNs).
@_transparent @usableFromInline
func signMask(_ x: SIMD8<Float>) -> SIMD8<Int32> { bits(x) &>> 31 }

/// All-ones where `x < c`, for finite `c` and non-NaN `x` (the sign of the exact-or-nonzero `x - c`).
@_transparent @usableFromInline
func lessMask(_ x: SIMD8<Float>, _ c: Float) -> SIMD8<Int32> { bits(x - SIMD8(repeating: c)) &>> 31 }

/// All-ones where the integer lane is zero.
@_transparent @usableFromInline
func zeroMask(_ v: SIMD8<Int32>) -> SIMD8<Int32> { ((v &- 1) & ~v) &>> 31 }

/// All-ones where `x` is NaN.
@_transparent @usableFromInline
func nanMask(_ x: SIMD8<Float>) -> SIMD8<Int32> { (0x7F80_0000 &- (bits(x) & 0x7FFF_FFFF)) &>> 31 }

/// `mask ? a : b` lane by lane.
@_transparent @usableFromInline
func select(_ mask: SIMD8<Int32>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    float(bits: (bits(a) & mask) | (bits(b) & ~mask))
}

/// `mask ? a : b` lane by lane for integer lanes.
@_transparent @usableFromInline
func select(_ mask: SIMD8<Int32>, _ a: SIMD8<Int32>, _ b: SIMD8<Int32>) -> SIMD8<Int32> {
    (a & mask) | (b & ~mask)
}

/// Converts integer lanes of magnitude below 2^22 to Float (the generic conversion is a call).
@_transparent @usableFromInline
func smallIntToFloat(_ v: SIMD8<Int32>) -> SIMD8<Float> {
    float(bits: v &+ 0x4B40_0000) - SIMD8(repeating: 12582912)
}

// The public functions are `@_transparent`: plain `@inline(__always)` was not honoured for
// these large bodies, and a call per vector (SIMD8 passed as two xmm halves) cost ~30%.

/// The shared core of the exp kernels: Cody-Waite reduction `x = n ln2 + r`,
/// `|r| <= ln2 / 2`, and the Cephes expf minimax polynomial, giving `e^r` and
/// `t = 1.5 * 2^23 + n`, whose low mantissa bits hold the integer `n`.
@_transparent @usableFromInline
func expReduced(_ xc: SIMD8<Float>) -> (er: SIMD8<Float>, t: SIMD8<Float>) {
    let magic = SIMD8<Float>(repeating: 12582912)
    let t = fusedMultiplyAdd(magic, xc, SIMD8(repeating: 1.44269504088896341))
    let n = t - magic
    var r = fusedMultiplyAdd(xc, n, SIMD8(repeating: -0.693359375))
    r = fusedMultiplyAdd(r, n, SIMD8(repeating: 2.12194440e-4))
    // Polynomial for e^r - 1 - r on [-ln2/2, ln2/2].
    var p = SIMD8<Float>(repeating: 1.9875691500e-4)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.3981999507e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 8.3334519073e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 4.1665795894e-2), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.6666665459e-1), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 5.0000001201e-1), p, r)
    return (fusedMultiplyAdd(r, p, r * r) + 1, t)
}

/// `e^x` lane by lane, within ~1 ulp over the float range.
///
/// Overflows to `+inf` above ~88.72, underflows through the subnormals to `0` below
/// ~-103.9 (`-inf` gives `0`), and propagates NaN.
@_transparent
public func vectorExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Clamp so that 2^n stays representable as a product of two normal powers of two.
    let xc = clamp(x, -104, 89)
    let magic = SIMD8<Float>(repeating: 12582912)
    let (p, t) = expReduced(xc)
    // 2^n = 2^n1 * 2^n2 with both halves normal, so subnormal results and overflow round once.
    let ni = bits(t) &- bits(magic)
    let n1 = ni &>> 1
    let n2 = ni &- n1
    let s1 = float(bits: (n1 &+ 127) &<< 23)
    let s2 = float(bits: (n2 &+ 127) &<< 23)
    // NaN lanes stay NaN through the arithmetic (the clamp's comparisons are false for them).
    return p * s1 * s2
}

/// `e^x` for `x <= 0` (including `-inf`), flushing results below 2^-126 (x < ~-87.3) to
/// zero. Used inside softmax and cross-entropy, where such terms are negligible next to the
/// maximum's 1: it skips the overflow clamp and the two-step scaling of ``vectorExp(_:)``.
/// Same ~1 ulp accuracy elsewhere; NaN propagates.
@_transparent @usableFromInline
func expOfNonPositive(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Clamping at -88 gives n = -127, whose biased exponent field is 0: the scale is +0.
    let lo = SIMD8<Float>(repeating: -88)
    let xc = x.replacing(with: lo, where: x .< lo)
    let magic = SIMD8<Float>(repeating: 12582912)
    let (p, t) = expReduced(xc)
    // bits(t) - bits(magic) = n; (n + 127) << 23 = (bits(t) - bits(magic) + 127) << 23.
    let scale = float(bits: (bits(t) &- (bits(magic) &- 127)) &<< 23)
    return p * scale
}

/// Natural logarithm lane by lane, within ~1 ulp: `log(0) = -inf`, `log(x < 0) = nan`,
/// `log(+inf) = +inf`, NaN propagates; subnormal inputs are handled.
@_transparent
public func vectorLog(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Scale subnormals into the normal range first.
    let tiny = lessMask(x, Float.leastNormalMagnitude)
    let xb = bits(select(tiny, x * 8388608, x))  // * 2^23
    var e = (xb &>> 23) &- 126
    e = select(tiny, e &- 23, e)
    // Mantissa in [0.5, 1), then moved into [sqrt(1/2), sqrt(2)) so the argument is centred on zero.
    let m = float(bits: (xb & 0x007F_FFFF) | 0x3F00_0000)
    let small = lessMask(m, 0.707106781186547524)
    e = select(small, e &- 1, e)
    let f = select(small, m + m, m) - 1
    let ef = smallIntToFloat(e)
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
    y = fusedMultiplyAdd(y, ef, SIMD8(repeating: -2.12194440e-4))
    y = fusedMultiplyAdd(y, SIMD8(repeating: -0.5), z)
    var result = f + y
    result = fusedMultiplyAdd(result, ef, SIMD8(repeating: 0.693359375))
    // Special inputs: ±0 -> -inf; negative (including -inf) -> NaN; NaN and +inf map to themselves.
    let magnitude = bits(x) & 0x7FFF_FFFF
    result = select(zeroMask(magnitude), SIMD8(repeating: -.infinity), result)
    result = select(signMask(x) & ~zeroMask(magnitude), SIMD8(repeating: .nan), result)
    return select(nanMask(x) | zeroMask(bits(x) ^ 0x7F80_0000), x, result)
}

/// Hyperbolic tangent lane by lane, within ~2 ulp; saturates to ±1, keeps the sign of
/// zero, propagates NaN.
@_transparent
public func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let sign = bits(x) & Int32(bitPattern: 0x8000_0000)
    let a = float(bits: bits(x) & 0x7FFF_FFFF)
    // |x| >= 0.625: 1 - 2 / (e^{2|x|} + 1), no cancellation because the fraction is <= 0.45.
    let e = vectorExp(a + a)
    let large = float(bits: bits(1 - 2 / (e + 1)) | sign)
    // |x| < 0.625: Cephes tanhf odd polynomial.
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.70498872745e-3)
    p = fusedMultiplyAdd(SIMD8(repeating: 2.06390887954e-2), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: -5.37397155531e-2), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.33314422036e-1), p, z)
    p = fusedMultiplyAdd(SIMD8(repeating: -3.33332819422e-1), p, z)
    // x + x (p z), with the sign of x forced so that tanh(-0) = -0.
    let small = float(bits: bits(fusedMultiplyAdd(x, p * z, x)) | sign)
    // NaN lanes: a is NaN, so the comparison mask is garbage, but both branches are NaN.
    return select(lessMask(a, 0.625), small, large)
}

/// Logistic sigmoid `1 / (1 + e^-x)` lane by lane, within ~2 ulp including the subnormal
/// tail below x ≈ -87; 0 at `-inf`, 1 at `+inf`, NaN propagates.
@_transparent
public func vectorSigmoid(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // With e = e^-|x| (never overflows): sigmoid = 1 / (1 + e) for x >= 0, e / (1 + e) below.
    let e = vectorExp(float(bits: bits(x) | Int32(bitPattern: 0x8000_0000)))
    return select(signMask(x), e, SIMD8(repeating: 1)) / (1 + e)
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
    return p / q  // NaN passes through the clamp and the arithmetic
}

/// Square root lane by lane, within ~0.5 ulp (Newton iterations from a bit-trick estimate;
/// `SIMD8.squareRoot()` compiles to eight scalar `sqrtss` plus errno checks on Linux).
/// `sqrt(-x) = nan`, `sqrt(±0) = ±0`, `sqrt(inf) = inf`, NaN propagates, subnormals handled.
@_transparent
public func vectorSqrt(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // Scale small inputs by 2^24 (result by 2^-12) so the estimate starts within ~4% and
    // v / 2 stays normal.
    let tiny = lessMask(x, 0x1p-100)
    let v = select(tiny, x * 16777216, x)
    var r = float(bits: SIMD8<Int32>(repeating: 0x5F37_5A86) &- (bits(v) &>> 1))
    let half = v * 0.5
    r = r * fusedMultiplyAdd(SIMD8(repeating: 1.5), -half * r, r)
    r = r * fusedMultiplyAdd(SIMD8(repeating: 1.5), -half * r, r)
    r = r * fusedMultiplyAdd(SIMD8(repeating: 1.5), -half * r, r)
    var s = v * r
    // One correction on the square root itself: s += r/2 * (v - s^2), residual fused.
    let residual = fusedMultiplyAdd(v, -s, s)
    s = fusedMultiplyAdd(s, r * 0.5, residual)
    s = select(tiny, s * (1.0 / 4096), s)
    // ±0 and +inf map to themselves; negative inputs (not -0) give NaN; NaN stays NaN.
    let magnitude = bits(x) & 0x7FFF_FFFF
    s = select(zeroMask(magnitude) | zeroMask(bits(x) ^ 0x7F80_0000), x, s)
    return select(signMask(x) & ~zeroMask(magnitude), SIMD8(repeating: .nan), s)
}
