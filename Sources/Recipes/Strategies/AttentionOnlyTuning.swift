/// Attention-only tuning (METHODS.md §4): only the attention projections (`q_proj`, `k_proj`,
/// `v_proj`, `o_proj`, weights and biases) train; embeddings, norms, MLPs and the LM head are
/// frozen in the start hook. It adds no loss: compose it with an objective (`cpt`, `longred-c`).
public final class AttentionOnlyTuning: TrainingStrategy {
    public init() {}

    public var name: String { "attention-only" }

    /// Whether parameter `name` is one of the attention projections.
    public static func isAttentionProjection(_ name: String) -> Bool {
        let parts = name.split(separator: ".")
        guard parts.count >= 3, parts[parts.count - 3] == "self_attn" else { return false }
        return ["q_proj", "k_proj", "v_proj", "o_proj"].contains(parts[parts.count - 2])
    }

    public func start(_ context: TrainingContext) throws {
        context.student.freeze { !Self.isAttentionProjection($0) }
        context.note("attention-only/trainable_parameters", "\(context.student.trainableParameterCount)")
    }
}
