import Kernels

extension Tensor {
    /// RMS normalisation over the last axis with a learned scale (Llama's RMSNorm):
    /// `x / sqrt(mean(x²) + ε) * weight`. Fused kernel; the backward reuses the saved 1/RMS.
    public static func rmsNorm(_ x: Tensor, weight: Tensor, epsilon: Float) -> Tensor {
        let cols = x.shape.last ?? 0
        precondition(
            weight.shape == [cols],
            "rmsNorm: weight of shape \(weight.shape) does not match the last axis of input shape \(x.shape)")
        let rows = cols == 0 ? 0 : x.count / cols
        let out = Tensor(uninitializedShape: x.shape)
        let rstd = Tensor(uninitializedShape: [rows])
        rmsNormForward(
            x: x.storage.pointer, weight: weight.storage.pointer, y: out.storage.pointer,
            rstd: rstd.storage.pointer, rows: rows, cols: cols, epsilon: epsilon)
        return out.recording([x, weight]) { g in
            let dx = Tensor(uninitializedShape: x.shape)
            let dweight = weight.requiresGrad ? Tensor.zeros([cols]) : nil
            rmsNormBackward(
                x: x.storage.pointer, weight: weight.storage.pointer, rstd: rstd.storage.pointer,
                dy: g.storage.pointer, dx: dx.storage.pointer, dweight: dweight?.storage.pointer,
                rows: rows, cols: cols)
            return [dx, dweight]
        }
    }
}
