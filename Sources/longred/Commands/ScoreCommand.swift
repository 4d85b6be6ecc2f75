import Foundation
import Recipes

/// `longred score`: the log-probability a model assigns to each token of a sequence.
enum ScoreCommand {
    static let specification = CommandSpecification(
        name: "score",
        summary: "Print the log-probability of each token after the first, given the tokens before it, as JSON.",
        options: [
            .value("--model", "dir", "Hugging Face model directory (config.json, model.safetensors)."),
            .value("--ids", "i,j,...", "Comma-separated token ids to score."),
            .value("--text", "text", "Text to score instead of --ids, tokenized with the model's tokenizer."),
            .value("--tokenizer", "file", "Tokenizer file for --text.", default: "DIR/tokenizer.json"),
            .flag("--add-special-tokens", "With --text: apply the tokenizer's template (e.g. a leading BOS)."),
            .value("--threads", "n", "Worker threads.", default: "all cores"),
        ],
        run: runScore)
}

private func runScore(_ options: ParsedOptions) throws {
    let directory = try options.required("--model")
    try ModelCommandSupport.applyThreads(options)
    switch (options.string("--ids"), options.string("--text")) {
    case (nil, nil): throw UsageError("give either --ids or --text")
    case (.some, .some): throw UsageError("options '--ids' and '--text' exclude each other")
    default: break
    }
    if options.string("--tokenizer") != nil && options.string("--text") == nil {
        throw UsageError("option '--tokenizer' is only used with --text")
    }
    if options.isSet("--add-special-tokens") && options.string("--text") == nil {
        throw UsageError("option '--add-special-tokens' is only used with --text")
    }
    // Bad --ids syntax is reported before the (slow) model load.
    if let raw = options.string("--ids") { _ = try ModelCommandSupport.ids(raw, flag: "--ids") }
    let model = try LlamaForCausalLM.load(directory: directory)
    let ids: [Int32]
    if let raw = options.string("--ids") {
        ids = try ModelCommandSupport.ids(raw, flag: "--ids", vocabularySize: model.configuration.vocabSize)
    } else {
        let tokenizer = try ModelCommandSupport.tokenizer(options, modelDirectory: directory)
        ids = try encodeArgument(
            options.string("--text")!, flag: "--text", tokenizer: tokenizer,
            addSpecialTokens: options.isSet("--add-special-tokens"))
        try ModelCommandSupport.checkVocabulary(ids, model: model, tokenizerSize: tokenizer.vocabularySize)
    }
    guard !ids.isEmpty else { throw ModelCommandError("nothing to score: the text has no tokens") }
    let logprobs = nextTokenLogProbabilities(model, ids: ids)
    ModelCommandSupport.write(
        "{\"next_token_logprobs\": [" + logprobs.map(ModelCommandSupport.json).joined(separator: ", ") + "]}\n")
}

/// `log p(ids[t] | ids[..<t])` for t = 1..<count. The log-softmax is taken row by row from
/// the logits (in Double) rather than as a second (sequence x vocabulary) tensor, which
/// would double the memory of scoring a long text.
func nextTokenLogProbabilities(_ model: LlamaForCausalLM, ids: [Int32]) -> [Float] {
    guard ids.count > 1 else { return [] }
    let logits = withNoGrad { model(ids).logits }
    let vocabulary = logits.shape[2]
    return logits.withUnsafeBufferPointer { values in
        (1..<ids.count).map { t in
            let row = UnsafeBufferPointer(rebasing: values[((t - 1) * vocabulary)..<(t * vocabulary)])
            let maximum = Double(row.max()!)
            let sum = row.reduce(0.0) { $0 + Foundation.exp(Double($1) - maximum) }
            return Float(Double(row[Int(ids[t])]) - maximum - Foundation.log(sum))
        }
    }
}
