import Tensors

/// Which skipped-position sampler LongReD's short-to-long distillation uses.
public enum SkippedPositionSampler: String, Codable, CaseIterable, Sendable {
    /// LongReD-U: the middle chunk's end is uniform over the whole target window.
    case uniform
    /// LongReD-C: CREAM's Gaussian-weighted interpolation factor; better at 4x extension.
    case cream

    /// Draws one example's position ids (`originalLength` of them, spanning `0 ..< targetLength`).
    public func sample(originalLength: Int, targetLength: Int, using generator: inout RandomGenerator) -> [Int32] {
        switch self {
        case .uniform:
            return PositionSampling.longRedUniform(
                originalLength: originalLength, targetLength: targetLength, using: &generator)
        case .cream:
            return PositionSampling.cream(originalLength: originalLength, targetLength: targetLength, using: &generator)
        }
    }
}

extension PositionSampling {
    /// LongReD-U skipped positions (METHODS.md §3) for a text of `L0` tokens.
    ///
    /// Head `0 ..< t`, tail `Lt - t ..< Lt`, and a middle chunk of `c = L0 - 2t` consecutive
    /// ids ending at `e`, drawn uniformly in `L0 - t ... Lt - t - 1`. The head length `t` is
    /// `L0 / 3` or `4f` with probability 1/2 each, drawn per call (the authors' code draws it
    /// once per batch; per example is the same distribution with less correlation). When `Lt`
    /// is not a multiple of `L0` the tail still ends at `Lt - 1` as METHODS.md states (the
    /// authors' code, written for multiples, ends it at `f * L0 - 1`).
    ///
    /// - Precondition: `L0 < Lt` and both head choices leave a middle chunk (`L0 > 8f`).
    public static func longRedUniform(
        originalLength: Int, targetLength: Int, using generator: inout RandomGenerator
    ) -> [Int32] {
        let head = skippedHeadLength(originalLength: originalLength, targetLength: targetLength, using: &generator)
        return longRedUniform(
            originalLength: originalLength, targetLength: targetLength, headLength: head, using: &generator)
    }

    /// LongReD-U with a fixed head length `t`.
    static func longRedUniform(
        originalLength: Int, targetLength: Int, headLength: Int, using generator: inout RandomGenerator
    ) -> [Int32] {
        precondition(
            originalLength < targetLength,
            "PositionSampling.longRedUniform: originalLength \(originalLength) must be < targetLength \(targetLength)")
        let end = generator.uniformInt(in: (originalLength - headLength)...(targetLength - headLength - 1))
        return skippedPositions(
            originalLength: originalLength, targetLength: targetLength, headLength: headLength, middleEnd: end)
    }

    /// LongReD's head (and tail) length: `L0 / 3` or `4 * (Lt / L0)`, each with probability 1/2.
    public static func skippedHeadLength(
        originalLength: Int, targetLength: Int, using generator: inout RandomGenerator
    ) -> Int {
        let factor = targetLength / originalLength
        precondition(
            originalLength > 0 && factor >= 1 && originalLength - 8 * factor >= 1,
            "PositionSampling: originalLength \(originalLength) must exceed 8 * (targetLength / originalLength) "
                + "= \(8 * factor) so that a head/tail of 4f leaves a middle chunk")
        return generator.uniformInt(in: 0...1) == 0 ? originalLength / 3 : 4 * factor
    }

    /// The deterministic layout shared by LongReD-U and CREAM: head `0 ..< t`, a middle chunk
    /// of `L0 - 2t` consecutive ids ending at `middleEnd`, tail `Lt - t ..< Lt`.
    ///
    /// - Precondition: the middle chunk lies strictly between head and tail:
    ///   `t + (L0 - 2t) - 1 <= middleEnd <= Lt - t - 1`.
    public static func skippedPositions(
        originalLength: Int, targetLength: Int, headLength: Int, middleEnd: Int
    ) -> [Int32] {
        let middleLength = originalLength - 2 * headLength
        precondition(
            headLength >= 0 && middleLength >= 1,
            "PositionSampling.skippedPositions: head \(headLength) leaves no middle chunk in \(originalLength)")
        precondition(
            middleEnd - (middleLength - 1) >= headLength && middleEnd <= targetLength - headLength - 1,
            "PositionSampling.skippedPositions: middle chunk of \(middleLength) ending at \(middleEnd) "
                + "overlaps head/tail of \(headLength) in 0..<\(targetLength)")
        var ids: [Int32] = []
        ids.reserveCapacity(originalLength)
        for p in 0..<headLength { ids.append(positionID(p)) }
        for p in (middleEnd - middleLength + 1)...middleEnd { ids.append(positionID(p)) }
        for p in (targetLength - headLength)..<targetLength { ids.append(positionID(p)) }
        return ids
    }
}
