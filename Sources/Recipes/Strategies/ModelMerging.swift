/// Model merging (METHODS.md §4): after training, every student parameter becomes
/// `(1 − w) · original + w · extended`, matched by name. The student keeps its RoPE.
///
/// With `w = 0` the result is exactly the original weights, with `w = 1` exactly the trained
/// ones. Adapters must already be folded in (compose it after ``LoRA``).
public final class ModelMerging: TrainingStrategy {
    /// `w`, the weight of the trained (extended) model.
    public let weight: Double

    public init(weight: Double = 0.5) {
        precondition((0...1).contains(weight), "ModelMerging: weight \(weight) must lie in [0, 1]")
        self.weight = weight
    }

    public var name: String { "merging" }
    public var needsOriginalModel: Bool { true }

    public func finish(_ context: TrainingContext) throws {
        guard let original = context.original else { throw StrategyError.missingOriginalModel(strategy: name) }
        let reference = Dictionary(original.namedParameters(), uniquingKeysWith: { first, _ in first })
        let pairs = try context.student.namedParameters().map { name, parameter in
            guard let base = reference[name], base.shape == parameter.shape else {
                throw StrategyError.parameterMismatch(strategy: self.name, parameter: name)
            }
            return (parameter, base)
        }
        let w = Float(weight)
        let keep = Float(1 - weight)
        for (parameter, base) in pairs {
            parameter.withUnsafeMutableBufferPointer { p in
                base.withUnsafeBufferPointer { o in
                    for i in 0..<p.count { p[i] = keep * o[i] + w * p[i] }
                }
            }
        }
        context.note("merging/weight", "\(weight)")
    }
}
