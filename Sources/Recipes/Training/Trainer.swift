import Foundation

/// Runs a ``TrainingStrategy`` on a student model: the optimizer loop with gradient
/// accumulation over the strategy's data mix, evaluation, logging and checkpoints.
///
/// ```swift
/// let trainer = try Trainer(student: student, original: base, strategy: LongCPT(),
///                           trainingTokens: train, validationTokens: validation,
///                           configuration: configuration)
/// try trainer.prepare(resumingFrom: try trainer.checkpoints.latest())   // or prepare()
/// let summary = try trainer.train()
/// ```
///
/// One optimizer step: learning rate from the schedule; the micro-steps of
/// `strategy.dataMix.plan(...)`, each a batch of random windows of its stream, its loss from
/// the strategy, `backward()` (gradients add up); gradient clipping; AdamW step (nanoGPT's
/// split: weight decay only for parameters of rank >= 2); gradients dropped. A run resumed
/// from a checkpoint reproduces the uninterrupted run's losses bit for bit.
public final class Trainer {
    public let configuration: TrainingConfiguration
    public let strategy: any TrainingStrategy
    /// The student, the frozen original (when the strategy needs it) and the strategy's state.
    public let context: TrainingContext
    /// The optimizer over the student's trainable parameters (after the strategy's start hook).
    public private(set) var optimizer: AdamW?
    /// The number of optimizer steps completed.
    public private(set) var step = 0
    /// Every metrics-log record so far (training steps at the log interval, evaluations).
    public internal(set) var records: [MetricRecord] = []
    /// The run's checkpoints.
    public internal(set) var checkpoints: CheckpointStore
    /// Files copied into every checkpoint and next to the final model (tokenizer, ...).
    public var auxiliaryFiles: [URL] = []
    /// Whether to print the progress line on standard error.
    public var showsProgress = true

    /// The micro-steps of every optimizer step.
    public let plan: MicroStepPlan
    private var streams: LongReDStreams
    let validationTokens: [Int32]
    private var tokensSeen = 0
    private var trainingSeconds = 0.0
    private var sessionStart: (step: Int, seconds: Double) = (0, 0)
    private var lastCheckpointStep: Int?
    private var prepared = false
    private var finished = false
    let log: MetricsLog

    /// The student model.
    public var student: LlamaForCausalLM { context.student }

    /// The file in the output directory that holds the run's ``TrainingConfiguration`` (JSON).
    public static let configurationFileName = "training_configuration.json"

    /// Sets up a run; nothing is trained or written yet.
    ///
    /// - Parameters:
    ///   - student: the model to train (its RoPE already rescaled when extending).
    ///   - original: the base model with its original RoPE. Kept, frozen (every parameter
    ///     `requiresGrad = false`), only when `strategy.needsOriginalModel`; it never reaches
    ///     the optimizer or a checkpoint. It must not share tensors with `student`.
    ///   - trainingTokens / validationTokens: the token streams the windows are cut from.
    /// - Throws: ``TrainingError`` for an invalid configuration, a missing original model or
    ///   streams too short for the windows.
    public init(
        student: LlamaForCausalLM, original: LlamaForCausalLM?, strategy: any TrainingStrategy,
        trainingTokens: [Int32], validationTokens: [Int32], configuration: TrainingConfiguration
    ) throws {
        try configuration.validate()
        let lengths = configuration.lengths
        let longest = max(lengths.long, lengths.short, lengths.originalWindow)
        guard trainingTokens.count > longest + 1 else {
            throw TrainingError.notEnoughTokens(stream: "training", count: trainingTokens.count, needed: longest + 2)
        }
        guard validationTokens.count > lengths.long + 1 else {
            throw TrainingError.notEnoughTokens(stream: "validation", count: validationTokens.count, needed: lengths.long + 2)
        }
        var kept: LlamaForCausalLM?
        if strategy.needsOriginalModel {
            guard let original else { throw TrainingError.missingOriginalModel(strategy: strategy.name) }
            let studentTensors = Set(student.parameters().map(ObjectIdentifier.init))
            precondition(
                !original.parameters().contains { studentTensors.contains(ObjectIdentifier($0)) },
                "Trainer: the original model shares parameter tensors with the student; load or copy it separately")
            original.freeze()
            original.zeroGrad()
            kept = original
        }
        let seed = configuration.seed
        var calibrationSampler = RandomWindowSampler(
            tokens: trainingTokens, length: lengths.originalWindow, seed: seed ^ 0xCA1B_0000_0000_0001)
        let calibration = (0..<configuration.calibrationBatches).map { _ in
            calibrationSampler.nextBatch(size: configuration.evaluationBatchSize)
        }
        context = TrainingContext(
            student: student, original: kept, generator: RandomGenerator(seed: seed ^ 0x5742_0000_0000_0002),
            calibrationBatches: calibration, lengths: lengths)
        streams = LongReDStreams(tokens: trainingTokens, lengths: lengths, seed: seed)
        self.validationTokens = validationTokens
        self.configuration = configuration
        self.strategy = strategy
        plan = (strategy.dataMix ?? .longOnly).plan(
            tokensPerStep: configuration.tokensPerStep, lengths: lengths,
            maxTokensPerMicroStep: configuration.maxTokensPerMicroStep)
        let output = URL(fileURLWithPath: configuration.outputDirectory)
        checkpoints = CheckpointStore(directory: output)
        log = MetricsLog(path: output.appendingPathComponent("metrics.jsonl").path)
    }

    // MARK: Starting and resuming

    /// Runs the strategy's start hook, builds the optimizer and, when `checkpoint` is given,
    /// restores the student, the optimizer and the trainer state from it.
    ///
    /// The start hook runs before the saved state is loaded, on the same fresh student as in
    /// the original run, so whatever it sets up (frozen parameters, adapters, selected layers)
    /// is rebuilt identically and then overwritten by the saved values.
    public func prepare(resumingFrom checkpoint: URL? = nil) throws {
        precondition(!prepared, "Trainer.prepare: called twice")
        try strategy.start(context)
        let optimizer = AdamW(
            groups: ParameterGroup.decaySplit(of: student, weightDecay: configuration.weightDecay),
            learningRate: 0, betas: (configuration.beta1, configuration.beta2), epsilon: configuration.epsilon)
        self.optimizer = optimizer
        if let checkpoint { try restore(from: checkpoint, optimizer: optimizer) }
        let output = checkpoints.directory
        do {
            try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(configuration).write(
                to: output.appendingPathComponent(Self.configurationFileName), options: .atomic)
        } catch {
            throw TrainingError.writeFailed(path: output.path, reason: "\(error)")
        }
        try log.reset(to: records)
        sessionStart = (step, trainingSeconds)
        prepared = true
    }

    private func restore(from checkpoint: URL, optimizer: AdamW) throws {
        let state = try CheckpointStore.readState(at: checkpoint)
        guard state.strategy == strategy.name else {
            throw TrainingError.invalidCheckpoint(
                path: checkpoint.path, reason: "written by strategy '\(state.strategy)', not '\(strategy.name)'")
        }
        try student.loadWeights(from: try openCheckpoint(directory: checkpoint.path))
        try optimizer.loadState(try OptimizerStateFile.read(from: checkpoint))
        step = state.step
        streams.generator = state.dataGenerator
        context.generator = state.strategyGenerator
        context.notes = state.notes
        context.step = state.step
        records = state.records
        tokensSeen = state.tokensSeen
        trainingSeconds = state.trainingSeconds
        lastCheckpointStep = state.step
    }

    // MARK: Training

    /// Trains until `stopStep` (default: the configured number of steps).
    ///
    /// Stopping early saves a checkpoint at the stop step (resume it with
    /// ``prepare(resumingFrom:)`` on a fresh trainer). Reaching the configured end runs the
    /// final evaluation and checkpoint, the strategy's finish hook, an evaluation of the
    /// finished model (record type "final") and writes the final model
    /// (`config.json`, `model.safetensors` and the auxiliary files) into the output directory.
    @discardableResult
    public func train(until stopStep: Int? = nil) throws -> TrainingSummary {
        if !prepared { try prepare() }
        let end = min(stopStep ?? configuration.steps, configuration.steps)
        if step == 0 && configuration.evaluationInterval > 0 && !records.contains(where: { $0.type == "eval" }) {
            evaluateAndRecord()
        }
        while step < end {
            try performStep()
            let atEnd = step == configuration.steps
            if configuration.evaluationInterval > 0 && (step % configuration.evaluationInterval == 0 || atEnd) {
                evaluateAndRecord()
            }
            if atEnd || (configuration.checkpointInterval > 0 && step % configuration.checkpointInterval == 0) {
                try saveCheckpoint()
            }
        }
        if step < configuration.steps {
            if lastCheckpointStep != step { try saveCheckpoint() }
        } else if !finished {
            try strategy.finish(context)
            if configuration.evaluationInterval > 0 { evaluateAndRecord(type: "final") }
            try saveFinalModel()
            finished = true
        }
        if showsProgress { ProgressReporter(enabled: true).endLine() }
        return summary
    }

    /// One optimizer step; returns the step's record (losses are the step's objective, and
    /// each strategy metric is its mean over the step's texts of the kinds that reported it).
    @discardableResult
    func performStep() throws -> MetricRecord {
        guard let optimizer else { preconditionFailure("Trainer: prepare() before training") }
        let started = Date()
        let learningRate = configuration.schedule.learningRate(atStep: step)
        optimizer.learningRate = learningRate
        context.step = step
        optimizer.zeroGrad()
        var (objective, values) = accumulateStepGradients()
        let parameters = optimizer.groups.flatMap { $0.parameters.map(\.1) }
        let norm = configuration.gradientClip.map { clipGradientNorm(parameters, maxNorm: $0) }
            ?? clipGradientNorm(parameters, maxNorm: .greatestFiniteMagnitude)
        if norm.isFinite && objective.isFinite {
            optimizer.step()
        } else {
            values["skipped"] = 1
        }
        optimizer.zeroGrad()
        student.zeroGrad()
        step += 1
        tokensSeen += plan.tokenCount
        trainingSeconds += Date().timeIntervalSince(started)
        values["loss"] = objective
        values["lr"] = Double("\(learningRate)") ?? Double(learningRate)
        values["grad_norm"] = Double(norm)
        values["tokens"] = Double(tokensSeen)
        values["tokens_per_second"] = throughput
        values["elapsed_seconds"] = trainingSeconds
        let record = MetricRecord(type: "train", step: step, values: values)
        let logged = step % configuration.logInterval == 0 || step == 1 || step == configuration.steps
        if logged {
            records.append(record)
            log.append(record)
        }
        reportProgress(record, logged: logged)
        return record
    }

    /// Runs the step's micro-steps: each batch's strategy loss is backpropagated, so the
    /// gradients add up. Returns the step's objective (the sum of the micro-step losses) and
    /// each metric averaged with the micro-steps' `fractionOfKind` as weights, i.e. the mean
    /// over the step's texts of the kinds that reported it.
    func accumulateStepGradients() -> (objective: Double, metrics: [String: Double]) {
        var objective = 0.0
        var sums: [String: (value: Double, weight: Double)] = [:]
        for microStep in plan.microSteps {
            let tokens = streams.batch(for: microStep)
            let batch = MicroBatch(kind: microStep.kind, tokens: tokens, fractionOfKind: microStep.fractionOfKind)
            let part = strategy.loss(for: batch, context: context)
            if let loss = part.loss {
                precondition(loss.count == 1, "Trainer: strategy '\(strategy.name)' returned a loss of shape \(loss.shape)")
                objective += Double(loss.item)
                loss.backward()
            }
            for (name, value) in part.metrics {
                let old = sums[name] ?? (0, 0)
                sums[name] = (old.value + value * microStep.fractionOfKind, old.weight + microStep.fractionOfKind)
            }
        }
        return (objective, sums.mapValues { $0.weight > 0 ? $0.value / $0.weight : $0.value })
    }

    /// Training tokens per second of training time in this session.
    private var throughput: Double {
        let seconds = trainingSeconds - sessionStart.seconds
        return seconds > 0 ? Double((step - sessionStart.step) * plan.tokenCount) / seconds : 0
    }

    private func reportProgress(_ record: MetricRecord, logged: Bool) {
        guard showsProgress else { return }
        let stepsDone = step - sessionStart.step
        let perStep = stepsDone > 0 ? (trainingSeconds - sessionStart.seconds) / Double(stepsDone) : .nan
        var parts = ["step \(step)/\(configuration.steps)", String(format: "loss %.4f", record.values["loss"] ?? .nan)]
        for (name, value) in record.values.sorted(by: { $0.key < $1.key }) where name.hasPrefix("loss/") {
            parts.append(String(format: "%@ %.4f", String(name.dropFirst(5)), value))
        }
        parts.append(String(format: "lr %.2e", record.values["lr"] ?? 0))
        parts.append(String(format: "%.0f tok/s", throughput))
        parts.append("ETA " + ProgressReporter.duration(perStep * Double(configuration.steps - step)))
        ProgressReporter(enabled: true).show(parts.joined(separator: " | "), logged: logged)
    }

    // MARK: Saving

    /// The state written into checkpoints.
    public var state: TrainerState {
        TrainerState(
            step: step, dataGenerator: streams.generator, strategyGenerator: context.generator, notes: context.notes,
            records: records, tokensSeen: tokensSeen, trainingSeconds: trainingSeconds, strategy: strategy.name,
            configuration: configuration)
    }

    /// Writes `checkpoint-<step>` (atomically) and prunes old checkpoints.
    @discardableResult
    public func saveCheckpoint() throws -> URL {
        guard let optimizer else { preconditionFailure("Trainer: prepare() before saving") }
        let url = try checkpoints.save(
            step: step, student: student, optimizer: optimizer, state: state, auxiliaryFiles: auxiliaryFiles,
            keepLast: configuration.keepLastCheckpoints)
        lastCheckpointStep = step
        return url
    }

    private func saveFinalModel() throws {
        let output = checkpoints.directory
        do {
            try student.save(to: output.path)
            for file in auxiliaryFiles where file.deletingLastPathComponent().standardizedFileURL != output.standardizedFileURL {
                let destination = output.appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: destination)
                try FileManager.default.copyItem(at: file, to: destination)
            }
        } catch {
            throw TrainingError.writeFailed(path: output.path, reason: "\(error)")
        }
    }

    /// What the run has done so far.
    public var summary: TrainingSummary {
        TrainingSummary(
            steps: step, tokensSeen: tokensSeen, trainingSeconds: trainingSeconds,
            finalEvaluation: records.last { $0.type == "eval" || $0.type == "final" }?.values ?? [:],
            lastCheckpoint: lastCheckpointStep.map { checkpoints.checkpointURL(step: $0) })
    }
}
