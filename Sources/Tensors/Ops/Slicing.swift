import Kernels

extension Tensor {
    /// The elements with index in `range` along `axis` (copies).
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "sliced", shape: shape)
        precondition(
            range.lowerBound >= 0 && range.upperBound <= shape[axis],
            "sliced: range \(range) is out of bounds for axis \(axis) of shape \(shape)")
        if range.count == shape[axis] { return self }
        var outShape = shape
        outShape[axis] = range.count
        let out = Tensor(uninitializedShape: outShape)
        let (outer, inner) = outerInner(axis)
        Tensor.copyBlocks(
            from: storage.pointer, sourceRow: shape[axis] * inner, sourceOffset: range.lowerBound * inner,
            to: out.storage.pointer, destinationRow: range.count * inner, destinationOffset: 0,
            length: range.count * inner, rows: outer)
        return out.recording([self]) { [shape] g in
            let dx = Tensor.zeros(shape)
            Tensor.copyBlocks(
                from: g.storage.pointer, sourceRow: range.count * inner, sourceOffset: 0,
                to: dx.storage.pointer, destinationRow: shape[axis] * inner, destinationOffset: range.lowerBound * inner,
                length: range.count * inner, rows: outer)
            return [dx]
        }
    }

    /// Joins tensors along `axis`; all other axes must match.
    public static func concatenated(_ tensors: [Tensor], alongAxis axis: Int) -> Tensor {
        precondition(!tensors.isEmpty, "concatenated: no tensors given")
        let first = tensors[0]
        let axis = Shape.normalize(axis: axis, rank: first.rank, operation: "concatenated", shape: first.shape)
        for t in tensors {
            var a = t.shape, b = first.shape
            precondition(a.count == b.count, "concatenated: shapes \(first.shape) and \(t.shape) differ in rank")
            a[axis] = 0; b[axis] = 0
            precondition(a == b, "concatenated: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        let sizes = tensors.map { $0.shape[axis] }
        var outShape = first.shape
        outShape[axis] = sizes.reduce(0, +)
        let out = Tensor(uninitializedShape: outShape)
        let (outer, inner) = out.outerInner(axis)
        var offset = 0
        for t in tensors {
            copyBlocks(
                from: t.storage.pointer, sourceRow: t.shape[axis] * inner, sourceOffset: 0,
                to: out.storage.pointer, destinationRow: outShape[axis] * inner, destinationOffset: offset * inner,
                length: t.shape[axis] * inner, rows: outer)
            offset += t.shape[axis]
        }
        return out.recording(tensors) { g in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return tensors[i].requiresGrad ? g.sliced(alongAxis: axis, start..<(start + size)) : nil
            }
        }
    }

    /// Splits along `axis` into pieces of the given sizes (which must add up to the axis size).
    public func split(sizes: [Int], alongAxis axis: Int) -> [Tensor] {
        let axis = Shape.normalize(axis: axis, rank: rank, operation: "split", shape: shape)
        precondition(
            sizes.reduce(0, +) == shape[axis] && sizes.allSatisfy { $0 >= 0 },
            "split: sizes \(sizes) do not add up to axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(alongAxis: axis, start..<(start + size))
        }
    }

    /// The product of the axes before and after `axis`.
    func outerInner(_ axis: Int) -> (outer: Int, inner: Int) {
        (shape[..<axis].reduce(1, *), shape[(axis + 1)...].reduce(1, *))
    }

    /// Copies `rows` blocks of `length` floats between two row-strided layouts.
    static func copyBlocks(
        from source: UnsafePointer<Float>, sourceRow: Int, sourceOffset: Int,
        to destination: UnsafeMutablePointer<Float>, destinationRow: Int, destinationOffset: Int,
        length: Int, rows: Int
    ) {
        for r in 0..<rows {
            (destination + r * destinationRow + destinationOffset)
                .update(from: source + r * sourceRow + sourceOffset, count: length)
        }
    }
}
