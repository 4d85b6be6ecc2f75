// SwiGLU gating of the Llama MLP: y = silu(gate) * up, elementwise.

/// `y[i] = silu(gate[i]) * up[i]` with `silu(g) = g * sigmoid(g)`; `y` may alias `gate` or `up`.
public func swiGLUForward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
    precondition(count >= 0, "swiGLUForward: negative count \(count)")
    forEachRange(count: count, grain: transcendentalGrain) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let g = load8(gate + i)
            store8(g * vectorSigmoid(g) * load8(up + i), y + i)
            i += 8
        }
        let rest = range.upperBound - i
        if rest > 0 {
            var g = SIMD8<Float>(), u = g
            for k in 0..<rest { g[k] = gate[i + k]; u[k] = up[i + k] }
            let r = g * vectorSigmoid(g) * u
            for k in 0..<rest { y[i + k] = r[k] }
        }
    }
}

/// Backward of ``swiGLUForward(gate:up:y:count:)``:
/// `dgate = dy * up * s * (1 + g * (1 - s))` and `dup = dy * g * s`, with `s = sigmoid(g)`.
/// `dgate` / `dup` may alias `gate` / `up` respectively (each element is read before it is written).
public func swiGLUBackward(
    gate: UnsafePointer<Float>, up: UnsafePointer<Float>, dy: UnsafePointer<Float>,
    dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>, count: Int
) {
    precondition(count >= 0, "swiGLUBackward: negative count \(count)")
    forEachRange(count: count, grain: transcendentalGrain) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let (dg, du) = swiGLUGradients(load8(gate + i), load8(up + i), load8(dy + i))
            store8(dg, dgate + i)
            store8(du, dup + i)
            i += 8
        }
        let rest = range.upperBound - i
        if rest > 0 {
            var g = SIMD8<Float>(), u = g, d = g
            for k in 0..<rest { g[k] = gate[i + k]; u[k] = up[i + k]; d[k] = dy[i + k] }
            let (dg, du) = swiGLUGradients(g, u, d)
            for k in 0..<rest { dgate[i + k] = dg[k]; dup[i + k] = du[k] }
        }
    }
}

@_transparent @usableFromInline
func swiGLUGradients(_ g: SIMD8<Float>, _ u: SIMD8<Float>, _ d: SIMD8<Float>) -> (SIMD8<Float>, SIMD8<Float>) {
    let s = vectorSigmoid(g)
    let silu = g * s
    let dsilu = s * fusedMultiplyAdd(SIMD8(repeating: 1), g, 1 - s)
    return (d * u * dsilu, d * silu)
}
