import Kernels

extension Tensor {
    /// Softmax along `axis` (default: the last).
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        alongLastAxis(axis, operation: "softmax") { $0.rowwise(forward: softmaxRows, backward: softmaxRowsBackward) }
    }

    /// Log-softmax along `axis` (default: the last), computed stably in one pass.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        alongLastAxis(axis, operation: "logSoftmax") { $0.rowwise(forward: logSoftmaxRows, backward: logSoftmaxRowsBackward) }
    }

    /// Applies a last-axis op along any axis by moving that axis last and back.
    func alongLastAxis(_ axis: Int, operation: String, _ body: (Tensor) -> Tensor) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: operation, shape: shape)
        if axis == rank - 1 { return body(self) }
        var order = Array(0..<rank)
        order.swapAt(axis, rank - 1)
        return body(permuted(order)).permuted(order)
    }

    private func rowwise(
        forward: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void,
        backward: @escaping (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int) -> Void
    ) -> Tensor {
        let cols = shape.last ?? 1
        let rows = cols == 0 ? 0 : count / cols
        let out = Tensor(uninitializedShape: shape)
        forward(storage.pointer, out.storage.pointer, rows, cols)
        let saved = out.detached()
        return out.recording([self]) { [shape] g in
            let dx = Tensor(uninitializedShape: shape)
            backward(saved.storage.pointer, g.storage.pointer, dx.storage.pointer, rows, cols)
            return [dx]
        }
    }
}
