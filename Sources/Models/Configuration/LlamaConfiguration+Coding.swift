extension LlamaConfiguration {
    public init(from decoder: Decoder) throws {
        let reader = ConfigurationReader(container: try decoder.container(keyedBy: ConfigurationKey.self), prefix: "")
        let integer = "an integer"
        modelType = try reader.optional("model_type", expected: "a string") ?? "llama"
        architectures = try reader.optional("architectures", expected: "an array of strings")
        hiddenSize = try reader.required("hidden_size", expected: integer)
        intermediateSize = try reader.required("intermediate_size", expected: integer)
        numHiddenLayers = try reader.required("num_hidden_layers", expected: integer)
        numAttentionHeads = try reader.required("num_attention_heads", expected: integer)
        numKeyValueHeads = try reader.optional("num_key_value_heads", expected: integer) ?? numAttentionHeads
        if let headDim: Int = try reader.optional("head_dim", expected: integer) {
            self.headDim = headDim
        } else {
            guard numAttentionHeads > 0 else {
                throw ConfigurationError(key: "num_attention_heads", problem: .invalid("must be positive, got \(numAttentionHeads)"))
            }
            guard hiddenSize % numAttentionHeads == 0 else {
                throw ConfigurationError(
                    key: "hidden_size",
                    problem: .invalid(
                        "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads) and head_dim is absent"))
            }
            headDim = hiddenSize / numAttentionHeads
        }
        rmsNormEps = try reader.required("rms_norm_eps", expected: "a number")
        vocabSize = try reader.required("vocab_size", expected: integer)
        tieWordEmbeddings = try reader.optional("tie_word_embeddings", expected: "a boolean") ?? false
        attentionBias = try reader.optional("attention_bias", expected: "a boolean") ?? false
        mlpBias = try reader.optional("mlp_bias", expected: "a boolean") ?? false
        maxPositionEmbeddings = try reader.required("max_position_embeddings", expected: integer)
        slidingWindow = try reader.optional("sliding_window", expected: "an integer or null")
        hiddenAct = try reader.optional("hidden_act", expected: "a string") ?? "silu"
        bosTokenID = try reader.optional("bos_token_id", expected: "an integer or null")
        eosTokenID = try reader.optional("eos_token_id", expected: "an integer, a list of integers or null")
        padTokenID = try reader.optional("pad_token_id", expected: "an integer or null")
        dtype = try reader.optional("dtype", expected: "a string") ?? reader.optional("torch_dtype", expected: "a string")

        // Transformers 5 nests the base in `rope_parameters`; Transformers 4 keeps it at the
        // top level next to `rope_scaling`. The old object wins, as in Transformers 5.
        let parameters = try reader.nested("rope_parameters")
        let legacy = try reader.nested("rope_scaling")
        let topTheta: Double? = try reader.optional("rope_theta", expected: "a number")
        let nestedTheta: Double? = try parameters?.optional("rope_theta", expected: "a number")
        ropeTheta = nestedTheta ?? topTheta ?? 10000
        let ropeKey = legacy != nil ? "rope_scaling" : "rope_parameters"
        if let source = legacy ?? parameters {
            let scaling = try RopeScaling(reading: source)
            ropeScaling = scaling.kind == .default ? nil : scaling
        } else {
            ropeScaling = nil
        }
        try validate(ropeKey: ropeKey)
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: ConfigurationKey.self)
        func put<T: Encodable>(_ value: T?, _ key: String) throws {
            if let value { try container.encode(value, forKey: ConfigurationKey(key)) } else { try container.encodeNil(forKey: ConfigurationKey(key)) }
        }
        try put(modelType, "model_type")
        if let architectures { try put(architectures, "architectures") }
        try put(hiddenSize, "hidden_size")
        try put(intermediateSize, "intermediate_size")
        try put(numHiddenLayers, "num_hidden_layers")
        try put(numAttentionHeads, "num_attention_heads")
        try put(numKeyValueHeads, "num_key_value_heads")
        try put(headDim, "head_dim")
        try put(rmsNormEps, "rms_norm_eps")
        try put(vocabSize, "vocab_size")
        try put(tieWordEmbeddings, "tie_word_embeddings")
        // MistralConfig has no bias keys; write them only where they mean something.
        if modelType != "mistral" || attentionBias { try put(attentionBias, "attention_bias") }
        if modelType != "mistral" || mlpBias { try put(mlpBias, "mlp_bias") }
        try put(maxPositionEmbeddings, "max_position_embeddings")
        try put(hiddenAct, "hidden_act")
        try put(bosTokenID, "bos_token_id")
        try put(eosTokenID, "eos_token_id")
        try put(padTokenID, "pad_token_id")
        if let dtype { try put(dtype, "torch_dtype") }
        if modelType == "mistral" || slidingWindow != nil { try put(slidingWindow, "sliding_window") }
        // Both generations of RoPE keys, so Transformers 4 and 5 read the same thing.
        try put(ropeTheta, "rope_theta")
        if let ropeScaling {
            var legacy = container.nestedContainer(keyedBy: ConfigurationKey.self, forKey: ConfigurationKey("rope_scaling"))
            try ropeScaling.encode(to: &legacy, ropeTheta: nil)
        } else {
            try container.encodeNil(forKey: ConfigurationKey("rope_scaling"))
        }
        var parameters = container.nestedContainer(keyedBy: ConfigurationKey.self, forKey: ConfigurationKey("rope_parameters"))
        try (ropeScaling ?? RopeScaling(kind: .default)).encode(to: &parameters, ropeTheta: ropeTheta)
    }
}
