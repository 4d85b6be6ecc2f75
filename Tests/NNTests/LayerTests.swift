import Foundation
import Testing
@testable import NN

@Suite("Layers")
struct LayerTests {
    @Test func linearComputesXTimesWeightTransposedPlusBias() {
        let layer = Linear(weight: Tensor([[1, 2, 3], [-1, 0, 2]]), bias: Tensor([0.5, -1]))
        let y = layer(Tensor([[1, 1, 1], [2, -1, 0.5]]))
        // Row 1: [1+2+3+0.5, -1+0+2-1]; row 2: [2-2+1.5+0.5, -2+0+1-1].
        #expect(y.shape == [2, 2])
        #expect(y.scalars == [6.5, 0, 2, -2])
        let batched = layer(Tensor([1, 1, 1, 2, -1, 0.5, 0, 0, 0, 1, 0, 0], shape: [2, 2, 3]))
        #expect(batched.shape == [2, 2, 2])
        #expect(batched.scalars == [6.5, 0, 2, -2, 0.5, -1, 1.5, -2])
        #expect(Linear(weight: Tensor([[2, 0]]))(Tensor([[3, 4]])).scalars == [6])
    }

    @Test func linearInitializationFollowsPyTorchOrTheGivenStandardDeviation() {
        var generator = RandomGenerator(seed: 11)
        let uniform = Linear(inputSize: 16, outputSize: 64, generator: &generator)
        #expect(uniform.weight.shape == [64, 16] && uniform.bias?.shape == [64])
        let bound: Float = 0.25
        #expect(uniform.weight.scalars.allSatisfy { abs($0) <= bound })
        #expect(uniform.bias!.scalars.allSatisfy { abs($0) <= bound })
        // The variance of uniform(±a) is a²/3: expect the sample std near 0.25/√3 ≈ 0.144.
        #expect(abs(standardDeviation(uniform.weight.scalars) - 0.1443) < 0.015)
        let normal = Linear(inputSize: 32, outputSize: 64, bias: true, standardDeviation: 0.02, generator: &generator)
        #expect(abs(standardDeviation(normal.weight.scalars) - 0.02) < 0.002)
        #expect(normal.bias!.scalars.allSatisfy { $0 == 0 })
        #expect(Linear(inputSize: 3, outputSize: 2, bias: false, generator: &generator).bias == nil)
        #expect(uniform.weight.requiresGrad && uniform.bias!.requiresGrad)
    }

    @Test func linearGradientsMatchFiniteDifferences() {
        let x = randomTensor([2, 3, 4], seed: 21)
        let weight = randomTensor([5, 4], seed: 22), bias = randomTensor([5], seed: 23)
        expectGradientsMatch([x, weight, bias]) { p in Linear(weight: p[1], bias: p[2])(p[0]) }
    }

    @Test func embeddingLooksUpRows() {
        let table = Tensor([[0, 1], [10, 11], [20, 21]])
        let embedding = Embedding(weight: table)
        let flat = embedding([2, 0, 1, 2], shape: [2, 2])
        #expect(flat.shape == [2, 2, 2])
        #expect(flat.scalars == [20, 21, 0, 1, 10, 11, 20, 21])
        let nested = embedding([[1], [2]])
        #expect(nested.shape == [2, 1, 2] && nested.scalars == [10, 11, 20, 21])
        var generator = RandomGenerator(seed: 12)
        let random = Embedding(count: 100, dimension: 20, generator: &generator)
        #expect(abs(standardDeviation(random.weight.scalars) - 1) < 0.05)
    }

    @Test func embeddingGradientAccumulatesRepeatedIds() {
        let embedding = Embedding(weight: Tensor([[0, 1], [10, 11], [20, 21]]))
        let out = embedding([2, 0, 2], shape: [3])
        (out * Tensor([[1, 2], [3, 4], [5, 6]])).sum().backward()
        #expect(embedding.weight.grad?.scalars == [3, 4, 0, 0, 6, 8])
        expectGradientsMatch([randomTensor([4, 3], seed: 24)]) { p in Embedding(weight: p[0])([1, 3, 1, 0, 2, 1], shape: [2, 3]) }
    }

    @Test func rmsNormMatchesHandComputation() {
        let norm = RMSNorm(dimension: 4, epsilon: 1e-5)
        #expect(norm.weight.scalars == [1, 1, 1, 1])
        norm.weight.assign(Tensor([1, 2, 0.5, -1]))
        let x: [Float] = [1, -2, 3, 0.5, 0, 0, 0, 2]
        let y = norm(Tensor(x, shape: [2, 4])).scalars
        var expected: [Double] = []
        for row in 0..<2 {
            let values = x[row * 4..<row * 4 + 4].map(Double.init)
            let inverseRMS = 1 / (values.map { $0 * $0 }.reduce(0, +) / 4 + 1e-5).squareRoot()
            expected += zip(values, [1, 2, 0.5, -1]).map { $0 * inverseRMS * $1 }
        }
        expectClose(y, expected, tolerance: 1e-6)
        norm.weight.assign(randomTensor([4], seed: 26, in: 0.5..<1.5))
        expectGradientsMatch([randomTensor([3, 4], seed: 25), norm.weight]) { p in norm(p[0]) }
    }

    @Test func swiGLUMLPMatchesHandComputation() {
        var generator = RandomGenerator(seed: 13)
        let mlp = SwiGLUMLP(dimension: 3, hiddenDimension: 4, generator: &generator)
        #expect(mlp.namedParameters().map(\.0) == ["gate_proj.weight", "up_proj.weight", "down_proj.weight"])
        #expect(mlp.gateProj.bias == nil)
        let x = randomTensor([2, 3], seed: 27)
        let y = mlp(x)
        #expect(y.shape == [2, 3])
        let g = mlp.gateProj.weight.scalars.map(Double.init), u = mlp.upProj.weight.scalars.map(Double.init)
        let d = mlp.downProj.weight.scalars.map(Double.init), xs = x.scalars.map(Double.init)
        var expected: [Double] = []
        for row in 0..<2 {
            let input = Array(xs[row * 3..<row * 3 + 3])
            let hidden = (0..<4).map { h -> Double in
                let gate = (0..<3).reduce(0.0) { $0 + g[h * 3 + $1] * input[$1] }
                let up = (0..<3).reduce(0.0) { $0 + u[h * 3 + $1] * input[$1] }
                return gate / (1 + exp(-gate)) * up
            }
            expected += (0..<3).map { o in (0..<4).reduce(0.0) { $0 + d[o * 4 + $1] * hidden[$1] } }
        }
        expectClose(y.scalars, expected, tolerance: 1e-6)
    }

    @Test func swiGLUMLPGradientsMatchFiniteDifferences() {
        var generator = RandomGenerator(seed: 14)
        let mlp = SwiGLUMLP(dimension: 3, hiddenDimension: 5, bias: true, generator: &generator)
        #expect(mlp.parameters().count == 6)
        expectGradientsMatch([randomTensor([2, 2, 3], seed: 28)] + mlp.parameters()) { p in mlp(p[0]) }
    }
}

private func standardDeviation(_ values: [Float]) -> Float {
    let mean = values.reduce(0, +) / Float(values.count)
    return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
}
