/// A read-only set of named tensors on disk, converted to `Float` on demand.
///
/// Implemented by a single safetensors file and by a sharded directory, so a model
/// loader does not care how the checkpoint was split.
public protocol CheckpointReader {
    /// The tensor names, sorted.
    var names: [String] { get }
    /// The path named in error messages.
    var path: String { get }
    /// Where and how a tensor is stored, or `nil` if there is no such tensor.
    func info(_ name: String) -> SafetensorsTensorInfo?
    /// Converts the tensor's elements to `Float`, writing them into `buffer`, whose count
    /// must equal the tensor's element count.
    func read(_ name: String, into buffer: UnsafeMutableBufferPointer<Float>) throws
}

extension CheckpointReader {
    /// Whether a tensor with this name exists.
    public func contains(_ name: String) -> Bool { info(name) != nil }

    /// The stored dtype of a tensor.
    public func dtype(of name: String) throws -> SafetensorsDType {
        guard let info = info(name) else { throw CheckpointError.tensorNotFound(file: path, tensor: name) }
        return info.dtype
    }

    /// The shape of a tensor.
    public func shape(of name: String) throws -> [Int] {
        guard let info = info(name) else { throw CheckpointError.tensorNotFound(file: path, tensor: name) }
        return info.shape
    }

    /// Reads a tensor after checking that its stored shape is `shape`, the strict check
    /// a model loader wants: a wrong shape is an error naming the tensor.
    public func read(_ name: String, shape: [Int], into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard let info = info(name) else { throw CheckpointError.tensorNotFound(file: path, tensor: name) }
        guard info.shape == shape else {
            throw CheckpointError.shapeMismatch(file: path, tensor: name, expected: shape, actual: info.shape)
        }
        try read(name, into: buffer)
    }

    /// Reads a tensor into a new array of `Float`.
    public func read(_ name: String) throws -> [Float] {
        guard let info = info(name) else { throw CheckpointError.tensorNotFound(file: path, tensor: name) }
        var values = [Float](repeating: 0, count: info.elementCount)
        try values.withUnsafeMutableBufferPointer { try read(name, into: $0) }
        return values
    }
}
