import Foundation

extension Reference {
    /// Same contract as ``swiGLUForward(gate:up:y:count:)``; computed in Double.
    public static func swiGLUForward(gate: UnsafePointer<Float>, up: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let g = Double(gate[i])
            y[i] = Float(g / (1 + Foundation.exp(-g)) * Double(up[i]))
        }
    }

    /// Same contract as ``swiGLUBackward(gate:up:dy:dgate:dup:count:)``; computed in Double.
    public static func swiGLUBackward(
        gate: UnsafePointer<Float>, up: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dgate: UnsafeMutablePointer<Float>, dup: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count {
            let g = Double(gate[i]), u = Double(up[i]), d = Double(dy[i])
            let s = 1 / (1 + Foundation.exp(-g))
            dgate[i] = Float(d * u * s * (1 + g * (1 - s)))
            dup[i] = Float(d * g * s)
        }
    }
}
