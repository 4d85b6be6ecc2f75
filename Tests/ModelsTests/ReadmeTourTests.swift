import Testing
@testable import Models

@Suite("README tour")
struct ReadmeTourTests {
    /// The README's tour, verbatim between the markers, plus checks that it did what it says.
    @Test func tourRunsAndTakesAStep() throws {
        // README begin
        var generator = RandomGenerator(seed: 0)
        let configuration = try LlamaConfiguration(
            hiddenSize: 64, intermediateSize: 172, numHiddenLayers: 2, numAttentionHeads: 4,
            numKeyValueHeads: 2, vocabSize: 65, maxPositionEmbeddings: 128)
        let model = LlamaForCausalLM(configuration: configuration, generator: &generator)
        let optimizer = AdamW(module: model, learningRate: 1e-3, weightDecay: 0.1)

        let tokens: [Int32] = (0..<34).map { Int32($0 % 65) }          // two rows of 17 tokens
        let inputs = Array(tokens[0..<16] + tokens[17..<33])             // (batch 2, sequence 16)
        let targets = Array(tokens[1..<17] + tokens[18..<34])            // next tokens

        let logits = model(inputs, batch: 2).logits                     // (2, 16, 65), recorded
        let loss = Tensor.crossEntropy(logits: logits, targets: targets)
        loss.backward()                                                 // gradients into .grad
        clipGradientNorm(model.parameters(), maxNorm: 1)
        optimizer.step()
        optimizer.zeroGrad()

        model.rotary = RotaryFrequencies(                               // extend the context: PI x4
            headDim: configuration.headDim, base: configuration.ropeTheta,
            scaling: RopeScaling(kind: .linear, factor: 4), maxPositionEmbeddings: 128)
        // README end
        #expect(logits.shape == [2, 16, 65])
        // Random init gives near-uniform predictions: loss close to ln(65).
        #expect(abs(loss.item - 4.174) < 0.05)
        let after = withNoGrad { Tensor.crossEntropy(logits: model(inputs, batch: 2).logits, targets: targets) }
        #expect(after.item.isFinite)
        #expect(model.parameters().allSatisfy { $0.grad == nil })
    }
}
