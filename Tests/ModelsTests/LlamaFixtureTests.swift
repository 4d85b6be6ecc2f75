import Foundation
import Testing
@testable import Models

/// The reference written by Scripts/make_fixtures.py with Hugging Face transformers.
struct ModelReference: Decodable {
    let inputIDs: [Int32]
    let nextTokenLogprobs: [Float]
    let lastLogits: [Float]
    enum CodingKeys: String, CodingKey {
        case inputIDs = "input_ids", nextTokenLogprobs = "next_token_logprobs", lastLogits = "last_logits"
    }
}

/// Log-probability of each token after the first, given the tokens before it.
func nextTokenLogprobs(_ model: LlamaForCausalLM, ids: [Int32]) -> [Float] {
    let logProbabilities = withNoGrad { model(ids).logits.logSoftmax() }
    let vocab = logProbabilities.shape[2]
    let values = logProbabilities.scalars
    return (1..<ids.count).map { values[($0 - 1) * vocab + Int(ids[$0])] }
}

@Suite("Llama / Mistral against Hugging Face transformers")
struct LlamaFixtureTests {
    static let cases = [
        "llama_default", "llama_gqa_tied", "llama_linear", "llama_dynamic", "llama_yarn", "llama_llama3",
        "llama_abf", "llama_bias", "mistral", "mistral_sliding", "llama_bf16",
    ]

    @Test(arguments: cases)
    func logProbabilitiesMatchTransformers(name: String) throws {
        let directory = try modelIOFixturesDirectory().appendingPathComponent(name)
        let reference = try JSONDecoder().decode(
            ModelReference.self, from: Data(contentsOf: directory.appendingPathComponent("reference.json")))
        let model = try LlamaForCausalLM.load(directory: directory.path)
        // The sequence (48) is longer than max_position_embeddings (32): dynamic and YaRN scale.
        #expect(reference.inputIDs.count > model.configuration.maxPositionEmbeddings)
        let ours = nextTokenLogprobs(model, ids: reference.inputIDs)
        let worst = zip(ours, reference.nextTokenLogprobs).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "\(name): max |Δ log p| = \(worst)")
        let logits = withNoGrad { model(reference.inputIDs, lastPositionOnly: true).logits }.scalars
        let worstLogit = zip(logits, reference.lastLogits).map { abs($0 - $1) }.max() ?? .infinity
        #expect(worstLogit <= 1e-4, "\(name): max |Δ logit| at the last position = \(worstLogit)")
    }
}
