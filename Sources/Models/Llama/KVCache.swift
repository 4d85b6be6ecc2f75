/// Keys and values of past tokens, one entry per decoder layer, so that generation feeds
/// only new tokens through the model. With a sliding window (Mistral) each layer keeps just
/// the last `window` positions, so memory stays bounded however long the generation runs.
public final class KVCache {
    /// The cache of one layer: keys and values of shape (batch, cached, kvHeads, headDim).
    public final class Layer {
        public private(set) var keys: Tensor?
        public private(set) var values: Tensor?
        let window: Int?

        init(window: Int?) { self.window = window }

        /// Appends new keys/values and returns everything the new queries may attend to
        /// (the kept cache followed by the new entries).
        func append(keys newKeys: Tensor, values newValues: Tensor) -> (Tensor, Tensor) {
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
