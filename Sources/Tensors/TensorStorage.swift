import Kernels

/// The heap buffer behind one or more tensors (a reshape shares it).
///
/// Storage is written only while a tensor is being produced, or in place by code
/// that owns the parameter (optimizers, checkpoint loading) outside gradient recording.
public final class TensorStorage {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    /// Allocates `count` floats, uninitialised (every op writes all of its output).
    public init(count: Int) {
        self.count = count
        // At least one element, so a zero-size tensor still has a valid pointer.
        pointer = FloatAllocation.allocate(count: count)
    }

    deinit { FloatAllocation.deallocate(pointer, count: count) }
}
