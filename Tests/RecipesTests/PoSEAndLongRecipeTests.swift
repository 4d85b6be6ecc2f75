import Foundation
import Testing
@testable import Recipes

private func strictlyIncreasing(_ ids: [Int32]) -> Bool { zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 } }

@Suite("PoSE, LongRecipe and segmentation")
struct PoSEAndLongRecipeTests {
    @Test("PoSE: two chunks, u_1 uniform in [0, Lt - L0], first chunk length in [1, (L0 + 1) / 2]")
    func pose() {
        let l0 = 32, lt = 128
        var generator = RandomGenerator(seed: 8)
        var shifts: [Int] = [], firstLengths: [Int] = []
        var valid = true
        for _ in 0..<20_000 {
            let ids = PositionSampling.pose(windowLength: l0, targetLength: lt, using: &generator)
            valid = valid && ids.count == l0 && ids.first == 0 && strictlyIncreasing(ids) && Int(ids.last!) <= lt - 1
            let shift = Int(ids.last!) - (l0 - 1)
            shifts.append(shift)
            // Two runs of consecutive ids: 0..<l1 and l1 + u_1 ..< L0 + u_1.
            let l1 = ids.indices.first { Int(ids[$0]) != $0 } ?? l0
            valid = valid && ids.enumerated().allSatisfy { Int($1) == ($0 < l1 ? $0 : $0 + shift) }
            if shift > 0 { firstLengths.append(l1) }
        }
        #expect(valid)
        #expect(shifts.min() == 0 && shifts.max() == lt - l0)
        let mean = Double(shifts.reduce(0, +)) / Double(shifts.count)
        #expect(abs(mean - Double(lt - l0) / 2) < 0.6)
        #expect(firstLengths.min() == 1 && firstLengths.max() == (l0 + 1) / 2)
        let meanFirst = Double(firstLengths.reduce(0, +)) / Double(firstLengths.count)
        #expect(abs(meanFirst - Double(1 + (l0 + 1) / 2) / 2) < 0.1)
    }

    @Test("LongRecipe: consecutive inside segments, inside the target window, strictly increasing")
    func longRecipeProperties() {
        let segments = [5, 1, 7, 3, 9, 2, 4]  // Ls = 31
        let lt = 100
        var generator = RandomGenerator(seed: 2)
        var firstSum = 0, trailingSum = 0
        var valid = true
        let draws = 10_000
        for _ in 0..<draws {
            let ids = PositionSampling.longRecipe(segmentLengths: segments, targetLength: lt, using: &generator)
            valid = valid && ids.count == 31 && strictlyIncreasing(ids) && ids.first! >= 0 && Int(ids.last!) <= lt - 1
            var offset = 0
            for length in segments {
                let segment = ids[offset ..< offset + length]
                valid = valid && zip(segment, segment.dropFirst()).allSatisfy { $1 == $0 + 1 }
                offset += length
            }
            firstSum += Int(ids.first!)
            trailingSum += lt - 1 - Int(ids.last!)
        }
        #expect(valid)
        // K = 69 skipped positions over N + 1 = 8 gaps: each gap has mean 69 / 8.
        #expect(abs(Double(firstSum) / Double(draws) - 69.0 / 8) < 0.3)
        #expect(abs(Double(trailingSum) / Double(draws) - 69.0 / 8) < 0.3)
        var same = RandomGenerator(seed: 2)
        var again = RandomGenerator(seed: 2)
        #expect(PositionSampling.longRecipe(segmentLengths: segments, targetLength: lt, using: &same)
            == PositionSampling.longRecipe(segmentLengths: segments, targetLength: lt, using: &again))
    }

    @Test("LongRecipe: the gaps are a uniform random composition (all 6 equally likely)")
    func longRecipeComposition() {
        // Segments [2, 3] in Lt = 7: K = 2 skipped positions over 3 gaps -> C(4, 2) = 6 layouts.
        var generator = RandomGenerator(seed: 17)
        var counts: [[Int32]: Int] = [:]
        let draws = 12_000
        for _ in 0..<draws {
            counts[PositionSampling.longRecipe(segmentLengths: [2, 3], targetLength: 7, using: &generator), default: 0] += 1
        }
        let layouts: Set<[Int32]> = [
            [0, 1, 2, 3, 4], [0, 1, 3, 4, 5], [0, 1, 4, 5, 6],
            [1, 2, 3, 4, 5], [1, 2, 4, 5, 6], [2, 3, 4, 5, 6],
        ]
        #expect(Set(counts.keys) == layouts)
        for (_, count) in counts { #expect(abs(Double(count) / Double(draws) - 1.0 / 6) < 0.015) }
        var g = RandomGenerator(seed: 1)
        #expect(PositionSampling.longRecipe(segmentLengths: [3, 2], targetLength: 5, using: &g) == [0, 1, 2, 3, 4])
    }

    @Test("segmentation ends segments after boundary tokens, merging pieces shorter than the minimum")
    func segmentation() {
        let tokens: [Int32] = [5, 0, 3, 3, 0, 7, 0, 0, 9]
        #expect(TextSegmentation.segmentLengths(of: tokens) { $0 == 0 } == [2, 3, 2, 1, 1])
        #expect(TextSegmentation.segmentLengths(of: tokens, minimumLength: 3) { $0 == 0 } == [5, 3, 1])
        #expect(TextSegmentation.segmentLengths(of: []) { $0 == 0 } == [])
        #expect(TextSegmentation.segmentLengths(of: [1, 2, 3]) { $0 == 0 } == [3])
    }
}
