/// Compares reverse-mode gradients with central finite differences.
///
/// The function's output is reduced to a scalar with fixed pseudo-random weights,
/// `L = Σ wᵢ fᵢ`, so every output element takes part. The finite differences use the
/// exact perturbation that survives rounding to `Float` and accumulate `L` in `Double`,
/// which leaves the `Float` forward pass as the only source of noise.
public struct GradientCheck {
    /// One compared element.
    public struct Entry: CustomStringConvertible {
        public let input: Int
        public let index: Int
        public let analytic: Double
        public let numeric: Double
        public var description: String {
            "input \(input)[\(index)]: analytic \(analytic), numeric \(numeric)"
        }
    }

    /// Every compared element.
    public let entries: [Entry]
    public let absoluteTolerance: Double
    public let relativeTolerance: Double

    /// The entries outside `absoluteTolerance + relativeTolerance * |numeric|`.
    public var failures: [Entry] {
        entries.filter { abs($0.analytic - $0.numeric) > absoluteTolerance + relativeTolerance * abs($0.numeric) }
    }

    /// Whether every element agrees within tolerance.
    public var passed: Bool { failures.isEmpty }

    /// Runs the check. `inputs` are leaves; they are marked as requiring gradients.
    /// - Parameters:
    ///   - step: the finite-difference step.
    ///   - maxElementsPerInput: when an input is larger, a fixed pseudo-random subset is probed.
    public init(
        inputs: [Tensor], step: Float = 1e-2, absoluteTolerance: Double = 1e-3,
        relativeTolerance: Double = 1e-2, maxElementsPerInput: Int = 64, seed: UInt64 = 7,
        _ function: ([Tensor]) -> Tensor
    ) {
        self.absoluteTolerance = absoluteTolerance
        self.relativeTolerance = relativeTolerance
        for input in inputs { input.requiringGrad(true); input.grad = nil }
        let probe = function(inputs)
        var generator = RandomGenerator(seed: seed)
        let weights = Tensor.randomUniform(probe.shape, in: -1..<1, generator: &generator)
        (probe * weights).sum().backward()

        func objective() -> Double {
            let output = withNoGrad { function(inputs) }
            var total = 0.0
            for i in 0..<output.count { total += Double(output.storage.pointer[i]) * Double(weights.storage.pointer[i]) }
            return total
        }

        var entries: [Entry] = []
        for (inputIndex, input) in inputs.enumerated() {
            let analytic = input.grad?.scalars ?? [Float](repeating: 0, count: input.count)
            var indices = Array(0..<input.count)
            if indices.count > maxElementsPerInput {
                indices.shuffle(using: &generator)
                indices = Array(indices.prefix(maxElementsPerInput)).sorted()
            }
            for i in indices {
                let pointer = input.storage.pointer + i
                let original = pointer.pointee
                pointer.pointee = original + step
                let up = Double(pointer.pointee)
                let plus = objective()
                pointer.pointee = original - step
                let down = Double(pointer.pointee)
                let minus = objective()
                pointer.pointee = original
                entries.append(Entry(input: inputIndex, index: i, analytic: Double(analytic[i]), numeric: (plus - minus) / (up - down)))
            }
        }
        self.entries = entries
    }
}
