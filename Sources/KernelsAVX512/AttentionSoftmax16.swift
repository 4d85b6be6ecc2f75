// The exp-heavy loops of the attention kernels with sixteen lanes. Each mirrors its
// SIMD8 counterpart in Kernels operation for operation (the same clamps, FMAs and
// rounding per lane), so both give the same bits; tests compare them.

#if arch(x86_64)

/// `e^x` lane by lane: Kernels' `vectorExp` (clamp, Cody-Waite reduction, Cephes
/// polynomial, two-step scaling by 2^n) on sixteen lanes. Keep the two in step.
@inline(__always)
package func vectorExp16(_ x: SIMD16<Float>) -> SIMD16<Float> {
    let lo = SIMD16<Float>(repeating: -104), hi = SIMD16<Float>(repeating: 89)
    let xc = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
    let magic = SIMD16<Float>(repeating: 12582912)
    let t = magic.addingProduct(xc, SIMD16(repeating: 1.44269504088896341))
    let n = t - magic
    var r = xc.addingProduct(n, SIMD16(repeating: -0.693359375))
    r = r.addingProduct(n, SIMD16(repeating: 2.12194440e-4))
    var p = SIMD16<Float>(repeating: 1.9875691500e-4)
    p = SIMD16(repeating: 1.3981999507e-3).addingProduct(p, r)
    p = SIMD16(repeating: 8.3334519073e-3).addingProduct(p, r)
    p = SIMD16(repeating: 4.1665795894e-2).addingProduct(p, r)
    p = SIMD16(repeating: 1.6666665459e-1).addingProduct(p, r)
    p = SIMD16(repeating: 5.0000001201e-1).addingProduct(p, r)
    let er = r.addingProduct(p, r * r) + 1
    let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- unsafeBitCast(magic, to: SIMD16<Int32>.self)
    let n1 = ni &>> 1
    let n2 = ni &- n1
    let s1 = unsafeBitCast((n1 &+ 127) &<< 23, to: SIMD16<Float>.self)
    let s2 = unsafeBitCast((n2 &+ 127) &<< 23, to: SIMD16<Float>.self)
    return er * s1 * s2
}

@inline(__always)
func laneMax(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
    a.replacing(with: b, where: a .< b)
}

/// The online-softmax update of the attention forward for queries `lane..<lane + 16` of a
/// key tile: the scores `s[j * ld + i]` (keys `j < keys`) become `exp(score - shift)` for
/// the new running maximum, and `rowMax`, `rowSum`, `correction` (the factor earlier
/// outputs must be scaled by) are updated at those lanes.
@inline(never)
package func attentionSoftmaxLanes16(
    scores s: UnsafeMutablePointer<Float>, ld: Int, keys: Int, lane: Int,
    rowMax: UnsafeMutablePointer<Float>, rowSum: UnsafeMutablePointer<Float>,
    correction: UnsafeMutablePointer<Float>
) {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
    }
    @inline(__always) func store(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
    var tileMax = SIMD16<Float>(repeating: -.infinity)
    for j in 0..<keys { tileMax = laneMax(tileMax, load(s + j * ld + lane)) }
    let oldMax = load(rowMax + lane)
    let newMax = laneMax(oldMax, tileMax)
    let shift = newMax.replacing(with: 0, where: newMax .== -.infinity)
    var tileSum = SIMD16<Float>()
    for j in 0..<keys {
        let e = vectorExp16(load(s + j * ld + lane) - shift)
        store(e, s + j * ld + lane)
        tileSum += e
    }
    let factor = vectorExp16(oldMax - shift)
    store(tileSum.addingProduct(load(rowSum + lane), factor), rowSum + lane)
    store(newMax, rowMax + lane)
    store(factor, correction + lane)
}

/// `s[j] = exp(scale * s[j] - logSumExp)` for `j < count` (a multiple of 16): the
/// probabilities the attention backward recomputes from the scores.
@inline(never)
package func attentionRecomputeExp16(
    _ s: UnsafeMutablePointer<Float>, count: Int, scale: Float, logSumExp: Float
) {
    let scaleV = SIMD16<Float>(repeating: scale), shift = SIMD16<Float>(repeating: -logSumExp)
    var j = 0
    while j < count {
        let q = UnsafeMutableRawPointer(s + j)
        q.storeBytes(of: vectorExp16(shift.addingProduct(q.loadUnaligned(as: SIMD16<Float>.self), scaleV)), as: SIMD16<Float>.self)
        j += 16
    }
}

#endif
