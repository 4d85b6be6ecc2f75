import Foundation

/// Where one tensor lives in a safetensors file and how to read it.
public struct SafetensorsTensorInfo: Equatable, Sendable {
    /// The tensor's key, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public var name: String
    /// The stored element type.
    public var dtype: SafetensorsDType
    /// The dimensions, outermost first; `[]` is a scalar.
    public var shape: [Int]
    /// Byte range relative to the start of the data section (after the header).
    public var dataOffsets: Range<Int>

    /// The number of elements (the product of `shape`; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}

/// Parsing and validation of the safetensors header: an 8-byte little-endian length,
/// then that many bytes of JSON mapping tensor names to `dtype`, `shape` and
/// `data_offsets`, with an optional `__metadata__` object of strings.
enum SafetensorsHeader {
    /// Headers larger than this are rejected, as the reference implementation does.
    static let maximumLength: UInt64 = 100_000_000

    struct Parsed {
        var tensors: [String: SafetensorsTensorInfo]
        var metadata: [String: String]
        /// Offset of the data section in the file.
        var dataStart: Int
    }

    static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws -> Parsed {
        guard bytes.count >= 8 else { throw CheckpointError.fileTooShort(file: file, size: bytes.count) }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 8) else {
            throw CheckpointError.headerLengthOutOfRange(file: file, headerLength: length, fileSize: bytes.count)
        }
        guard length <= maximumLength else {
            throw CheckpointError.malformedEntry(
                file: file, tensor: "<header>", reason: "header of \(length) bytes exceeds \(maximumLength)")
        }
        let dataStart = 8 + Int(length)
        let json = Data(bytes[8..<dataStart])
        let root: CheckpointJSON
        switch CheckpointJSON.parse(json) {
        case .success(let value): root = value
        case .failure(let failure): throw CheckpointError.headerNotJSON(file: file, reason: failure.reason)
        }
        guard case .object(let entries) = root else { throw CheckpointError.headerNotObject(file: file) }

        var metadata: [String: String] = [:]
        var tensors: [String: SafetensorsTensorInfo] = [:]
        for (name, value) in entries {
            if name == "__metadata__" {
                metadata = try parseMetadata(value, file: file)
            } else {
                tensors[name] = try parseTensor(name: name, value: value, file: file)
            }
        }
        let dataSize = bytes.count - dataStart
        try checkLayout(Array(tensors.values), dataSize: dataSize, file: file)
        return Parsed(tensors: tensors, metadata: metadata, dataStart: dataStart)
    }

    private static func parseMetadata(_ value: CheckpointJSON, file: String) throws -> [String: String] {
        guard case .object(let fields) = value else {
            throw CheckpointError.malformedEntry(
                file: file, tensor: "__metadata__", reason: "expected an object, found \(value.kind)")
        }
        var metadata: [String: String] = [:]
        for (key, field) in fields {
            guard case .string(let text) = field else {
                throw CheckpointError.malformedEntry(
                    file: file, tensor: "__metadata__",
                    reason: "value of '\(key)' must be a string, found \(field.kind)")
            }
            metadata[key] = text
        }
        return metadata
    }

    private static func parseTensor(name: String, value: CheckpointJSON, file: String) throws -> SafetensorsTensorInfo {
        func malformed(_ reason: String) -> CheckpointError {
            .malformedEntry(file: file, tensor: name, reason: reason)
        }
        guard case .object(let fields) = value else { throw malformed("expected an object, found \(value.kind)") }
        guard let dtypeValue = fields["dtype"] else { throw malformed("missing 'dtype'") }
        guard case .string(let dtypeName) = dtypeValue else {
            throw malformed("'dtype' must be a string, found \(dtypeValue.kind)")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw CheckpointError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        guard let shapeValue = fields["shape"] else { throw malformed("missing 'shape'") }
        guard case .array(let dims) = shapeValue else {
            throw malformed("'shape' must be an array, found \(shapeValue.kind)")
        }
        var shape: [Int] = []
        var count = 1
        for dim in dims {
            guard case .int(let size) = dim, size >= 0 else {
                throw malformed("'shape' entries must be non-negative integers")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: size)
            if overflow { throw malformed("'shape' \(dims.count) dimensions overflow the element count") }
            count = product
            shape.append(size)
        }
        guard let offsetsValue = fields["data_offsets"] else { throw malformed("missing 'data_offsets'") }
        guard case .array(let offsets) = offsetsValue, offsets.count == 2,
            case .int(let begin) = offsets[0], case .int(let end) = offsets[1]
        else { throw malformed("'data_offsets' must be an array of two integers") }
        guard begin >= 0, end >= begin else {
            throw CheckpointError.offsetsOutOfRange(file: file, tensor: name, begin: begin, end: end)
        }
        let (expected, overflow) = count.multipliedReportingOverflow(by: dtype.byteSize)
        if overflow || expected != end - begin {
            throw CheckpointError.byteSizeMismatch(
                file: file, tensor: name, expected: overflow ? Int.max : expected, actual: end - begin)
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Checks that every tensor fits in the data section and that no two share bytes.
    private static func checkLayout(_ tensors: [SafetensorsTensorInfo], dataSize: Int, file: String) throws {
        let ordered = tensors.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name)
                < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name)
        }
        var previous: SafetensorsTensorInfo?
        for tensor in ordered {
            if tensor.dataOffsets.upperBound > dataSize {
                throw CheckpointError.truncated(
                    file: file, tensor: tensor.name, needed: tensor.dataOffsets.upperBound, available: dataSize)
            }
            if tensor.dataOffsets.isEmpty { continue }
            if let previous, previous.dataOffsets.upperBound > tensor.dataOffsets.lowerBound {
                throw CheckpointError.overlappingOffsets(file: file, tensor: tensor.name, other: previous.name)
            }
            previous = tensor
        }
    }
}
