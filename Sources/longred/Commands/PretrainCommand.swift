import Foundation
import Kernels
import Recipes

/// `longred pretrain`: trains a small Llama from scratch at one context length.
///
/// The defaults are nanoGPT's `shakespeare_char` laptop run in a Llama shape: 4 layers,
/// 4 heads, width 128, SwiGLU width 352 (8/3 * 128 rounded up to a multiple of 32, so the
/// MLP has as many weights as nanoGPT's 4x GELU MLP), context 64, batch 12, 2000 steps,
/// AdamW (0.9, 0.99) with weight decay 0.1, LR 1e-3 with 100 warmup steps then cosine to
/// 1e-4, gradient clip 1.0, evaluation every 250 steps on 20 batches. Embeddings are tied
/// (as nanoGPT's `wte` / `lm_head`), `--untied-embeddings` unties them.
enum PretrainCommand {
    static let specification = CommandSpecification(
        name: "pretrain",
        summary: "Train a base model from scratch on a text corpus (character tokenizer).",
        options: [
            .value("--corpus", "path", "Text file, folder of .txt files or .jsonl file", default: "Data/tinyshakespeare.txt"),
            .value("--output", "dir", "Output directory (checkpoints, metrics.jsonl, final model)", default: "out/pretrain"),
            .value("--layers", "n", "Decoder layers", default: "4"),
            .value("--heads", "n", "Attention heads", default: "4"),
            .value("--kv-heads", "n", "Key/value heads", default: "same as --heads"),
            .value("--hidden", "n", "Model width", default: "128"),
            .value("--intermediate", "n", "SwiGLU MLP width", default: "352"),
            .flag("--untied-embeddings", "Use a separate LM head instead of the tied token embedding"),
            .value("--rope-theta", "x", "RoPE base", default: "10000"),
            .value("--context", "n", "Training context length L0", default: "64"),
            .value("--batch-size", "n", "Texts per optimizer step", default: "12"),
            .value("--micro-batch-tokens", "n", "Most tokens per forward/backward pass (gradient accumulation)", default: "whole batch"),
        ] + TrainingFlags.schedule(steps: "2000", lr: "1e-3", minLR: "1e-4", warmup: "100", schedule: "cosine")
          + TrainingFlags.optimizer(beta2: "0.99")
          + TrainingFlags.run(evalInterval: "250", evalBatches: "20", evalBatchSize: "same as --batch-size",
                              checkpointInterval: "500")
          + [.value("--val-fraction", "x", "Share of the corpus kept for validation (its end)", default: "0.1")],
        run: run)

    static func run(_ options: ParsedOptions) throws {
        try TrainingFlags.applyThreads(options)
        let output = options.string("--output") ?? "out/pretrain"
        let context = try options.positiveInteger("--context", default: 64)
        let batchSize = try options.positiveInteger("--batch-size", default: 12)
        let heads = try options.positiveInteger("--heads", default: 4)
        let hidden = try options.positiveInteger("--hidden", default: 128)
        guard hidden % heads == 0, (hidden / heads) % 2 == 0 else {
            throw UsageError("option '--hidden' (\(hidden)) must be a multiple of 2 * --heads (\(heads))")
        }
        let kvHeads = try options.positiveInteger("--kv-heads", default: heads)
        guard heads % kvHeads == 0 else {
            throw UsageError("option '--kv-heads' (\(kvHeads)) must divide --heads (\(heads))")
        }
        let layers = try options.positiveInteger("--layers", default: 4)
        let intermediate = try options.positiveInteger("--intermediate", default: 352)
        let theta = try options.value("--rope-theta", default: 10000.0)
        guard theta > 1 else { throw UsageError("option '--rope-theta' must be greater than 1, got \(theta)") }
        let fraction = try options.value("--val-fraction", default: 0.1)
        guard fraction > 0 && fraction < 1 else {
            throw UsageError("option '--val-fraction' must lie strictly between 0 and 1, got \(fraction)")
        }
        let microTokens = try options.value("--micro-batch-tokens", as: Int.self)
        if let microTokens, microTokens <= 0 {
            throw UsageError("option '--micro-batch-tokens' must be a positive integer, got \(microTokens)")
        }
        var configuration = try TrainingFlags.configuration(
            options, output: output, lengths: StreamLengths(originalLength: context, targetLength: context),
            tokensPerStep: batchSize * context, defaults: .init(
                steps: 2000, lr: 1e-3, minLR: 1e-4, warmup: 100, schedule: "cosine", beta2: 0.99,
                evalInterval: 250, evalBatches: 20, evalBatchSize: batchSize, checkpointInterval: 500))
        configuration.maxTokensPerMicroStep = microTokens
        let resume = try TrainingFlags.checkResume(options, output: output)

        let corpus = try TrainingFlags.loadCorpus(options)
        let tokenizer = CharacterTokenizer(trainingText: corpus.documents.joined())
        let (training, validation) = corpus.split(validationFraction: fraction)
        let encode: TokenEncoder = { (try? tokenizer.encode($0)) ?? [] }
        let trainingTokens = training.tokens(encodedBy: encode)
        let validationTokens = validation.tokens(encodedBy: encode)

        let modelConfiguration = try LlamaConfiguration(
            architectures: ["LlamaForCausalLM"], hiddenSize: hidden, intermediateSize: intermediate,
            numHiddenLayers: layers, numAttentionHeads: heads, numKeyValueHeads: kvHeads,
            vocabSize: tokenizer.vocabularySize, tieWordEmbeddings: !options.isSet("--untied-embeddings"),
            maxPositionEmbeddings: context, ropeTheta: theta)
        var generator = RandomGenerator(seed: configuration.seed)
        let model = withNoGrad { LlamaForCausalLM(configuration: modelConfiguration, generator: &generator) }

        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let tokenizerURL = URL(fileURLWithPath: output).appendingPathComponent(tokenizerFileName)
        try tokenizer.save(to: tokenizerURL)
        printError("pretrain: \(corpus.scalarCount) characters, vocabulary \(tokenizer.vocabularySize), "
            + "\(trainingTokens.count) training / \(validationTokens.count) validation tokens, "
            + "\(model.parameterCount) parameters, \(Parallel.maxThreads) threads")

        let trainer = try Trainer(
            student: model, original: nil, strategy: LongCPT(), trainingTokens: trainingTokens,
            validationTokens: validationTokens, configuration: configuration)
        try TrainingFlags.runTrainer(trainer, resume: resume, auxiliaryFiles: [tokenizerURL], options: options)
    }
}

/// Flags and steps shared by `pretrain` and `extend`.
enum TrainingFlags {
    struct Defaults {
        var steps: Int, lr: Double, minLR: Double, warmup: Int, schedule: String, beta2: Double
        var evalInterval: Int, evalBatches: Int, evalBatchSize: Int, checkpointInterval: Int
    }

    static func schedule(steps: String, lr: String, minLR: String, warmup: String, schedule: String) -> [OptionSpecification] {
        [
            .value("--steps", "n", "Optimizer steps", default: steps),
            .value("--lr", "x", "Peak learning rate", default: lr),
            .value("--min-lr", "x", "Final learning rate of the cosine/linear decay", default: minLR),
            .value("--warmup", "n", "Linear warmup steps", default: warmup),
            .value("--lr-schedule", "kind", "constant, cosine or linear (decay ends at --steps)", default: schedule),
        ]
    }

    static func optimizer(beta2: String) -> [OptionSpecification] {
        [
            .value("--beta1", "x", "AdamW beta1", default: "0.9"),
            .value("--beta2", "x", "AdamW beta2", default: beta2),
            .value("--weight-decay", "x", "AdamW weight decay (matrices and embeddings only)", default: "0.1"),
            .value("--grad-clip", "x", "Gradient norm limit, 0 disables", default: "1.0"),
        ]
    }

    static func run(evalInterval: String, evalBatches: String, evalBatchSize: String, checkpointInterval: String) -> [OptionSpecification] {
        [
            .value("--eval-interval", "n", "Evaluate every n steps, 0 disables", default: evalInterval),
            .value("--eval-batches", "n", "Validation batches per evaluation", default: evalBatches),
            .value("--eval-batch-size", "n", "Texts per validation batch", default: evalBatchSize),
            .value("--checkpoint-interval", "n", "Checkpoint every n steps (and at the end), 0: only at the end", default: checkpointInterval),
            .value("--keep-checkpoints", "n", "Keep the newest n checkpoints, 0 keeps all", default: "2"),
            .value("--log-interval", "n", "Metrics line every n steps", default: "10"),
            .value("--seed", "n", "Random seed (initialisation, batches, evaluation windows)", default: "1337"),
            .flag("--resume", "Continue from the latest checkpoint in --output"),
            .flag("--quiet", "No progress line"),
            .value("--threads", "n", "Worker threads", default: "all cores"),
        ]
    }

    static func applyThreads(_ options: ParsedOptions) throws {
        if options.string("--threads") != nil {
            Parallel.maxThreads = try options.positiveInteger("--threads", default: 1)
        }
    }

    static func nonNegative(_ options: ParsedOptions, _ name: String, default value: Int) throws -> Int {
        let result = try options.value(name, default: value)
        guard result >= 0 else { throw UsageError("option '\(name)' must be 0 or more, got \(result)") }
        return result
    }

    static func configuration(
        _ options: ParsedOptions, output: String, lengths: StreamLengths, tokensPerStep: Int, defaults: Defaults
    ) throws -> TrainingConfiguration {
        let steps = try options.positiveInteger("--steps", default: defaults.steps)
        let lr = try options.value("--lr", default: defaults.lr)
        let minLR = try options.value("--min-lr", default: defaults.minLR)
        guard lr >= 0, minLR >= 0 else { throw UsageError("options '--lr' and '--min-lr' must be non-negative") }
        // An explicit warmup longer than the run is a mistake; the default just shrinks.
        let warmup = try nonNegative(options, "--warmup", default: min(defaults.warmup, steps))
        guard warmup <= steps else { throw UsageError("option '--warmup' (\(warmup)) exceeds --steps (\(steps))") }
        let kind = options.string("--lr-schedule") ?? defaults.schedule
        let schedule: LearningRateSchedule
        switch kind {
        case "constant":
            schedule = warmup > 0 ? .warmupConstant(peak: Float(lr), warmupSteps: warmup) : .constant(Float(lr))
        case "cosine":
            schedule = .warmupCosine(peak: Float(lr), warmupSteps: warmup, totalSteps: steps, minimum: Float(minLR))
        case "linear":
            schedule = .warmupLinear(peak: Float(lr), warmupSteps: warmup, totalSteps: steps, minimum: Float(minLR))
        default:
            throw UsageError("option '--lr-schedule' expects constant, cosine or linear, got '\(kind)'")
        }
        let beta1 = try options.value("--beta1", default: 0.9)
        let beta2 = try options.value("--beta2", default: defaults.beta2)
        for (name, beta) in [("--beta1", beta1), ("--beta2", beta2)] where !(0..<1).contains(beta) {
            throw UsageError("option '\(name)' must lie in [0, 1), got \(beta)")
        }
        let decay = try options.value("--weight-decay", default: 0.1)
        guard decay >= 0 else { throw UsageError("option '--weight-decay' must be non-negative, got \(decay)") }
        let clip = try options.value("--grad-clip", default: 1.0)
        guard clip >= 0 else { throw UsageError("option '--grad-clip' must be non-negative, got \(clip)") }
        return TrainingConfiguration(
            steps: steps, tokensPerStep: tokensPerStep, lengths: lengths, schedule: schedule,
            beta1: Float(beta1), beta2: Float(beta2), weightDecay: Float(decay), gradientClip: clip > 0 ? Float(clip) : nil,
            evaluationInterval: try nonNegative(options, "--eval-interval", default: defaults.evalInterval),
            evaluationBatches: try options.positiveInteger("--eval-batches", default: defaults.evalBatches),
            evaluationBatchSize: try options.positiveInteger("--eval-batch-size", default: defaults.evalBatchSize),
            checkpointInterval: try nonNegative(options, "--checkpoint-interval", default: defaults.checkpointInterval),
            keepLastCheckpoints: try nonNegative(options, "--keep-checkpoints", default: 2),
            logInterval: try options.positiveInteger("--log-interval", default: 10),
            seed: try options.value("--seed", default: UInt64(1337)), outputDirectory: output)
    }

    /// With `--resume`, the checkpoint to continue from; without it, refuses to overwrite a run.
    static func checkResume(_ options: ParsedOptions, output: String) throws -> Bool {
        let existing = try CheckpointStore(directory: URL(fileURLWithPath: output)).latest()
        if options.isSet("--resume") {
            guard existing != nil else { throw UsageError("option '--resume': no checkpoint in \(output) (no 'latest' file)") }
            return true
        }
        if let existing {
            throw UsageError("\(output) already holds a run (\(existing.lastPathComponent)); pass --resume or choose another --output")
        }
        return false
    }

    static func loadCorpus(_ options: ParsedOptions) throws -> Corpus {
        if let path = options.string("--corpus") { return try Corpus(contentsOf: URL(fileURLWithPath: path)) }
        return try Corpus.bundledShakespeare()
    }

    static func runTrainer(_ trainer: Trainer, resume: Bool, auxiliaryFiles: [URL], options: ParsedOptions) throws {
        trainer.auxiliaryFiles = auxiliaryFiles
        trainer.showsProgress = !options.isSet("--quiet")
        try trainer.prepare(resumingFrom: resume ? trainer.checkpoints.latest() : nil)
        if resume { printError("resumed from step \(trainer.step)") }
        let start = Date()
        let summary = try trainer.train()
        let wall = Date().timeIntervalSince(start)
        let evaluation = summary.finalEvaluation.sorted { $0.key < $1.key }
            .map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", ")
        print(String(
            format: "done: %d steps, %d tokens, %.1f s training (%.1f s wall), %@; model in %@",
            summary.steps, summary.tokensSeen, summary.trainingSeconds, wall, evaluation,
            trainer.checkpoints.directory.path))
    }
}
