// Rotary position embedding in the Hugging Face "rotate_half" layout: dimension j pairs
// with j + headDim/2 and both use angle j.

/// Rotates each head vector of `x` (batch, seq, heads, headDim) by the angles whose cosines
/// and sines are `cos`, `sin` (batch, seq, headDim/2), writing `y` (which may alias `x`):
/// `y[j] = x[j]*cos[j] − x[j+h]*sin[j]`, `y[j+h] = x[j+h]*cos[j] + x[j]*sin[j]` (h = headDim/2).
/// `inverse == true` rotates by the negative angle, which is the backward `dx = R(−θ) dy`.
public func rotaryEmbedding(
    x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
    batch: Int, seq: Int, heads: Int, headDim: Int, inverse: Bool
) {
    precondition(
        batch >= 0 && seq >= 0 && heads >= 0 && headDim > 0 && headDim % 2 == 0,
        "rotaryEmbedding: bad shape (batch \(batch), seq \(seq), heads \(heads), headDim \(headDim))")
    let half = headDim / 2
    let positions = batch * seq
    let sign: Float = inverse ? -1 : 1
    forEachOuterRange(outer: positions, slabWork: heads * headDim, grain: streamingGrain) { range in
        for p in range {
            let c = cos + p * half, s = sin + p * half
            for h in 0..<heads {
                let base = (p * heads + h) * headDim
                let xa = x + base, xb = xa + half
                let ya = y + base, yb = ya + half
                var j = 0
                while j + 8 <= half {
                    let cv = load8(c + j), sv = load8(s + j) * sign
                    let a = load8(xa + j), b = load8(xb + j)
                    store8(fusedMultiplyAdd(a * cv, -b, sv), ya + j)
                    store8(fusedMultiplyAdd(b * cv, a, sv), yb + j)
                    j += 8
                }
                while j < half {
                    let cv = c[j], sv = s[j] * sign
                    let a = xa[j], b = xb[j]
                    ya[j] = fusedMultiplyAdd(a * cv, -b, sv)
                    yb[j] = fusedMultiplyAdd(b * cv, a, sv)
                    j += 1
                }
            }
        }
    }
}
