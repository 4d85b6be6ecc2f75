import Foundation
import Testing
@testable import Models

private let llama2JSON = #"""
    {
      "_name_or_path": "meta-llama/Llama-2-7b-hf",
      "architectures": ["LlamaForCausalLM"],
      "bos_token_id": 1,
      "eos_token_id": 2,
      "hidden_act": "silu",
      "hidden_size": 4096,
      "initializer_range": 0.02,
      "intermediate_size": 11008,
      "max_position_embeddings": 4096,
      "model_type": "llama",
      "num_attention_heads": 32,
      "num_hidden_layers": 32,
      "num_key_value_heads": 32,
      "pretraining_tp": 1,
      "rms_norm_eps": 1e-05,
      "rope_scaling": null,
      "tie_word_embeddings": false,
      "torch_dtype": "float16",
      "transformers_version": "4.31.0.dev0",
      "use_cache": true,
      "vocab_size": 32000
    }
    """#

private let llama31JSON = #"""
    {
      "architectures": ["LlamaForCausalLM"],
      "attention_bias": false,
      "attention_dropout": 0.0,
      "bos_token_id": 128000,
      "eos_token_id": [128001, 128008, 128009],
      "hidden_act": "silu",
      "hidden_size": 4096,
      "initializer_range": 0.02,
      "intermediate_size": 14336,
      "max_position_embeddings": 131072,
      "mlp_bias": false,
      "model_type": "llama",
      "num_attention_heads": 32,
      "num_hidden_layers": 32,
      "num_key_value_heads": 8,
      "pretraining_tp": 1,
      "rms_norm_eps": 1e-05,
      "rope_scaling": {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3"
      },
      "rope_theta": 500000.0,
      "tie_word_embeddings": false,
      "torch_dtype": "bfloat16",
      "transformers_version": "4.43.0.dev0",
      "use_cache": true,
      "vocab_size": 128256
    }
    """#

private let mistralJSON = #"""
    {
      "architectures": ["MistralForCausalLM"],
      "bos_token_id": 1,
      "eos_token_id": 2,
      "hidden_act": "silu",
      "hidden_size": 4096,
      "initializer_range": 0.02,
      "intermediate_size": 14336,
      "max_position_embeddings": 32768,
      "model_type": "mistral",
      "num_attention_heads": 32,
      "num_hidden_layers": 32,
      "num_key_value_heads": 8,
      "rms_norm_eps": 1e-05,
      "rope_theta": 10000.0,
      "sliding_window": 4096,
      "tie_word_embeddings": false,
      "torch_dtype": "bfloat16",
      "transformers_version": "4.34.0.dev0",
      "use_cache": true,
      "vocab_size": 32000
    }
    """#

/// A small valid configuration as a dictionary, for building broken variants.
private func base() -> [String: Any] {
    [
        "model_type": "llama", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "rms_norm_eps": 1e-5, "vocab_size": 100, "max_position_embeddings": 256,
    ]
}

private func decode(_ json: String) throws -> LlamaConfiguration {
    try LlamaConfiguration.decode(Data(json.utf8))
}

private func decode(_ object: [String: Any]) throws -> LlamaConfiguration {
    try LlamaConfiguration.decode(try JSONSerialization.data(withJSONObject: object))
}

/// Decodes `object` and returns the `ConfigurationError` it must throw.
private func failure(_ object: [String: Any]) -> ConfigurationError? {
    do {
        _ = try decode(object)
        Issue.record("decoding succeeded but should have failed: \(object)")
    } catch let error as ConfigurationError {
        return error
    } catch {
        Issue.record("unexpected error type \(error)")
    }
    return nil
}

@Suite struct ConfigurationDecodingTests {
    @Test func llama2() throws {
        let config = try decode(llama2JSON)
        #expect(config.modelType == "llama")
        #expect(config.architectures == ["LlamaForCausalLM"])
        #expect(config.hiddenSize == 4096 && config.intermediateSize == 11008)
        #expect(config.numHiddenLayers == 32 && config.numAttentionHeads == 32 && config.numKeyValueHeads == 32)
        #expect(config.headDim == 128)  // hidden / heads when head_dim is absent
        #expect(config.rmsNormEps == 1e-5 && config.vocabSize == 32000 && config.maxPositionEmbeddings == 4096)
        #expect(config.ropeTheta == 10000)  // default
        #expect(config.ropeScaling == nil)
        #expect(!config.tieWordEmbeddings && !config.attentionBias && !config.mlpBias)
        #expect(config.slidingWindow == nil)
        #expect(config.bosTokenID == 1 && config.eosTokenID == LlamaConfiguration.TokenIDs.one(2))
        #expect(config.dtype == "float16")
    }

    @Test func llama31WithLlama3Scaling() throws {
        let config = try decode(llama31JSON)
        #expect(config.numKeyValueHeads == 8 && config.headDim == 128)
        #expect(config.ropeTheta == 500_000)
        #expect(
            config.ropeScaling
                == RopeScaling(
                    kind: .llama3, factor: 8, originalMaxPositionEmbeddings: 8192, lowFreqFactor: 1, highFreqFactor: 4))
        #expect(config.eosTokenID == LlamaConfiguration.TokenIDs.many([128001, 128008, 128009]))
        #expect(config.eosTokenID?.all == [128001, 128008, 128009])
    }

    @Test func mistralWithSlidingWindow() throws {
        let config = try decode(mistralJSON)
        #expect(config.modelType == "mistral")
        #expect(config.slidingWindow == 4096)
        #expect(config.numKeyValueHeads == 8)
        #expect(config.maxPositionEmbeddings == 32768)
    }

    @Test func oldTypeKeyAndExtraFieldsAreAccepted() throws {
        var object = base()
        object["rope_scaling"] = ["type": "linear", "factor": 4]
        #expect(try decode(object).ropeScaling == RopeScaling(kind: .linear, factor: 4))
        object["rope_scaling"] = ["type": "yarn", "factor": 16.0, "original_max_position_embeddings": 4096, "finetuned": true]
        #expect(try decode(object).ropeScaling == RopeScaling(kind: .yarn, factor: 16, originalMaxPositionEmbeddings: 4096))
        object["rope_scaling"] = ["type": "linear", "rope_type": "dynamic", "factor": 2.0]  // rope_type wins
        #expect(try decode(object).ropeScaling?.kind == .dynamic)
        object["rope_scaling"] = ["rope_type": "default"]
        #expect(try decode(object).ropeScaling == nil)
    }

    @Test func transformers5RopeParameters() throws {
        var object = base()
        object["rope_parameters"] = [
            "rope_type": "yarn", "rope_theta": 1e6, "factor": 4.0, "beta_fast": 16, "beta_slow": 2, "mscale": 1.0,
            "mscale_all_dim": 0.5, "attention_factor": 1.2, "truncate": false,
        ]
        let config = try decode(object)
        #expect(config.ropeTheta == 1e6)
        #expect(
            config.ropeScaling
                == RopeScaling(
                    kind: .yarn, factor: 4, betaFast: 16, betaSlow: 2, mscale: 1, mscaleAllDim: 0.5, attentionFactor: 1.2,
                    truncate: false))
        // `rope_scaling` wins over `rope_parameters`; the nested base wins over the top-level one.
        object["rope_scaling"] = ["rope_type": "linear", "factor": 2.0]
        object["rope_theta"] = 5e5
        let both = try decode(object)
        #expect(both.ropeScaling == RopeScaling(kind: .linear, factor: 2))
        #expect(both.ropeTheta == 1e6)
    }

    /// The config.json files Transformers 5 wrote for the model fixtures.
    @Test func huggingFaceWrittenFixtures() throws {
        let fixtures = try modelIOFixturesDirectory()
        func load(_ name: String) throws -> LlamaConfiguration {
            try LlamaConfiguration(contentsOf: fixtures.appendingPathComponent(name).appendingPathComponent("config.json").path)
        }
        let llama3 = try load("llama_llama3")
        #expect(llama3.ropeTheta == 500_000 && llama3.headDim == 8 && llama3.hiddenSize == 32)
        #expect(
            llama3.ropeScaling
                == RopeScaling(
                    kind: .llama3, factor: 8, originalMaxPositionEmbeddings: 16, lowFreqFactor: 1, highFreqFactor: 4))
        #expect(try load("llama_default").ropeScaling == nil)
        #expect(try load("llama_abf").ropeTheta == 5e6)
        #expect(try load("llama_gqa_tied").tieWordEmbeddings)
        #expect(try load("llama_gqa_tied").numKeyValueHeads == 2)
        let bias = try load("llama_bias")
        #expect(bias.attentionBias && bias.mlpBias)
        #expect(try load("mistral_sliding").slidingWindow == 16)
        #expect(try load("mistral").slidingWindow == nil)
        #expect(try load("mistral").modelType == "mistral")
        #expect(try load("llama_bf16").dtype == "bfloat16")
        #expect(try load("llama_dynamic").ropeScaling == RopeScaling(kind: .dynamic, factor: 2))
    }

    @Test func encodingRoundTrips() throws {
        var yarn = base()
        yarn["rope_parameters"] = ["rope_type": "yarn", "factor": 4.0, "truncate": false, "rope_theta": 20000.0]
        let configs = [try decode(llama2JSON), try decode(llama31JSON), try decode(mistralJSON), try decode(yarn)]
        for config in configs {
            let data = try config.jsonData()
            #expect(try LlamaConfiguration.decode(data) == config)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            // Both generations of RoPE keys are written.
            #expect(object["rope_theta"] as? Double == config.ropeTheta)
            let parameters = try #require(object["rope_parameters"] as? [String: Any])
            #expect(parameters["rope_theta"] as? Double == config.ropeTheta)
            #expect(parameters["rope_type"] as? String == (config.ropeScaling?.kind ?? .default).rawValue)
            if let scaling = config.ropeScaling {
                #expect((object["rope_scaling"] as? [String: Any])?["rope_type"] as? String == scaling.kind.rawValue)
            } else {
                #expect(object["rope_scaling"] is NSNull)
            }
        }
        let dir = try ModelIOTemporaryDirectory()
        let path = dir.path("config.json")
        try configs[1].write(to: path)
        #expect(try LlamaConfiguration(contentsOf: path) == configs[1])
    }

    @Test func memberwiseInitialiserValidates() throws {
        let config = try LlamaConfiguration(
            hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2,
            vocabSize: 97, maxPositionEmbeddings: 32)
        #expect(config.headDim == 8 && config.ropeTheta == 10000)
        #expect(throws: ConfigurationError(key: "num_key_value_heads", problem: .invalid("num_attention_heads 4 is not divisible by num_key_value_heads 3"))) {
            try LlamaConfiguration(
                hiddenSize: 32, intermediateSize: 64, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 3,
                vocabSize: 97, maxPositionEmbeddings: 32)
        }
    }
}

@Suite struct ConfigurationValidationTests {
    private func expectFailure(_ change: (inout [String: Any]) -> Void, key: String, problem: ConfigurationError.Problem) {
        var object = base()
        change(&object)
        let error = failure(object)
        #expect(error == ConfigurationError(key: key, problem: problem), "\(object)")
        #expect(error?.description.contains("'\(key)'") == true)
    }

    @Test func ropeErrors() {
        expectFailure({ $0["rope_scaling"] = ["rope_type": "longrope", "factor": 2.0] },
                      key: "rope_scaling.rope_type", problem: .unknownRopeType("longrope"))
        expectFailure({ $0["rope_scaling"] = ["type": "su"] }, key: "rope_scaling.type", problem: .unknownRopeType("su"))
        expectFailure({ $0["rope_parameters"] = ["rope_type": "ntk", "rope_theta": 1e4] },
                      key: "rope_parameters.rope_type", problem: .unknownRopeType("ntk"))
        for type in ["linear", "dynamic", "yarn", "llama3"] {
            expectFailure({ $0["rope_scaling"] = ["rope_type": type] }, key: "rope_scaling.factor", problem: .missing)
        }
        expectFailure({ $0["rope_parameters"] = ["rope_type": "linear", "rope_theta": 1e4] },
                      key: "rope_parameters.factor", problem: .missing)
        expectFailure({ $0["rope_scaling"] = ["rope_type": "linear", "factor": 0] },
                      key: "rope_scaling.factor", problem: .invalid("must be a positive number, got 0.0"))
        expectFailure({ $0["rope_scaling"] = ["rope_type": "linear", "factor": "two"] },
                      key: "rope_scaling.factor", problem: .wrongType(expected: "a number"))
        expectFailure({ $0["rope_scaling"] = ["rope_type": "llama3", "factor": 8.0, "high_freq_factor": 4.0] },
                      key: "rope_scaling.low_freq_factor", problem: .missing)
        expectFailure({ $0["rope_scaling"] = ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0] },
                      key: "rope_scaling.high_freq_factor", problem: .missing)
        expectFailure({ $0["rope_scaling"] = ["rope_type": "llama3", "factor": 8.0, "low_freq_factor": 4.0, "high_freq_factor": 4.0] },
                      key: "rope_scaling.high_freq_factor",
                      problem: .invalid("must be greater than low_freq_factor (4.0), got 4.0"))
        expectFailure({ $0["rope_scaling"] = ["rope_type": "yarn", "factor": 4.0, "original_max_position_embeddings": 0] },
                      key: "rope_scaling.original_max_position_embeddings", problem: .invalid("must be positive, got 0"))
        expectFailure({ $0["rope_scaling"] = "linear" }, key: "rope_scaling", problem: .wrongType(expected: "an object or null"))
        expectFailure({ $0["rope_theta"] = -1.0 }, key: "rope_theta", problem: .invalid("must be a number greater than 1, got -1.0"))
    }

    @Test func shapeErrors() {
        expectFailure({ $0["hidden_size"] = 66 }, key: "hidden_size",
                      problem: .invalid("66 is not divisible by num_attention_heads 4 and head_dim is absent"))
        expectFailure({ $0["num_key_value_heads"] = 3 }, key: "num_key_value_heads",
                      problem: .invalid("num_attention_heads 4 is not divisible by num_key_value_heads 3"))
        expectFailure({ $0["vocab_size"] = 0 }, key: "vocab_size", problem: .invalid("must be positive, got 0"))
        expectFailure({ $0["num_hidden_layers"] = -1 }, key: "num_hidden_layers", problem: .invalid("must be positive, got -1"))
        expectFailure({ $0["intermediate_size"] = 0 }, key: "intermediate_size", problem: .invalid("must be positive, got 0"))
        expectFailure({ $0["num_attention_heads"] = 0 }, key: "num_attention_heads", problem: .invalid("must be positive, got 0"))
        expectFailure({ $0["head_dim"] = 7 }, key: "head_dim",
                      problem: .invalid("rotary embeddings need an even head dimension, got 7"))
        expectFailure({ $0["rms_norm_eps"] = 0.0 }, key: "rms_norm_eps", problem: .invalid("must be a positive number, got 0.0"))
        expectFailure({ $0["sliding_window"] = 0 }, key: "sliding_window", problem: .invalid("must be positive or null, got 0"))
    }

    @Test func explicitHeadDimAllowsIndivisibleHiddenSize() throws {
        var object = base()
        object["hidden_size"] = 66
        object["head_dim"] = 16
        #expect(try decode(object).headDim == 16)
    }

    @Test func keyErrors() {
        expectFailure({ $0["hidden_act"] = "gelu" }, key: "hidden_act", problem: .unsupportedActivation("gelu"))
        expectFailure({ $0["model_type"] = "gpt2" }, key: "model_type", problem: .unsupportedModelType("gpt2"))
        expectFailure({ $0.removeValue(forKey: "hidden_size") }, key: "hidden_size", problem: .missing)
        expectFailure({ $0["vocab_size"] = NSNull() }, key: "vocab_size", problem: .missing)
        expectFailure({ $0["hidden_size"] = "64" }, key: "hidden_size", problem: .wrongType(expected: "an integer"))
        expectFailure({ $0["hidden_size"] = 64.5 }, key: "hidden_size", problem: .wrongType(expected: "an integer"))
        expectFailure({ $0["tie_word_embeddings"] = "yes" }, key: "tie_word_embeddings", problem: .wrongType(expected: "a boolean"))
        expectFailure({ $0["eos_token_id"] = "</s>" }, key: "eos_token_id",
                      problem: .wrongType(expected: "an integer, a list of integers or null"))
    }

    @Test func documentErrorsAndFilePaths() throws {
        #expect(throws: ConfigurationError(key: "<root>", problem: .notJSON("expected an object"))) {
            try decode("[1, 2]")
        }
        let error = #expect(throws: ConfigurationError.self) { try decode("{ not json") }
        #expect(error?.key == "<root>")
        let dir = try ModelIOTemporaryDirectory()
        var object = base()
        object["hidden_act"] = "relu"
        let path = dir.path("config.json")
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        let fileError = ConfigurationError(file: path, key: "hidden_act", problem: .unsupportedActivation("relu"))
        #expect(throws: fileError) { try LlamaConfiguration(contentsOf: path) }
        #expect(fileError.description.hasPrefix("\(path): key 'hidden_act'"))
        let missing = dir.path("nope.json")
        let missingError = #expect(throws: ConfigurationError.self) { try LlamaConfiguration(contentsOf: missing) }
        #expect(missingError?.file == missing)
        #expect(missingError?.description.contains(missing) == true)
    }
}
