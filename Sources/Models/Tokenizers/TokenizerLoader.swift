/// Builds the pipeline components of a ``BPETokenizer`` from a parsed `tokenizer.json`.
struct TokenizerLoader {
    struct Parts {
        var model: BPEModel
        var normalizer: Normalizer?
        var preTokenizer: PreTokenizer?
        var postProcessor: PostProcessor?
        var decoder: TokenDecoder?
        var addedTokens: [AddedToken]
    }

    let reader: TokenizerFileReader
    private var file: String { reader.file }

    func load(_ root: JSONValue) throws -> Parts {
        guard case .object = root else {
            throw TokenizerError.invalidValue(file: file, key: "(root)", reason: "expected an object, found \(root.kindName)")
        }
        let model = try loadModel(try reader.value(root, "model", path: ""))
        let addedTokens = try loadAddedTokens(root["added_tokens"])
        return Parts(
            model: model,
            normalizer: try component(root["normalizer"], path: "normalizer", loadNormalizer),
            preTokenizer: try component(root["pre_tokenizer"], path: "pre_tokenizer", loadPreTokenizer),
            postProcessor: try component(root["post_processor"], path: "post_processor", loadPostProcessor),
            decoder: try component(root["decoder"], path: "decoder", loadDecoder),
            addedTokens: addedTokens)
    }

    private func component<T>(_ value: JSONValue?, path: String, _ load: (JSONValue, String) throws -> T) throws -> T? {
        guard let value, !value.isNull else { return nil }
        return try load(value, path)
    }

    // MARK: Model

    private func loadModel(_ model: JSONValue) throws -> BPEModel {
        _ = try reader.object(model, path: "model")
        if let type = try reader.optionalString(model, "type", path: "model"), type != "BPE" {
            throw TokenizerError.unsupported(file: file, key: "model.type", value: type)
        }
        if let dropout = model["dropout"], case .number(let probability) = dropout, probability > 0 {
            throw TokenizerError.unsupported(file: file, key: "model.dropout", value: String(probability))
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let affix = try reader.optionalString(model, key, path: "model"), !affix.isEmpty {
                throw TokenizerError.unsupported(file: file, key: "model." + key, value: affix.debugDescription)
            }
        }
        var vocabulary: [[Unicode.Scalar]: Int] = [:]
        var tokens: [Int: String] = [:]
        for (token, idValue) in try reader.object(try reader.value(model, "vocab", path: "model"), path: "model.vocab") {
            let id = try reader.int(idValue, path: "model.vocab[\(token.debugDescription)]")
            guard id < Int(Int32.max) else {
                throw TokenizerError.invalidValue(
                    file: file, key: "model.vocab[\(token.debugDescription)]", reason: "id \(id) is too large")
            }
            vocabulary[Array(token.unicodeScalars)] = id
            tokens[id] = token
        }

        let mergeList = try reader.array(model["merges"] ?? .array([]), path: "model.merges")
        var merges = PairTable(minimumCapacity: mergeList.count)
        for (rank, entry) in mergeList.enumerated() {
            let path = "model.merges[\(rank)]"
            let left: String
            let right: String
            switch entry {
            case .string(let text):
                // Legacy "a b" form: split at the first space.
                guard let space = text.unicodeScalars.firstIndex(of: " ") else {
                    throw TokenizerError.invalidValue(file: file, key: path, reason: "expected \"left right\", found \(text.debugDescription)")
                }
                left = String(text.unicodeScalars[..<space])
                right = String(text.unicodeScalars[text.unicodeScalars.index(after: space)...])
            case .array(let pair):
                guard pair.count == 2 else {
                    throw TokenizerError.invalidValue(file: file, key: path, reason: "expected a pair of tokens")
                }
                left = try reader.string(pair[0], path: path + "[0]")
                right = try reader.string(pair[1], path: path + "[1]")
            default:
                throw TokenizerError.invalidValue(file: file, key: path, reason: "expected a string or a pair, found \(entry.kindName)")
            }
            let leftScalars = Array(left.unicodeScalars)
            let rightScalars = Array(right.unicodeScalars)
            guard let leftId = vocabulary[leftScalars] else {
                throw TokenizerError.unknownMergeToken(file: file, key: path, token: left)
            }
            guard let rightId = vocabulary[rightScalars] else {
                throw TokenizerError.unknownMergeToken(file: file, key: path, token: right)
            }
            guard let mergedId = vocabulary[leftScalars + rightScalars] else {
                throw TokenizerError.unknownMergeToken(file: file, key: path, token: left + right)
            }
            // A repeated pair keeps its last rank, as in Hugging Face's map.
            merges.set(BPEModel.pairKey(Int32(leftId), Int32(rightId)), rank: Int32(rank), id: Int32(mergedId))
        }

        var unknownId: Int? = nil
        if let unknown = try reader.optionalString(model, "unk_token", path: "model") {
            guard let id = vocabulary[Array(unknown.unicodeScalars)] else {
                throw TokenizerError.invalidValue(
                    file: file, key: "model.unk_token", reason: "\(unknown.debugDescription) is not in the vocabulary")
            }
            unknownId = id
        }
        return BPEModel(
            vocabulary: vocabulary, tokens: tokens, merges: merges,
            byteFallback: try reader.bool(model, "byte_fallback", path: "model", default: false),
            unknownId: unknownId,
            fuseUnknown: try reader.bool(model, "fuse_unk", path: "model", default: false),
            ignoreMerges: try reader.bool(model, "ignore_merges", path: "model", default: false))
    }

    private func loadAddedTokens(_ value: JSONValue?) throws -> [AddedToken] {
        guard let value, !value.isNull else { return [] }
        var result: [AddedToken] = []
        for (index, entry) in try reader.array(value, path: "added_tokens").enumerated() {
            let path = "added_tokens[\(index)]"
            let content = try reader.string(entry, "content", path: path)
            let special = try reader.bool(entry, "special", path: path, default: false)
            result.append(
                AddedToken(
                    id: try reader.int(entry, "id", path: path),
                    content: Array(content.unicodeScalars),
                    special: special,
                    singleWord: try reader.bool(entry, "single_word", path: path, default: false),
                    leftStrip: try reader.bool(entry, "lstrip", path: path, default: false),
                    rightStrip: try reader.bool(entry, "rstrip", path: path, default: false),
                    normalized: try reader.bool(entry, "normalized", path: path, default: !special)))
        }
        return result
    }

    // MARK: Normalizers

    private func loadNormalizer(_ value: JSONValue, _ path: String) throws -> Normalizer {
        let type = try reader.type(value, path: path)
        switch type {
        case "Sequence":
            let items = try reader.array(value, "normalizers", path: path)
            return .sequence(try items.enumerated().map { try loadNormalizer($1, "\(path).normalizers[\($0)]") })
        case "Prepend":
            return .prepend(Array(try reader.string(value, "prepend", path: path).unicodeScalars))
        case "Replace":
            return .replace(
                pattern: try reader.literalPattern(value, path: path),
                content: Array(try reader.string(value, "content", path: path).unicodeScalars))
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Strip":
            return .strip(
                left: try reader.bool(value, "strip_left", path: path, default: true),
                right: try reader.bool(value, "strip_right", path: path, default: true))
        default:
            throw TokenizerError.unsupported(file: file, key: path + ".type", value: type)
        }
    }

    // MARK: Pre-tokenizers

    private func loadPreTokenizer(_ value: JSONValue, _ path: String) throws -> PreTokenizer {
        let type = try reader.type(value, path: path)
        switch type {
        case "Sequence":
            let items = try reader.array(value, "pretokenizers", path: path)
            return .sequence(try items.enumerated().map { try loadPreTokenizer($1, "\(path).pretokenizers[\($0)]") })
        case "ByteLevel":
            return .byteLevel(
                addPrefixSpace: try reader.bool(value, "add_prefix_space", path: path, default: true),
                useRegex: try reader.bool(value, "use_regex", path: path, default: true))
        case "Split":
            let patternValue = try reader.value(value, "pattern", path: path)
            let pattern: SplitPattern
            if let literal = patternValue["String"] {
                pattern = .literal(Array(try reader.string(literal, path: path + ".pattern.String").unicodeScalars))
            } else if let regex = patternValue["Regex"] {
                let source = try reader.string(regex, path: path + ".pattern.Regex")
                guard let known = SplitPattern(regex: source) else {
                    throw TokenizerError.unsupported(file: file, key: path + ".pattern.Regex", value: source.debugDescription)
                }
                pattern = known
            } else {
                throw TokenizerError.missingKey(file: file, key: path + ".pattern.String")
            }
            let behaviorName = try reader.string(value, "behavior", path: path)
            guard let behavior = SplitBehavior(rawValue: behaviorName) else {
                throw TokenizerError.unsupported(file: file, key: path + ".behavior", value: behaviorName)
            }
            return .split(pattern, behavior: behavior, invert: try reader.bool(value, "invert", path: path, default: false))
        case "Metaspace":
            return .metaspace(
                replacement: try reader.scalar(value, "replacement", path: path),
                prependScheme: try prependScheme(value, path: path),
                split: try reader.bool(value, "split", path: path, default: true))
        default:
            throw TokenizerError.unsupported(file: file, key: path + ".type", value: type)
        }
    }

    /// `prepend_scheme`, or the older `add_prefix_space` flag (true means `always`).
    private func prependScheme(_ value: JSONValue, path: String) throws -> PrependScheme {
        if let name = try reader.optionalString(value, "prepend_scheme", path: path) {
            guard let scheme = PrependScheme(rawValue: name) else {
                throw TokenizerError.unsupported(file: file, key: path + ".prepend_scheme", value: name)
            }
            return scheme
        }
        return try reader.bool(value, "add_prefix_space", path: path, default: true) ? .always : .never
    }

    // MARK: Post-processors

    private func loadPostProcessor(_ value: JSONValue, _ path: String) throws -> PostProcessor {
        let type = try reader.type(value, path: path)
        switch type {
        case "Sequence":
            let items = try reader.array(value, "processors", path: path)
            return .sequence(try items.enumerated().map { try loadPostProcessor($1, "\(path).processors[\($0)]") })
        case "ByteLevel":
            return .identity
        case "TemplateProcessing":
            let specials = try reader.value(value, "special_tokens", path: path)
            var items: [PostProcessor.Item] = []
            for (index, item) in try reader.array(value, "single", path: path).enumerated() {
                let itemPath = "\(path).single[\(index)]"
                if item["Sequence"] != nil {
                    items.append(.sequence)
                } else if let special = item["SpecialToken"] {
                    let name = try reader.string(special, "id", path: itemPath + ".SpecialToken")
                    let entryPath = "\(path).special_tokens.\(name)"
                    guard let entry = specials[name] else { throw TokenizerError.missingKey(file: file, key: entryPath) }
                    let ids = try reader.array(entry, "ids", path: entryPath).enumerated().map {
                        try reader.int($1, path: "\(entryPath).ids[\($0)]")
                    }
                    items.append(.special(ids))
                } else {
                    throw TokenizerError.invalidValue(file: file, key: itemPath, reason: "expected Sequence or SpecialToken")
                }
            }
            return .template(items)
        case "BertProcessing", "RobertaProcessing":
            func tokenId(_ key: String) throws -> Int {
                let pair = try reader.array(value, key, path: path)
                guard pair.count == 2 else {
                    throw TokenizerError.invalidValue(file: file, key: "\(path).\(key)", reason: "expected [token, id]")
                }
                return try reader.int(pair[1], path: "\(path).\(key)[1]")
            }
            return .template([.special([try tokenId("cls")]), .sequence, .special([try tokenId("sep")])])
        default:
            throw TokenizerError.unsupported(file: file, key: path + ".type", value: type)
        }
    }

    // MARK: Decoders

    private func loadDecoder(_ value: JSONValue, _ path: String) throws -> TokenDecoder {
        let type = try reader.type(value, path: path)
        switch type {
        case "Sequence":
            let items = try reader.array(value, "decoders", path: path)
            return .sequence(try items.enumerated().map { try loadDecoder($1, "\(path).decoders[\($0)]") })
        case "ByteLevel": return .byteLevel
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Replace":
            return .replace(
                pattern: try reader.literalPattern(value, path: path),
                content: Array(try reader.string(value, "content", path: path).unicodeScalars))
        case "Strip":
            return .strip(
                content: try reader.scalar(value, "content", path: path),
                start: try reader.int(value, "start", path: path),
                stop: try reader.int(value, "stop", path: path))
        case "Metaspace":
            return .metaspace(
                replacement: try reader.scalar(value, "replacement", path: path),
                prependScheme: try prependScheme(value, path: path))
        default:
            throw TokenizerError.unsupported(file: file, key: path + ".type", value: type)
        }
    }
}
