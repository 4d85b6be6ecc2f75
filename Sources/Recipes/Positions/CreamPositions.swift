import Foundation
import Tensors

extension PositionSampling {
    /// LongReD-C skipped positions, CREAM's sampler (METHODS.md §3), for a text of `L0` tokens.
    ///
    /// Same head `0 ..< t` and tail `Lt - t ..< Lt` as
    /// ``longRedUniform(originalLength:targetLength:using:)`` (same `t` rule), and a middle
    /// chunk of `c = L0 - 2t` ids whose end is uniform in
    /// `t + (c - 1) * r / 2 ... (r / 2) * L0 - t - 1`, with the interpolation factor `r` from
    /// ``creamInterpolationFactor(factor:using:)``.
    ///
    /// Interpretation, following the authors' public code (RUCAIBox/LongReD,
    /// `train_longred_cream.py`): `h` in METHODS.md is the head length `t`; both bounds are
    /// floored to integers (Python's `int()` and `randint`); `r` is an integer in `2 ... 2f`,
    /// so `r = 2` puts the middle chunk right after the head (ids `0 ..< L0 - t`, then the tail)
    /// and `r = 2f` lets it reach the tail.
    ///
    /// - Precondition: `2 * L0 <= Lt` and `L0 > 8f`.
    public static func cream(
        originalLength: Int, targetLength: Int, using generator: inout RandomGenerator
    ) -> [Int32] {
        let head = skippedHeadLength(originalLength: originalLength, targetLength: targetLength, using: &generator)
        return cream(originalLength: originalLength, targetLength: targetLength, headLength: head, using: &generator)
    }

    /// CREAM with a fixed head length `t`.
    static func cream(
        originalLength: Int, targetLength: Int, headLength head: Int, using generator: inout RandomGenerator
    ) -> [Int32] {
        let r = creamInterpolationFactor(factor: targetLength / originalLength, using: &generator)
        let end = generator.uniformInt(
            in: creamMiddleEndRange(
                originalLength: originalLength, targetLength: targetLength, headLength: head, interpolationFactor: r))
        return skippedPositions(
            originalLength: originalLength, targetLength: targetLength, headLength: head, middleEnd: end)
    }

    /// The range CREAM draws the middle chunk's end from, for head `t` and factor `r`.
    static func creamMiddleEndRange(
        originalLength: Int, targetLength: Int, headLength: Int, interpolationFactor r: Int
    ) -> ClosedRange<Int> {
        precondition(
            2 * originalLength <= targetLength,
            "PositionSampling.cream: targetLength \(targetLength) must be at least 2 * originalLength \(originalLength)")
        let middleLength = originalLength - 2 * headLength
        let lower = headLength + (middleLength - 1) * r / 2
        let upper = r * originalLength / 2 - headLength - 1
        return lower...upper
    }

    /// CREAM's interpolation factor `r` for an extension factor `f`: an integer in `2 ... 2f`.
    ///
    /// `r` is drawn from a Gaussian with mean `1 + f` and standard deviation 5 restricted to
    /// `[2, 2f]` by inverse-CDF sampling on a 1000-point grid, exactly as the authors' code:
    /// `x` = 1000 evenly spaced points from 2 to `2f`, `cdf = Phi((x - (1 + f)) / 5)` (not
    /// renormalised), `r = Int(interp(u, cdf, x))` for `u` uniform in [0, 1), with `interp`
    /// piecewise linear and clipped to `x`'s ends. So `r = 2` has probability `Phi` at 3 (the
    /// clipped lower tail plus `[2, 3)`), `r = 2f` has `1 - Phi` at `2f` (the clipped upper tail),
    /// and `r = k` in between has `Phi(k + 1) - Phi(k)`. `f = 1` gives `r = 2`.
    public static func creamInterpolationFactor(factor f: Int, using generator: inout RandomGenerator) -> Int {
        precondition(f >= 1, "PositionSampling.creamInterpolationFactor: factor \(f) must be at least 1")
        return creamInterpolationFactor(factor: f, uniform: generator.uniformUnitDouble())
    }

    /// CREAM's `r` for the uniform draw `u` in [0, 1): numpy's `interp(u, cdf, x)` truncated.
    static func creamInterpolationFactor(factor f: Int, uniform u: Double) -> Int {
        if f == 1 { return 2 }
        // Grid points are evaluated on demand during the binary search (about 10 of the
        // 1000), with the same formulas as `creamGrid`, so the result is the grid's.
        let point = { (j: Int) in creamGridPoint(j, factor: f) }
        let first = point(0), last = point(creamGridSize - 1)
        if u <= first.cdf { return Int(first.x) }
        if u >= last.cdf { return Int(last.x) }
        // Largest j with cdf[j] <= u; then u < cdf[j + 1].
        var low = 0, high = creamGridSize - 1
        var lowPoint = first, highPoint = last
        while high - low > 1 {
            let mid = (low + high) / 2
            let midPoint = point(mid)
            if midPoint.cdf <= u { (low, lowPoint) = (mid, midPoint) } else { (high, highPoint) = (mid, midPoint) }
        }
        let value = lowPoint.x + (u - lowPoint.cdf) * (highPoint.x - lowPoint.x) / (highPoint.cdf - lowPoint.cdf)
        return Int(value)
    }

    static let creamGridSize = 1000

    /// Point `j` of CREAM's grid: `x` spaced like numpy's `linspace(2, 2f, 1000)` and its
    /// unnormalised Gaussian CDF.
    static func creamGridPoint(_ j: Int, factor f: Int) -> (x: Double, cdf: Double) {
        let start = 2.0, stop = 2.0 * Double(f)
        let x = j == creamGridSize - 1 ? stop : start + Double(j) * ((stop - start) / Double(creamGridSize - 1))
        let mean = 1 + Double(f), sigma = 5.0
        return (x, 0.5 * (1 + erf((x - mean) / (sigma * 2.0.squareRoot()))))
    }

    /// The whole 1000-point grid (for inspection; sampling evaluates only the points it needs).
    static func creamGrid(factor f: Int) -> (x: [Double], cdf: [Double]) {
        let points = (0..<creamGridSize).map { creamGridPoint($0, factor: f) }
        return (points.map(\.x), points.map(\.cdf))
    }
}
