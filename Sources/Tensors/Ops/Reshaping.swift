import Kernels

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 and is inferred.
    /// Shares storage (no copy).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        let inferred = newShape.indices.filter { newShape[$0] == -1 }
        precondition(inferred.count <= 1, "reshaped: more than one -1 in \(newShape)")
        if let axis = inferred.first {
            let known = newShape.enumerated().filter { $0.offset != axis }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) to \(newShape)")
            resolved[axis] = count / known
        }
        precondition(
            resolved.allSatisfy { $0 >= 0 } && Shape.count(resolved) == count,
            "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if resolved == shape { return self }
        let out = Tensor(shape: resolved, storage: storage)
        return out.recording([self]) { [shape] g in [g.reshaped(shape)] }
    }

    /// Reorders the axes: output axis `i` is input axis `axes[i]` (copies).
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(
            axes.count == rank && Set(axes) == Set(0..<rank),
            "permuted: \(axes) is not a permutation of the axes of a tensor of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        let out = Tensor(uninitializedShape: outShape)
        Tensor.permute(storage.pointer, shape: shape, axes: axes, into: out.storage.pointer)
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        return out.recording([self]) { g in [g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ axis0: Int = -2, _ axis1: Int = -1) -> Tensor {
        let a = Shape.normalize(axis: axis0, rank: rank, operation: "transposed", shape: shape)
        let b = Shape.normalize(axis: axis1, rank: rank, operation: "transposed", shape: shape)
        var axes = Array(0..<rank)
        axes.swapAt(a, b)
        return permuted(axes)
    }

    /// Copies `source` (of `shape`) permuted by `axes` into `destination`. The innermost
    /// output axis is copied as a strided run; outer axes advance like an odometer.
    static func permute(_ source: UnsafePointer<Float>, shape: [Int], axes: [Int], into destination: UnsafeMutablePointer<Float>) {
        let rank = shape.count
        let inStrides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let strides = axes.map { inStrides[$0] }
        let total = Shape.count(shape)
        if total == 0 { return }
        let length = outShape[rank - 1]
        let step = strides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var offset = 0
        var written = 0
        while written < total {
            var p = source + offset
            let out = destination + written
            for j in 0..<length { out[j] = p.pointee; p += step }
            written += length
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < outShape[axis] { break }
                offset -= strides[axis] * outShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
