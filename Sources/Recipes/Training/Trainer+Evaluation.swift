import Foundation

extension Trainer {
    // MARK: Evaluation

    /// The mean validation cross-entropy of the student at `L0` and at `Lt` on fixed windows
    /// (the same windows at every evaluation, drawn from the seed). Keys: `val_loss` (at
    /// `Lt`) and, when `L0 != Lt`, `val_loss_L0` and `val_loss_Lt`.
    public func evaluate() -> [String: Double] {
        let lengths = configuration.lengths
        let atLong = validationLoss(length: lengths.long)
        guard lengths.originalWindow != lengths.long else { return ["val_loss": atLong] }
        let atOriginal = validationLoss(length: lengths.originalWindow)
        return ["val_loss": atLong, "val_loss_Lt": atLong, "val_loss_L0": atOriginal]
    }

    private func validationLoss(length: Int) -> Double {
        var sampler = RandomWindowSampler(
            tokens: validationTokens, length: length, seed: configuration.seed ^ 0xE7A1_0000_0000_0000 ^ UInt64(length))
        let rowsPerPass = configuration.maxTokensPerMicroStep.map { max(1, $0 / length) } ?? configuration.evaluationBatchSize
        var total = 0.0
        var rows = 0
        for _ in 0..<configuration.evaluationBatches {
            var remaining = configuration.evaluationBatchSize
            while remaining > 0 {
                let size = min(remaining, rowsPerPass)
                let batch = sampler.nextBatch(size: size)
                let loss = withNoGrad { languageModelingLoss(student, batch).item }
                total += Double(loss) * Double(size)
                rows += size
                remaining -= size
            }
        }
        return total / Double(rows)
    }

    /// Evaluates and logs; `type` is "eval" during training and "final" for the model as
    /// saved (after the strategy's finish hook, e.g. merged weights).
    func evaluateAndRecord(type: String = "eval") {
        let record = MetricRecord(type: type, step: step, values: evaluate())
        records.append(record)
        log.append(record)
        if showsProgress {
            let text = record.values.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }
            // The final record evaluates the model as saved; say so, since without a finish
            // hook that changes the weights it repeats the last step's numbers.
            let label = type == "final" ? "final model (step \(step), after \(strategy.name) finished)" : "step \(step)"
            ProgressReporter(enabled: true).show(label + ": " + text.joined(separator: ", "), final: true, logged: true)
        }
    }
}

/// The outcome of ``Trainer/train(until:)``.
public struct TrainingSummary: Sendable {
    /// Optimizer steps completed.
    public var steps: Int
    /// Input tokens trained on.
    public var tokensSeen: Int
    /// Seconds spent in training steps (evaluation and saving excluded).
    public var trainingSeconds: Double
    /// The values of the last evaluation (`val_loss`, ...).
    public var finalEvaluation: [String: Double]
    /// The newest checkpoint written.
    public var lastCheckpoint: URL?
}
