/// The sizes and visibility rule of one attention call.
///
/// Buffers are row-major:
/// - `q`, `out`, `dq`: `(batch, queryLength, heads, headDim)`
/// - `k`, `v`, `dk`, `dv`: `(batch, keyLength, kvHeads, headDim)`
/// - `logSumExp`: `(batch, heads, queryLength)`
/// - optional mask: `(batch or 1, queryLength, keyLength)` of `Bool`, `true` = may attend.
///
/// Query head `h` reads key/value head `h / (heads / kvHeads)` (grouped-query attention;
/// `kvHeads == heads` is plain multi-head attention, `kvHeads == 1` multi-query attention).
///
/// Query `i` sits at absolute position `i + queryOffset` among the keys. Key `j` is visible
/// to query `i` when all of these hold:
/// - `causal` is false, or `j <= i + queryOffset`;
/// - `window` is nil, or `j > i + queryOffset - window` (a sliding window of `window` keys
///   ending at the query's own position, as in Mistral);
/// - the mask, if given, is `true` at `(i, j)`.
public struct AttentionShape: Equatable, Sendable {
    /// Number of independent sequences.
    public var batch: Int
    /// Number of query heads; a multiple of `kvHeads`.
    public var heads: Int
    /// Number of key/value heads.
    public var kvHeads: Int
    /// Number of queries per sequence.
    public var queryLength: Int
    /// Number of keys (and values) per sequence.
    public var keyLength: Int
    /// Length of each query, key and value vector.
    public var headDim: Int
    /// Absolute position of query 0 among the keys.
    public var queryOffset: Int
    /// Whether a query sees only keys at or before its own position.
    public var causal: Bool
    /// Sliding-window length in keys (counting the query's own position), or nil for no window.
    public var window: Int?
    /// Factor applied to the dot products before the softmax.
    public var scale: Float

    /// Creates a shape.
    ///
    /// - Parameters:
    ///   - kvHeads: defaults to `heads` (multi-head attention).
    ///   - keyLength: defaults to `queryLength` (self-attention).
    ///   - queryOffset: defaults to `keyLength - queryLength`, so the last query sits at the
    ///     last key (the layout of decoding with a KV cache and of plain self-attention).
    ///   - scale: defaults to `1 / sqrt(headDim)`.
    public init(
        batch: Int = 1, heads: Int, kvHeads: Int? = nil,
        queryLength: Int, keyLength: Int? = nil, headDim: Int,
        queryOffset: Int? = nil, causal: Bool = true, window: Int? = nil, scale: Float? = nil
    ) {
        let keys = keyLength ?? queryLength
        self.batch = batch
        self.heads = heads
        self.kvHeads = kvHeads ?? heads
        self.queryLength = queryLength
        self.keyLength = keys
        self.headDim = headDim
        self.queryOffset = queryOffset ?? (keys - queryLength)
        self.causal = causal
        self.window = window
        self.scale = scale ?? 1 / Float(headDim).squareRoot()
    }

    /// Query heads that share one key/value head.
    public var groupSize: Int { heads / kvHeads }

    /// First key visible to query `i` by the causal/window rule (clamped to `0...keyLength`).
    @inline(__always)
    func firstVisibleKey(query i: Int) -> Int {
        guard let window else { return 0 }
        return min(keyLength, max(0, i + queryOffset - window + 1))
    }

    /// One past the last key visible to query `i` by the causal/window rule (clamped to `0...keyLength`).
    @inline(__always)
    func visibleKeyEnd(query i: Int) -> Int {
        causal ? min(keyLength, max(0, i + queryOffset + 1)) : keyLength
    }

    /// Stops with a message naming `operation` when the shape or the mask stride is unusable.
    func validate(_ operation: String, maskBatchStride: Int?) {
        precondition(
            batch >= 0 && heads > 0 && kvHeads > 0 && queryLength >= 0 && keyLength >= 0 && headDim > 0,
            "\(operation): sizes must be non-negative and heads, kvHeads, headDim positive, got \(self)")
        precondition(
            heads % kvHeads == 0, "\(operation): heads (\(heads)) must be a multiple of kvHeads (\(kvHeads))")
        if let window { precondition(window > 0, "\(operation): window must be positive, got \(window)") }
        if let maskBatchStride {
            precondition(
                maskBatchStride == 0 || maskBatchStride >= queryLength * keyLength,
                "\(operation): maskBatchStride must be 0 (broadcast) or at least queryLength * keyLength "
                    + "(\(queryLength * keyLength)), got \(maskBatchStride)")
        }
    }
}

/// Block sizes of the tiled kernels. Results do not depend on the thread count for any
/// tiling; the defaults suit head dimensions 64-128 on CPUs with 32 KiB L1 caches.
struct AttentionTiling {
    /// Queries per tile.
    var queryBlock = 64
    /// Keys per tile.
    var keyBlock = 64
    /// The backward pass splits each key/value head's key blocks into enough interleaved
    /// groups that about this many independent work items exist (each extra group costs
    /// one `dq`-sized scratch buffer, capped by `maxScratchFloats`).
    var backwardWorkItems = 8
    /// Upper bound on the backward `dq` scratch, in floats (256 MiB).
    var maxScratchFloats = 1 << 26
}
