/// Iterates two operands read at broadcast strides, calling `body` on runs along which
/// each operand is contiguous (step 1) or constant (step 0). Adjacent axes are merged
/// when both operands allow it, so a same-shape op is one run and `(n, 1) + (n, m)` is
/// `n` runs of length `m`.
struct BroadcastRuns {
    let shape: [Int]
    let aStrides: [Int]
    let bStrides: [Int]

    init(outputShape: [Int], aShape: [Int], bShape: [Int]) {
        var shape: [Int] = []
        var aStrides: [Int] = []
        var bStrides: [Int] = []
        let sa = Shape.broadcastStrides(aShape, to: outputShape)
        let sb = Shape.broadcastStrides(bShape, to: outputShape)
        for i in 0..<outputShape.count where outputShape[i] != 1 {
            if let last = shape.indices.last,
               aStrides[last] == sa[i] * outputShape[i], bStrides[last] == sb[i] * outputShape[i] {
                shape[last] *= outputShape[i]
                aStrides[last] = sa[i]
                bStrides[last] = sb[i]
            } else {
                shape.append(outputShape[i])
                aStrides.append(sa[i])
                bStrides.append(sb[i])
            }
        }
        if shape.isEmpty { shape = [1]; aStrides = [0]; bStrides = [0] }
        self.shape = shape
        self.aStrides = aStrides
        self.bStrides = bStrides
    }

    /// Calls `body(aOffset, aStep, bOffset, bStep, outOffset, length)` for each innermost run.
    /// Steps are 0 or 1: size-1 output axes are dropped, so the innermost axis of a
    /// contiguous operand has stride 1 unless it is broadcast.
    func forEachRun(_ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = shape.count
        let length = shape[rank - 1]
        let aStep = aStrides[rank - 1]
        let bStep = bStrides[rank - 1]
        let outer = shape.dropLast().reduce(1, *)
        var index = [Int](repeating: 0, count: rank)
        var aOffset = 0
        var bOffset = 0
        for run in 0..<outer {
            body(aOffset, aStep, bOffset, bStep, run * length, length)
            // Advance the odometer over the outer axes.
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                aOffset += aStrides[axis]
                bOffset += bStrides[axis]
                if index[axis] < shape[axis] { break }
                aOffset -= aStrides[axis] * shape[axis]
                bOffset -= bStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

extension Tensor {
    /// Sums `self` down to `target` (the shape it was broadcast from): the backward of broadcasting.
    func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        var axes: [Int] = Array(0..<offset)
        for i in 0..<target.count where target[i] == 1 && shape[i + offset] != 1 { axes.append(i + offset) }
        return sum(alongAxes: axes, keepingDimensions: true).reshaped(target)
    }
}
