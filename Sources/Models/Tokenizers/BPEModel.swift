import Foundation

/// The `BPE` model of a `tokenizer.json` file: turns one pre-tokenized word into ids by
/// applying merges in rank order.
///
/// Merging runs over a doubly linked list of symbols with a binary heap keyed by
/// (rank, position), as Hugging Face's `Word::merge_all` does, so a word of n symbols
/// costs O(n log n). Results are cached per word.
final class BPEModel {
    /// Token text (as scalars, compared exactly) to id.
    let vocabulary: [[Unicode.Scalar]: Int]
    /// Id to token text, for ids of the model vocabulary.
    let tokens: [Int: String]
    /// Packed pair of ids -> (rank, merged id).
    private let merges: PairTable
    /// Id of each single-scalar token below U+10000 (-1: none), and of the others.
    private let bmpIds: [Int32]
    private let astralIds: [UInt32: Int32]
    /// `<0xNN>` id of each byte when `byte_fallback` is on (-1 where the vocabulary lacks it).
    private let byteIds: [Int32]?
    private let unknownId: Int?
    private let fuseUnknown: Bool
    private let ignoreMerges: Bool

    private var cache: [[Unicode.Scalar]: [Int32]] = [:]
    private let cacheLock = NSLock()
    private static let cacheLimit = 100_000
    /// Longer words are not cached (Hugging Face's limit too): a tokenizer without a
    /// pre-tokenizer sees whole texts as one word.
    private static let cacheableLength = 256

    init(
        vocabulary: [[Unicode.Scalar]: Int], tokens: [Int: String], merges: PairTable,
        byteFallback: Bool, unknownId: Int?, fuseUnknown: Bool, ignoreMerges: Bool
    ) {
        self.vocabulary = vocabulary
        self.tokens = tokens
        self.merges = merges
        var bmpIds = [Int32](repeating: -1, count: 0x10000)
        var astralIds: [UInt32: Int32] = [:]
        for (text, id) in vocabulary where text.count == 1 {
            let value = text[0].value
            if value < 0x10000 { bmpIds[Int(value)] = Int32(id) } else { astralIds[value] = Int32(id) }
        }
        self.bmpIds = bmpIds
        self.astralIds = astralIds
        if byteFallback {
            self.byteIds = (0..<256).map { byte in
                let name = "<0x" + String(format: "%02X", byte) + ">"
                return Int32(vocabulary[Array(name.unicodeScalars)] ?? -1)
            }
        } else {
            self.byteIds = nil
        }
        self.unknownId = unknownId
        self.fuseUnknown = fuseUnknown
        self.ignoreMerges = ignoreMerges
    }

    static func pairKey(_ a: Int32, _ b: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b))
    }

    /// Appends the ids of `word` to `output`.
    func tokenize(_ word: [Unicode.Scalar], into output: inout [Int]) {
        if word.isEmpty { return }
        if ignoreMerges, let id = vocabulary[word] {
            output.append(id)
            return
        }
        var cached: [Int32]? = nil
        if word.count < Self.cacheableLength {
            cacheLock.lock()
            cached = cache[word]
            cacheLock.unlock()
        }
        if let cached {
            for id in cached { output.append(Int(id)) }
            return
        }
        let ids = merge(word)
        cacheLock.lock()
        if cache.count < Self.cacheLimit && word.count < Self.cacheableLength { cache[word] = ids }
        cacheLock.unlock()
        for id in ids { output.append(Int(id)) }
    }

    /// Initial symbols of a word: one per scalar, or `<0xNN>` bytes, or unknown.
    private func initialSymbols(_ word: [Unicode.Scalar]) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        var pendingUnknown = false
        for scalar in word {
            let value = scalar.value
            let known = value < 0x10000 ? bmpIds[Int(value)] : astralIds[value] ?? -1
            if known >= 0 {
                let id = known
                if pendingUnknown, let unknownId {
                    symbols.append(Int32(unknownId))
                    pendingUnknown = false
                }
                symbols.append(id)
                continue
            }
            if let byteIds {
                let ids = UTF8.encode(scalar)!.map { byteIds[Int($0)] }
                if !ids.contains(-1) {
                    // Hugging Face does not flush a pending unknown before byte tokens.
                    symbols += ids
                    continue
                }
            }
            guard let unknownId else { continue }  // no unk token: the scalar is dropped
            if pendingUnknown && !fuseUnknown { symbols.append(Int32(unknownId)) }
            pendingUnknown = true
        }
        if pendingUnknown, let unknownId { symbols.append(Int32(unknownId)) }
        return symbols
    }

    /// A possible merge; `order` packs (rank, position) so that one integer comparison
    /// picks the lowest rank, then the leftmost position.
    private struct Candidate {
        var order: UInt64
        var id: Int32

        init(rank: Int32, position: Int32, id: Int32) {
            order = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position))
            self.id = id
        }

        var position: Int32 { Int32(truncatingIfNeeded: order & 0xFFFF_FFFF) }

        func precedes(_ other: Candidate) -> Bool { order < other.order }
    }

    private func merge(_ word: [Unicode.Scalar]) -> [Int32] {
        var ids = initialSymbols(word)
        let count = ids.count
        if count < 2 { return ids }
        var previous = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = Int32(i - 1) }
            initialized = count
        }
        var next = [Int32](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count { buffer[i] = i + 1 < count ? Int32(i + 1) : -1 }
            initialized = count
        }
        var alive = [Bool](repeating: true, count: count)
        var heap: [Candidate] = []
        heap.reserveCapacity(count)

        // Binary min-heap; sifting moves a hole instead of swapping.
        func push(_ candidate: Candidate) {
            heap.append(candidate)
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                if !candidate.precedes(heap[parent]) { break }
                heap[child] = heap[parent]
                child = parent
            }
            heap[child] = candidate
        }
        func pop() -> Candidate? {
            guard let top = heap.first else { return nil }
            let last = heap.removeLast()
            let size = heap.count
            if size > 0 {
                var hole = 0
                while true {
                    var child = 2 * hole + 1
                    if child >= size { break }
                    if child + 1 < size && heap[child + 1].precedes(heap[child]) { child += 1 }
                    if !heap[child].precedes(last) { break }
                    heap[hole] = heap[child]
                    hole = child
                }
                heap[hole] = last
            }
            return top
        }

        for i in 0..<(count - 1) {
            if let merge = merges.get(Self.pairKey(ids[i], ids[i + 1])) {
                push(Candidate(rank: merge.rank, position: Int32(i), id: merge.id))
            }
        }
        while let top = pop() {
            let position = Int(top.position)
            guard alive[position] else { continue }
            let right = Int(next[position])
            guard right >= 0 else { continue }
            // Skip entries made stale by an earlier merge at this position.
            guard let current = merges.get(Self.pairKey(ids[position], ids[right])), current.id == top.id else { continue }
            ids[position] = top.id
            alive[right] = false
            let after = Int(next[right])
            next[position] = Int32(after)
            if after >= 0 { previous[after] = Int32(position) }
            let before = Int(previous[position])
            if before >= 0, let merge = merges.get(Self.pairKey(ids[before], ids[position])) {
                push(Candidate(rank: merge.rank, position: Int32(before), id: merge.id))
            }
            if after >= 0, let merge = merges.get(Self.pairKey(ids[position], ids[after])) {
                push(Candidate(rank: merge.rank, position: Int32(position), id: merge.id))
            }
        }
        var result: [Int32] = []
        var i = 0
        while i >= 0 {
            result.append(ids[i])
            i = Int(next[i])
        }
        return result
    }
}
