import Kernels

/// Shared helpers for the fused-kernel tests (deterministic data, error measures, thread control).
enum FusedCheck {
    /// Deterministic uniform floats in `range` (SplitMix64).
    static func random(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -1...1) -> [Float] {
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            let unit = Float(z >> 40) / Float(1 << 24)
            return range.lowerBound + (range.upperBound - range.lowerBound) * unit
        }
    }

    /// Largest `|a - b| / (atol + rtol * |b|)`; at most 1 means every element is within tolerance.
    static func worstRatio(_ a: [Float], _ b: [Float], atol: Float, rtol: Float) -> Float {
        precondition(a.count == b.count)
        var worst: Float = 0
        for i in a.indices {
            if a[i].isNaN != b[i].isNaN { return .infinity }
            if a[i].isNaN || a[i] == b[i] { continue }
            worst = max(worst, abs(a[i] - b[i]) / (atol + rtol * abs(b[i])))
        }
        return worst
    }

    /// True when the two arrays hold identical bit patterns.
    static func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    /// Runs `body` once with one thread and once with two, returning both results.
    static func oneAndTwoThreads<T>(_ body: () -> T) -> (T, T) {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        Parallel.maxThreads = 1
        let one = body()
        Parallel.maxThreads = 2
        let two = body()
        return (one, two)
    }

    /// Error of `approx` against the exact value in units of the last place of the correctly
    /// rounded result (subnormal spacing below the normal range).
    static func ulpError(_ approx: Float, exact: Double) -> Double {
        if exact.isNaN { return approx.isNaN ? 0 : .infinity }
        let rounded = Float(exact)
        if rounded.isInfinite { return approx == rounded ? 0 : .infinity }
        if approx.isInfinite || approx.isNaN { return .infinity }
        let spacing = Double(max(abs(rounded).ulp, Float.leastNonzeroMagnitude))
        return abs(Double(approx) - exact) / spacing
    }
}
