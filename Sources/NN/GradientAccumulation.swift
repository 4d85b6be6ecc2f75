/// Accumulates the gradient of a batch split into `microBatches` equal parts.
///
/// Gradients add up across `backward()` calls, so running each micro-batch's backward with
/// its loss scaled by `1 / microBatches` leaves in every `grad` the gradient of the mean loss
/// over the whole batch (when each micro-batch loss is itself a mean over equally many
/// items). Each micro-batch's graph is released after its backward, so peak memory is that of
/// one micro-batch. Clear the gradients (``Optimizer/zeroGrad()``) before the first call of a
/// step; this function adds to whatever is there.
///
/// - Parameter loss: computes the (unscaled, scalar) loss of micro-batch `index`.
/// - Returns: the mean of the micro-batch losses, i.e. the full-batch loss.
@discardableResult
public func accumulateGradients(microBatches: Int, _ loss: (_ index: Int) throws -> Tensor) rethrows -> Float {
    precondition(microBatches > 0, "accumulateGradients: microBatches \(microBatches) must be positive")
    var total = 0.0
    let scale = 1 / Float(microBatches)
    for index in 0..<microBatches {
        let value = try loss(index)
        precondition(value.count == 1, "accumulateGradients: loss of micro-batch \(index) has shape \(value.shape), not a scalar")
        total += Double(value.item)
        (value * scale).backward()
    }
    return Float(total / Double(microBatches))
}
