/// Keys and values of past tokens, one entry per decoder layer, so that generation feeds
/// only new tokens through the model. With a sliding window (Mistral) each layer keeps just
/// the last `window` positions, so memory stays bounded however long the generation runs.
public final class KVCache {
    /// The cache of one layer: keys and values of shape (batch, cached, kvHeads, headDim).
    public final class Layer {
        public private(set) var keys: Tensor?
        public private(set) var values: Tensor?
        let window: Int?
        /// Buffers that grow by doubling: one sequence without a window appends in place, so
        /// a step costs the new rows only, not a copy of the whole cache (O(T) per token, which
        /// at 4K positions moved as many bytes as the weights).
        private var keyBuffer: GrowableRows?
        private var valueBuffer: GrowableRows?

        init(window: Int?) { self.window = window }

        /// Appends new keys/values, `(batch, new, kvHeads, headDim)`, and returns everything
        /// the new queries may attend to (the kept cache followed by the new entries).
        public func append(keys newKeys: Tensor, values newValues: Tensor) -> (Tensor, Tensor) {
            // In place only where nothing needs the concatenation's graph or its layout:
            // batch 1, no window, and new entries that carry no gradient.
            let inPlace = window == nil && newKeys.shape[0] == 1 && !newKeys.requiresGrad && !newValues.requiresGrad
            if inPlace && (keys == nil || keyBuffer != nil) {
                if keyBuffer == nil {
                    keyBuffer = GrowableRows(rowShape: Array(newKeys.shape.dropFirst(2)))
                    valueBuffer = GrowableRows(rowShape: Array(newValues.shape.dropFirst(2)))
                }
                let allKeys = keyBuffer!.append(newKeys)
                let allValues = valueBuffer!.append(newValues)
                keys = allKeys
                values = allValues
                return (allKeys, allValues)
            }
            if let keyBuffer, let valueBuffer {
                // A call that cannot append in place continues from copies of the buffers' rows.
                keys = keyBuffer.current
                values = valueBuffer.current
                self.keyBuffer = nil
                self.valueBuffer = nil
            }
            let allKeys = keys.map { Tensor.concatenated([$0, newKeys], alongAxis: 1) } ?? newKeys
            let allValues = values.map { Tensor.concatenated([$0, newValues], alongAxis: 1) } ?? newValues
            let length = allKeys.shape[1]
            if let window, length > window {
                keys = allKeys.sliced(alongAxis: 1, (length - window)..<length).detached()
                values = allValues.sliced(alongAxis: 1, (length - window)..<length).detached()
            } else {
                keys = allKeys.detached()
                values = allValues.detached()
            }
            return (allKeys, allValues)
        }
    }

    public let layers: [Layer]
    /// The number of tokens seen so far: the position id of the next token.
    public internal(set) var position: Int = 0

    public init(layerCount: Int, window: Int? = nil) {
        layers = (0..<layerCount).map { _ in Layer(window: window) }
    }
}

/// Rows of one sequence, `(1, rows, rowShape...)`, in a buffer whose capacity doubles. The
/// tensors it hands out view the buffer's first rows; later appends write past them, and a
/// full buffer moves to a new one, so every tensor handed out keeps its contents.
private final class GrowableRows {
    let rowShape: [Int]
    let rowWidth: Int
    private var storage: TensorStorage?
    private var rows = 0

    init(rowShape: [Int]) {
        self.rowShape = rowShape
        rowWidth = Shape.count(rowShape)
    }

    /// The rows so far, `(1, rows, rowShape...)`.
    var current: Tensor? {
        storage.map { Tensor(shape: [1, rows] + rowShape, storage: $0) }
    }

    /// Appends `new` (`(1, n, rowShape...)`) and returns all rows.
    func append(_ new: Tensor) -> Tensor {
        precondition(Array(new.shape.dropFirst(2)) == rowShape, "KVCache: entries of shape \(new.shape) after rows of \(rowShape)")
        let added = new.shape[1]
        let capacity = storage.map { $0.count / max(rowWidth, 1) } ?? 0
        if rows + added > capacity {
            let grown = TensorStorage(count: max(2 * capacity, rows + added, 64) * rowWidth)
            if let storage { grown.pointer.update(from: storage.pointer, count: rows * rowWidth) }
            storage = grown
        }
        new.withUnsafeBufferPointer { source in
            storage!.pointer.advanced(by: rows * rowWidth).update(from: source.baseAddress!, count: added * rowWidth)
        }
        rows += added
        return current!
    }
}
