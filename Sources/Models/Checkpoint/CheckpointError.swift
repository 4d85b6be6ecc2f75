import Foundation

/// An error found while reading or writing a checkpoint file.
///
/// Every case names the file and, where one is involved, the tensor or JSON key, so a
/// user can tell which checkpoint is broken and how.
public enum CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened, sized or mapped.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header length prefix.
    case fileTooShort(file: String, size: Int)
    /// The header length prefix points past the end of the file.
    case headerLengthOutOfRange(file: String, headerLength: UInt64, fileSize: Int)
    /// The header bytes are not valid JSON.
    case headerNotJSON(file: String, reason: String)
    /// The header is valid JSON but not a JSON object.
    case headerNotObject(file: String)
    /// A header entry (a tensor or `__metadata__`) is missing a field or has a field of the wrong form.
    case malformedEntry(file: String, tensor: String, reason: String)
    /// A tensor's `dtype` is not a safetensors dtype.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` are reversed or negative.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int)
    /// Two tensors' byte ranges overlap.
    case overlappingOffsets(file: String, tensor: String, other: String)
    /// The byte range length differs from `dtype` size times the product of `shape`.
    case byteSizeMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// The data section ends before a tensor's bytes do.
    case truncated(file: String, tensor: String, needed: Int, available: Int)
    /// The requested tensor is not in the checkpoint.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's dtype cannot be converted to `Float` (integer, boolean or 8-bit float data).
    case unsupportedConversion(file: String, tensor: String, dtype: String)
    /// The destination buffer does not hold exactly the tensor's element count.
    case elementCountMismatch(file: String, tensor: String, expected: Int, actual: Int)
    /// The tensor's stored shape differs from the shape the model expects.
    case shapeMismatch(file: String, tensor: String, expected: [Int], actual: [Int])
    /// A sharded checkpoint's index JSON is malformed.
    case malformedIndex(file: String, key: String, reason: String)
    /// A sharded checkpoint's index names a shard file that does not exist.
    case missingShard(file: String, tensor: String, shard: String)
    /// A sharded checkpoint's index maps a tensor to a shard that does not contain it.
    case tensorMissingFromShard(file: String, tensor: String, shard: String)
    /// Writing failed, or the entries to write are invalid.
    case writeFailed(file: String, tensor: String?, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read checkpoint: \(reason)"
        case let .fileTooShort(file, size):
            return "\(file): file is \(size) bytes, shorter than the 8-byte safetensors header length"
        case let .headerLengthOutOfRange(file, headerLength, fileSize):
            return "\(file): header length \(headerLength) runs past the end of the \(fileSize)-byte file"
        case let .headerNotJSON(file, reason):
            return "\(file): safetensors header is not valid JSON (\(reason))"
        case let .headerNotObject(file):
            return "\(file): safetensors header is not a JSON object"
        case let .malformedEntry(file, tensor, reason):
            return "\(file): header entry '\(tensor)': \(reason)"
        case let .unknownDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .offsetsOutOfRange(file, tensor, begin, end):
            return "\(file): tensor '\(tensor)' has invalid data_offsets [\(begin), \(end)]"
        case let .overlappingOffsets(file, tensor, other):
            return "\(file): tensor '\(tensor)' overlaps the bytes of tensor '\(other)'"
        case let .byteSizeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has \(actual) data bytes but dtype and shape need \(expected)"
        case let .truncated(file, tensor, needed, available):
            return "\(file): file is truncated: tensor '\(tensor)' needs data bytes up to \(needed) "
                + "but the data section has \(available)"
        case let .tensorNotFound(file, tensor):
            return "\(file): no tensor named '\(tensor)'"
        case let .unsupportedConversion(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), which cannot be read as Float"
        case let .elementCountMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has \(expected) elements but the destination holds \(actual)"
        case let .shapeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)' has shape \(actual) but the model expects \(expected)"
        case let .malformedIndex(file, key, reason):
            return "\(file): index key '\(key)': \(reason)"
        case let .missingShard(file, tensor, shard):
            return "\(file): tensor '\(tensor)' is mapped to shard '\(shard)', which does not exist"
        case let .tensorMissingFromShard(file, tensor, shard):
            return "\(file): tensor '\(tensor)' is mapped to shard '\(shard)', which does not contain it"
        case let .writeFailed(file, tensor, reason):
            if let tensor { return "\(file): cannot write tensor '\(tensor)': \(reason)" }
            return "\(file): cannot write checkpoint: \(reason)"
        }
    }
}
