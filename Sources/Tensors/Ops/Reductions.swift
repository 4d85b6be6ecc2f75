import Kernels

extension Tensor {
    /// Sum over `axes` (negative axes count from the end). Reduced axes are kept with
    /// size 1 when `keepingDimensions` is true, removed otherwise.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let resolved = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: "sum", shape: shape) })
        var result = self.detached()
        var reducedShape = shape
        for axis in resolved.sorted(by: >) {
            let outer = reducedShape[..<axis].reduce(1, *)
            let inner = reducedShape[(axis + 1)...].reduce(1, *)
            let length = reducedShape[axis]
            reducedShape[axis] = 1
            let out = Tensor(uninitializedShape: reducedShape)
            reduceSum(result.storage.pointer, out.storage.pointer, outer: outer, length: length, inner: inner)
            result = out
        }
        let keptShape = reducedShape
        let finalShape = keepingDimensions ? keptShape : shape.indices.filter { !resolved.contains($0) }.map { shape[$0] }
        let out = Tensor(shape: finalShape, storage: result.storage)
        return out.recording([self]) { [shape] g in [g.reshaped(keptShape).broadcasted(to: shape)] }
    }

    /// Sum over one axis.
    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sum(alongAxes: Array(0..<rank)) }

    /// Mean over `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let n = Set(axes.map { Shape.normalize(axis: $0, rank: rank, operation: "mean", shape: shape) })
            .reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(n)
    }

    /// Mean over one axis.
    public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// Mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { mean(alongAxes: Array(0..<rank)) }

    /// Maximum over one axis; the gradient flows to the first maximal element.
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "max", shape: shape)
        precondition(shape[axis] > 0, "max: axis \(axis) of shape \(shape) is empty")
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let length = shape[axis]
        var keptShape = shape
        keptShape[axis] = 1
        let values = Tensor(uninitializedShape: keptShape)
        let argmax = UnsafeMutableBufferPointer<Int32>.allocate(capacity: Swift.max(values.count, 1))
        reduceMax(storage.pointer, values.storage.pointer, argmax: argmax.baseAddress!, outer: outer, length: length, inner: inner)
        let indices = Array(argmax.prefix(values.count))
        argmax.deallocate()
        var finalShape = shape
        if keepingDimensions { finalShape[axis] = 1 } else { finalShape.remove(at: axis) }
        let out = Tensor(shape: finalShape, storage: values.storage)
        return out.recording([self]) { [shape] g in
            let dx = Tensor.zeros(shape)
            for o in 0..<outer {
                for i in 0..<inner {
                    let r = o * inner + i
                    dx.storage.pointer[(o * length + Int(indices[r])) * inner + i] = g.storage.pointer[r]
                }
            }
            return [dx]
        }
    }

    /// Repeats `self` along size-1 (or missing leading) axes to `target` (NumPy broadcasting);
    /// the backward sums back.
    public func broadcasted(to target: [Int]) -> Tensor {
        if shape == target { return self }
        guard Shape.broadcast(shape, target) == target else {
            preconditionFailure("broadcasted(to:): shape \(shape) cannot be broadcast to \(target)")
        }
        let out = Tensor(uninitializedShape: target)
        var zero: Float = 0
        let source = storage.pointer, destination = out.storage.pointer
        withUnsafePointer(to: &zero) { zeroPointer in
            BroadcastRuns(outputShape: target, aShape: shape, bShape: []).forEachRun {
                aOffset, aStep, _, _, outOffset, length in
                applyBinary(.add, source + aOffset, aStep: aStep, zeroPointer, bStep: 0, destination + outOffset, count: length)
            }
        }
        return out.recording([self]) { [shape] g in [g.summed(toShape: shape)] }
    }
}
