import Foundation

/// One timed case at one thread count.
struct BenchmarkResult {
    let benchmark: BenchmarkCase
    let threads: Int
    let median: Double
    /// Measured FMA peak (GFLOPS) for this thread count; nil when not measured.
    let peak: Double?

    var gflops: Double? {
        if case .flops(let flops) = benchmark.work { return flops / median * 1e-9 }
        return nil
    }

    var gigabytesPerSecond: Double? {
        if case .bytes(let bytes) = benchmark.work { return bytes / median * 1e-9 }
        return nil
    }

    var fractionOfPeak: Double? {
        guard let gflops, let peak else { return nil }
        return gflops / peak
    }

    static let tableHeader = pad("kernel", 34) + pad("shape", 20) + pad("threads", 8, right: true)
        + pad("median", 12, right: true) + pad("rate", 16, right: true) + pad("of peak", 9, right: true)

    var tableRow: String {
        let rate = gflops.map { format($0, 1) + " GFLOPS" } ?? gigabytesPerSecond.map { format($0, 1) + " GB/s" }!
        let fraction = fractionOfPeak.map { format($0 * 100, 1) + "%" } ?? "-"
        return pad(benchmark.kernel, 34)
            + pad(benchmark.shapeText, 20)
            + pad(String(threads), 8, right: true)
            + pad(formatTime(median), 12, right: true) + pad(rate, 16, right: true)
            + pad(fraction, 9, right: true)
    }

    var json: String {
        func number(_ x: Double?) -> String { x.map { String($0) } ?? "null" }
        return "{\"kernel\": \"\(benchmark.kernel)\", \"shape\": [\(benchmark.shape.map(String.init).joined(separator: ", "))], "
            + "\"threads\": \(threads), \"median_s\": \(median), \"gflops\": \(number(gflops)), "
            + "\"gbps\": \(number(gigabytesPerSecond)), \"fraction_of_peak\": \(number(fractionOfPeak))}"
    }
}

func jsonArray(_ results: [BenchmarkResult]) -> String {
    "[\n" + results.map { "  " + $0.json }.joined(separator: ",\n") + "\n]"
}

/// Progress and notes go to stderr so `--json` output stays machine-readable.
func log(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

func format(_ x: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", x)
}

func formatTime(_ seconds: Double) -> String {
    if seconds >= 1 { return format(seconds, 3) + " s" }
    if seconds >= 1e-3 { return format(seconds * 1e3, 3) + " ms" }
    return format(seconds * 1e6, 1) + " us"
}

func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}
