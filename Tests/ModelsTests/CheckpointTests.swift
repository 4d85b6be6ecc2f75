import Foundation
import Testing
@testable import Models

/// Helpers that write model directories, intact or deliberately broken.
private enum CheckpointFixture {
    static func load(_ name: String) throws -> LlamaForCausalLM {
        try LlamaForCausalLM.load(directory: modelIOFixturesDirectory().appendingPathComponent(name).path)
    }

    /// Every tensor of `directory/model.safetensors`, in file order.
    static func tensors(in directory: String) throws -> [(name: String, shape: [Int], values: [Float])] {
        let file = try SafetensorsFile(path: directory + "/model.safetensors")
        return try file.names.map { ($0, try file.shape(of: $0), try file.read($0)) }
    }

    /// Rewrites `directory/model.safetensors` (F32) with `edit` applied to its tensors.
    static func rewrite(
        _ directory: String, _ edit: (inout [(name: String, shape: [Int], values: [Float])]) -> Void
    ) throws {
        var entries = try tensors(in: directory)
        edit(&entries)
        try SafetensorsWriter.write(
            entries.map { SafetensorsWriter.Entry(name: $0.name, shape: $0.shape, values: $0.values) },
            as: .f32, to: directory + "/model.safetensors")
    }

    static func parameters(_ model: LlamaForCausalLM) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.scalars) })
    }

    /// Round to nearest even on the upper 16 bits (finite values), as PyTorch's bf16 cast.
    static func bfloat16Rounded(_ value: Float) -> Float {
        let bits = value.bitPattern
        let rounded = (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        return Float(bitPattern: rounded)
    }
}

@Suite("Checkpoint save / load round trips and errors")
struct CheckpointTests {
    @Test(arguments: ["llama_default", "llama_gqa_tied", "llama_bias", "mistral_sliding", "llama_yarn"])
    func float32SaveReloadsBitIdentically(name: String) throws {
        let temporary = try ModelIOTemporaryDirectory()
        let model = try CheckpointFixture.load(name)
        try model.save(to: temporary.url.path)
        let reloaded = try LlamaForCausalLM.load(directory: temporary.url.path)
        var expected = model.configuration
        expected.dtype = "float32"
        #expect(reloaded.configuration == expected)
        let before = CheckpointFixture.parameters(model)
        let after = CheckpointFixture.parameters(reloaded)
        #expect(before.keys.sorted() == after.keys.sorted())
        for (key, values) in before {
            #expect(values.map(\.bitPattern) == after[key]?.map(\.bitPattern), "\(name): \(key)")
        }
        // A tied model writes no lm_head.weight, as Hugging Face does.
        let stored = try SafetensorsFile(path: temporary.path("model.safetensors")).names
        #expect(stored.contains("lm_head.weight") == !model.configuration.tieWordEmbeddings)
    }

    @Test func bfloat16SaveReloadsWithinRounding() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let model = try CheckpointFixture.load("llama_gqa_tied")
        try model.save(to: temporary.url.path, as: .bf16)
        let file = try SafetensorsFile(path: temporary.path("model.safetensors"))
        #expect(file.names.allSatisfy { file.info($0)?.dtype == .bf16 })
        let reloaded = try LlamaForCausalLM.load(directory: temporary.url.path)
        #expect(reloaded.configuration.dtype == "bfloat16")
        let after = CheckpointFixture.parameters(reloaded)
        var changed = 0
        for (key, values) in CheckpointFixture.parameters(model) {
            let got = try #require(after[key])
            for (original, value) in zip(values, got) {
                #expect(value == CheckpointFixture.bfloat16Rounded(original), "\(key)")
                #expect(abs(value - original) <= abs(original) / 256)
                if value != original { changed += 1 }
            }
        }
        #expect(changed > 0, "random weights must lose bits in BF16")
    }

    @Test func missingWeightIsATypedErrorNamingFileAndKey() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").save(to: temporary.url.path)
        let key = "model.layers.1.mlp.up_proj.weight"
        try CheckpointFixture.rewrite(temporary.url.path) { $0.removeAll { $0.name == key } }
        let file = temporary.path("model.safetensors")
        let expected = PretrainedModelError.weightMismatch(file: file, .missingKey(key, shape: [64, 32]))
        #expect(throws: expected) { try LlamaForCausalLM.load(directory: temporary.url.path) }
        #expect(expected.description.contains(file) && expected.description.contains(key))
    }

    @Test func unexpectedWeightIsATypedError() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").save(to: temporary.url.path)
        let key = "model.layers.2.self_attn.q_proj.weight"
        try CheckpointFixture.rewrite(temporary.url.path) { $0.append((key, [2, 2], [1, 2, 3, 4])) }
        #expect(throws: PretrainedModelError.weightMismatch(
            file: temporary.path("model.safetensors"), .unexpectedKey(key, shape: [2, 2]))
        ) { try LlamaForCausalLM.load(directory: temporary.url.path) }
    }

    @Test func misshapedWeightIsATypedError() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").save(to: temporary.url.path)
        let key = "model.layers.0.self_attn.k_proj.weight"
        try CheckpointFixture.rewrite(temporary.url.path) { entries in
            let index = entries.firstIndex { $0.name == key }!
            entries[index].shape = [16, 64]  // same element count, wrong shape
        }
        #expect(throws: PretrainedModelError.weightMismatch(
            file: temporary.path("model.safetensors"), .shapeMismatch(key: key, expected: [32, 32], found: [16, 64]))
        ) { try LlamaForCausalLM.load(directory: temporary.url.path) }
    }

    @Test func truncatedWeightsFileIsATypedError() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").save(to: temporary.url.path)
        let path = temporary.path("model.safetensors")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: path))
        do {
            _ = try LlamaForCausalLM.load(directory: temporary.url.path)
            Issue.record("a truncated checkpoint loaded")
        } catch let error as CheckpointError {
            guard case .truncated(let file, _, _, let available) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == path)
            #expect(available < bytes.count)
        }
    }

    @Test func badConfigurationIsATypedError() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").save(to: temporary.url.path)
        let path = temporary.path("config.json")
        let original = try Data(contentsOf: URL(fileURLWithPath: path))

        try Data("{\"hidden_size\": 32,".utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try LlamaForCausalLM.load(directory: temporary.url.path)
            Issue.record("broken JSON loaded")
        } catch let error as ConfigurationError {
            #expect(error.file == path && error.key == "<root>")
            guard case .notJSON = error.problem else { Issue.record("unexpected \(error)"); return }
        }

        var object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        object["hidden_size"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigurationError(file: path, key: "hidden_size", problem: .missing)) {
            try LlamaForCausalLM.load(directory: temporary.url.path)
        }

        // A configuration that disagrees with the weights: the weights' shapes are wrong.
        object = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
        object["intermediate_size"] = 48
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
        #expect(throws: PretrainedModelError.weightMismatch(
            file: temporary.path("model.safetensors"),
            .shapeMismatch(key: "model.layers.0.mlp.gate_proj.weight", expected: [48, 32], found: [64, 32]))
        ) { try LlamaForCausalLM.load(directory: temporary.url.path) }
    }

    @Test func shardedDirectoryLoads() throws {
        let temporary = try ModelIOTemporaryDirectory()
        let model = try CheckpointFixture.load("llama_gqa_tied")
        try model.save(to: temporary.url.path)
        let entries = try CheckpointFixture.tensors(in: temporary.url.path)
        try FileManager.default.removeItem(atPath: temporary.path("model.safetensors"))
        var weightMap: [String: String] = [:]
        let shards = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
        for (index, shard) in shards.enumerated() {
            let part = entries.enumerated().filter { $0.offset % 2 == index }.map(\.element)
            try SafetensorsWriter.write(
                part.map { SafetensorsWriter.Entry(name: $0.name, shape: $0.shape, values: $0.values) },
                as: .f32, to: temporary.path(shard))
            for entry in part { weightMap[entry.name] = shard }
        }
        let index: [String: Any] = ["metadata": ["total_size": entries.reduce(0) { $0 + 4 * $1.values.count }], "weight_map": weightMap]
        try JSONSerialization.data(withJSONObject: index).write(to: temporary.url.appendingPathComponent("model.safetensors.index.json"))

        let reloaded = try LlamaForCausalLM.load(directory: temporary.url.path)
        let after = CheckpointFixture.parameters(reloaded)
        for (key, values) in CheckpointFixture.parameters(model) {
            #expect(values.map(\.bitPattern) == after[key]?.map(\.bitPattern), "\(key)")
        }

        // Without its second shard the directory is a typed error naming the index and the shard.
        try FileManager.default.removeItem(atPath: temporary.path(shards[1]))
        do {
            _ = try LlamaForCausalLM.load(directory: temporary.url.path)
            Issue.record("a directory with a missing shard loaded")
        } catch let error as CheckpointError {
            guard case .missingShard(let file, _, let shard) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == temporary.path("model.safetensors.index.json") && shard == shards[1])
        }
    }

    @Test func missingWeightsFileIsATypedError() throws {
        let temporary = try ModelIOTemporaryDirectory()
        try CheckpointFixture.load("llama_default").configuration.write(to: temporary.path("config.json"))
        do {
            _ = try LlamaForCausalLM.load(directory: temporary.url.path)
            Issue.record("a directory without weights loaded")
        } catch let error as CheckpointError {
            guard case .unreadable(let file, _) = error else { Issue.record("unexpected \(error)"); return }
            #expect(file == temporary.url.path)
        }
    }
}
