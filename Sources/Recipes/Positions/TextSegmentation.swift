/// Splits token sequences into segments (sentences, paragraphs) for LongRecipe's position
/// index transformation.
public enum TextSegmentation {
    /// The lengths of the segments of `tokens`; they sum to `tokens.count`.
    ///
    /// A segment ends right after a token for which `isBoundary` is true (for example the
    /// ids of `"."`, `"\n"`), provided it has at least `minimumLength` tokens; shorter
    /// pieces run on into the next segment. Whatever follows the last boundary is the final
    /// segment, whatever its length.
    ///
    /// - Precondition: `minimumLength >= 1`.
    public static func segmentLengths(
        of tokens: [Int32], minimumLength: Int = 1, isBoundary: (Int32) -> Bool
    ) -> [Int] {
        precondition(minimumLength >= 1, "TextSegmentation.segmentLengths: minimumLength \(minimumLength) must be >= 1")
        var lengths: [Int] = []
        var current = 0
        for token in tokens {
            current += 1
            if isBoundary(token) && current >= minimumLength {
                lengths.append(current)
                current = 0
            }
        }
        if current > 0 { lengths.append(current) }
        return lengths
    }
}
