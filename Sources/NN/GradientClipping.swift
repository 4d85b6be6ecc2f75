import Kernels

/// Scales the gradients of `parameters` in place so that their global L2 norm (over all
/// gradients together) is at most `maxNorm`, like `torch.nn.utils.clip_grad_norm_`.
///
/// The norm is accumulated in `Double`. When it exceeds `maxNorm`, every gradient is multiplied
/// by `maxNorm / (norm + 1e-6)`. Parameters without a gradient are ignored. A non-finite norm
/// leaves the gradients untouched, so the caller can detect it and skip the step.
///
/// - Returns: the global norm before clipping.
@discardableResult
public func clipGradientNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    precondition(maxNorm > 0, "clipGradientNorm: maxNorm \(maxNorm) must be positive")
    var grads: [Tensor] = []
    var seen: Set<ObjectIdentifier> = []
    for parameter in parameters {
        guard let grad = parameter.grad, seen.insert(ObjectIdentifier(grad)).inserted else { continue }
        grads.append(grad)
    }
    var sumOfSquaresTotal = 0.0
    for grad in grads {
        sumOfSquaresTotal += sumOfSquares(grad.storage.pointer, count: grad.count)
    }
    let norm = sumOfSquaresTotal.squareRoot()
    guard norm.isFinite else { return Float(norm) }
    let coefficient = Double(maxNorm) / (norm + 1e-6)
    if coefficient < 1 {
        for grad in grads {
            scaleAdd(alpha: Float(coefficient), grad.storage.pointer, beta: 0, grad.storage.pointer, count: grad.count)
        }
    }
    return Float(norm)
}
