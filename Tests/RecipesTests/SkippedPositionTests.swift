import Foundation
import Testing
@testable import Recipes

/// Properties every LongReD/CREAM sample must have.
private func checkSkippedLayout(_ ids: [Int32], originalLength: Int, targetLength: Int) -> Bool {
    guard ids.count == originalLength, ids.first == 0, ids.last == Int32(targetLength - 1) else { return false }
    guard zip(ids, ids.dropFirst()).allSatisfy({ $0 < $1 }) else { return false }
    // The head length is either choice; the head and tail ids must be present for it.
    let factor = targetLength / originalLength
    return [originalLength / 3, 4 * factor].contains { t in
        ids.prefix(t).elementsEqual((0..<t).map { Int32($0) })
            && ids.suffix(t).elementsEqual((targetLength - t ..< targetLength).map { Int32($0) })
    }
}

/// The standard normal CDF.
private func phi(_ x: Double) -> Double { 0.5 * (1 + erf(x / 2.0.squareRoot())) }

/// CREAM's distribution of r for factor f, from the closed form (see `creamInterpolationFactor`).
private func creamFactorProbabilities(factor f: Int) -> [Int: Double] {
    let cdf = { (y: Int) in phi((Double(y) - Double(1 + f)) / 5) }
    var p: [Int: Double] = [2: cdf(3), 2 * f: 1 - cdf(2 * f)]
    for k in 3..<(2 * f) { p[k] = cdf(k + 1) - cdf(k) }
    return p
}

@Suite("LongReD skipped positions")
struct SkippedPositionTests {
    let l0 = 64, lt = 256  // f = 4: heads of 21 or 16 tokens

    @Test("contiguous ids")
    func contiguous() {
        #expect(PositionSampling.contiguous(count: 5) == [0, 1, 2, 3, 4])
        #expect(PositionSampling.contiguous(count: 0) == [])
    }

    @Test("the shared layout: head, middle chunk ending at the given id, tail")
    func layout() {
        let ids = PositionSampling.skippedPositions(originalLength: 9, targetLength: 30, headLength: 2, middleEnd: 20)
        #expect(ids == [0, 1, 16, 17, 18, 19, 20, 28, 29])
    }

    @Test("uniform sampler: layout properties, both head lengths with probability 1/2")
    func uniformProperties() {
        var generator = RandomGenerator(seed: 21)
        var shortHeads = 0, valid = true
        let draws = 4000
        for _ in 0..<draws {
            let ids = PositionSampling.longRedUniform(originalLength: l0, targetLength: lt, using: &generator)
            valid = valid && checkSkippedLayout(ids, originalLength: l0, targetLength: lt)
            // With a head of 16 the id at index 16 is in the middle chunk, never 16 (it starts >= t + 1).
            if ids[16] != 16 { shortHeads += 1 }
        }
        #expect(valid)
        #expect(abs(Double(shortHeads) / Double(draws) - 0.5) < 0.03)
    }

    @Test("uniform sampler: the middle chunk's end is uniform in [L0 - t, Lt - t - 1]")
    func uniformMiddleEnd() {
        var generator = RandomGenerator(seed: 4)
        for t in [l0 / 3, 16] {
            let c = l0 - 2 * t
            var ends: [Int] = []
            for _ in 0..<20_000 {
                let ids = PositionSampling.longRedUniform(
                    originalLength: l0, targetLength: lt, headLength: t, using: &generator)
                ends.append(Int(ids[t + c - 1]))
            }
            let low = l0 - t, high = lt - t - 1
            #expect(ends.min() == low && ends.max() == high)
            let mean = Double(ends.reduce(0, +)) / Double(ends.count)
            #expect(abs(mean - Double(low + high) / 2) < 1.5)  // standard error about 0.4
            let variance = ends.reduce(0.0) { $0 + pow(Double($1) - mean, 2) } / Double(ends.count)
            let expected = (pow(Double(high - low + 1), 2) - 1) / 12
            #expect(abs(variance / expected - 1) < 0.05)
        }
    }

    @Test("CREAM: r follows the clipped Gaussian on [2, 2f] (mean and both clipped ends)")
    func creamFactor() {
        for f in [4, 8] {
            let expected = creamFactorProbabilities(factor: f)
            var generator = RandomGenerator(seed: UInt64(f))
            var counts: [Int: Int] = [:]
            let draws = 40_000
            for _ in 0..<draws {
                counts[PositionSampling.creamInterpolationFactor(factor: f, using: &generator), default: 0] += 1
            }
            #expect(Set(counts.keys).isSubset(of: Set(2...(2 * f))))
            for (k, p) in expected {
                #expect(abs(Double(counts[k, default: 0]) / Double(draws) - p) < 0.01, "f \(f), r \(k)")
            }
            let mean = Double(counts.reduce(0) { $0 + $1.key * $1.value }) / Double(draws)
            let expectedMean = expected.reduce(0.0) { $0 + Double($1.key) * $1.value }
            #expect(abs(mean - expectedMean) < 0.05, "f \(f)")
        }
        // f = 4: the upper clip alone holds 1 - Phi(0.6) of the mass.
        #expect(abs(creamFactorProbabilities(factor: 4)[8]! - 0.27425) < 1e-4)
        var generator = RandomGenerator(seed: 0)
        #expect(PositionSampling.creamInterpolationFactor(factor: 1, using: &generator) == 2)
    }

    @Test("CREAM: r equals numpy's interp on the grid for fixed uniforms (fixture)")
    func creamFactorReference() {
        #expect(creamFactorFixture.count > 150)
        for row in creamFactorFixture {
            #expect(
                PositionSampling.creamInterpolationFactor(factor: row.factor, uniform: row.uniform) == row.r,
                "f \(row.factor), u \(row.uniform)")
        }
    }

    @Test("CREAM: the 1000-point grid matches numpy's linspace and the unnormalised CDF")
    func creamGrid() {
        let grid = PositionSampling.creamGrid(factor: 4)
        #expect(grid.x.count == 1000 && grid.x.first == 2 && grid.x.last == 8)
        #expect(abs(grid.x[1] - (2 + 6.0 / 999)) < 1e-12)
        #expect(abs(grid.cdf.first! - phi(-0.6)) < 1e-12 && abs(grid.cdf.last! - phi(0.6)) < 1e-12)
    }

    @Test("CREAM positions: layout properties for both head lengths")
    func creamProperties() {
        var generator = RandomGenerator(seed: 12)
        var shortHeads = 0, valid = true
        let draws = 4000
        for _ in 0..<draws {
            let ids = PositionSampling.cream(originalLength: l0, targetLength: lt, using: &generator)
            valid = valid && checkSkippedLayout(ids, originalLength: l0, targetLength: lt)
            if ids[16] != 16 { shortHeads += 1 }
        }
        #expect(valid)
        // A head of 16 is visible unless r = 2 put the middle chunk right after it.
        let visible = 0.5 * (1 - creamFactorProbabilities(factor: 4)[2]!)
        #expect(abs(Double(shortHeads) / Double(draws) - visible) < 0.03)
    }

    @Test("CREAM positions: middle chunk adjacent to the head exactly when r = 2, the tail reached, and the mean end")
    func creamMiddleEnd() {
        let p = creamFactorProbabilities(factor: 4)
        for t in [l0 / 3, 16] {
            var generator = RandomGenerator(seed: UInt64(t))
            let draws = 20_000
            var headAdjacent = 0, reachesTail = 0
            var ends: [Int] = []
            for _ in 0..<draws {
                let ids = PositionSampling.cream(originalLength: l0, targetLength: lt, headLength: t, using: &generator)
                if ids[l0 - t - 1] == Int32(l0 - t - 1) { headAdjacent += 1 }
                ends.append(Int(ids[l0 - t - 1]))
            }
            reachesTail = ends.filter { $0 == lt - t - 1 }.count
            // r = 2 gives end = L0 - t - 1: the ids 0 ..< L0 - t, then the tail (only r = 2 does).
            #expect(abs(Double(headAdjacent) / Double(draws) - p[2]!) < 0.01)
            #expect(reachesTail > 0)
            #expect(ends.min() == l0 - t - 1 && ends.max() == lt - t - 1)
            // The mean end: r from p, then the end uniform in its range.
            var expectedEnd = 0.0
            for (r, pr) in p {
                let range = PositionSampling.creamMiddleEndRange(
                    originalLength: l0, targetLength: lt, headLength: t, interpolationFactor: r)
                expectedEnd += pr * Double(range.lowerBound + range.upperBound) / 2
            }
            let mean = Double(ends.reduce(0, +)) / Double(draws)
            #expect(abs(mean - expectedEnd) < 1.5, "t \(t): mean end \(mean), expected \(expectedEnd)")
        }
    }

    @Test("CREAM end range matches the formula [t + (c-1) r / 2, (r / 2) L0 - t - 1]")
    func creamRange() {
        // t = 21, c = 22: r = 2 -> [42, 42]; r = 5 -> [21 + 52, 160 - 22] = [73, 138]; r = 8 -> [105, 234].
        let range = { (r: Int) in
            PositionSampling.creamMiddleEndRange(originalLength: 64, targetLength: 256, headLength: 21, interpolationFactor: r)
        }
        #expect(range(2) == 42...42)
        #expect(range(5) == 73...138)
        #expect(range(8) == 105...234)
    }

    @Test("samplers are deterministic for a seed and the enum dispatches to them")
    func determinism() {
        for sampler in SkippedPositionSampler.allCases {
            var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99)
            let first = (0..<20).map { _ in sampler.sample(originalLength: l0, targetLength: lt, using: &a) }
            let second = (0..<20).map { _ in sampler.sample(originalLength: l0, targetLength: lt, using: &b) }
            #expect(first == second)
            var c = RandomGenerator(seed: 99)
            let direct = sampler == .uniform
                ? PositionSampling.longRedUniform(originalLength: l0, targetLength: lt, using: &c)
                : PositionSampling.cream(originalLength: l0, targetLength: lt, using: &c)
            #expect(direct == first[0])
        }
    }
}
