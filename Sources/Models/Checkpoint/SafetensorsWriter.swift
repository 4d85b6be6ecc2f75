import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes tensors of `Float` as a safetensors file that Hugging Face loads.
///
/// The file is written to a temporary file in the destination directory and renamed
/// over the destination only when complete, so a crash or full disk never leaves a
/// half-written checkpoint under the real name.
public enum SafetensorsWriter {
    /// The element type to store.
    public enum StorageType: Sendable {
        /// 32-bit floats, bit-exact.
        case f32
        /// bfloat16, rounded to nearest even as PyTorch's `.to(torch.bfloat16)` does.
        case bf16

        var dtype: SafetensorsDType { self == .f32 ? .f32 : .bf16 }
    }

    /// One tensor to write.
    public struct Entry {
        enum Values {
            case array([Float])
            case pointer(UnsafeBufferPointer<Float>)
        }

        public var name: String
        public var shape: [Int]
        let values: Values

        /// A tensor whose values are in an array (shared copy-on-write, not copied).
        public init(name: String, shape: [Int], values: [Float]) {
            self.name = name
            self.shape = shape
            self.values = .array(values)
        }

        /// A tensor whose values the caller keeps alive until `write` returns.
        public init(name: String, shape: [Int], buffer: UnsafeBufferPointer<Float>) {
            self.name = name
            self.shape = shape
            self.values = .pointer(buffer)
        }

        var count: Int {
            switch values {
            case .array(let array): return array.count
            case .pointer(let buffer): return buffer.count
            }
        }

        func withValues<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
            switch values {
            case .array(let array): return try array.withUnsafeBufferPointer(body)
            case .pointer(let buffer): return try body(buffer)
            }
        }
    }

    /// Writes `entries` in order to `path`, replacing any existing file atomically.
    ///
    /// - Parameter metadata: the `__metadata__` strings; `format: pt` tells Hugging Face
    ///   the tensors are PyTorch tensors.
    /// - Precondition: each entry's value count equals the product of its shape.
    public static func write(
        _ entries: [Entry], as storage: StorageType, to path: String,
        metadata: [String: String] = ["format": "pt"]
    ) throws {
        var seen = Set<String>()
        for entry in entries {
            precondition(
                entry.count == entry.shape.reduce(1, *),
                "SafetensorsWriter.write: '\(entry.name)' has \(entry.count) values for shape \(entry.shape)")
            precondition(entry.shape.allSatisfy { $0 >= 0 }, "SafetensorsWriter.write: negative dimension in \(entry.shape)")
            if entry.name.isEmpty || entry.name == "__metadata__" {
                throw CheckpointError.writeFailed(file: path, tensor: entry.name, reason: "reserved or empty tensor name")
            }
            if !seen.insert(entry.name).inserted {
                throw CheckpointError.writeFailed(file: path, tensor: entry.name, reason: "duplicate tensor name")
            }
        }
        let header = headerBytes(entries, dtype: storage.dtype, metadata: metadata)

        let destination = URL(fileURLWithPath: path)
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).tmp-\(UUID().uuidString)").path
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CheckpointError.writeFailed(file: path, tensor: nil, reason: "cannot create temporary file \(temporary)")
        }
        var renamed = false
        defer { if !renamed { try? FileManager.default.removeItem(atPath: temporary) } }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
            defer { try? handle.close() }
            var length = UInt64(header.count).littleEndian
            try handle.write(contentsOf: Data(bytes: &length, count: 8))
            try handle.write(contentsOf: header)
            for entry in entries {
                try entry.withValues { try writeValues($0, as: storage, to: handle) }
            }
            try handle.synchronize()
        } catch let error as CheckpointError {
            throw error
        } catch {
            throw CheckpointError.writeFailed(file: path, tensor: nil, reason: "\(error.localizedDescription)")
        }
        guard rename(temporary, path) == 0 else {
            throw CheckpointError.writeFailed(
                file: path, tensor: nil, reason: "rename from temporary file failed: \(String(cString: strerror(errno)))")
        }
        renamed = true
    }

    /// Converts and writes values in fixed-size chunks so memory stays bounded.
    private static func writeValues(
        _ values: UnsafeBufferPointer<Float>, as storage: StorageType, to handle: FileHandle
    ) throws {
        let chunk = 1 << 16
        var start = 0
        var bytes = [UInt8](repeating: 0, count: chunk * 4)
        while start < values.count {
            let n = min(chunk, values.count - start)
            let byteCount: Int = bytes.withUnsafeMutableBytes { raw in
                switch storage {
                case .f32:
                    for i in 0..<n {
                        raw.storeBytes(of: values[start + i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                    return 4 * n
                case .bf16:
                    for i in 0..<n {
                        let bits = HalfPrecision.bfloat16Bits(from: values[start + i])
                        raw.storeBytes(of: bits.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    }
                    return 2 * n
                }
            }
            try handle.write(contentsOf: Data(bytes[0..<byteCount]))
            start += n
        }
    }

    /// The JSON header, padded with spaces to a multiple of 8 bytes so that the data
    /// section starts aligned, as the reference writer does.
    static func headerBytes(_ entries: [Entry], dtype: SafetensorsDType, metadata: [String: String]) -> Data {
        var json = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(quoted($0)):\(quoted(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let size = entry.count * dtype.byteSize
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append(
                "\(quoted(entry.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],"
                    + "\"data_offsets\":[\(offset),\(offset + size)]}")
            offset += size
        }
        json += fields.joined(separator: ",") + "}"
        var data = Data(json.utf8)
        let padding = (8 - (8 + data.count) % 8) % 8
        data.append(contentsOf: [UInt8](repeating: 0x20, count: padding))
        return data
    }

    /// A JSON string literal.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    result += String(format: "\\u%04x", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
