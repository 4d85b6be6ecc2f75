/// An n-dimensional array of `Float` (row-major, contiguous) that can record the
/// operations applied to it and differentiate through them in reverse mode.
///
/// Tensors have reference semantics, like PyTorch's: a parameter is one object whose
/// `grad` accumulates across `backward()` calls. Ops never mutate their inputs; they
/// return new tensors. Recording happens only when some input has `requiresGrad` and
/// gradients are enabled (see ``withNoGrad(_:)``).
public final class Tensor {
    /// The size of each axis; `[]` is a scalar.
    public let shape: [Int]
    /// The buffer holding the elements; reshapes share it.
    public let storage: TensorStorage
    /// Whether gradients flow to (leaf) or through (result) this tensor.
    public internal(set) var requiresGrad: Bool
    /// The gradient accumulated by `backward()` into a leaf that requires it.
    public var grad: Tensor?
    /// How this tensor was computed, while the graph is alive; nil for leaves.
    var node: GradientNode?

    /// Wraps existing storage: the tensor's elements are its first `Shape.count(shape)` floats.
    /// Storage may be longer, so a buffer that grows in place (a KV cache) can be viewed at
    /// its current length without a copy.
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        let count = Shape.count(shape)
        precondition(
            count <= storage.count,
            "Tensor: shape \(shape) needs \(count) elements, storage has \(storage.count)")
        self.shape = shape
        self.storage = storage
        self.count = count
        self.requiresGrad = false
    }

    /// A tensor with uninitialised contents, for ops that write every element.
    public convenience init(uninitializedShape shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.init(shape: shape, storage: TensorStorage(count: Shape.count(shape)))
    }

    /// A tensor holding `scalars` in row-major order.
    public convenience init(_ scalars: [Float], shape: [Int]) {
        precondition(
            scalars.count == Shape.count(shape),
            "Tensor(_:shape:): \(scalars.count) scalars do not fill shape \(shape) (\(Shape.count(shape)) elements)")
        self.init(uninitializedShape: shape)
        scalars.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: scalars.count) }
    }

    /// A 1-D tensor holding `scalars`.
    public convenience init(_ scalars: [Float]) { self.init(scalars, shape: [scalars.count]) }

    /// A scalar tensor (shape `[]`).
    public convenience init(scalar: Float) { self.init([scalar], shape: []) }

    /// A 2-D tensor from equal-length rows.
    public convenience init(_ rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Tensor(_:): rows have different lengths")
        self.init(rows.flatMap { $0 }, shape: [rows.count, width])
    }

    /// The number of elements.
    public let count: Int
    /// The number of axes.
    public var rank: Int { shape.count }
    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: count)) }
    /// The single element of a one-element tensor.
    public var item: Float {
        precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements, not 1")
        return storage.pointer[0]
    }

    /// Marks a leaf tensor as trainable (or not). Only leaves can change this.
    @discardableResult
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        precondition(node == nil, "Tensor.requiringGrad: only leaf tensors can change requiresGrad")
        requiresGrad = flag
        return self
    }

    /// Reads the elements through a pointer, valid only inside `body`.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: count))
    }

    /// Writes the elements in place. Meant for optimizers and checkpoint loading on leaves,
    /// outside gradient recording; a tensor already used by a recorded op must not change.
    public func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: count))
    }

    /// Copies `other`'s elements into this tensor (same shape), in place.
    public func assign(_ other: Tensor) {
        precondition(shape == other.shape, "Tensor.assign: shape \(shape) vs \(other.shape)")
        storage.pointer.update(from: other.storage.pointer, count: count)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let preview = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(shape: \(shape), [\(preview)\(count > 8 ? ", ..." : "")])"
    }
}
