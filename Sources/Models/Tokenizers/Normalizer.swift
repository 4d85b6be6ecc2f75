import Foundation

/// A `normalizer` of a `tokenizer.json` file, applied to each piece of text that is not
/// an added token.
indirect enum Normalizer {
    case sequence([Normalizer])
    /// Prepends the string when the text is not empty (Llama-2's `▁`).
    case prepend([Unicode.Scalar])
    /// Replaces every occurrence of a literal string.
    case replace(pattern: [Unicode.Scalar], content: [Unicode.Scalar])
    case nfc, nfd, nfkc, nfkd
    case lowercase
    /// Removes leading and/or trailing whitespace.
    case strip(left: Bool, right: Bool)

    func apply(_ text: inout [Unicode.Scalar]) {
        switch self {
        case .sequence(let normalizers):
            for normalizer in normalizers { normalizer.apply(&text) }
        case .prepend(let prefix):
            if !text.isEmpty { text.insert(contentsOf: prefix, at: 0) }
        case .replace(let pattern, let content):
            text = replaceAll(in: text, pattern: pattern, with: content)
        case .nfc:
            text = Array(string(text).precomposedStringWithCanonicalMapping.unicodeScalars)
        case .nfd:
            text = Array(string(text).decomposedStringWithCanonicalMapping.unicodeScalars)
        case .nfkc:
            text = Array(string(text).precomposedStringWithCompatibilityMapping.unicodeScalars)
        case .nfkd:
            text = Array(string(text).decomposedStringWithCompatibilityMapping.unicodeScalars)
        case .lowercase:
            text = Array(string(text).lowercased().unicodeScalars)
        case .strip(let left, let right):
            if right {
                while let last = text.last, last.properties.isWhitespace { text.removeLast() }
            }
            if left {
                let start = text.firstIndex { !$0.properties.isWhitespace } ?? text.count
                text.removeFirst(start)
            }
        }
    }
}

/// Replaces non-overlapping occurrences of `pattern`, scanning left to right, comparing
/// scalars exactly (Foundation's replacement would match canonically equivalent text).
func replaceAll(in text: [Unicode.Scalar], pattern: [Unicode.Scalar], with content: [Unicode.Scalar])
    -> [Unicode.Scalar]
{
    guard !pattern.isEmpty, text.count >= pattern.count else { return text }
    var result: [Unicode.Scalar] = []
    result.reserveCapacity(text.count)
    var i = 0
    let first = pattern[0]
    while i < text.count {
        if text[i] == first, i + pattern.count <= text.count, text[i..<(i + pattern.count)].elementsEqual(pattern) {
            result.append(contentsOf: content)
            i += pattern.count
        } else {
            result.append(text[i])
            i += 1
        }
    }
    return result
}
