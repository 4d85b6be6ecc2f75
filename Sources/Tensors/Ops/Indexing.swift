import Kernels

extension Tensor {
    /// Selects entries `indices` along `axis` (the embedding lookup is `table.indexSelect(ids, alongAxis: 0)`).
    /// The output replaces axis `axis` by `indices.count`. Repeated indices accumulate in the backward.
    public func indexSelect(_ indices: [Int32], alongAxis axis: Int = 0) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "indexSelect", shape: shape)
        let size = shape[axis]
        for index in indices {
            precondition(index >= 0 && Int(index) < size, "indexSelect: index \(index) is out of range for axis \(axis) of shape \(shape)")
        }
        var outShape = shape
        outShape[axis] = indices.count
        let out = Tensor(uninitializedShape: outShape)
        let (outer, inner) = outerInner(axis)
        let src = storage.pointer, dst = out.storage.pointer
        for o in 0..<outer {
            for (j, index) in indices.enumerated() {
                (dst + (o * indices.count + j) * inner).update(from: src + (o * size + Int(index)) * inner, count: inner)
            }
        }
        return out.recording([self]) { [shape] g in
            let dx = Tensor.zeros(shape)
            for o in 0..<outer {
                for (j, index) in indices.enumerated() {
                    accumulate(g.storage.pointer + (o * indices.count + j) * inner,
                               into: dx.storage.pointer + (o * size + Int(index)) * inner, count: inner)
                }
            }
            return [dx]
        }
    }

    /// PyTorch's `gather`: `out[..., i, ...] = self[..., indices[..., i, ...], ...]` along `axis`,
    /// where `indices` has shape `indexShape` (equal to `self.shape` except along `axis`).
    public func gather(alongAxis axis: Int, indices: [Int32], indexShape: [Int]) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "gather", shape: shape)
        var expected = shape
        expected[axis] = indexShape.count == rank ? indexShape[axis] : -1
        precondition(
            indexShape == expected && indices.count == Shape.count(indexShape),
            "gather: index shape \(indexShape) (\(indices.count) indices) does not fit a tensor of shape \(shape) along axis \(axis)")
        let (outer, inner) = outerInner(axis)
        let size = shape[axis], picked = indexShape[axis]
        var sourceOffsets = [Int](repeating: 0, count: indices.count)
        for o in 0..<outer {
            for j in 0..<picked {
                for i in 0..<inner {
                    let flat = (o * picked + j) * inner + i
                    let index = Int(indices[flat])
                    precondition(index >= 0 && index < size, "gather: index \(index) is out of range for axis \(axis) of shape \(shape)")
                    sourceOffsets[flat] = (o * size + index) * inner + i
                }
            }
        }
        let out = Tensor(uninitializedShape: indexShape)
        for (flat, offset) in sourceOffsets.enumerated() { out.storage.pointer[flat] = storage.pointer[offset] }
        return out.recording([self]) { [shape] g in
            let dx = Tensor.zeros(shape)
            for (flat, offset) in sourceOffsets.enumerated() { dx.storage.pointer[offset] += g.storage.pointer[flat] }
            return [dx]
        }
    }
}
