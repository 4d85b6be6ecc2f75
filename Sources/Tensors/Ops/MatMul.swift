import Kernels

extension Tensor {
    /// Batched matrix product over the last two axes: `op(a) · op(b)` where `op` transposes
    /// the last two axes when asked. Leading (batch) axes must match, or one operand may be
    /// a plain matrix shared by every batch element (`x · Wᵀ` with `x` of shape `(B, T, C)`).
    public static func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
        precondition(
            a.rank >= 2 && b.rank >= 2,
            "matmul: operands need at least 2 axes, got shapes \(a.shape) and \(b.shape)")
        let m = transposeA ? a.shape[a.rank - 1] : a.shape[a.rank - 2]
        let k = transposeA ? a.shape[a.rank - 2] : a.shape[a.rank - 1]
        let kb = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        precondition(
            k == kb,
            "matmul: inner dimensions differ (\(k) vs \(kb)) for shapes \(a.shape)\(transposeA ? "ᵀ" : "") and \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
        precondition(
            batchA == batchB || batchA.isEmpty || batchB.isEmpty,
            "matmul: batch axes \(batchA) and \(batchB) differ for shapes \(a.shape) and \(b.shape)")
        let batchShape = batchA.isEmpty ? batchB : batchA
        let batch = Shape.count(batchShape)
        let out = Tensor(uninitializedShape: batchShape + [m, n])
        if batchB.isEmpty && !transposeA {
            // A shared right operand (x · Wᵀ over a batch of sequences): the batch rows of A
            // are consecutive, so one GEMM with batch·m rows packs W once and keeps the
            // micro-kernel's tiles full.
            sgemm(
                transposeA: false, transposeB: transposeB, m: batch * m, n: n, k: k,
                a: a.storage.pointer, lda: k, b: b.storage.pointer, ldb: b.shape[b.rank - 1],
                c: out.storage.pointer, ldc: n)
        } else {
            sgemmBatched(
                transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                a: a.storage.pointer, lda: a.shape[a.rank - 1], strideA: batchA.isEmpty ? 0 : m * k,
                b: b.storage.pointer, ldb: b.shape[b.rank - 1], strideB: batchB.isEmpty ? 0 : k * n,
                c: out.storage.pointer, ldc: n, strideC: m * n, batch: batch)
        }
        return out.recording([a, b]) { g in
            // d op(A) = G · op(B)ᵀ,  d op(B) = op(A)ᵀ · G; a shared matrix sums over the batch.
            var ga: Tensor?
            var gb: Tensor?
            if a.requiresGrad {
                ga = transposeA
                    ? matmulSummingBatch(b, g, transposeA: transposeB, transposeB: true, keepBatch: !batchA.isEmpty)
                    : matmulSummingBatch(g, b, transposeA: false, transposeB: !transposeB, keepBatch: !batchA.isEmpty)
                ga = ga!.reshaped(a.shape)
            }
            if b.requiresGrad {
                gb = transposeB
                    ? matmulSummingBatch(g, a, transposeA: true, transposeB: transposeA, keepBatch: !batchB.isEmpty)
                    : matmulSummingBatch(a, g, transposeA: !transposeA, transposeB: false, keepBatch: !batchB.isEmpty)
                gb = gb!.reshaped(b.shape)
            }
            return [ga, gb]
        }
    }

    /// `matmul`, then (when the result's operand was a shared matrix) a sum over the batch.
    /// When both inputs are batched and the output is shared, folding the batch into the
    /// row dimension turns the sum into one larger GEMM.
    private static func matmulSummingBatch(_ x: Tensor, _ y: Tensor, transposeA: Bool, transposeB: Bool, keepBatch: Bool) -> Tensor {
        if keepBatch || (x.rank == 2 && y.rank == 2) {
            return matmul(x, y, transposeA: transposeA, transposeB: transposeB)
        }
        // Σ_b op(X_b) · op(Y_b): when both are (…, r, c) and the reduction runs over the
        // row axis of X and Y (Xᵀ·Y), stacking the batch rows gives the sum directly.
        if x.rank > 2 && y.rank > 2 && transposeA && !transposeB {
            let xs = x.reshaped([-1, x.shape[x.rank - 1]])
            let ys = y.reshaped([-1, y.shape[y.rank - 1]])
            return matmul(xs, ys, transposeA: true, transposeB: false)
        }
        if x.rank > 2 && y.rank > 2 && !transposeA && transposeB {
            // X·Yᵀ summed over batch = (Xᵀ-stacked)…: transpose the problem: (Y·Xᵀ)ᵀ.
            let xs = x.permuted(Array(0..<(x.rank - 2)) + [x.rank - 1, x.rank - 2]).reshaped([-1, x.shape[x.rank - 2]])
            let ys = y.permuted(Array(0..<(y.rank - 2)) + [y.rank - 1, y.rank - 2]).reshaped([-1, y.shape[y.rank - 2]])
            return matmul(xs, ys, transposeA: true, transposeB: false)
        }
        let product = matmul(x, y, transposeA: transposeA, transposeB: transposeB)
        return product.sum(alongAxes: Array(0..<(product.rank - 2)))
    }
}
