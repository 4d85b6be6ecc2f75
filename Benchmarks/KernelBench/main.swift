import Foundation
import Kernels

// kernel-bench: checks and times every registered kernel case (see BenchmarkCase.swift).

func fail(_ message: String, status: Int32) -> Never {
    FileHandle.standardError.write(Data("kernel-bench: \(message)\n".utf8))
    exit(status)
}

let options: Options
do {
    guard let parsed = try Options.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(Options.usage)
        exit(0)
    }
    options = parsed
} catch let error as Options.UsageError {
    FileHandle.standardError.write(Data("kernel-bench: \(error.message)\n\n\(Options.usage)\n".utf8))
    exit(2)
}

let cases = registeredCases().filter { benchmark in
    (options.filter.map(benchmark.kernel.contains) ?? true)
        && (options.shape.map { $0 == benchmark.shapeText } ?? true)
}
if cases.isEmpty {
    fail("no case matches --filter '\(options.filter ?? "")' --shape '\(options.shape ?? "")'", status: 2)
}

useThreadCPUClock = options.cpuTime
log("kernels: \(CPUFeatures.instructionSet) (KERNELS_ISA=avx2 keeps to the AVX2 kernels)")
let cores = ProcessInfo.processInfo.activeProcessorCount
let threadCounts = options.threads.isEmpty ? [Parallel.maxThreads] : options.threads
var peaks: [Int: Double] = [:]
if !options.skipPeak {
    for threads in Set(threadCounts.map { min($0, cores) }).union([1, cores]).sorted() {
        peaks[threads] = measureFMAPeak(threads: threads, trials: 5 * options.passes)
    }
    let note = peaks.keys.sorted().map { "\($0) thread\($0 == 1 ? "" : "s"): \(format(peaks[$0]!, 1)) GFLOPS" }
    log("fp32 FMA peak (measured): " + note.joined(separator: ", "))
}

if !options.json { print(BenchmarkResult.tableHeader) }
var results: [BenchmarkResult] = []
for benchmark in cases {
    let instance = benchmark.setup()
    Parallel.maxThreads = threadCounts.max()!
    instance.run()
    do {
        try instance.check()
    } catch {
        fail("CHECK FAILED for \(benchmark.kernel) \(benchmark.shape): \(error)", status: 1)
    }
    for threads in threadCounts {
        Parallel.maxThreads = threads
        var median = Double.infinity
        for _ in 0..<options.passes {
            median = min(median, medianTime(minTime: options.minTime, instance.run))
        }
        let result = BenchmarkResult(
            benchmark: benchmark, threads: threads, median: median, peak: peaks[min(threads, cores)])
        results.append(result)
        if !options.json { print(result.tableRow) } else { log(result.tableRow) }
    }
}
if options.json { print(jsonArray(results)) }
