/// Lane-wise maximum, inlined (unlike `pointwiseMax`).
@inline(__always)
func attentionMax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    a.replacing(with: b, where: a .< b)
}
