import Kernels

extension Tensor {
    /// `silu(gate) * up`, fused (the gated activation of Llama's MLP).
    public static func swiGLU(gate: Tensor, up: Tensor) -> Tensor {
        precondition(gate.shape == up.shape, "swiGLU: gate shape \(gate.shape) vs up shape \(up.shape)")
        let out = Tensor(uninitializedShape: gate.shape)
        swiGLUForward(gate: gate.storage.pointer, up: up.storage.pointer, y: out.storage.pointer, count: out.count)
        return out.recording([gate, up]) { g in
            let dgate = Tensor(uninitializedShape: gate.shape)
            let dup = Tensor(uninitializedShape: up.shape)
            swiGLUBackward(
                gate: gate.storage.pointer, up: up.storage.pointer, dy: g.storage.pointer,
                dgate: dgate.storage.pointer, dup: dup.storage.pointer, count: gate.count)
            return [dgate, dup]
        }
    }
}
