import Foundation

/// Which layers' hidden states LongReD's short-text distillation matches (the set `S`,
/// METHODS.md §3). Layer `l` stands for the state after decoder layer `l`; the last layer's
/// state is the final-norm output. Every choice includes the last layer.
public enum LayerSelection: Equatable, Sendable {
    /// The paper's choice: the `count` layers (other than the last) with the largest attention
    /// drift between the original and the RoPE-rescaled original model, plus the last layer.
    /// A nil count is ``defaultCount(layerCount:)``.
    case attentionDrift(count: Int?)
    /// Ablation: `count` layers evenly spaced below the last one (layers
    /// `(N−1)·i/(count+1)`, `i = 1...count`), plus the last layer. A nil count is
    /// ``defaultCount(layerCount:)``.
    case uniform(count: Int?)
    /// Ablation: every layer.
    case all
    /// Ablation: the last layer only.
    case lastOnly

    /// The paper's `M = 6` of 32 layers, scaled to `layerCount` (at least 1).
    public static func defaultCount(layerCount: Int) -> Int {
        max(1, Int((Double(layerCount) * 6 / 32).rounded()))
    }

    /// Whether ``layers(layerCount:drift:)`` needs the per-layer drift.
    public var needsDrift: Bool {
        if case .attentionDrift = self { return true }
        return false
    }

    /// The selected layer indices, ascending, for a model of `layerCount` layers.
    ///
    /// - Parameter drift: per-layer attention drift (``AttentionDrift``), required by
    ///   ``attentionDrift(count:)``. Ties go to the lower layer.
    public func layers(layerCount: Int, drift: [Double]? = nil) -> [Int] {
        precondition(layerCount > 0, "LayerSelection.layers: layerCount \(layerCount) must be positive")
        let last = layerCount - 1
        switch self {
        case .all:
            return Array(0..<layerCount)
        case .lastOnly:
            return [last]
        case let .uniform(requested):
            let count = requested ?? Self.defaultCount(layerCount: layerCount)
            precondition(count >= 0, "LayerSelection.uniform: count \(count) must be non-negative")
            let chosen = Set((0..<min(count, last)).map { last * ($0 + 1) / (min(count, last) + 1) })
            return chosen.sorted() + [last]
        case let .attentionDrift(requested):
            let count = requested ?? Self.defaultCount(layerCount: layerCount)
            guard let drift else { preconditionFailure("LayerSelection.attentionDrift: the per-layer drift is required") }
            precondition(
                drift.count == layerCount,
                "LayerSelection.attentionDrift: \(drift.count) drift values for \(layerCount) layers")
            precondition(count >= 0, "LayerSelection.attentionDrift: count \(count) must be non-negative")
            let ranked = (0..<last).sorted { drift[$0] != drift[$1] ? drift[$0] > drift[$1] : $0 < $1 }
            return ranked.prefix(count).sorted() + [last]
        }
    }
}

/// Attention drift per layer (METHODS.md §3): the mean over rows, heads and query positions of
/// `KL(A_teacher ‖ A_student)` between two models' attention distributions on the same texts.
public enum AttentionDrift {
    /// The drift of each layer between `teacher` and `student`, both run on `batches` at
    /// positions `0..<n` with their own RoPE, without gradients.
    public static func perLayer(teacher: LlamaForCausalLM, student: LlamaForCausalLM, batches: [TokenBatch]) -> [Double] {
        precondition(!batches.isEmpty, "AttentionDrift.perLayer: no batches")
        precondition(
            teacher.model.layers.count == student.model.layers.count,
            "AttentionDrift.perLayer: teacher has \(teacher.model.layers.count) layers, student \(student.model.layers.count)")
        var total = [Double](repeating: 0, count: teacher.model.layers.count)
        var rows = 0
        // One text at a time: the probabilities are materialised, (H, T, T) per layer.
        for batch in batches {
            for row in 0..<batch.batchSize {
                let ids = Array(batch.row(row).inputs)
                let (a, b) = withNoGrad {
                    (teacher(ids, outputAttentions: true, lastPositionOnly: true).attentions,
                     student(ids, outputAttentions: true, lastPositionOnly: true).attentions)
                }
                for layer in total.indices { total[layer] += klDivergence(teacher: a[layer], student: b[layer]) }
                rows += 1
            }
        }
        return total.map { $0 / Double(rows) }
    }

    /// The drift of each layer between `model` with its own RoPE and the same weights with
    /// `rescaled` RoPE (the model's `rotary` is swapped for the measurement and restored).
    public static func perLayer(model: LlamaForCausalLM, rescaled: RotaryFrequencies, batches: [TokenBatch]) -> [Double] {
        precondition(!batches.isEmpty, "AttentionDrift.perLayer: no batches")
        let original = model.rotary
        defer { model.rotary = original }
        var total = [Double](repeating: 0, count: model.model.layers.count)
        var rows = 0
        for batch in batches {
            for row in 0..<batch.batchSize {
                let ids = Array(batch.row(row).inputs)
                model.rotary = original
                let a = withNoGrad { model(ids, outputAttentions: true, lastPositionOnly: true).attentions }
                model.rotary = rescaled
                let b = withNoGrad { model(ids, outputAttentions: true, lastPositionOnly: true).attentions }
                for layer in total.indices { total[layer] += klDivergence(teacher: a[layer], student: b[layer]) }
                rows += 1
            }
        }
        return total.map { $0 / Double(rows) }
    }

    /// `KL(P ‖ Q)` for attention probabilities of shape (B, H, Tq, Tk): the sum over keys,
    /// then the mean over rows, heads and queries. Masked keys have probability 0 in both,
    /// and only keys with `p > 0` count (`0 · log(0 / q) = 0`); a `q` that underflowed to 0
    /// where `p > 0` is floored at `Float.leastNormalMagnitude` to keep the result finite.
    public static func klDivergence(teacher p: Tensor, student q: Tensor) -> Double {
        precondition(
            p.shape == q.shape && p.rank == 4,
            "AttentionDrift.klDivergence: shapes \(p.shape) and \(q.shape) must be equal (B, H, Tq, Tk)")
        let keys = p.shape[3]
        let distributions = p.count / max(keys, 1)
        guard distributions > 0 else { return 0 }
        var total = 0.0
        p.withUnsafeBufferPointer { pp in
            q.withUnsafeBufferPointer { qq in
                for d in 0..<distributions {
                    var kl = 0.0
                    for k in (d * keys)..<((d + 1) * keys) where pp[k] > 0 {
                        let pk = Double(pp[k])
                        let qk = Double(max(qq[k], Float.leastNormalMagnitude))
                        kl += pk * (Foundation.log(pk) - Foundation.log(qk))
                    }
                    total += kl
                }
            }
        }
        return total / Double(distributions)
    }
}
