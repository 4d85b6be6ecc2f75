import Foundation
import Testing
@testable import Models

/// Fixtures/generation.json, written by Scripts/make_generation_fixture.py with transformers.
private struct GenerationReference: Decodable {
    struct Case: Decodable {
        /// The prompt (8 ids).
        let prompt: [Int32]
        /// 40 greedy tokens from `generate` with a KV cache.
        let cached: [Int32]
        /// 40 greedy tokens, each the arg-max of a full forward over the whole sequence.
        let recomputed: [Int32]
    }
    let cases: [String: Case]

    static func load() throws -> GenerationReference {
        let url = try modelIOFixturesDirectory().appendingPathComponent("generation.json")
        return try JSONDecoder().decode(GenerationReference.self, from: Data(contentsOf: url))
    }
}

private func fixtureModel(_ name: String) throws -> LlamaForCausalLM {
    try LlamaForCausalLM.load(directory: modelIOFixturesDirectory().appendingPathComponent(name).path)
}

/// The last-position logits of a full forward pass over `ids` (no cache).
private func lastLogits(_ model: LlamaForCausalLM, _ ids: [Int32]) -> [Float] {
    withNoGrad { model(ids, lastPositionOnly: true).logits.scalars }
}

@Suite("Generation with the KV cache")
struct GenerationTests {
    static let cases = ["llama_default", "llama_gqa_tied", "mistral_sliding", "llama_dynamic"]

    @Test(arguments: cases)
    func greedyGenerationMatchesTransformers(name: String) throws {
        let reference = try #require(try GenerationReference.load().cases[name])
        let model = try fixtureModel(name)
        // 8 + 40 = 48 positions: past Mistral's window (16) and past max_position_embeddings (32).
        let generated = model.generate(prompt: reference.prompt, maxNewTokens: 40)
        #expect(generated == reference.cached, "\(name)")
    }

    /// Each cached step picks the arg-max of a full forward over the whole sequence so far.
    /// Dynamic NTK is the exception past max_position_embeddings: the full pass rescales
    /// every position while cached keys keep their rotation (as in transformers), so there
    /// the recomputing loop is checked against transformers' own recomputing loop.
    @Test(arguments: cases)
    func cachedGreedyEqualsFullRecomputation(name: String) throws {
        let reference = try #require(try GenerationReference.load().cases[name])
        let model = try fixtureModel(name)
        let generated = model.generate(prompt: reference.prompt, maxNewTokens: 40)
        let dynamic = model.configuration.ropeScaling?.kind == .dynamic
        var sequence = reference.prompt
        var recomputed: [Int32] = []
        for step in 0..<generated.count {
            let logits = lastLogits(model, sequence)
            let best = TokenSampler.argmax(logits)
            recomputed.append(Int32(best))
            if !dynamic || sequence.count <= model.configuration.maxPositionEmbeddings {
                // A tie within rounding may break either way; anything else must agree exactly.
                let chosen = logits[Int(generated[step])]
                #expect(chosen >= logits[best] - 1e-5, "\(name) step \(step): chose \(generated[step]), full pass says \(best)")
            }
            sequence.append(dynamic ? Int32(best) : generated[step])
        }
        if dynamic {
            #expect(recomputed == reference.recomputed)
            #expect(generated != recomputed, "the fixture should exercise the dynamic-NTK difference")
        }
    }

    /// Mistral's cache keeps only the last `window` (16) positions, and logits stay equal to a
    /// full forward pass with the sliding-window mask well past the window.
    @Test func slidingWindowCacheIsBoundedAndExact() throws {
        let model = try fixtureModel("mistral_sliding")
        let window = try #require(model.configuration.slidingWindow)
        #expect(window == 16)
        let ids = try JSONDecoder().decode(
            ModelReference.self,
            from: Data(contentsOf: modelIOFixturesDirectory().appendingPathComponent("mistral_sliding/reference.json"))
        ).inputIDs
        let cache = model.makeCache()
        var worst: Float = 0
        withNoGrad {
            _ = model(Array(ids[..<8]), cache: cache, lastPositionOnly: true)
            for t in 8..<40 {
                let cached = model([ids[t]], cache: cache, lastPositionOnly: true).logits.scalars
                let full = lastLogits(model, Array(ids[...t]))
                worst = max(worst, zip(cached, full).map { abs($0 - $1) }.max()!)
                #expect(cache.layers.allSatisfy { $0.keys?.shape[1] == min(t + 1, window) })
                #expect(cache.position == t + 1)
            }
        }
        #expect(worst <= 1e-4, "max |Δ logit| cached vs full = \(worst)")
    }

    @Test func seededSamplingIsReproducible() throws {
        let model = try fixtureModel("llama_default")
        let prompt: [Int32] = [1, 5, 9]
        let options = SamplingOptions(temperature: 1, topK: 50, topP: 0.95, seed: 7)
        let first = model.generate(prompt: prompt, maxNewTokens: 24, sampling: options)
        let second = model.generate(prompt: prompt, maxNewTokens: 24, sampling: options)
        var other = options
        other.seed = 8
        let third = model.generate(prompt: prompt, maxNewTokens: 24, sampling: other)
        #expect(first.count == 24)
        #expect(first == second)
        #expect(first != third)
        // A random model's distribution is nearly flat, so sampling must not look greedy.
        #expect(first != model.generate(prompt: prompt, maxNewTokens: 24))
    }

    @Test func topKOneEqualsGreedy() throws {
        let model = try fixtureModel("llama_gqa_tied")
        let prompt: [Int32] = [3, 1, 4, 1, 5]
        let greedy = model.generate(prompt: prompt, maxNewTokens: 20)
        let topOne = model.generate(prompt: prompt, maxNewTokens: 20, sampling: SamplingOptions(temperature: 1.3, topK: 1, seed: 11))
        #expect(topOne == greedy)
    }

    @Test func stopTokensAndCallbackEndGeneration() throws {
        let reference = try #require(try GenerationReference.load().cases["llama_default"])
        let model = try fixtureModel("llama_default")
        let stop = reference.cached[3]
        let firstStop = reference.cached.firstIndex(of: stop)!
        var seen: [Int32] = []
        let stopped = model.generate(prompt: reference.prompt, maxNewTokens: 40, stopTokens: [stop]) {
            seen.append($0)
            return true
        }
        #expect(stopped == Array(reference.cached[...firstStop]))
        #expect(seen == stopped)

        var calls = 0
        let interrupted = model.generate(prompt: reference.prompt, maxNewTokens: 40) { _ in
            calls += 1
            return calls < 5
        }
        #expect(interrupted == Array(reference.cached[..<5]))
        #expect(calls == 5)
        #expect(model.generate(prompt: reference.prompt, maxNewTokens: 0).isEmpty)
        #expect(model.generate(prompt: reference.prompt, maxNewTokens: 3) == Array(reference.cached[..<3]))
    }
}

@Suite("Token sampling")
struct TokenSamplingTests {
    /// Logits whose softmax is exactly `probabilities` (up to rounding), in a scrambled order.
    private static func logits(_ probabilities: [Double]) -> [Float] { probabilities.map { Float(log($0)) } }

    private static func expectClose(_ actual: [Float], _ expected: [Double], _ comment: Comment? = nil) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) { #expect(abs(Double(a) - e) < 1e-6, comment) }
    }

    @Test func temperatureScalesLogits() {
        let p = TokenSampler.probabilities(logits: [1, 2, 3], options: SamplingOptions(temperature: 2))
        let e = [0.5, 1.0, 1.5].map { exp($0) }
        Self.expectClose(p, e.map { $0 / e.reduce(0, +) })
    }

    @Test func topPKeepsTheSmallestSetReachingP() {
        // Probabilities 0.2, 0.05, 0.5, 0.1, 0.15 (top first: ids 2, 0, 4, 3, 1).
        let logits = Self.logits([0.2, 0.05, 0.5, 0.1, 0.15])
        // 0.5 < 0.6, 0.5 + 0.2 >= 0.6: ids 2 and 0.
        Self.expectClose(
            TokenSampler.probabilities(logits: logits, options: SamplingOptions(topP: 0.6)),
            [0.2 / 0.7, 0, 0.5 / 0.7, 0, 0])
        // The top token alone already reaches 0.4; it is always kept, even for a tiny p.
        Self.expectClose(TokenSampler.probabilities(logits: logits, options: SamplingOptions(topP: 0.4)), [0, 0, 1, 0, 0])
        Self.expectClose(TokenSampler.probabilities(logits: logits, options: SamplingOptions(topP: 0.01)), [0, 0, 1, 0, 0])
        // 0.85 < 0.9: four tokens; only 0.05 (id 1) goes.
        Self.expectClose(
            TokenSampler.probabilities(logits: logits, options: SamplingOptions(topP: 0.9)),
            [0.2 / 0.95, 0, 0.5 / 0.95, 0.1 / 0.95, 0.15 / 0.95])
    }

    @Test func topKAppliesBeforeTopPAndTemperatureFirst() {
        let logits = Self.logits([0.1, 0.4, 0.2, 0.3])
        // Top-k 3 renormalises to 4/9, 3/9, 2/9; then 4/9 + 3/9 >= 0.75 stops at two tokens.
        // (Top-p first would keep three: 0.4 + 0.3 < 0.75.)
        Self.expectClose(
            TokenSampler.probabilities(logits: logits, options: SamplingOptions(topK: 3, topP: 0.75)),
            [0, 4.0 / 7, 0, 3.0 / 7])
        // Temperature 0.5 squares the probabilities before top-p: .16, .09, .04, .01 over .30;
        // .533 + .3 >= .75 keeps two. (Top-p first would keep three.)
        Self.expectClose(
            TokenSampler.probabilities(logits: logits, options: SamplingOptions(temperature: 0.5, topP: 0.75)),
            [0, 0.64, 0, 0.36])
        // Top-k keeps ties with the k-th logit, as Hugging Face does: k = 3 keeps all four here.
        let e = [1.0, 3.0, 1.0, 2.0].map { exp($0) }
        Self.expectClose(
            TokenSampler.probabilities(logits: [1, 3, 1, 2], options: SamplingOptions(topK: 3)),
            e.map { $0 / e.reduce(0, +) })
        Self.expectClose(
            TokenSampler.probabilities(logits: [1, 3, 1, 2], options: SamplingOptions(topK: 2)),
            [0, e[1] / (e[1] + e[3]), 0, e[3] / (e[1] + e[3])])
    }

    @Test func greedyTakesTheFirstMaximum() {
        var sampler = TokenSampler(options: .greedy)
        #expect(sampler.next(logits: [0, 5, -1, 5]) == 1)
        #expect(TokenSampler.argmax([-3, -2, -2]) == 1)
    }

    @Test func drawsFollowTheDistribution() {
        var sampler = TokenSampler(options: SamplingOptions(temperature: 1, seed: 42))
        let logits = Self.logits([0.5, 0.3, 0.2])
        var counts = [0, 0, 0]
        let draws = 20_000
        for _ in 0..<draws { counts[Int(sampler.next(logits: logits))] += 1 }
        // Standard deviation of each frequency is below 0.0036; allow about 4 of them.
        for (count, p) in zip(counts, [0.5, 0.3, 0.2]) { #expect(abs(Double(count) / Double(draws) - p) < 0.015) }
        // Filtered tokens are never drawn.
        var filtered = TokenSampler(options: SamplingOptions(topK: 2, seed: 1))
        #expect((0..<2000).allSatisfy { _ in filtered.next(logits: logits) != 2 })
    }
}
