import Foundation
import Recipes

/// `longred extend`: extends a trained model's context with a recipe from
/// ``StrategyRegistry``: loads the base directory, builds the student with the rescaled RoPE
/// (written into its `config.json`), builds the frozen original when the recipe needs it,
/// and trains on the corpus encoded with the base model's tokenizer.
enum ExtendCommand {
    static let specification = CommandSpecification(
        name: "extend",
        summary: "Extend a model's context window with a training recipe (RoPE rescaling + training).",
        options: [
            .value("--recipe", "name", "Training recipe: \(StrategyRegistry.names.joined(separator: ", ")); join with + to combine"),
            .value("--base", "dir", "Base model directory (config.json, model.safetensors, tokenizer.json)"),
            .value("--rope", "spec", "abf:BASE, pi:FACTOR, yarn:FACTOR, dynamic:FACTOR or llama3:FACTOR"),
            .value("--target-length", "n", "Target context Lt (larger than the base's max_position_embeddings)"),
            .value("--short-length", "n", "Short-text length", default: "L0 / 8"),
            .value("--corpus", "path", "Text file, folder of .txt files or .jsonl file", default: "Data/tinyshakespeare.txt"),
            .value("--val-fraction", "x", "Share of the corpus kept for validation (its end)", default: "0.1"),
            .value("--output", "dir", "Output directory", default: "out/extend-<recipe>"),
            .value("--tokens-per-step", "n", "Tokens per optimizer step, split by the recipe's data mix", default: "8 * Lt"),
            .value("--micro-batch-tokens", "n", "Most tokens per forward/backward pass", default: "2 * Lt"),
            .value("--a1", "x", "LongReD short-text distillation weight", default: "5 below 8x, 2 from 8x"),
            .value("--a2", "x", "LongReD short-to-long distillation weight", default: "10 below 8x, 15 from 8x"),
            .value("--option", "k=v,...", "Further recipe options, comma-separated (\(recipeOptionKeys))"),
        ] + TrainingFlags.schedule(steps: "200", lr: "1e-4", minLR: "0", warmup: "0", schedule: "constant")
          + TrainingFlags.optimizer(beta2: "0.95")
          + TrainingFlags.run(evalInterval: "50", evalBatches: "4", evalBatchSize: "4", checkpointInterval: "100"),
        run: run)

    /// Every option key some recipe reads, for `--help`.
    static var recipeOptionKeys: String {
        Set(StrategyRegistry.entries.flatMap(\.options.keys)).subtracting(["a1", "a2"]).sorted().joined(separator: ", ")
    }

    /// The recipe options given on the command line.
    static func recipeOptions(_ options: ParsedOptions) throws -> [String: String] {
        var result: [String: String] = [:]
        for key in ["a1", "a2"] {
            if let value = options.string("--" + key) { result[key] = value }
        }
        if let list = options.string("--option") {
            for item in list.split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, !pair[0].isEmpty else {
                    throw UsageError("option '--option' expects key=value pairs separated by commas, got '\(item)'")
                }
                guard result[pair[0]] == nil else { throw UsageError("option '--option': '\(pair[0])' is given twice") }
                result[pair[0]] = pair[1]
            }
        }
        return result
    }

    static func run(_ options: ParsedOptions) throws {
        try TrainingFlags.applyThreads(options)
        let recipe = try options.required("--recipe")
        let baseDirectory = try options.required("--base")
        let rope: RopeExtension
        do {
            rope = try RopeExtension(parsing: try options.required("--rope"))
        } catch let error as ContextExtensionError {
            throw UsageError("option '--rope': \(error)")
        }
        _ = try options.required("--target-length")
        let target = try options.positiveInteger("--target-length", default: 0)
        let strategy: any TrainingStrategy
        do {
            strategy = try StrategyRegistry.make(name: recipe, options: try recipeOptions(options))
        } catch let error as StrategyRegistryError {
            throw UsageError("option '--recipe': \(error)")
        } catch let error as StrategyError {
            throw UsageError("option '--recipe': \(error)")
        }
        let baseConfiguration = try LlamaConfiguration(
            contentsOf: (baseDirectory as NSString).appendingPathComponent("config.json"))
        let original = baseConfiguration.maxPositionEmbeddings
        let student: LlamaForCausalLM
        do {
            _ = try rope.configuration(extending: baseConfiguration, targetLength: target)
        } catch let error as ContextExtensionError {
            throw UsageError("option '--target-length': \(error)")
        }
        // LongReD's skipped positions keep a head and tail of up to 4f tokens inside L0
        // (PositionSampling's precondition); say so here instead of trapping mid-run.
        if recipe.split(separator: "+").contains(where: { $0.hasPrefix("longred-") }), original <= 8 * (target / original) {
            throw UsageError("option '--target-length': LongReD's skipped positions need L0 (\(original)) > "
                + "8 * (Lt / L0) = \(8 * (target / original)); use a smaller extension factor")
        }
        student = try rope.makeStudent(baseDirectory: baseDirectory, targetLength: target)
        let shortLength = try options.positiveInteger("--short-length", default: max(1, original / 8))
        guard shortLength <= original else {
            throw UsageError("option '--short-length' (\(shortLength)) must not exceed L0 = \(original)")
        }
        let fraction = try options.value("--val-fraction", default: 0.1)
        guard fraction > 0 && fraction < 1 else {
            throw UsageError("option '--val-fraction' must lie strictly between 0 and 1, got \(fraction)")
        }
        let output = options.string("--output") ?? "out/extend-\(recipe)"
        var configuration = try TrainingFlags.configuration(
            options, output: output,
            lengths: StreamLengths(originalLength: original, targetLength: target, shortLength: shortLength),
            tokensPerStep: try options.positiveInteger("--tokens-per-step", default: 8 * target), defaults: .init(
                steps: 200, lr: 1e-4, minLR: 0, warmup: 0, schedule: "constant", beta2: 0.95,
                evalInterval: 50, evalBatches: 4, evalBatchSize: 4, checkpointInterval: 100))
        configuration.maxTokensPerMicroStep = try options.positiveInteger("--micro-batch-tokens", default: 2 * target)
        let resume = try TrainingFlags.checkResume(options, output: output)

        let streams = try tokenStreams(options, baseDirectory: baseDirectory, fraction: fraction)
        try train(
            student: student, baseDirectory: baseDirectory, strategy: strategy, trainingTokens: streams.training,
            validationTokens: streams.validation, configuration: configuration, resume: resume, options: options)
    }

    /// The corpus of `--corpus` split at `fraction` (validation at its end) and encoded with
    /// the base model's tokenizer, or as bytes when the base directory has no tokenizer.json
    /// (then the model needs a vocabulary of at least 256).
    static func tokenStreams(
        _ options: ParsedOptions, baseDirectory: String, fraction: Double
    ) throws -> (training: [Int32], validation: [Int32]) {
        let (training, validation) = try TrainingFlags.loadCorpus(options).split(validationFraction: fraction)
        let tokenizerPath = URL(fileURLWithPath: baseDirectory).appendingPathComponent(tokenizerFileName).path
        guard FileManager.default.fileExists(atPath: tokenizerPath) else {
            let vocabulary = try LlamaConfiguration(
                contentsOf: (baseDirectory as NSString).appendingPathComponent("config.json")).vocabSize
            guard vocabulary >= 256 else {
                throw UsageError("option '--base': \(baseDirectory) has no tokenizer.json and its vocabulary "
                    + "(\(vocabulary)) is too small for byte tokens")
            }
            let bytes = ByteTokenizer()
            let encode: TokenEncoder = { bytes.encode($0, addSpecialTokens: false) }
            return (training.tokens(encodedBy: encode), validation.tokens(encodedBy: encode))
        }
        let tokenizer = try loadTokenizer(modelDirectory: baseDirectory)
        var failure: Error?
        let encode: TokenEncoder = { text in
            do { return try tokenizer.encode(text, addSpecialTokens: false) } catch {
                failure = failure ?? error
                return []
            }
        }
        let streams = (training.tokens(encodedBy: encode), validation.tokens(encodedBy: encode))
        if let failure { throw failure }
        return streams
    }

    private static func train(
        student: LlamaForCausalLM, baseDirectory: String, strategy: any TrainingStrategy, trainingTokens: [Int32],
        validationTokens: [Int32], configuration: TrainingConfiguration, resume: Bool, options: ParsedOptions
    ) throws {
        // The original keeps the base configuration, hence the original RoPE.
        let original = strategy.needsOriginalModel ? try LlamaForCausalLM.load(directory: baseDirectory) : nil
        let tokenizerURL = URL(fileURLWithPath: baseDirectory).appendingPathComponent(tokenizerFileName)
        let auxiliary = FileManager.default.fileExists(atPath: tokenizerURL.path) ? [tokenizerURL] : []
        printError("extend: recipe \(strategy.name), L0 \(configuration.lengths.originalWindow) -> Lt "
            + "\(configuration.lengths.long), RoPE \(student.rotary.scaling?.kind.rawValue ?? "abf") base \(student.rotary.base), "
            + "\(trainingTokens.count) training tokens, original model \(original == nil ? "not needed" : "frozen")")
        let trainer = try Trainer(
            student: student, original: original, strategy: strategy, trainingTokens: trainingTokens,
            validationTokens: validationTokens, configuration: configuration)
        try TrainingFlags.runTrainer(trainer, resume: resume, auxiliaryFiles: auxiliary, options: options)
    }
}
