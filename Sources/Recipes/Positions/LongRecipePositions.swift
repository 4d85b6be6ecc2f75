import Tensors

extension PositionSampling {
    /// LongRecipe's position index transformation (METHODS.md §5).
    ///
    /// A training sequence of `Ls = sum(segmentLengths)` tokens made of `N` segments
    /// (sentences, paragraphs: see ``TextSegmentation``) is given positions spanning a
    /// window of `Lt`: ids are consecutive inside each segment, and the `K = Lt - Ls`
    /// skipped positions fall in the gaps around the segments as a uniform random
    /// composition. Concretely, `N` segment slots are drawn uniformly among `K + N` slots (the
    /// other `K` slots are skipped positions); this gives gaps `g_0` (before the first
    /// segment), `g_1 ... g_{N-1}` (between segments) and `g_N` (after the last), each with
    /// mean `K / (N + 1)`. The first id is `g_0`, the last is `Lt - 1 - g_N`, close to `Lt - 1`
    /// when there are many segments. The segment lengths are those of the actual training
    /// sequence (not of an unfiltered one, a bug of the public code).
    ///
    /// - Precondition: all lengths positive and `Ls <= Lt`.
    public static func longRecipe(
        segmentLengths: [Int], targetLength: Int, using generator: inout RandomGenerator
    ) -> [Int32] {
        precondition(
            segmentLengths.allSatisfy { $0 > 0 },
            "PositionSampling.longRecipe: segment lengths must be positive")
        let total = segmentLengths.reduce(0, +)
        precondition(
            total <= targetLength,
            "PositionSampling.longRecipe: \(total) tokens exceed targetLength \(targetLength)")
        let slots = sortedSlots(choosing: segmentLengths.count, from: targetLength - total + segmentLengths.count,
                                using: &generator)
        var ids: [Int32] = []
        ids.reserveCapacity(total)
        var tokensBefore = 0
        for (index, length) in segmentLengths.enumerated() {
            // Skipped positions before segment `index` = its slot minus the segment slots before it.
            let start = slots[index] - index + tokensBefore
            for p in start..<(start + length) { ids.append(positionID(p)) }
            tokensBefore += length
        }
        return ids
    }

    /// A uniformly random `count`-subset of `0 ..< range`, sorted (Floyd's algorithm).
    static func sortedSlots(choosing count: Int, from range: Int, using generator: inout RandomGenerator) -> [Int] {
        var chosen = Set<Int>(minimumCapacity: count)
        for j in (range - count)..<range {
            let candidate = generator.uniformInt(in: 0...j)
            chosen.insert(chosen.contains(candidate) ? j : candidate)
        }
        return chosen.sorted()
    }
}
