import Foundation
import Testing
@testable import Tensors

@Suite("Losses and fused ops")
struct LossAndFusedTests {
    @Test func crossEntropyMatchesHandComputationAndIgnoresRows() {
        let logits = Tensor([[1, 2, 3], [1, 1, 1], [0, 5, 0]])
        let loss = Tensor.crossEntropy(logits: logits, targets: [2, 0, -100])
        let row0 = log(exp(1.0) + exp(2.0) + exp(3.0)) - 3
        let row1 = log(3.0)
        #expect(abs(Double(loss.item) - (row0 + row1) / 2) < 1e-6)
        let x = randomTensor([4, 5], seed: 31, in: -2..<2)
        expectGradientsMatch([x]) { Tensor.crossEntropy(logits: $0[0], targets: [4, -100, 0, 2]) }
        let batched = randomTensor([2, 3, 5], seed: 32, in: -2..<2)
        expectGradientsMatch([batched]) { Tensor.crossEntropy(logits: $0[0], targets: [1, 2, 3, 4, 0, -100]) }
    }

    @Test func cosineSimilarityValuesAndGradients() {
        let a = Tensor([[1, 0], [1, 1]])
        let b = Tensor([[0, 1], [2, 2]])
        expectClose(Tensor.cosineSimilarity(a, b).scalars, [0, 1])
        let x = randomTensor([3, 6], seed: 33), y = randomTensor([3, 6], seed: 34)
        expectGradientsMatch([x, y]) { Tensor.cosineSimilarity($0[0], $0[1]) }
        expectGradientsMatch([x, y]) { Tensor.cosineSimilarity($0[0], $0[1], alongAxis: 0) }
    }

    @Test func klDivergenceValuesAndGradients() {
        let p = Tensor([[0, 0]]), q = Tensor([[0, Float(log(3.0))]])
        // P = (1/2, 1/2), Q = (1/4, 3/4): KL = 1/2 log 2 + 1/2 log(2/3)
        expectClose(Tensor.klDivergence(pLogits: p, qLogits: q).scalars, [Float(0.5 * log(2.0) + 0.5 * log(2.0 / 3.0))])
        #expect(abs(Tensor.klDivergence(pLogits: q, qLogits: q).item) < 1e-7)
        let x = randomTensor([2, 5], seed: 35), y = randomTensor([2, 5], seed: 36)
        expectGradientsMatch([x, y]) { Tensor.klDivergence(pLogits: $0[0], qLogits: $0[1]) }
    }

    @Test func rmsNormMatchesDefinitionAndGradients() {
        let x = Tensor([[1, 2, 3, 4]]), w = Tensor([1, 1, 2, 0.5])
        let rms = Float((30.0 / 4 + 1e-5).squareRoot())
        expectClose(Tensor.rmsNorm(x, weight: w, epsilon: 1e-5).scalars, [1 / rms, 2 / rms, 6 / rms, 2 / rms])
        let input = randomTensor([3, 2, 8], seed: 37), weight = randomTensor([8], seed: 38, in: 0.5..<1.5)
        expectGradientsMatch([input, weight]) { Tensor.rmsNorm($0[0], weight: $0[1], epsilon: 1e-5) }
    }

    @Test func swiGLUMatchesComposition() {
        let gate = randomTensor([3, 7], seed: 39, in: -3..<3), up = randomTensor([3, 7], seed: 40)
        expectClose(Tensor.swiGLU(gate: gate, up: up).scalars, (gate.silu() * up).scalars, tolerance: 1e-6)
        expectGradientsMatch([gate, up]) { Tensor.swiGLU(gate: $0[0], up: $0[1]) }
    }

    @Test func rotaryRotatesPairsAndInvertsInBackward() {
        // One head, head dim 4: pairs (0, 2) and (1, 3) rotate by the given angles.
        let x = Tensor([1, 2, 3, 4], shape: [1, 1, 1, 4])
        let angles: [Float] = [0.5, -1.25]
        let cos = Tensor(angles.map { Foundation.cos($0) }, shape: [1, 1, 2])
        let sin = Tensor(angles.map { Foundation.sin($0) }, shape: [1, 1, 2])
        let y = Tensor.rotaryEmbedding(x, cos: cos, sin: sin).scalars
        expectClose(y, [
            1 * Foundation.cos(0.5) - 3 * Foundation.sin(0.5), 2 * Foundation.cos(-1.25) - 4 * Foundation.sin(-1.25),
            3 * Foundation.cos(0.5) + 1 * Foundation.sin(0.5), 4 * Foundation.cos(-1.25) + 2 * Foundation.sin(-1.25),
        ], tolerance: 1e-6)
        let input = randomTensor([2, 3, 2, 6], seed: 41)
        let phases = randomTensor([2, 3, 3], seed: 42, in: -3..<3)
        let c = Tensor(phases.scalars.map { Foundation.cos($0) }, shape: phases.shape)
        let s = Tensor(phases.scalars.map { Foundation.sin($0) }, shape: phases.shape)
        expectGradientsMatch([input]) { Tensor.rotaryEmbedding($0[0], cos: c, sin: s) }
    }
}
