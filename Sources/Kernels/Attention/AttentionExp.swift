/// `exp` of eight floats, for the softmax inside the attention kernels.
///
/// Cody-Waite range reduction `x = n ln2 + r`, `|r| <= ln2 / 2`, then the Cephes degree-7
/// polynomial for `e^r` (relative error about 1 ulp) scaled by `2^n`. The scaling is split
/// into two factors so that results down to the subnormal range stay correct;
/// `-infinity` gives 0 and arguments above ~88.72 give `+infinity`. NaN is not supported
/// (the kernels never pass it unless their inputs hold NaN).
@inline(__always)
func attentionExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    // `clamped(lowerBound:upperBound:)` and `pointwiseMin/Max` are not inlined by the
    // compiler (a call per use), so clamp by hand.
    let low = SIMD8<Float>(repeating: -104), high = SIMD8<Float>(repeating: 88.8)
    let raised = x.replacing(with: low, where: x .< low)
    let clamped = raised.replacing(with: high, where: raised .> high)
    // Adding 1.5 * 2^23 rounds x * log2(e) to the nearest integer and leaves that integer
    // in the low mantissa bits, so no float-to-int conversion is needed.
    let magic = SIMD8<Float>(repeating: 12_582_912)
    let shifted = fusedMultiplyAdd(magic, clamped, SIMD8(repeating: 1.442_695_04))
    let n = shifted - magic
    var r = fusedMultiplyAdd(clamped, n, SIMD8(repeating: -0.693_359_375))
    r = fusedMultiplyAdd(r, n, SIMD8(repeating: 2.121_944_4e-4))
    var p = SIMD8<Float>(repeating: 1.987_569_15e-4)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.398_199_95e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 8.333_451_9e-3), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 4.166_579_59e-2), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 1.666_666_55e-1), p, r)
    p = fusedMultiplyAdd(SIMD8(repeating: 5.000_000_12e-1), p, r)
    let r2 = r * r
    let er = fusedMultiplyAdd(r + 1, p, r2)
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- 0x4B40_0000
    let half = exponent &>> 1
    let rest = exponent &- half
    let scaleA = unsafeBitCast((half &+ 127) &<< 23, to: SIMD8<Float>.self)
    let scaleB = unsafeBitCast((rest &+ 127) &<< 23, to: SIMD8<Float>.self)
    return er * scaleA * scaleB
}

/// Lane-wise maximum, inlined (unlike `pointwiseMax`).
@inline(__always)
func attentionMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: a .< b)
}
