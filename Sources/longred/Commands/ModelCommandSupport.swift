import Foundation
import Recipes

/// Helpers shared by the model commands (score, tokenize, generate).
enum ModelCommandSupport {
    /// Applies `--threads` (absent: all cores).
    static func applyThreads(_ options: ParsedOptions) throws {
        if options.string("--threads") != nil {
            Parallel.maxThreads = try options.positiveInteger("--threads", default: 1)
        }
    }

    /// The tokenizer named by `--tokenizer`, or else the one in the model directory.
    static func tokenizer(_ options: ParsedOptions, modelDirectory: String?) throws -> any Tokenizer {
        if let path = options.string("--tokenizer") { return try loadTokenizer(path: path) }
        guard let modelDirectory else { throw UsageError("missing required option '--tokenizer'") }
        return try loadTokenizer(modelDirectory: modelDirectory)
    }

    /// Parses `1,2,3` into token ids, each checked against `vocabularySize` when given.
    static func ids(_ raw: String, flag: String, vocabularySize: Int? = nil) throws -> [Int32] {
        let parts = raw.split(separator: ",", omittingEmptySubsequences: false)
        var ids: [Int32] = []
        for part in parts {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let id = Int32(text), id >= 0 else {
                throw UsageError("option '\(flag)' expects comma-separated non-negative token ids, got '\(text)' in '\(raw)'")
            }
            if let vocabularySize, Int(id) >= vocabularySize {
                throw UsageError("option '\(flag)': token id \(id) is outside the model's vocabulary 0..<\(vocabularySize)")
            }
            ids.append(id)
        }
        return ids
    }

    /// Checks that every id of a tokenized text fits the model.
    static func checkVocabulary(_ ids: [Int32], model: LlamaForCausalLM, tokenizerSize: Int) throws {
        let size = model.configuration.vocabSize
        if let bad = ids.first(where: { Int($0) >= size }) {
            throw ModelCommandError(
                "the tokenizer (\(tokenizerSize) ids) produced id \(bad), outside the model's vocabulary 0..<\(size)")
        }
    }

    /// A JSON number, or null for a non-finite value (JSON has no infinities).
    static func json(_ value: Float) -> String {
        value.isFinite ? "\(value)" : "null"
    }

    /// Writes `text` to standard output immediately.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Tokenizes the value of `flag`; a character the tokenizer cannot represent is reported
/// with the flag's name.
func encodeArgument(_ text: String, flag: String, tokenizer: any Tokenizer, addSpecialTokens: Bool = false) throws -> [Int32] {
    do {
        return try tokenizer.encode(text, addSpecialTokens: addSpecialTokens).map { Int32($0) }
    } catch let error as TokenizerError {
        throw ModelCommandError("\(flag): \(error)")
    }
}

/// A failure while running a model command that is not a file error (exit code 1).
struct ModelCommandError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
