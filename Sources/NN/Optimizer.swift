/// Updates parameters from their accumulated gradients.
///
/// An optimizer is built on named parameters (usually from ``Module/namedParameters()``) and
/// keeps per-parameter state keyed by those names, so its state can be saved next to the model
/// and restored into a new optimizer built on a freshly loaded model. Parameters whose `grad`
/// is nil or that are frozen (`requiresGrad == false`) are skipped by ``step()``.
///
/// The usual loop, with gradient accumulation over micro-batches:
///
///     optimizer.learningRate = schedule.learningRate(atStep: step)
///     let loss = accumulateGradients(microBatches: 4) { i in lossOf(microBatch(i)) }
///     clipGradientNorm(model.trainableParameters(), maxNorm: 1)
///     optimizer.step()
///     optimizer.zeroGrad()
public protocol Optimizer: AnyObject {
    /// The learning rate of the next ``step()``; set it before each step to follow a schedule.
    var learningRate: Float { get set }
    /// Applies one update to every parameter that has a gradient.
    func step()
    /// Drops the gradients of the optimizer's parameters (`grad = nil`).
    func zeroGrad()
    /// A snapshot (copies) of the optimizer's state: per-parameter tensors and scalars.
    func stateDictionary() -> OptimizerState
    /// Replaces the optimizer's state by `state` (copied), as saved by ``stateDictionary()``.
    /// - Throws: ``OptimizerStateError`` naming the parameter or field that does not fit.
    func loadState(_ state: OptimizerState) throws
}
