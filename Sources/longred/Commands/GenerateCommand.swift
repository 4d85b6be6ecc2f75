import Foundation
import Recipes

/// `longred generate`: continue a prompt, streaming the text as tokens arrive.
enum GenerateCommand {
    static let specification = CommandSpecification(
        name: "generate",
        summary: "Continue a prompt with a model, printing the completion as it is generated.",
        options: [
            .value("--model", "dir", "Hugging Face model directory (config.json, model.safetensors, tokenizer.json)."),
            .value("--prompt", "text", "The text to continue."),
            .value("--tokenizer", "file", "Tokenizer file.", default: "DIR/tokenizer.json"),
            .value("--max-tokens", "n", "Most tokens to generate.", default: "128"),
            .value("--temperature", "t", "Sampling temperature; 0 means greedy.", default: "1"),
            .value("--top-k", "k", "Sample only from the k most likely tokens; 0 means no limit.", default: "0"),
            .value("--top-p", "p", "Sample from the smallest set of tokens with probability >= p (0 < p <= 1).", default: "1"),
            .value("--seed", "s", "Random seed.", default: "0"),
            .flag("--pcd", "Positional contrastive decoding: contrast the logits with those of local-aware RoPE frequencies."),
            .value("--pcd-alpha", "a", "PCD: alpha of T(x) = 2 - exp(alpha * x).", default: "\(pcdDefaults.alpha)"),
            .value("--pcd-beta", "b", "PCD: weight of the contrast (>= 0).", default: "\(pcdDefaults.beta)"),
            .value("--pcd-top", "n", "PCD: choose only among the n most likely tokens.", default: "\(pcdDefaults.topCount)"),
            .flag("--no-bos", "Do not start the prompt with the tokenizer's BOS token."),
            .flag("--ignore-eos", "Keep generating past end-of-sequence tokens."),
            .value("--threads", "n", "Worker threads.", default: "all cores"),
        ],
        run: runGenerate)
}

private func runGenerate(_ options: ParsedOptions) throws {
    let directory = try options.required("--model")
    let prompt = try options.required("--prompt")
    let maxTokens = try options.value("--max-tokens", default: 128)
    guard maxTokens >= 0 else { throw UsageError("option '--max-tokens' must be >= 0, got \(maxTokens)") }
    let temperature = try options.value("--temperature", default: Float(1))
    guard temperature >= 0 && temperature.isFinite else {
        throw UsageError("option '--temperature' must be a finite number >= 0, got \(temperature)")
    }
    let topK = try options.value("--top-k", default: 0)
    guard topK >= 0 else { throw UsageError("option '--top-k' must be >= 0, got \(topK)") }
    let topP = try options.value("--top-p", default: Float(1))
    guard topP > 0 && topP <= 1 else { throw UsageError("option '--top-p' must be in (0, 1], got \(topP)") }
    let seed = try options.value("--seed", default: UInt64(0))
    let contrastive = try contrastiveDecoding(options)
    try ModelCommandSupport.applyThreads(options)

    let model = try LlamaForCausalLM.load(directory: directory)
    let tokenizer = try ModelCommandSupport.tokenizer(options, modelDirectory: directory)
    var ids = try encodeArgument(prompt, flag: "--prompt", tokenizer: tokenizer)
    if !options.isSet("--no-bos"), let bos = tokenizer.bosTokenId {
        ids.insert(Int32(bos), at: 0)
    }
    guard !ids.isEmpty else { throw ModelCommandError("the prompt has no tokens (and there is no BOS token)") }
    try ModelCommandSupport.checkVocabulary(ids, model: model, tokenizerSize: tokenizer.vocabularySize)

    var stopTokens = Set<Int32>()
    if !options.isSet("--ignore-eos") {
        for id in (model.configuration.eosTokenID?.all ?? []) + [tokenizer.eosTokenId].compactMap({ $0 }) {
            stopTokens.insert(Int32(id))
        }
    }
    let sampling = SamplingOptions(temperature: temperature, topK: topK, topP: topP, seed: seed)
    var stream = TextStream(tokenizer: tokenizer)
    let write = { (token: Int32) -> Bool in
        ModelCommandSupport.write(stream.append(Int(token)))
        return true
    }
    if let contrastive {
        model.generate(
            prompt: ids, maxNewTokens: maxTokens, contrastive: contrastive, sampling: sampling, stopTokens: stopTokens,
            onToken: write)
    } else {
        model.generate(prompt: ids, maxNewTokens: maxTokens, sampling: sampling, stopTokens: stopTokens, onToken: write)
    }
    ModelCommandSupport.write("\n")
}

/// The paper's PCD settings, the defaults of the `--pcd-*` flags.
private let pcdDefaults = PositionalContrastiveDecoding()

/// The `--pcd` settings, or nil without `--pcd` (whose tuning flags are then an error).
private func contrastiveDecoding(_ options: ParsedOptions) throws -> PositionalContrastiveDecoding? {
    let tuning = ["--pcd-alpha", "--pcd-beta", "--pcd-top"]
    guard options.isSet("--pcd") else {
        if let given = tuning.first(where: { options.string($0) != nil }) {
            throw UsageError("option '\(given)' needs --pcd")
        }
        return nil
    }
    let alpha = try options.value("--pcd-alpha", default: pcdDefaults.alpha)
    guard alpha.isFinite else { throw UsageError("option '--pcd-alpha' must be a finite number, got \(alpha)") }
    let beta = try options.value("--pcd-beta", default: pcdDefaults.beta)
    guard beta >= 0 && beta.isFinite else {
        throw UsageError("option '--pcd-beta' must be a finite number >= 0, got \(beta)")
    }
    let top = try options.positiveInteger("--pcd-top", default: pcdDefaults.topCount)
    return PositionalContrastiveDecoding(alpha: alpha, beta: beta, topCount: top)
}

/// Turns a growing list of token ids into text pieces. Decoding token by token would break
/// characters split over byte tokens and drop the spaces some decoders strip from the first
/// token, so the whole completion is decoded each time and only the new suffix is returned,
/// holding back text that ends in an incomplete character (U+FFFD).
struct TextStream {
    let tokenizer: any Tokenizer
    private var ids: [Int] = []
    private var emitted = 0

    init(tokenizer: any Tokenizer) { self.tokenizer = tokenizer }

    mutating func append(_ id: Int) -> String {
        ids.append(id)
        let scalars = Array(tokenizer.decode(ids, skipSpecialTokens: true).unicodeScalars)
        guard scalars.last != "\u{FFFD}", scalars.count >= emitted else { return "" }
        var piece = String.UnicodeScalarView()
        piece.append(contentsOf: scalars[emitted...])
        emitted = scalars.count
        return String(piece)
    }
}
