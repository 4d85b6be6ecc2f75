import Foundation
@testable import Recipes

/// Tiny models and data for the trainer tests: hidden 16, 2 layers, a character vocabulary
/// from the bundled Shakespeare, lengths 16 (L0) and 32 (Lt).
enum TrainerFixture {
    /// The first 30k characters of the bundled corpus, split 25k / 5k.
    static let data: (tokenizer: CharacterTokenizer, training: [Int32], validation: [Int32]) = {
        let text = try! Corpus.bundledShakespeare().documents[0]
        let prefix = String(text.unicodeScalars.prefix(30_000))
        let tokenizer = CharacterTokenizer(trainingText: text)
        let ids = try! tokenizer.encode(prefix).map(Int32.init)
        return (tokenizer, Array(ids[..<25_000]), Array(ids[25_000...]))
    }()

    static func configuration(maxPosition: Int = 16, tied: Bool = false) -> LlamaConfiguration {
        try! LlamaConfiguration(
            hiddenSize: 16, intermediateSize: 32, numHiddenLayers: 2, numAttentionHeads: 2,
            vocabSize: data.tokenizer.vocabularySize, tieWordEmbeddings: tied, maxPositionEmbeddings: maxPosition)
    }

    /// A freshly initialised model; the same `seed` gives the same weights.
    static func model(seed: UInt64 = 7, maxPosition: Int = 16) -> LlamaForCausalLM {
        var generator = RandomGenerator(seed: seed)
        return withNoGrad { LlamaForCausalLM(configuration: configuration(maxPosition: maxPosition), generator: &generator) }
    }

    /// A unique empty directory under the system temporary directory.
    static func temporaryDirectory(_ label: String = #function) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("trainer-tests-\(label.filter(\.isLetter))-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func trainingConfiguration(
        output: URL, steps: Int = 6, lengths: StreamLengths = StreamLengths(originalLength: 16, targetLength: 32, shortLength: 8),
        tokensPerStep: Int = 128, maxTokensPerMicroStep: Int? = 64
    ) -> TrainingConfiguration {
        TrainingConfiguration(
            steps: steps, tokensPerStep: tokensPerStep, lengths: lengths, maxTokensPerMicroStep: maxTokensPerMicroStep,
            schedule: .warmupCosine(peak: 3e-3, warmupSteps: 2, totalSteps: steps, minimum: 3e-4),
            beta1: 0.9, beta2: 0.95, weightDecay: 0.1, gradientClip: 1.0, evaluationInterval: 3,
            evaluationBatches: 2, evaluationBatchSize: 2, calibrationBatches: 1, checkpointInterval: 0,
            keepLastCheckpoints: 0, logInterval: 1, seed: 11, outputDirectory: output.path)
    }

    static func trainer(
        student: LlamaForCausalLM, original: LlamaForCausalLM? = nil, strategy: any TrainingStrategy,
        configuration: TrainingConfiguration
    ) throws -> Trainer {
        let trainer = try Trainer(
            student: student, original: original, strategy: strategy, trainingTokens: data.training,
            validationTokens: data.validation, configuration: configuration)
        trainer.showsProgress = false
        return trainer
    }

    /// The values of every parameter, by name.
    static func snapshot(_ model: LlamaForCausalLM) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.scalars) })
    }

    /// The names of the parameters whose values differ between two snapshots (short to print).
    static func differences(_ a: [String: [Float]], _ b: [String: [Float]]) -> [String] {
        Set(a.keys).union(b.keys).filter { a[$0] != b[$0] }.sorted()
    }

    /// The per-step training losses in `records`.
    static func losses(_ records: [MetricRecord]) -> [Double] {
        records.filter { $0.type == "train" }.map { $0.values["loss"]! }
    }
}

/// A strategy touching every piece of state a resume must restore: LongReD's three streams,
/// the frozen original (hidden-state distillation on short and original-window texts) and
/// the strategy generator (random position offsets for the original-window texts).
final class ProbeDistillation: TrainingStrategy {
    var name: String { "probe" }
    var dataMix: DataMix? { .longRed }
    var needsOriginalModel: Bool { true }

    func loss(for batch: MicroBatch, context: TrainingContext) -> StrategyLoss {
        let tokens = batch.tokens
        switch batch.kind {
        case .long:
            let loss = languageModelingLoss(context.student, tokens)
            return StrategyLoss(loss: loss * Float(batch.fractionOfKind), metrics: ["loss/long": Double(loss.item)])
        case .short, .originalWindow:
            var positions: [Int32]?
            if batch.kind == .originalWindow {
                let shift = Int32(context.generator.uniformInt(in: 0...16))
                positions = (0..<tokens.batchSize).flatMap { _ in (0..<Int32(tokens.length)).map { $0 + shift } }
            }
            let student = context.student(tokens.inputs, batch: tokens.batchSize, positions: positions, outputHiddenStates: true)
            let teacher = withNoGrad {
                context.original!(tokens.inputs, batch: tokens.batchSize, outputHiddenStates: true)
            }
            let similarity = Tensor.cosineSimilarity(student.hiddenStates.last!, teacher.hiddenStates.last!).mean()
            let loss = 1 - similarity
            let key = batch.kind == .short ? "loss/short" : "loss/s2l"
            return StrategyLoss(loss: loss * Float(batch.fractionOfKind), metrics: [key: Double(loss.item)])
        }
    }
}

/// Freezes everything but the attention projections (the "attention-only" baseline).
final class AttentionOnly: TrainingStrategy {
    var name: String { "attention-only" }
    func start(_ context: TrainingContext) throws {
        context.student.freeze { !$0.contains("self_attn") }
    }
}
