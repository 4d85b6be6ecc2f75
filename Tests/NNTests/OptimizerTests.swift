import Foundation
import Testing
@testable import NN

@Suite("Optimizers")
struct OptimizerTests {
    /// Reference values from torch.optim.AdamW 2.x in float32, produced by
    /// Scripts/nn_adamw_reference.py (same parameters, gradients, groups and learning rates).
    @Test func adamWTwoStepsMatchPyTorch() {
        let weight = Tensor([[0.5, -1.0, 0.25], [2.0, 0.0, -0.75]]).requiringGrad()
        let bias = Tensor([0.1, -0.2, 0.3]).requiringGrad()
        let optimizer = AdamW(
            groups: [
                ParameterGroup(parameters: [("weight", weight)], weightDecay: 0.1),
                ParameterGroup(parameters: [("bias", bias)], weightDecay: 0),
            ],
            learningRate: 0.01, betas: (0.9, 0.95), epsilon: 1e-8)
        weight.grad = Tensor([[0.1, -0.2, 0.3], [0.0, 1.5, -0.05]])
        bias.grad = Tensor([0.01, -0.3, 2.0])
        optimizer.step()
        expectClose(weight.scalars, [0.489500016, -0.989000022, 0.239749998, 1.99800003, -0.00999999978, -0.739250004])
        expectClose(bias.scalars, [0.090000011, -0.189999998, 0.290000021])
        expectClose(
            optimizer.stateDictionary().parameters["weight"]!["exp_avg_sq"]!.scalars,
            [0.000500000024, 0.00200000009, 0.00450000027, 0, 0.112500004, 0.000125000006], tolerance: 5e-8)

        optimizer.learningRate = 0.02
        weight.grad = Tensor([[-0.4, 0.2, 0.1], [0.3, -1.0, 0.02]])
        bias.grad = Tensor([0.5, 0.0, -1.0])
        optimizer.step()
        expectClose(weight.scalars, [0.499589086, -0.98807466, 0.221671283, 1.97930491, -0.0128844902, -0.730795562])
        expectClose(bias.scalars, [0.0750390664, -0.176427037, 0.284632623])
        #expect(optimizer.stepCount == 2)
    }

    @Test func moduleConvenienceSplitsDecayGroupsByRank() {
        var generator = RandomGenerator(seed: 31)
        let mlp = TwoLayerPerceptron(inputs: 3, hidden: 4, classes: 2, generator: &generator)
        let optimizer = AdamW(module: mlp, learningRate: 0.1, weightDecay: 0.5)
        #expect(optimizer.groups.map { $0.parameters.map(\.0) } == [["fc1.weight", "fc2.weight"], ["fc1.bias", "fc2.bias"]])
        #expect(optimizer.groups.map(\.weightDecay) == [0.5, 0])
        // All-zero gradients: only decoupled weight decay can move a parameter.
        let before = mlp.namedParameters().map { ($0.0, $0.1.scalars) }
        for parameter in mlp.parameters() { parameter.grad = Tensor.zeros(like: parameter) }
        optimizer.step()
        for ((name, old), (_, parameter)) in zip(before, mlp.namedParameters()) {
            if name.hasSuffix("bias") {
                #expect(parameter.scalars == old, "\(name) has no decay and a zero gradient: it must not move")
            } else {
                expectClose(parameter.scalars, old.map { $0 * (1 - 0.1 * 0.5) })
            }
        }
    }

    @Test func frozenParametersAndMissingGradientsAreSkippedWithoutState() {
        var generator = RandomGenerator(seed: 32)
        let mlp = TwoLayerPerceptron(inputs: 3, hidden: 4, classes: 2, generator: &generator)
        mlp.freeze { $0.hasPrefix("fc1") }
        let optimizer = AdamW(module: mlp, learningRate: 0.1)
        #expect(optimizer.groups.flatMap { $0.parameters.map(\.0) }.sorted() == ["fc2.bias", "fc2.weight"])

        let frozenBefore = mlp.fc1.weight.scalars, biasBefore = mlp.fc2.bias!.scalars
        mlp.fc1.weight.grad = Tensor.ones([4, 3])  // frozen and not given to the optimizer
        mlp.fc2.weight.grad = Tensor.ones([2, 4])
        optimizer.step()
        #expect(mlp.fc1.weight.scalars == frozenBefore)
        #expect(mlp.fc2.bias!.scalars == biasBefore)
        #expect(optimizer.hasState(for: "fc2.weight") && !optimizer.hasState(for: "fc2.bias"))
        #expect(Set(optimizer.stateDictionary().parameters.keys) == ["fc2.weight"])

        // Frozen after construction: skipped too.
        mlp.freeze { $0 == "fc2.weight" }
        let weightBefore = mlp.fc2.weight.scalars
        optimizer.step()
        #expect(mlp.fc2.weight.scalars == weightBefore)
        optimizer.zeroGrad()
        #expect(mlp.fc2.weight.grad == nil && mlp.fc1.weight.grad != nil)
    }

    @Test(arguments: [false, true])
    func sgdMomentumMatchesHandComputation(nesterov: Bool) {
        let start: [Double] = [1.0, -2.0, 0.5]
        let gradients: [[Double]] = [[0.3, -0.1, 2.0], [-1.0, 0.4, 0.0], [0.25, 0.25, -0.5]]
        let (learningRate, momentum, weightDecay) = (0.1, 0.9, 0.01)
        let parameter = Tensor(start.map(Float.init)).requiringGrad()
        let optimizer = SGD(
            parameters: [("p", parameter)], learningRate: Float(learningRate), momentum: Float(momentum),
            nesterov: nesterov, weightDecay: Float(weightDecay))
        // PyTorch's SGD in Double: d = g + λp; b = d (first step) or μb + d; p -= lr·(nesterov ? d + μb : b).
        var p = start
        var buffer: [Double]?
        for gradient in gradients {
            let d = zip(gradient, p).map { $0 + weightDecay * $1 }
            let b = buffer.map { zip($0, d).map { momentum * $0 + $1 } } ?? d
            buffer = b
            let direction = nesterov ? zip(d, b).map { $0 + momentum * $1 } : b
            p = zip(p, direction).map { $0 - learningRate * $1 }

            parameter.grad = Tensor(gradient.map(Float.init))
            optimizer.step()
            expectClose(parameter.scalars, p, tolerance: 1e-6)
        }
        // The optimizer must not change the gradient it read.
        #expect(parameter.grad?.scalars == gradients.last!.map(Float.init))
    }

    @Test func plainSGDIsGradientDescent() {
        let parameter = Tensor([1, 2]).requiringGrad()
        let optimizer = SGD(parameters: [("p", parameter)], learningRate: 0.5)
        parameter.grad = Tensor([0.5, -1])
        optimizer.step()
        #expect(parameter.scalars == [0.75, 2.5])
        #expect(optimizer.stateDictionary().parameters.isEmpty)
    }

    @Test func adamWStateSaveAndLoadGiveAnIdenticalNextStep() throws {
        try expectIdenticalStepAfterRestore { module in AdamW(module: module, learningRate: 0.05, weightDecay: 0.1) }
    }

    @Test func sgdStateSaveAndLoadGiveAnIdenticalNextStep() throws {
        try expectIdenticalStepAfterRestore { module in
            SGD(parameters: module.namedParameters(), learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1)
        }
    }

    @Test func loadingMismatchedOptimizerStateThrowsNamingTheParameter() throws {
        var generator = RandomGenerator(seed: 33)
        let mlp = TwoLayerPerceptron(inputs: 3, hidden: 4, classes: 2, generator: &generator)
        let optimizer = AdamW(module: mlp, learningRate: 0.1)
        for parameter in mlp.parameters() { parameter.grad = Tensor.ones(parameter.shape) }
        optimizer.step()
        let state = optimizer.stateDictionary()

        var unknown = state
        unknown.parameters["fc3.weight"] = state.parameters["fc2.weight"]
        #expect(throws: OptimizerStateError.unknownParameter("fc3.weight")) { try optimizer.loadState(unknown) }

        var wrongShape = state
        wrongShape.parameters["fc1.weight"]!["exp_avg"] = Tensor.zeros([3, 4])
        let mismatch = OptimizerStateError.shapeMismatch(parameter: "fc1.weight", name: "exp_avg", expected: [4, 3], found: [3, 4])
        #expect(throws: mismatch) { try optimizer.loadState(wrongShape) }
        #expect(String(describing: mismatch).contains("'fc1.weight'") && String(describing: mismatch).contains("[4, 3]"))

        var missing = state
        missing.parameters["fc2.bias"]!["exp_avg_sq"] = nil
        #expect(throws: OptimizerStateError.missingState(parameter: "fc2.bias", name: "exp_avg_sq")) {
            try optimizer.loadState(missing)
        }

        var noStep = state
        noStep.scalars["step"] = nil
        #expect(throws: OptimizerStateError.missingScalar("step")) { try optimizer.loadState(noStep) }
    }
}

/// Trains two steps, saves model + optimizer state (through JSON), restores both into fresh
/// objects, and checks that one more step gives bit-identical parameters and state.
private func expectIdenticalStepAfterRestore(
    sourceLocation: SourceLocation = #_sourceLocation, makeOptimizer: (any Module) -> any Optimizer
) throws {
    func makeModel() -> TwoLayerPerceptron {
        var generator = RandomGenerator(seed: 34)
        return TwoLayerPerceptron(inputs: 3, hidden: 5, classes: 3, generator: &generator)
    }
    let inputs = randomTensor([6, 3], seed: 35)
    let targets: [Int32] = [0, 1, 2, 2, 1, 0]
    func train(_ model: TwoLayerPerceptron, _ optimizer: any Optimizer) {
        optimizer.zeroGrad()
        Tensor.crossEntropy(logits: model(inputs), targets: targets).backward()
        optimizer.step()
    }

    let original = makeModel()
    let optimizer = makeOptimizer(original)
    train(original, optimizer)
    optimizer.learningRate *= 0.5
    train(original, optimizer)
    let savedWeights = original.stateDictionary().mapValues { copyOf($0) }
    let encoded = try JSONEncoder().encode(optimizer.stateDictionary())

    let restored = makeModel()
    try restored.load(savedWeights)
    let restoredOptimizer = makeOptimizer(restored)
    try restoredOptimizer.loadState(JSONDecoder().decode(OptimizerState.self, from: encoded))
    #expect(restoredOptimizer.learningRate == optimizer.learningRate, sourceLocation: sourceLocation)

    train(original, optimizer)
    train(restored, restoredOptimizer)
    for ((name, a), (_, b)) in zip(original.namedParameters(), restored.namedParameters()) {
        #expect(a.scalars == b.scalars, "\(name) differs after the restored step", sourceLocation: sourceLocation)
    }
    let stateA = optimizer.stateDictionary(), stateB = restoredOptimizer.stateDictionary()
    #expect(stateA.scalars == stateB.scalars, sourceLocation: sourceLocation)
    #expect(Set(stateA.parameters.keys) == Set(stateB.parameters.keys), sourceLocation: sourceLocation)
    for (name, slots) in stateA.parameters {
        for (slot, tensor) in slots {
            #expect(tensor.scalars == stateB.parameters[name]?[slot]?.scalars, "\(name).\(slot)", sourceLocation: sourceLocation)
        }
    }
}
