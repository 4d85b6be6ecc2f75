import Foundation

/// A checkpoint split over several safetensors files, described by a Hugging Face
/// `model.safetensors.index.json` whose `weight_map` maps each tensor name to a shard
/// file name in the same directory. All shards present themselves as one set of names.
public final class ShardedSafetensors: CheckpointReader, @unchecked Sendable {
    /// The path of the index JSON.
    public let path: String
    public let names: [String]
    /// The shard files, by file name.
    public let shards: [String: SafetensorsFile]

    private let shardOfTensor: [String: String]

    /// The conventional index file name inside a model directory.
    public static let indexFileName = "model.safetensors.index.json"

    /// Reads the index at `indexPath` and opens (maps and validates) every shard it names.
    public init(indexPath: String) throws {
        path = indexPath
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: indexPath))
        } catch {
            throw CheckpointError.unreadable(file: indexPath, reason: "\(error.localizedDescription)")
        }
        let root: CheckpointJSON
        switch CheckpointJSON.parse(data) {
        case .success(let value): root = value
        case .failure(let failure):
            throw CheckpointError.malformedIndex(file: indexPath, key: "<root>", reason: "not valid JSON (\(failure.reason))")
        }
        guard case .object(let fields) = root else {
            throw CheckpointError.malformedIndex(file: indexPath, key: "<root>", reason: "expected a JSON object")
        }
        guard let mapValue = fields["weight_map"] else {
            throw CheckpointError.malformedIndex(file: indexPath, key: "weight_map", reason: "missing")
        }
        guard case .object(let map) = mapValue else {
            throw CheckpointError.malformedIndex(
                file: indexPath, key: "weight_map", reason: "expected an object, found \(mapValue.kind)")
        }
        let directory = URL(fileURLWithPath: indexPath).deletingLastPathComponent()
        var shardOfTensor: [String: String] = [:]
        var shards: [String: SafetensorsFile] = [:]
        for name in map.keys.sorted() {
            guard case .string(let shard) = map[name]! else {
                throw CheckpointError.malformedIndex(
                    file: indexPath, key: "weight_map.\(name)", reason: "shard name must be a string")
            }
            // Shards must sit next to the index: no directories, no escaping it.
            guard !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"), shard != ".", shard != ".." else {
                throw CheckpointError.malformedIndex(
                    file: indexPath, key: "weight_map.\(name)", reason: "invalid shard file name '\(shard)'")
            }
            if shards[shard] == nil {
                let shardPath = directory.appendingPathComponent(shard).path
                guard FileManager.default.fileExists(atPath: shardPath) else {
                    throw CheckpointError.missingShard(file: indexPath, tensor: name, shard: shard)
                }
                shards[shard] = try SafetensorsFile(path: shardPath)
            }
            guard shards[shard]!.contains(name) else {
                throw CheckpointError.tensorMissingFromShard(file: indexPath, tensor: name, shard: shard)
            }
            shardOfTensor[name] = shard
        }
        self.shardOfTensor = shardOfTensor
        self.shards = shards
        names = map.keys.sorted()
    }

    public func info(_ name: String) -> SafetensorsTensorInfo? {
        guard let shard = shardOfTensor[name] else { return nil }
        return shards[shard]?.info(name)
    }

    public func read(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let shard = shardOfTensor[name], let file = shards[shard] else {
            throw CheckpointError.tensorNotFound(file: path, tensor: name)
        }
        try file.read(name, into: buffer)
    }
}

/// Opens the weights of a Hugging Face model directory: the sharded index
/// `model.safetensors.index.json` when present, otherwise `model.safetensors`.
public func openCheckpoint(directory: String) throws -> any CheckpointReader {
    let base = URL(fileURLWithPath: directory)
    let index = base.appendingPathComponent(ShardedSafetensors.indexFileName).path
    if FileManager.default.fileExists(atPath: index) {
        return try ShardedSafetensors(indexPath: index)
    }
    let single = base.appendingPathComponent("model.safetensors").path
    if FileManager.default.fileExists(atPath: single) {
        return try SafetensorsFile(path: single)
    }
    throw CheckpointError.unreadable(
        file: directory, reason: "no model.safetensors or \(ShardedSafetensors.indexFileName) in the directory")
}
