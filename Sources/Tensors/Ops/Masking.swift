import Kernels

/// A boolean array with a shape, broadcastable against tensors (like a PyTorch bool tensor).
public struct BooleanMask: Equatable, Sendable {
    public let shape: [Int]
    public let values: [Bool]

    public init(_ values: [Bool], shape: [Int]) {
        precondition(values.count == Shape.count(shape), "BooleanMask: \(values.count) values do not fill shape \(shape)")
        self.values = values
        self.shape = shape
    }

    /// The causal mask over (queries, keys): true where key `j` lies in the future of query `i`,
    /// i.e. `j > i + offset` (`offset = keys - queries` when queries are the last positions).
    public static func causal(queries: Int, keys: Int, offset: Int? = nil) -> BooleanMask {
        let offset = offset ?? (keys - queries)
        var values = [Bool](repeating: false, count: queries * keys)
        for i in 0..<queries {
            for j in 0..<keys where j > i + offset { values[i * keys + j] = true }
        }
        return BooleanMask(values, shape: [queries, keys])
    }
}

extension Tensor {
    /// Replaces the elements where `mask` (broadcast to this shape) is true by `value`,
    /// like PyTorch's `masked_fill`. No gradient flows to replaced elements.
    public func maskedFill(_ mask: BooleanMask, with value: Float) -> Tensor {
        guard Shape.broadcast(shape, mask.shape) == shape else {
            preconditionFailure("maskedFill: mask of shape \(mask.shape) cannot be broadcast to tensor shape \(shape)")
        }
        let keep = Tensor(mask.values.map { $0 ? 0 : 1 }, shape: mask.shape)
        let out = Tensor(uninitializedShape: shape)
        let src = storage.pointer, dst = out.storage.pointer, k = keep.storage.pointer
        BroadcastRuns(outputShape: shape, aShape: shape, bShape: mask.shape).forEachRun {
            aOffset, _, bOffset, bStep, outOffset, length in
            for j in 0..<length {
                dst[outOffset + j] = k[bOffset + j * bStep] != 0 ? src[aOffset + j] : value
            }
        }
        return out.recording([self]) { g in [g * keep] }
    }

    /// Fills positions above the causal diagonal of the last two axes (queries, keys) with
    /// `value` (default -inf, so a following softmax ignores them).
    public func causallyMasked(with value: Float = -.infinity) -> Tensor {
        precondition(rank >= 2, "causallyMasked: needs at least 2 axes, got shape \(shape)")
        return maskedFill(.causal(queries: shape[rank - 2], keys: shape[rank - 1]), with: value)
    }
}
