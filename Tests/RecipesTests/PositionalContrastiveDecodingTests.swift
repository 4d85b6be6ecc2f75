import Foundation
import Testing
@testable import Recipes

@Suite("Positional contrastive decoding")
struct PositionalContrastiveDecodingTests {
    /// METHODS.md §7 by hand, in Double: theta*_j = T(j/(d/2)) theta_j + (1 - T) theta'_j with
    /// T(x) = 2 - exp(alpha x) and theta'_j = (1e-4 B)^(-2j/d); pair 0 keeps the model's frequency.
    @Test(arguments: [(8, 10_000.0), (64, 500_000.0)])
    func localAwareFrequenciesFollowTheFormula(headDim: Int, base: Double) {
        let rotary = RotaryFrequencies(headDim: headDim, base: base, maxPositionEmbeddings: 64)
        let pcd = PositionalContrastiveDecoding()
        let local = pcd.localAwareFrequencies(for: rotary)
        let frequencies = local.inverseFrequencies()
        #expect(frequencies.count == headDim / 2)
        #expect(local.explicitInverseFrequencies == frequencies && local.attentionScaling == 1)
        for j in 0..<(headDim / 2) {
            let theta = pow(base, -Double(2 * j) / Double(headDim))
            let small = pow(1e-4 * base, -Double(2 * j) / Double(headDim))
            let t = 2 - exp(0.2 * Double(j) / Double(headDim / 2))
            let expected = t * theta + (1 - t) * small
            #expect(abs(Double(frequencies[j]) - expected) <= 2e-7 * expected, "pair \(j)")
        }
        #expect(frequencies[0] == rotary.inverseFrequencies()[0])
        // YaRN keeps its attention factor; only the frequencies change.
        let yarn = RotaryFrequencies(
            headDim: headDim, base: base, scaling: RopeScaling(kind: .yarn, factor: 4), maxPositionEmbeddings: 64)
        #expect(yarn.attentionScaling > 1 && pcd.localAwareFrequencies(for: yarn).attentionScaling == yarn.attentionScaling)
        // The cos/sin tables use the explicit frequencies.
        let tables = local.tables(positions: [3])
        #expect(abs(tables.cos[1] - Float(cos(3 * Double(frequencies[1])))) <= 1e-6)
    }

    @Test func contrastiveLogitsKeepTheTopTokensOfTheModel() {
        let pcd = PositionalContrastiveDecoding(beta: 2.5, topCount: 2)
        // Top two of L: ids 1 (3) and 2 (2). (1 + 2.5) * 3 - 2.5 * 1 = 8; 3.5 * 2 - 2.5 * 5 = -5.5.
        let result = pcd.contrastiveLogits([1, 3, 2, 0], local: [0, 1, 5, 0])
        #expect(result == [-.infinity, 8, -5.5, -.infinity])
        // Among equal logits the lower ids are kept; a large topCount keeps everything.
        #expect(pcd.contrastiveLogits([1, 1, 1], local: [0, 0, 0]) == [3.5, 3.5, -.infinity])
        #expect(PositionalContrastiveDecoding(beta: 0, topCount: 100).contrastiveLogits([1, -2], local: [7, 7]) == [1, -2])
    }

    /// Cached PCD decoding against a loop that recomputes both passes over the whole sequence
    /// at every step; the arg-max margins are checked so the comparison cannot hinge on rounding.
    @Test func cachedDecodingEqualsFullRecomputation() {
        let model = StrategyFixture.model()
        let original = model.rotary
        let pcd = PositionalContrastiveDecoding(beta: 2.5, topCount: 5)
        let prompt: [Int32] = [3, 7, 1, 12, 5, 9]
        let generated = model.generate(prompt: prompt, maxNewTokens: 10, contrastive: pcd)
        #expect(model.rotary == original)

        let local = pcd.localAwareFrequencies(for: original)
        var sequence = prompt
        var recomputed: [Int32] = []
        var plainDiffers = false
        for _ in 0..<generated.count {
            model.rotary = original
            let logits = withNoGrad { model(sequence, lastPositionOnly: true).logits.scalars }
            model.rotary = local
            let localLogits = withNoGrad { model(sequence, lastPositionOnly: true).logits.scalars }
            model.rotary = original
            let combined = pcd.contrastiveLogits(logits, local: localLogits)
            let ranked = combined.sorted(by: >)
            #expect(ranked[0] - ranked[1] > 1e-3, "near tie at step \(recomputed.count)")
            let best = Int32(TokenSampler.argmax(combined))
            if best != Int32(TokenSampler.argmax(logits)) { plainDiffers = true }
            recomputed.append(best)
            sequence.append(best)
        }
        #expect(generated == recomputed)
        // The contrast changes the choice somewhere, or this test would not see the second pass.
        #expect(plainDiffers)
    }

    @Test func withoutContrastItIsGreedyDecoding() {
        let model = StrategyFixture.model()
        let prompt: [Int32] = [4, 4, 11, 2]
        let plain = model.generate(prompt: prompt, maxNewTokens: 12)
        let pcd = PositionalContrastiveDecoding(beta: 0, topCount: StrategyFixture.vocab)
        #expect(model.generate(prompt: prompt, maxNewTokens: 12, contrastive: pcd) == plain)
        #expect(model.generate(prompt: prompt, maxNewTokens: 0, contrastive: pcd).isEmpty)
    }
}

@Suite("longred generate --pcd")
struct ContrastiveGenerateCommandTests {
    @Test func printsTheContrastiveCompletion() throws {
        let base = try RecipeCommandLineTests.base.get().base
        let run = try runLongred([
            "generate", "--model", base.path, "--prompt", "ROMEO:", "--max-tokens", "24", "--temperature", "0",
            "--ignore-eos", "--pcd", "--pcd-beta", "1.5", "--pcd-top", "8",
        ])
        #expect(run.status == 0, "\(run.error)")
        let model = try LlamaForCausalLM.load(directory: base.path)
        let tokenizer = try loadTokenizer(modelDirectory: base.path)
        var prompt = try tokenizer.encode("ROMEO:", addSpecialTokens: false).map { Int32($0) }
        if let bos = tokenizer.bosTokenId { prompt.insert(Int32(bos), at: 0) }
        let pcd = PositionalContrastiveDecoding(beta: 1.5, topCount: 8)
        let tokens = model.generate(prompt: prompt, maxNewTokens: 24, contrastive: pcd).map { Int($0) }
        #expect(run.output == tokenizer.decode(tokens, skipSpecialTokens: true) + "\n")
        // The flag mattered: plain greedy decoding continues differently.
        #expect(model.generate(prompt: prompt, maxNewTokens: 24).map { Int($0) } != tokens)
    }

    @Test func badFlagsExitWithTwo() throws {
        let base = try RecipeCommandLineTests.base.get().base.path
        let without = try runLongred(["generate", "--model", base, "--prompt", "a", "--pcd-beta", "1"])
        #expect(without.status == 2 && without.error.contains("'--pcd-beta' needs --pcd"), "\(without.error)")
        let zero = try runLongred(["generate", "--model", base, "--prompt", "a", "--pcd", "--pcd-top", "0"])
        #expect(zero.status == 2 && zero.error.contains("--pcd-top"), "\(zero.error)")
        let negative = try runLongred(["generate", "--model", base, "--prompt", "a", "--pcd", "--pcd-beta", "-1"])
        #expect(negative.status == 2 && negative.error.contains("--pcd-beta"), "\(negative.error)")
    }
}
