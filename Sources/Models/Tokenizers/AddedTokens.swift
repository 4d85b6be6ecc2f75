/// An entry of `added_tokens` in a `tokenizer.json` file.
struct AddedToken {
    var id: Int
    var content: [Unicode.Scalar]
    var special: Bool
    var singleWord: Bool
    var leftStrip: Bool
    var rightStrip: Bool
    /// Matched against normalized text (after the normalizer) instead of the raw input.
    var normalized: Bool
}

/// Output of the added-token split: either a token found verbatim or text for the model.
enum Segment {
    case token(Int)
    case text(TextPiece)
}

/// Finds added tokens in text the way Hugging Face's `AddedVocabulary` does: leftmost
/// match first, longest pattern at that position, non-overlapping; then `single_word`,
/// `lstrip` and `rstrip` adjust or discard each match.
struct AddedTokenMatcher {
    private struct Pattern {
        var scalars: [Unicode.Scalar]
        var token: AddedToken
    }

    /// Patterns by first scalar, longest first.
    private let patternsByFirst: [Unicode.Scalar: [Pattern]]

    var isEmpty: Bool { patternsByFirst.isEmpty }

    /// `patterns` pairs each token with the text to look for (its content, normalized
    /// when the token is).
    init(_ patterns: [(scalars: [Unicode.Scalar], token: AddedToken)]) {
        var byFirst: [Unicode.Scalar: [Pattern]] = [:]
        for (scalars, token) in patterns where !scalars.isEmpty {
            byFirst[scalars[0], default: []].append(Pattern(scalars: scalars, token: token))
        }
        for key in byFirst.keys {
            // Stable for equal lengths, so the earlier token wins as in aho-corasick.
            byFirst[key] = byFirst[key]!.enumerated().sorted {
                $0.element.scalars.count != $1.element.scalars.count
                    ? $0.element.scalars.count > $1.element.scalars.count : $0.offset < $1.offset
            }.map { $0.element }
        }
        patternsByFirst = byFirst
    }

    private func longestMatch(in text: [Unicode.Scalar], at i: Int) -> Pattern? {
        guard let candidates = patternsByFirst[text[i]] else { return nil }
        for pattern in candidates where i + pattern.scalars.count <= text.count {
            if text[i..<(i + pattern.scalars.count)].elementsEqual(pattern.scalars) { return pattern }
        }
        return nil
    }

    /// Splits `piece` into added tokens and the text between them (empty text dropped).
    func split(_ piece: TextPiece) -> [Segment] {
        let text = piece.text
        if patternsByFirst.isEmpty || text.isEmpty {
            return text.isEmpty ? [] : [.text(piece)]
        }
        var segments: [Segment] = []
        var consumed = 0  // end of the last emitted segment
        var i = 0
        func emitText(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            segments.append(.text(TextPiece(text: Array(text[range]), atStart: piece.atStart && range.lowerBound == 0)))
        }
        while i < text.count {
            guard let pattern = longestMatch(in: text, at: i) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + pattern.scalars.count
            i = stop
            let token = pattern.token
            if token.singleWord {
                let startOK = start == 0 || !isWordScalar(text[start - 1])
                let stopOK = stop == text.count || !isWordScalar(text[stop])
                if !startOK || !stopOK { continue }
            }
            if token.leftStrip {
                var newStart = start
                while newStart > 0 && text[newStart - 1].properties.isWhitespace { newStart -= 1 }
                start = max(newStart, consumed)
            }
            if token.rightStrip {
                while stop < text.count && text[stop].properties.isWhitespace { stop += 1 }
            }
            emitText(consumed..<start)
            segments.append(.token(token.id))
            consumed = stop
            i = max(i, stop)
        }
        emitText(consumed..<text.count)
        return segments
    }
}

/// Rust regex's `\w`: alphabetic, marks, decimal digits, connector punctuation, joiners.
func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
    let properties = scalar.properties
    if properties.isAlphabetic || properties.isJoinControl { return true }
    switch properties.generalCategory {
    case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
        return true
    default:
        return false
    }
}
