import Dispatch
import Foundation
import Kernels
#if arch(x86_64)
import KernelsAVX512
#endif

/// Which clock ``medianTime(minTime:minRuns:maxRuns:_:)`` reads for the run times.
nonisolated(unsafe) var useThreadCPUClock = false

/// Monotonic wall-clock seconds.
func now() -> Double {
    Double(DispatchTime.now().uptimeNanoseconds) * 1e-9
}

/// Seconds of CPU time consumed by the calling thread.
func threadCPUTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// Median of the run times of `body`: repeats until `minTime` seconds have been spent
/// (at least `minRuns`, at most `maxRuns` runs) after one untimed warm-up.
func medianTime(minTime: Double, minRuns: Int = 3, maxRuns: Int = 200, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    let start = now()
    while times.count < minRuns || (now() - start < minTime && times.count < maxRuns) {
        let clock = useThreadCPUClock ? threadCPUTime : now
        let t0 = clock()
        body()
        times.append(clock() - t0)
    }
    times.sort()
    let mid = times.count / 2
    return times.count % 2 == 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2
}

/// Twelve independent SIMD8 FMA chains: more than latency (4) x pipes (2) needs, so
/// the loop runs at the core's FMA throughput. 192 flops per iteration.
@inline(never)
func fmaLoop(iterations: Int) -> Float {
    let x = SIMD8<Float>(repeating: 0.999_9)
    var a0 = SIMD8<Float>(repeating: 0.1), a1 = SIMD8<Float>(repeating: 0.2)
    var a2 = SIMD8<Float>(repeating: 0.3), a3 = SIMD8<Float>(repeating: 0.4)
    var a4 = SIMD8<Float>(repeating: 0.5), a5 = SIMD8<Float>(repeating: 0.6)
    var a6 = SIMD8<Float>(repeating: 0.7), a7 = SIMD8<Float>(repeating: 0.8)
    var a8 = SIMD8<Float>(repeating: 0.9), a9 = SIMD8<Float>(repeating: 1.0)
    var a10 = SIMD8<Float>(repeating: 1.1), a11 = SIMD8<Float>(repeating: 1.2)
    let y = SIMD8<Float>(repeating: 1e-4)
    for _ in 0..<iterations {
        a0 = fusedMultiplyAdd(y, a0, x); a1 = fusedMultiplyAdd(y, a1, x)
        a2 = fusedMultiplyAdd(y, a2, x); a3 = fusedMultiplyAdd(y, a3, x)
        a4 = fusedMultiplyAdd(y, a4, x); a5 = fusedMultiplyAdd(y, a5, x)
        a6 = fusedMultiplyAdd(y, a6, x); a7 = fusedMultiplyAdd(y, a7, x)
        a8 = fusedMultiplyAdd(y, a8, x); a9 = fusedMultiplyAdd(y, a9, x)
        a10 = fusedMultiplyAdd(y, a10, x); a11 = fusedMultiplyAdd(y, a11, x)
    }
    let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
    return sum.sum()
}

/// The FMA loop at the vector width the GEMM kernel uses, and its flops per iteration.
func peakLoop(iterations: Int) -> (sum: Float, flopsPerIteration: Int) {
    #if arch(x86_64)
    if CPUFeatures.instructionSet == "avx512" { return (fmaLoop512(iterations: iterations), 384) }
    #endif
    return (fmaLoop(iterations: iterations), 192)
}

/// Measured fp32 FMA peak in GFLOPS with `threads` threads each running ``fmaLoop``
/// (best of `trials`). Each thread's rate uses its own CPU clock, so time the thread
/// spent preempted by other processes does not count: on a shared machine this is
/// still the cores' throughput, not whatever share of them the run happened to get.
func measureFMAPeak(threads: Int, trials: Int = 5) -> Double {
    let iterations = 20_000_000
    var best = 0.0
    for _ in 0..<trials {
        let rates = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { rates.deallocate() }
        DispatchQueue.concurrentPerform(iterations: threads) { i in
            let t0 = threadCPUTime()
            let (sum, flopsPerIteration) = peakLoop(iterations: iterations)
            let elapsed = threadCPUTime() - t0
            rates[i] = Double(iterations * flopsPerIteration) / elapsed * 1e-9
            if sum == 0 { rates[i] = 0 }  // keeps the loop's result live
        }
        best = max(best, (0..<threads).reduce(0.0) { $0 + rates[$1] })
    }
    return best
}
