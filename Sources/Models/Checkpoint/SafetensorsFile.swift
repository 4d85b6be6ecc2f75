import Foundation

/// A memory-mapped safetensors file.
///
/// Opening parses and validates the whole header (see `CheckpointError` for what is
/// rejected); tensor bytes are only touched when read. Any byte sequence either opens
/// or throws: the reader never traps on file contents.
///
///     let file = try SafetensorsFile(path: "model.safetensors")
///     var weights = [Float](repeating: 0, count: file.info("lm_head.weight")!.elementCount)
///     try weights.withUnsafeMutableBufferPointer { try file.read("lm_head.weight", into: $0) }
public final class SafetensorsFile: CheckpointReader, @unchecked Sendable {
    public let path: String
    /// The `__metadata__` strings (`{"format": "pt"}` for files written by PyTorch).
    public let metadata: [String: String]
    public let names: [String]

    private let mapping: MappedFile
    private let tensors: [String: SafetensorsTensorInfo]
    private let dataStart: Int

    /// Maps and validates the file at `path`.
    public init(path: String) throws {
        self.path = path
        mapping = try MappedFile(path: path)
        let parsed = try SafetensorsHeader.parse(mapping.bytes, file: path)
        tensors = parsed.tensors
        metadata = parsed.metadata
        dataStart = parsed.dataStart
        names = parsed.tensors.keys.sorted()
    }

    /// Maps and validates the file at `url`.
    public convenience init(url: URL) throws {
        try self.init(path: url.path)
    }

    public func info(_ name: String) -> SafetensorsTensorInfo? { tensors[name] }

    public func read(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let info = tensors[name] else { throw CheckpointError.tensorNotFound(file: path, tensor: name) }
        guard info.dtype.convertsToFloat else {
            throw CheckpointError.unsupportedConversion(file: path, tensor: name, dtype: info.dtype.rawValue)
        }
        let count = info.elementCount
        guard buffer.count == count else {
            throw CheckpointError.elementCountMismatch(file: path, tensor: name, expected: count, actual: buffer.count)
        }
        guard count > 0, let destination = buffer.baseAddress, let base = mapping.bytes.baseAddress else { return }
        let source = base + dataStart + info.dataOffsets.lowerBound
        Self.convert(info.dtype, from: source, to: destination, count: count)
    }

    /// Converts `count` little-endian elements at `source` (any alignment) to `Float`.
    static func convert(
        _ dtype: SafetensorsDType, from source: UnsafeRawPointer, to destination: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch dtype {
        case .f32:
            // Safetensors is little-endian, as are all hosts Swift supports here (x86_64, arm64).
            UnsafeMutableRawPointer(destination).copyMemory(from: source, byteCount: count * 4)
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = HalfPrecision.float(fromBFloat16Bits: bits)
            }
        case .f16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                destination[i] = HalfPrecision.float(fromHalfBits: bits)
            }
        case .f64:
            for i in 0..<count {
                let bits = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                destination[i] = Float(Double(bitPattern: bits))
            }
        default:
            preconditionFailure("SafetensorsFile.convert: \(dtype.rawValue) does not convert to Float")
        }
    }
}
