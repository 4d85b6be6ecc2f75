/// A stretch of text on its way through the pipeline.
struct TextPiece {
    var text: [Unicode.Scalar]
    /// Whether the piece starts at offset 0 of the original input (Metaspace's
    /// `prepend_scheme: first` prepends only there).
    var atStart: Bool
}

/// How a `Split` pre-tokenizer treats the matched delimiters.
enum SplitBehavior: String {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// Metaspace's choice of where to put the replacement character in front of a piece.
enum PrependScheme: String {
    case always, first, never
}

/// A `pre_tokenizer` of a `tokenizer.json` file: cuts pieces into the words the model
/// tokenizes independently.
indirect enum PreTokenizer {
    case sequence([PreTokenizer])
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case split(SplitPattern, behavior: SplitBehavior, invert: Bool)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme, split: Bool)

    func apply(_ pieces: [TextPiece]) -> [TextPiece] {
        switch self {
        case .sequence(let steps):
            var current = pieces
            for step in steps { current = step.apply(current) }
            return current
        case .byteLevel(let addPrefixSpace, let useRegex):
            var result: [TextPiece] = []
            for var piece in pieces {
                if addPrefixSpace && piece.text.first != " " { piece.text.insert(" ", at: 0) }
                let words = useRegex ? Self.split(piece, SplitPattern.gpt2, .isolated, invert: false) : [piece]
                for word in words {
                    result.append(TextPiece(text: ByteLevel.encode(word.text), atStart: word.atStart))
                }
            }
            return result
        case .split(let pattern, let behavior, let invert):
            return pieces.flatMap { Self.split($0, pattern, behavior, invert: invert) }
        case .metaspace(let replacement, let scheme, let split):
            var result: [TextPiece] = []
            for var piece in pieces {
                piece.text = replaceAll(in: piece.text, pattern: [" "], with: [replacement])
                let prepend: Bool
                switch scheme {
                case .always: prepend = true
                case .first: prepend = piece.atStart
                case .never: prepend = false
                }
                if prepend && piece.text.first != replacement { piece.text.insert(replacement, at: 0) }
                if split {
                    result += Self.split(piece, .literal([replacement]), .mergedWithNext, invert: false)
                } else if !piece.text.isEmpty {
                    result.append(piece)
                }
            }
            return result
        }
    }

    /// Cuts `piece` at the matches of `pattern`, keeping or gluing the matches as
    /// `behavior` says, and drops empty results (as Hugging Face does).
    static func split(_ piece: TextPiece, _ pattern: SplitPattern, _ behavior: SplitBehavior, invert: Bool)
        -> [TextPiece]
    {
        let text = piece.text
        // (range, isMatch) tiling the whole text.
        var parts: [(Range<Int>, Bool)] = []
        var last = 0
        for match in pattern.matches(in: text) {
            if last < match.lowerBound { parts.append((last..<match.lowerBound, invert)) }
            parts.append((match, !invert))
            last = match.upperBound
        }
        if last < text.count { parts.append((last..<text.count, invert)) }

        var ranges: [Range<Int>] = []
        switch behavior {
        case .isolated:
            ranges = parts.map { $0.0 }
        case .removed:
            ranges = parts.filter { !$0.1 }.map { $0.0 }
        case .mergedWithPrevious:
            var previousWasGap = false
            for (range, isMatch) in parts {
                if isMatch && previousWasGap, let prior = ranges.popLast() {
                    ranges.append(prior.lowerBound..<range.upperBound)
                } else {
                    ranges.append(range)
                }
                previousWasGap = !isMatch
            }
        case .mergedWithNext:
            var pendingStart: Int? = nil
            for (range, isMatch) in parts {
                if isMatch {
                    if let start = pendingStart { ranges.append(start..<range.lowerBound) }
                    pendingStart = range.lowerBound
                } else {
                    ranges.append((pendingStart ?? range.lowerBound)..<range.upperBound)
                    pendingStart = nil
                }
            }
            if let start = pendingStart { ranges.append(start..<text.count) }
        case .contiguous:
            // Neighbours of the same kind fuse (with `invert`, runs of non-matches too).
            var previousIsMatch: Bool? = nil
            for (range, isMatch) in parts {
                if previousIsMatch == isMatch, let prior = ranges.popLast() {
                    ranges.append(prior.lowerBound..<range.upperBound)
                } else {
                    ranges.append(range)
                }
                previousIsMatch = isMatch
            }
        }
        return ranges.filter { !$0.isEmpty }.map {
            TextPiece(text: Array(text[$0]), atStart: piece.atStart && $0.lowerBound == 0)
        }
    }
}
