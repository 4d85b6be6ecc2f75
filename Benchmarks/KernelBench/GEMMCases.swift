import Kernels

/// GEMM cases: square sizes, and every linear-layer product of one training step of
/// two small Llamas (768 tokens = batch 12 x seq 64): forward Y = X·Wᵀ, and
/// backward dX = dY·W and dW = dYᵀ·X, for W of shape out x in.
func gemmCases() -> [BenchmarkCase] {
    var cases = [256, 512, 1024, 2048].map {
        sgemmCase(kernel: "sgemm", transposeA: false, transposeB: false, m: $0, n: $0, k: $0)
    }
    let tokens = 768
    let models: [(name: String, layers: [(name: String, out: Int, in: Int)])] = [
        ("llama288", [("attn", 288, 288), ("ffn_up", 768, 288), ("ffn_down", 288, 768), ("logits", 32000, 288)]),
        ("llama128", [("attn", 128, 128), ("ffn_up", 352, 128), ("ffn_down", 128, 352), ("logits", 65, 128)]),
    ]
    for model in models {
        for layer in model.layers {
            let prefix = "sgemm.\(model.name).\(layer.name)"
            cases.append(sgemmCase(
                kernel: prefix + ".fwd", transposeA: false, transposeB: true, m: tokens, n: layer.out, k: layer.in))
            cases.append(sgemmCase(
                kernel: prefix + ".dx", transposeA: false, transposeB: false, m: tokens, n: layer.in, k: layer.out))
            cases.append(sgemmCase(
                kernel: prefix + ".dw", transposeA: true, transposeB: false, m: layer.out, n: layer.in, k: tokens))
        }
    }
    // Odd and degenerate shapes: must stay correct and not fall off a cliff.
    for (m, n, k) in [(127, 129, 131), (1, 4096, 1024), (4096, 1, 1024), (1024, 1024, 1)] {
        cases.append(sgemmCase(kernel: "sgemm.odd", transposeA: false, transposeB: false, m: m, n: n, k: k))
    }
    // Attention scores Q·Kᵀ of llama288: 12 sequences x 6 heads, seq 64, head dim 48.
    cases.append(sgemmBatchedCase(kernel: "sgemm_batched.llama288.scores", batch: 72, m: 64, n: 64, k: 48))
    return cases
}

/// `C = op(A)·op(B)` with A, B as stored for the given transposes. The check runs the
/// naive reference on a sample of rows (all columns), which keeps 2048³ cheap.
func sgemmCase(kernel: String, transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int) -> BenchmarkCase {
    BenchmarkCase(kernel: kernel, shape: [m, n, k], work: .flops(2.0 * Double(m * n * k))) {
        let a = BenchArray.random(count: m * k, seed: 1)
        let b = BenchArray.random(count: k * n, seed: 2)
        let c = BenchArray(count: m * n)
        let lda = transposeA ? m : k
        let ldb = transposeB ? k : n
        return BenchmarkInstance(
            run: {
                sgemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    a: a.pointer, lda: lda, b: b.pointer, ldb: ldb, c: c.pointer, ldc: n)
            },
            check: {
                let budget = 1 << 24  // multiply-adds spent on the naive reference
                let sampleRows = max(1, min(m, budget / max(1, n * k)))
                let step = max(1, m / sampleRows)
                let expected = BenchArray(count: n)
                for i in Set(stride(from: 0, to: m, by: step)).union([m - 1]).sorted() {
                    let aRow = transposeA ? a.pointer + i : a.pointer + i * lda
                    Reference.sgemm(
                        transposeA: transposeA, transposeB: transposeB, m: 1, n: n, k: k, alpha: 1,
                        a: aRow, lda: lda, b: b.pointer, ldb: ldb, beta: 0, c: expected.pointer, ldc: n)
                    try expectClose(
                        c.pointer + i * n, expected.pointer, count: n, tolerance: 1e-4,
                        what: "\(kernel) \([m, n, k]) row \(i)")
                }
            })
    }
}

/// A batch of small `C_i = A_i·B_iᵀ` products (contiguous batches).
func sgemmBatchedCase(kernel: String, batch: Int, m: Int, n: Int, k: Int) -> BenchmarkCase {
    BenchmarkCase(kernel: kernel, shape: [batch, m, n, k], work: .flops(2.0 * Double(batch * m * n * k))) {
        let a = BenchArray.random(count: batch * m * k, seed: 3)
        let b = BenchArray.random(count: batch * n * k, seed: 4)
        let c = BenchArray(count: batch * m * n)
        return BenchmarkInstance(
            run: {
                sgemmBatched(
                    transposeA: false, transposeB: true, m: m, n: n, k: k,
                    a: a.pointer, lda: k, strideA: m * k, b: b.pointer, ldb: k, strideB: n * k,
                    c: c.pointer, ldc: n, strideC: m * n, batch: batch)
            },
            check: {
                let expected = BenchArray(count: m * n)
                for i in 0..<batch {
                    Reference.sgemm(
                        transposeA: false, transposeB: true, m: m, n: n, k: k, alpha: 1,
                        a: a.pointer + i * m * k, lda: k, b: b.pointer + i * n * k, ldb: k,
                        beta: 0, c: expected.pointer, ldc: n)
                    try expectClose(
                        c.pointer + i * m * n, expected.pointer, count: m * n, tolerance: 1e-4,
                        what: "\(kernel) batch \(i)")
                }
            })
    }
}
