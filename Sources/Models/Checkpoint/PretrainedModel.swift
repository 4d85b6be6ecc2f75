import Foundation

extension LlamaForCausalLM {
    /// Loads a Hugging Face model directory: `config.json` plus `model.safetensors` or a sharded
    /// `model.safetensors.index.json` (F32, F16 or BF16 weights, converted to `Float`).
    ///
    /// The weight files are memory-mapped and each tensor is converted straight into its
    /// parameter, so loading never holds two full copies of the weights. Every name and shape
    /// is checked before any value is read; on any error nothing is returned.
    public static func load(directory: String) throws -> LlamaForCausalLM {
        let configuration = try LlamaConfiguration(contentsOf: (directory as NSString).appendingPathComponent("config.json"))
        let reader = try openCheckpoint(directory: directory)
        var generator = RandomGenerator(seed: 0)
        let model = withNoGrad { LlamaForCausalLM(configuration: configuration, generator: &generator) }
        try model.loadWeights(from: reader)
        return model
    }

    /// Copies every parameter from `reader`, after checking that names and shapes match
    /// exactly (a tied model may carry a redundant `lm_head.weight`, which is skipped).
    public func loadWeights(from reader: any CheckpointReader) throws {
        let parameters = namedParameters()
        let expected = Set(parameters.map(\.0))
        for (name, tensor) in parameters {
            guard let info = reader.info(name) else {
                throw PretrainedModelError.weightMismatch(file: reader.path, .missingKey(name, shape: tensor.shape))
            }
            guard info.shape == tensor.shape else {
                throw PretrainedModelError.weightMismatch(
                    file: reader.path, .shapeMismatch(key: name, expected: tensor.shape, found: info.shape))
            }
        }
        for name in reader.names where !expected.contains(name) {
            if name == "lm_head.weight" && lmHead == nil { continue }
            throw PretrainedModelError.weightMismatch(
                file: reader.path, .unexpectedKey(name, shape: reader.info(name)?.shape ?? []))
        }
        for (name, tensor) in parameters {
            try tensor.withUnsafeMutableBufferPointer { try reader.read(name, into: $0) }
        }
    }

    /// Writes `config.json` and `model.safetensors` (F32 or BF16) into `directory`, creating it.
    /// Both files are replaced atomically, so an interrupted save leaves the old ones intact;
    /// Hugging Face transformers loads the result with `from_pretrained`.
    public func save(to directory: String, as storage: SafetensorsWriter.StorageType = .f32) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var config = configuration
        config.dtype = storage == .bf16 ? "bfloat16" : "float32"
        try config.write(to: (directory as NSString).appendingPathComponent("config.json"))
        let parameters = namedParameters()
        try withExtendedLifetime(parameters) {
            let entries = parameters.map { name, tensor in
                tensor.withUnsafeBufferPointer { SafetensorsWriter.Entry(name: name, shape: tensor.shape, buffer: $0) }
            }
            try SafetensorsWriter.write(entries, as: storage, to: (directory as NSString).appendingPathComponent("model.safetensors"))
        }
    }
}
