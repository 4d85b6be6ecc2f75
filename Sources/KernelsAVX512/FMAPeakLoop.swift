#if arch(x86_64)

/// Whether this module was compiled for AVX-512 (x86-64-v4, see Package.swift). Without it
/// the code here is correct but slow, and Kernels does not use it.
#if KERNELS_AVX512
package let compiledForAVX512 = true
#else
package let compiledForAVX512 = false
#endif

/// Twelve independent 512-bit FMA chains, the zmm counterpart of kernel-bench's AVX2
/// peak loop: its rate is the core's fp32 FMA throughput when the kernels use AVX-512.
/// 384 flops per iteration.
@inline(never)
package func fmaLoop512(iterations: Int) -> Float {
    let x = SIMD16<Float>(repeating: 0.999_9)
    let y = SIMD16<Float>(repeating: 1e-4)
    var a0 = SIMD16<Float>(repeating: 0.1), a1 = SIMD16<Float>(repeating: 0.2)
    var a2 = SIMD16<Float>(repeating: 0.3), a3 = SIMD16<Float>(repeating: 0.4)
    var a4 = SIMD16<Float>(repeating: 0.5), a5 = SIMD16<Float>(repeating: 0.6)
    var a6 = SIMD16<Float>(repeating: 0.7), a7 = SIMD16<Float>(repeating: 0.8)
    var a8 = SIMD16<Float>(repeating: 0.9), a9 = SIMD16<Float>(repeating: 1.0)
    var a10 = SIMD16<Float>(repeating: 1.1), a11 = SIMD16<Float>(repeating: 1.2)
    for _ in 0..<iterations {
        a0 = y.addingProduct(a0, x); a1 = y.addingProduct(a1, x)
        a2 = y.addingProduct(a2, x); a3 = y.addingProduct(a3, x)
        a4 = y.addingProduct(a4, x); a5 = y.addingProduct(a5, x)
        a6 = y.addingProduct(a6, x); a7 = y.addingProduct(a7, x)
        a8 = y.addingProduct(a8, x); a9 = y.addingProduct(a9, x)
        a10 = y.addingProduct(a10, x); a11 = y.addingProduct(a11, x)
    }
    let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
    return sum.sum()
}

#endif
