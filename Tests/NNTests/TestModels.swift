@testable import NN

/// `fc2(relu(fc1(x)))`: the small classifier used by optimizer and training tests.
final class TwoLayerPerceptron: Module {
    let fc1: Linear
    let fc2: Linear

    init(inputs: Int, hidden: Int, classes: Int, generator: inout RandomGenerator) {
        fc1 = Linear(inputSize: inputs, outputSize: hidden, generator: &generator)
        fc2 = Linear(inputSize: hidden, outputSize: classes, generator: &generator)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
}
