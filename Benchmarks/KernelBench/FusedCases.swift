import Kernels

/// Row-wise fused kernels over a 1024 x 1024 matrix (rows of a batch of activations or
/// logits). Memory-bound, so the rate is bytes read plus written per run.
func fusedCases() -> [BenchmarkCase] {
    let rows = 1024, cols = 1024, n = rows * cols
    let bytes = { (floats: Int) in BenchmarkCase.Work.bytes(Double(floats * 4)) }
    return [
        BenchmarkCase(kernel: "softmax", shape: [rows, cols], work: bytes(2 * n)) {
            let x = BenchArray.random(count: n, seed: 1), y = BenchArray(count: n)
            return BenchmarkInstance(
                run: { softmaxRows(x.pointer, y.pointer, rows: rows, cols: cols) },
                check: {
                    let expected = BenchArray(count: n)
                    Reference.softmaxRows(x.pointer, expected.pointer, rows: rows, cols: cols)
                    try expectClose(y, expected, tolerance: 1e-6, what: "softmax")
                })
        },
        BenchmarkCase(kernel: "log_softmax", shape: [rows, cols], work: bytes(2 * n)) {
            let x = BenchArray.random(count: n, seed: 2), y = BenchArray(count: n)
            return BenchmarkInstance(
                run: { logSoftmaxRows(x.pointer, y.pointer, rows: rows, cols: cols) },
                check: {
                    let expected = BenchArray(count: n)
                    Reference.logSoftmaxRows(x.pointer, expected.pointer, rows: rows, cols: cols)
                    try expectClose(y, expected, tolerance: 1e-5, what: "log_softmax")
                })
        },
        BenchmarkCase(kernel: "rmsnorm.fwd", shape: [rows, cols], work: bytes(2 * n)) {
            let x = BenchArray.random(count: n, seed: 3), w = BenchArray.random(count: cols, seed: 4)
            let y = BenchArray(count: n), rstd = BenchArray(count: rows)
            return BenchmarkInstance(
                run: { rmsNormForward(x: x.pointer, weight: w.pointer, y: y.pointer, rstd: rstd.pointer, rows: rows, cols: cols, epsilon: 1e-5) },
                check: {
                    let expected = BenchArray(count: n), expectedRstd = BenchArray(count: rows)
                    Reference.rmsNormForward(x: x.pointer, weight: w.pointer, y: expected.pointer, rstd: expectedRstd.pointer, rows: rows, cols: cols, epsilon: 1e-5)
                    try expectClose(y, expected, tolerance: 1e-5, what: "rmsnorm.fwd")
                })
        },
        BenchmarkCase(kernel: "rmsnorm.bwd", shape: [rows, cols], work: bytes(3 * n)) {
            let x = BenchArray.random(count: n, seed: 5), w = BenchArray.random(count: cols, seed: 6)
            let dy = BenchArray.random(count: n, seed: 7), y = BenchArray(count: n), rstd = BenchArray(count: rows)
            rmsNormForward(x: x.pointer, weight: w.pointer, y: y.pointer, rstd: rstd.pointer, rows: rows, cols: cols, epsilon: 1e-5)
            let dx = BenchArray(count: n), dw = BenchArray(count: cols)
            return BenchmarkInstance(
                run: { rmsNormBackward(x: x.pointer, weight: w.pointer, rstd: rstd.pointer, dy: dy.pointer, dx: dx.pointer, dweight: nil, rows: rows, cols: cols) },
                check: {
                    let expected = BenchArray(count: n)
                    Reference.rmsNormBackward(x: x.pointer, weight: w.pointer, rstd: rstd.pointer, dy: dy.pointer, dx: expected.pointer, dweight: dw.pointer, rows: rows, cols: cols)
                    try expectClose(dx, expected, tolerance: 1e-4, what: "rmsnorm.bwd")
                })
        },
        BenchmarkCase(kernel: "cross_entropy.fwd", shape: [rows, cols], work: bytes(n)) {
            let logits = BenchArray.random(count: n, seed: 8)
            let targets = (0..<rows).map { Int32(($0 * 7919) % cols) }
            let losses = BenchArray(count: rows), lse = BenchArray(count: rows)
            return BenchmarkInstance(
                run: {
                    targets.withUnsafeBufferPointer { t in
                        crossEntropyForward(logits: logits.pointer, targets: t.baseAddress!, losses: losses.pointer, logSumExp: lse.pointer, rows: rows, vocab: cols, ignoreIndex: -100)
                    }
                },
                check: {
                    let expected = BenchArray(count: rows), expectedLse = BenchArray(count: rows)
                    targets.withUnsafeBufferPointer { t in
                        Reference.crossEntropyForward(logits: logits.pointer, targets: t.baseAddress!, losses: expected.pointer, logSumExp: expectedLse.pointer, rows: rows, vocab: cols, ignoreIndex: -100)
                    }
                    try expectClose(losses, expected, tolerance: 1e-5, what: "cross_entropy.fwd")
                })
        },
        BenchmarkCase(kernel: "cross_entropy.bwd", shape: [rows, cols], work: bytes(2 * n)) {
            let logits = BenchArray.random(count: n, seed: 9)
            let targets = (0..<rows).map { Int32(($0 * 104_729) % cols) }
            let losses = BenchArray(count: rows), lse = BenchArray(count: rows), scale = BenchArray(count: rows)
            scale.pointer.update(repeating: 1 / Float(rows), count: rows)
            targets.withUnsafeBufferPointer { t in
                crossEntropyForward(logits: logits.pointer, targets: t.baseAddress!, losses: losses.pointer, logSumExp: lse.pointer, rows: rows, vocab: cols, ignoreIndex: -100)
            }
            let dlogits = BenchArray(count: n)
            return BenchmarkInstance(
                run: {
                    targets.withUnsafeBufferPointer { t in
                        crossEntropyBackward(logits: logits.pointer, targets: t.baseAddress!, logSumExp: lse.pointer, rowScale: scale.pointer, dlogits: dlogits.pointer, rows: rows, vocab: cols, ignoreIndex: -100)
                    }
                },
                check: {
                    let expected = BenchArray(count: n)
                    targets.withUnsafeBufferPointer { t in
                        Reference.crossEntropyBackward(logits: logits.pointer, targets: t.baseAddress!, logSumExp: lse.pointer, rowScale: scale.pointer, dlogits: expected.pointer, rows: rows, vocab: cols, ignoreIndex: -100)
                    }
                    try expectClose(dlogits, expected, tolerance: 1e-7, what: "cross_entropy.bwd")
                })
        },
        BenchmarkCase(kernel: "swiglu.fwd", shape: [rows, cols], work: bytes(3 * n)) {
            let gate = BenchArray.random(count: n, seed: 10), up = BenchArray.random(count: n, seed: 11), y = BenchArray(count: n)
            return BenchmarkInstance(
                run: { swiGLUForward(gate: gate.pointer, up: up.pointer, y: y.pointer, count: n) },
                check: {
                    let expected = BenchArray(count: n)
                    Reference.swiGLUForward(gate: gate.pointer, up: up.pointer, y: expected.pointer, count: n)
                    try expectClose(y, expected, tolerance: 1e-6, what: "swiglu.fwd")
                })
        },
        BenchmarkCase(kernel: "adamw", shape: [n], work: bytes(7 * n)) {
            let p = BenchArray.random(count: n, seed: 12), g = BenchArray.random(count: n, seed: 13)
            let m = BenchArray(count: n), v = BenchArray(count: n)
            let p0 = BenchArray(count: n)
            p0.pointer.update(from: p.pointer, count: n)
            return BenchmarkInstance(
                run: { adamWUpdate(parameter: p.pointer, gradient: g.pointer, m: m.pointer, v: v.pointer, count: n, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: 1) },
                check: {
                    // One step from zero moments on a fresh copy, compared with the reference.
                    let pr = BenchArray(count: n), mr = BenchArray(count: n), vr = BenchArray(count: n)
                    let pf = BenchArray(count: n), mf = BenchArray(count: n), vf = BenchArray(count: n)
                    pr.pointer.update(from: p0.pointer, count: n)
                    pf.pointer.update(from: p0.pointer, count: n)
                    Reference.adamWUpdate(parameter: pr.pointer, gradient: g.pointer, m: mr.pointer, v: vr.pointer, count: n, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: 1)
                    adamWUpdate(parameter: pf.pointer, gradient: g.pointer, m: mf.pointer, v: vf.pointer, count: n, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1, step: 1)
                    try expectClose(pf, pr, tolerance: 1e-6, what: "adamw")
                })
        },
    ]
}
