/// The regular expressions of `Split` and `ByteLevel` pre-tokenizers, implemented as
/// hand-written scanners over Unicode scalars.
///
/// Hugging Face evaluates these patterns with Oniguruma (leftmost-first alternation,
/// greedy, backtracking). The scanners below reproduce that evaluation alternative by
/// alternative, with `\s` = White_Space, `\p{L}` = general category L*, `\p{N}` = N*.
/// Every scalar of the input falls into some alternative, so the matches tile the text.
enum SplitPattern: Equatable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// Llama-3 (cl100k): `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
    /// ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3
    /// Qwen2: Llama-3's pattern with single digits (`\p{N}` instead of `\p{N}{1,3}`).
    case qwen2
    /// A literal string (the `{"String": ...}` form).
    case literal([Unicode.Scalar])

    static let gpt2Source = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Source =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    static let qwen2Source =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The scanner for a regex source, or nil when the pattern is not one of the known ones.
    init?(regex source: String) {
        if source == Self.gpt2Source {
            self = .gpt2
        } else if source == Self.llama3Source {
            self = .llama3
        } else if source == Self.qwen2Source {
            self = .qwen2
        } else {
            return nil
        }
    }

    /// Ranges of the non-overlapping matches in `text`, in order.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .gpt2:
            var scanner = PatternScanner(text: text, llama3: false, maxDigits: 0)
            return scanner.run()
        case .llama3, .qwen2:
            var scanner = PatternScanner(text: text, llama3: true, maxDigits: self == .llama3 ? 3 : 1)
            return scanner.run()
        case .literal(let needle):
            guard !needle.isEmpty else { return [] }
            var result: [Range<Int>] = []
            var i = 0
            while i + needle.count <= text.count {
                if text[i] == needle[0], Array(text[i..<(i + needle.count)]) == needle {
                    result.append(i..<(i + needle.count))
                    i += needle.count
                } else {
                    i += 1
                }
            }
            return result
        }
    }
}

/// Character classes used by the patterns, one bit each.
enum ScalarClass {
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let space: UInt8 = 4

    static func of(_ scalar: Unicode.Scalar) -> UInt8 {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x41...0x5A, 0x61...0x7A: return letter
            case 0x30...0x39: return number
            case 0x09...0x0D, 0x20: return space
            default: return 0
            }
        }
        let properties = scalar.properties
        if properties.isWhitespace { return space }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        default:
            return 0
        }
    }
}

private struct PatternScanner {
    let text: [Unicode.Scalar]
    let classes: [UInt8]
    let llama3: Bool
    /// Digits per number match in the Llama-3 family.
    let maxDigits: Int
    let count: Int

    init(text: [Unicode.Scalar], llama3: Bool, maxDigits: Int) {
        self.text = text
        self.classes = text.map(ScalarClass.of)
        self.llama3 = llama3
        self.maxDigits = maxDigits
        self.count = text.count
    }

    mutating func run() -> [Range<Int>] {
        var result: [Range<Int>] = []
        result.reserveCapacity(count / 3 + 1)
        var i = 0
        while i < count {
            let end = llama3 ? llama3Match(at: i) : gpt2Match(at: i)
            result.append(i..<end)
            i = end
        }
        return result
    }

    private func isLetter(_ i: Int) -> Bool { i < count && classes[i] == ScalarClass.letter }
    private func isNumber(_ i: Int) -> Bool { i < count && classes[i] == ScalarClass.number }
    private func isSpace(_ i: Int) -> Bool { i < count && classes[i] == ScalarClass.space }
    /// `[^\s\p{L}\p{N}]`
    private func isOther(_ i: Int) -> Bool { i < count && classes[i] == 0 }
    private func isNewline(_ i: Int) -> Bool { i < count && (text[i] == "\r" || text[i] == "\n") }

    private func run(from start: Int, while predicate: (Int) -> Bool) -> Int {
        var j = start
        while predicate(j) { j += 1 }
        return j
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, optionally case-insensitive (Unicode simple case folding,
    /// under which U+017F LATIN SMALL LETTER LONG S also matches `s`).
    private func contraction(at i: Int, ignoringCase: Bool) -> Int? {
        guard text[i] == "'", i + 1 < count else { return nil }
        func folded(_ k: Int) -> Unicode.Scalar? {
            guard k < count else { return nil }
            let scalar = text[k]
            guard ignoringCase else { return scalar }
            if scalar == "\u{17F}" { return "s" }
            if scalar.value >= 0x41 && scalar.value <= 0x5A { return Unicode.Scalar(scalar.value + 0x20) }
            return scalar
        }
        switch folded(i + 1) {
        case "s", "t", "m", "d":
            return i + 2
        case "r", "v":
            return folded(i + 2) == "e" ? i + 3 : nil
        case "l":
            return folded(i + 2) == "l" ? i + 3 : nil
        default:
            return nil
        }
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar: a run followed by a non-space gives its
    /// last scalar back so that it can prefix the next word.
    private func whitespaceRun(at i: Int) -> Int {
        let j = run(from: i, while: isSpace)
        if j == count || j - 1 == i { return j }
        return j - 1
    }

    private func gpt2Match(at i: Int) -> Int {
        if let end = contraction(at: i, ignoringCase: false) { return end }
        let space = text[i] == " "
        if isLetter(i) { return run(from: i, while: isLetter) }
        if space && isLetter(i + 1) { return run(from: i + 1, while: isLetter) }
        if isNumber(i) { return run(from: i, while: isNumber) }
        if space && isNumber(i + 1) { return run(from: i + 1, while: isNumber) }
        if isOther(i) { return run(from: i, while: isOther) }
        if space && isOther(i + 1) { return run(from: i + 1, while: isOther) }
        return whitespaceRun(at: i)
    }

    private func llama3Match(at i: Int) -> Int {
        if let end = contraction(at: i, ignoringCase: true) { return end }
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if isLetter(i) { return run(from: i, while: isLetter) }
        if !isNewline(i) && !isNumber(i) && isLetter(i + 1) { return run(from: i + 1, while: isLetter) }
        // \p{N}{1,3} (Qwen2: \p{N})
        if isNumber(i) {
            var j = i + 1
            while j < i + maxDigits && isNumber(j) { j += 1 }
            return j
        }
        //  ?[^\s\p{L}\p{N}]+[\r\n]*
        var otherStart: Int? = nil
        if isOther(i) {
            otherStart = i
        } else if text[i] == " " && isOther(i + 1) {
            otherStart = i + 1
        }
        if let start = otherStart {
            let j = run(from: start, while: isOther)
            return run(from: j, while: isNewline)
        }
        // \s*[\r\n]+ : greedy \s* backs off to the last newline of the whitespace run.
        let j = run(from: i, while: isSpace)
        var k = j - 1
        while k >= i && !isNewline(k) { k -= 1 }
        if k >= i { return k + 1 }
        return whitespaceRun(at: i)
    }
}
