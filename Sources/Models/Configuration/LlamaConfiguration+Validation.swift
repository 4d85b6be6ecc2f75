extension LlamaConfiguration {
    /// The model types whose architecture this package implements.
    public static let supportedModelTypes: Set<String> = ["llama", "mistral"]

    /// Checks that the configuration describes a model this package can build.
    ///
    /// - Parameter ropeKey: the key RoPE errors are reported under (`rope_scaling` or
    ///   `rope_parameters`, whichever the file used).
    public func validate(ropeKey: String = "rope_scaling") throws {
        func invalid(_ key: String, _ reason: String) -> ConfigurationError {
            ConfigurationError(key: key, problem: .invalid(reason))
        }
        guard Self.supportedModelTypes.contains(modelType) else {
            throw ConfigurationError(key: "model_type", problem: .unsupportedModelType(modelType))
        }
        let sizes: [(String, Int)] = [
            ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize),
            ("num_hidden_layers", numHiddenLayers), ("num_attention_heads", numAttentionHeads),
            ("num_key_value_heads", numKeyValueHeads), ("head_dim", headDim), ("vocab_size", vocabSize),
            ("max_position_embeddings", maxPositionEmbeddings),
        ]
        for (key, value) in sizes where value <= 0 {
            throw invalid(key, "must be positive, got \(value)")
        }
        guard numAttentionHeads % numKeyValueHeads == 0 else {
            throw invalid(
                "num_key_value_heads",
                "num_attention_heads \(numAttentionHeads) is not divisible by num_key_value_heads \(numKeyValueHeads)")
        }
        guard headDim % 2 == 0 else {
            throw invalid("head_dim", "rotary embeddings need an even head dimension, got \(headDim)")
        }
        guard rmsNormEps.isFinite, rmsNormEps > 0 else {
            throw invalid("rms_norm_eps", "must be a positive number, got \(rmsNormEps)")
        }
        guard ropeTheta.isFinite, ropeTheta > 1 else {
            throw invalid("rope_theta", "must be a number greater than 1, got \(ropeTheta)")
        }
        guard hiddenAct == "silu" else {
            throw ConfigurationError(key: "hidden_act", problem: .unsupportedActivation(hiddenAct))
        }
        if let slidingWindow, slidingWindow <= 0 {
            throw invalid("sliding_window", "must be positive or null, got \(slidingWindow)")
        }
        try ropeScaling?.validate(key: ropeKey)
    }
}
