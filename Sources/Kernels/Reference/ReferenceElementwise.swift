import Foundation

extension Reference {
    /// Scalar `f(x)` in Double (rounded to Float), the contract of ``applyUnary(_:_:_:count:)``.
    public static func unary(_ f: UnaryFunction, _ x: Float) -> Float {
        let v = Double(x)
        switch f {
        case .negate: return -x
        case .exp: return Float(Foundation.exp(v))
        case .log: return Float(Foundation.log(v))
        case .sqrt: return Float(v.squareRoot())
        case .rsqrt: return Float(1 / v.squareRoot())
        case .tanh: return Float(Foundation.tanh(v))
        case .sigmoid: return Float(1 / (1 + Foundation.exp(-v)))
        case .silu: return Float(v / (1 + Foundation.exp(-v)))
        case .gelu: return Float(0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot())))
        case .relu: return x > 0 ? x : 0
        case .square: return Float(v * v)
        case .reciprocal: return Float(1 / v)
        }
    }

    /// Scalar derivative `f'(x)` in Double, the contract of ``applyUnaryBackward(_:x:y:dy:dx:count:)``.
    public static func unaryDerivative(_ f: UnaryFunction, _ x: Float) -> Double {
        let v = Double(x)
        switch f {
        case .negate: return -1
        case .exp: return Foundation.exp(v)
        case .log: return 1 / v
        case .sqrt: return 0.5 / v.squareRoot()
        case .rsqrt: return -0.5 * Foundation.pow(v, -1.5)
        case .tanh: let t = Foundation.tanh(v); return 1 - t * t
        case .sigmoid: let s = 1 / (1 + Foundation.exp(-v)); return s * (1 - s)
        case .silu: let s = 1 / (1 + Foundation.exp(-v)); return s * (1 + v * (1 - s))
        case .gelu:
            return 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot())) + v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot()
        case .relu: return x > 0 ? 1 : 0
        case .square: return 2 * v
        case .reciprocal: return -1 / (v * v)
        }
    }

    /// Same contract as ``applyUnary(_:_:_:count:)``.
    public static func applyUnary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] = unary(f, x[i]) }
    }

    /// Same contract as ``applyUnaryBackward(_:x:y:dy:dx:count:)`` (ignores `y`, differentiates in Double).
    public static func applyUnaryBackward(
        _ f: UnaryFunction, x: UnsafePointer<Float>, y: UnsafePointer<Float>, dy: UnsafePointer<Float>,
        dx: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { dx[i] = Float(Double(dy[i]) * unaryDerivative(f, x[i])) }
    }

    /// Scalar `f(a, b)`, the contract of ``applyBinary(_:_:aStep:_:bStep:_:count:)``.
    public static func binary(_ f: BinaryFunction, _ a: Float, _ b: Float) -> Float {
        switch f {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .maximum: return a.isNaN || b.isNaN ? .nan : Swift.max(a, b)
        case .minimum: return a.isNaN || b.isNaN ? .nan : Swift.min(a, b)
        case .power: return Float(Foundation.pow(Double(a), Double(b)))
        }
    }

    /// Same contract as ``applyBinary(_:_:aStep:_:bStep:_:count:)``.
    public static func applyBinary(
        _ f: BinaryFunction, _ a: UnsafePointer<Float>, aStep: Int, _ b: UnsafePointer<Float>, bStep: Int,
        _ c: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { c[i] = binary(f, a[i * aStep], b[i * bStep]) }
    }

    /// Same contract as ``scaleAdd(alpha:_:beta:_:count:)``.
    public static func scaleAdd(alpha: Float, _ x: UnsafePointer<Float>, beta: Float, _ y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count {
            let prior = beta == 0 ? 0 : Double(beta) * Double(y[i])
            y[i] = Float(Double(alpha) * Double(x[i]) + prior)
        }
    }

    /// Same contract as ``accumulate(_:into:count:)``.
    public static func accumulate(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += x[i] }
    }
}
