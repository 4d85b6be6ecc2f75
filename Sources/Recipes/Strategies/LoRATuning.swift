/// LoRA fine-tuning (METHODS.md §4): the start hook freezes every base parameter and attaches
/// fresh adapters (``LoRAAdapter``: `B = 0`, so training starts from the unchanged model) to the
/// attention projections, and optionally to the MLP projections; the finish hook folds them
/// into the base weights (`W += (alpha/r) · B A`) and removes them, so the saved model is a
/// plain checkpoint. Adapter parameters are named `<projection>.lora_a` / `<projection>.lora_b`
/// (`model.layers.0.self_attn.q_proj.lora_a`). It adds no loss: compose it with an objective
/// (`longred-c+lora`).
public final class LoRA: TrainingStrategy {
    /// Which projections get adapters.
    public enum Targets: String, CaseIterable, Sendable {
        /// `q_proj`, `k_proj`, `v_proj`, `o_proj`.
        case attention
        /// The attention projections plus `gate_proj`, `up_proj`, `down_proj`.
        case attentionAndMLP = "attention+mlp"
    }

    /// The adapters' rank `r`.
    public let rank: Int
    /// The adapters' `alpha` (the update is scaled by `alpha / r`).
    public let alpha: Double
    /// Which projections get adapters.
    public let targets: Targets

    /// - Parameters: see the properties; the defaults are PEFT-style `r = 8`, `alpha = 16`.
    public init(rank: Int = 8, alpha: Double = 16, targets: Targets = .attention) {
        precondition(rank > 0, "LoRA: rank \(rank) must be positive")
        self.rank = rank
        self.alpha = alpha
        self.targets = targets
    }

    public var name: String { "lora" }

    /// The projections of `model` that ``targets`` selects.
    public func targetLayers(of model: LlamaForCausalLM) -> [Linear] {
        model.model.layers.flatMap { layer -> [Linear] in
            let attention = layer.selfAttn
            var result = [attention.qProj, attention.kProj, attention.vProj, attention.oProj]
            if targets == .attentionAndMLP { result += [layer.mlp.gateProj, layer.mlp.upProj, layer.mlp.downProj] }
            return result
        }
    }

    public func start(_ context: TrainingContext) throws {
        context.student.freeze()
        for linear in targetLayers(of: context.student) {
            linear.addAdapter(rank: rank, alpha: Float(alpha), generator: &context.generator)
        }
        context.note("lora/trainable_parameters", "\(context.student.trainableParameterCount)")
    }

    public func finish(_ context: TrainingContext) throws {
        for linear in targetLayers(of: context.student) { linear.mergeAdapter() }
    }
}
