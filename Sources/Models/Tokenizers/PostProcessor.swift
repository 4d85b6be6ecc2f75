/// A `post_processor` of a `tokenizer.json` file, reduced to what it does to the ids of
/// a single sequence when special tokens are requested.
indirect enum PostProcessor {
    /// One entry of a template: special-token ids, or the encoded sequence.
    enum Item {
        case special([Int])
        case sequence
    }

    case sequence([PostProcessor])
    /// `TemplateProcessing` (its `single` template) and, as fixed templates,
    /// `BertProcessing` / `RobertaProcessing`.
    case template([Item])
    /// `ByteLevel` only trims offsets; ids are unchanged.
    case identity

    func process(_ ids: [Int]) -> [Int] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(ids) { $1.process($0) }
        case .template(let items):
            var result: [Int] = []
            for item in items {
                switch item {
                case .special(let specialIds): result += specialIds
                case .sequence: result += ids
                }
            }
            return result
        case .identity:
            return ids
        }
    }

    /// Special ids the template puts before and after the sequence.
    var surroundingIds: (before: [Int], after: [Int]) {
        switch self {
        case .sequence(let steps):
            return steps.reduce(([], [])) { partial, step in
                let ids = step.surroundingIds
                return (partial.0 + ids.before, partial.1 + ids.after)
            }
        case .template(let items):
            var before: [Int] = []
            var after: [Int] = []
            var seenSequence = false
            for item in items {
                switch item {
                case .special(let ids): if seenSequence { after += ids } else { before += ids }
                case .sequence: seenSequence = true
                }
            }
            return (before, after)
        case .identity:
            return ([], [])
        }
    }
}
