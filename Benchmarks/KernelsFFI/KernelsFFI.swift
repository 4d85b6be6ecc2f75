// C-callable entry points into Kernels, for timing them call by call against NumPy and
// PyTorch in one Python process (Benchmarks/compare_numpy_torch.py --library). Built as
// a shared library by `swift build -c release --product KernelsFFI`; nothing in the
// framework uses it.
import Kernels

/// `C = op(A) · op(B)`, row-major, as ``sgemm(transposeA:transposeB:m:n:k:alpha:a:lda:b:ldb:beta:c:ldc:)``.
@_cdecl("kernels_sgemm")
public func kernelsSgemm(
    _ transposeA: Int32, _ transposeB: Int32, _ m: Int, _ n: Int, _ k: Int,
    _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int
) {
    sgemm(
        transposeA: transposeA != 0, transposeB: transposeB != 0, m: m, n: n, k: k,
        a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
}

/// Sets ``Parallel/maxThreads``.
@_cdecl("kernels_set_threads")
public func kernelsSetThreads(_ threads: Int) {
    Parallel.maxThreads = max(1, threads)
}
