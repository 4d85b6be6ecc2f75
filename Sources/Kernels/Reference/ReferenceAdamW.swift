import Foundation

extension Reference {
    /// Same contract as ``adamWUpdate(parameter:gradient:m:v:count:learningRate:beta1:beta2:epsilon:weightDecay:step:)``,
    /// written directly from the formula and evaluated in Double.
    public static func adamWUpdate(
        parameter: UnsafeMutablePointer<Float>, gradient: UnsafePointer<Float>, m: UnsafeMutablePointer<Float>,
        v: UnsafeMutablePointer<Float>, count: Int, learningRate: Float, beta1: Float, beta2: Float,
        epsilon: Float, weightDecay: Float, step: Int
    ) {
        let lr = Double(learningRate), b1 = Double(beta1), b2 = Double(beta2)
        let bc1 = 1 - Foundation.pow(b1, Double(step)), bc2 = 1 - Foundation.pow(b2, Double(step))
        for i in 0..<count {
            var p = Double(parameter[i])
            let g = Double(gradient[i])
            p -= lr * Double(weightDecay) * p
            let mi = b1 * Double(m[i]) + (1 - b1) * g
            let vi = b2 * Double(v[i]) + (1 - b2) * g * g
            let mHat = mi / bc1
            let vHat = vi / bc2
            p -= lr * mHat / (vHat.squareRoot() + Double(epsilon))
            parameter[i] = Float(p)
            m[i] = Float(mi)
            v[i] = Float(vi)
        }
    }
}
