/// A `decoder` of a `tokenizer.json` file: turns the token strings of an id sequence
/// back into text. Mirrors Hugging Face's `decode_chain`: each step maps a list of
/// strings to a list of strings, and the final list is concatenated.
indirect enum TokenDecoder {
    case sequence([TokenDecoder])
    case byteLevel
    case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    case byteFallback
    case fuse
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case metaspace(replacement: Unicode.Scalar, prependScheme: PrependScheme)

    func decode(_ tokens: [String]) -> String {
        decodeChain(tokens).joined()
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let steps):
            var current = tokens
            for step in steps { current = step.decodeChain(current) }
            return current
        case .byteLevel:
            var bytes: [UInt8] = []
            for token in tokens {
                if let mapped = ByteLevel.bytes(of: token) {
                    bytes += mapped
                } else {
                    bytes += Array(token.utf8)
                }
            }
            // Swift's repair replaces each maximal invalid subsequence by one U+FFFD,
            // as Rust's `from_utf8_lossy` does.
            return [String(decoding: bytes, as: UTF8.self)]
        case .replace(let pattern, let content):
            guard let first = pattern.first else { return tokens }
            return tokens.map { token in
                guard token.unicodeScalars.contains(first) else { return token }
                return string(replaceAll(in: Array(token.unicodeScalars), pattern: pattern, with: content))
            }
        case .byteFallback:
            var result: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let text = validatedUTF8String(pending) {
                    result.append(text)
                } else {
                    // Hugging Face emits one replacement character per byte here.
                    result += Array(repeating: "\u{FFFD}", count: pending.count)
                }
                pending.removeAll()
            }
            for token in tokens {
                if let byte = Self.fallbackByte(token) {
                    pending.append(byte)
                } else {
                    flush()
                    result.append(token)
                }
            }
            flush()
            return result
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                if stop == 0 && token.unicodeScalars.first != content { return token }
                let scalars = Array(token.unicodeScalars)
                var lower = 0
                while lower < min(start, scalars.count) && scalars[lower] == content { lower += 1 }
                var upper = scalars.count
                var removed = 0
                while removed < stop && upper > lower && scalars[upper - 1] == content {
                    upper -= 1
                    removed += 1
                }
                return string(Array(scalars[lower..<upper]))
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { index, token in
                var view = String.UnicodeScalarView()
                for scalar in token.unicodeScalars {
                    if scalar == replacement {
                        // Hugging Face drops every replacement of the first token, not just a
                        // leading one.
                        if index == 0 && scheme != .never { continue }
                        view.append(" ")
                    } else {
                        view.append(scalar)
                    }
                }
                return String(view)
            }
        }
    }

    /// The byte of a `<0xNN>` token.
    static func fallbackByte(_ token: String) -> UInt8? {
        guard token.utf8.count == 6 else { return nil }
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"),
            utf8[2] == UInt8(ascii: "x"), utf8[5] == UInt8(ascii: ">")
        else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}

func string(_ scalars: [Unicode.Scalar]) -> String {
    var view = String.UnicodeScalarView()
    view.append(contentsOf: scalars)
    return String(view)
}
