import Testing
@testable import NN

/// A seeded random tensor in `range`.
func randomTensor(_ shape: [Int], seed: UInt64, in range: Range<Float> = -1..<1) -> Tensor {
    var generator = RandomGenerator(seed: seed)
    return Tensor.randomUniform(shape, in: range, generator: &generator)
}

/// Runs a gradient check and records every mismatch as a test failure.
func expectGradientsMatch(
    _ inputs: [Tensor], absoluteTolerance: Double = 2e-3, relativeTolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ function: ([Tensor]) -> Tensor
) {
    let check = GradientCheck(
        inputs: inputs, absoluteTolerance: absoluteTolerance, relativeTolerance: relativeTolerance, function)
    #expect(!check.entries.isEmpty, sourceLocation: sourceLocation)
    for failure in check.failures.prefix(5) {
        Issue.record("gradient mismatch: \(failure)", sourceLocation: sourceLocation)
    }
}

/// Elementwise comparison with an absolute tolerance.
func expectClose(
    _ actual: [Float], _ expected: [Float], tolerance: Float = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(a - e) <= tolerance) {
        Issue.record("element \(i): \(a) vs expected \(e) (tolerance \(tolerance))", sourceLocation: sourceLocation)
        return
    }
}

/// Elementwise comparison against Double references with an absolute tolerance.
func expectClose(
    _ actual: [Float], _ expected: [Double], tolerance: Double, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "count \(actual.count) vs \(expected.count)", sourceLocation: sourceLocation)
    for (i, (a, e)) in zip(actual, expected).enumerated() where !(abs(Double(a) - e) <= tolerance) {
        Issue.record("element \(i): \(a) vs expected \(e) (tolerance \(tolerance))", sourceLocation: sourceLocation)
        return
    }
}
