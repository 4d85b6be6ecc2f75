import Foundation
import Testing
@testable import Recipes

/// A stream whose token at index i is i, so a window's ids reveal its offset.
private func indexStream(_ count: Int) -> [Int32] { (0..<count).map { Int32($0) } }

@Suite("Packing and batching")
struct PackingTests {
    @Test("packed sequences are non-overlapping and targets are inputs shifted by one")
    func packed() {
        let sequences = PackedSequences(tokens: indexStream(22), length: 5)
        #expect(sequences.count == 4)  // (22 - 1) / 5
        for i in 0..<sequences.count {
            let (inputs, targets) = sequences[i]
            #expect(inputs == (5 * i ..< 5 * i + 5).map { Int32($0) })
            #expect(targets == inputs.map { $0 + 1 })
        }
        let batch = sequences.batch([3, 0])
        #expect(batch.batchSize == 2 && batch.length == 5)
        #expect(Array(batch.row(0).inputs) == sequences[3].inputs)
        #expect(Array(batch.row(1).targets) == sequences[0].targets)
        #expect(PackedSequences(tokens: indexStream(21), length: 5).count == 4)
        #expect(PackedSequences(tokens: indexStream(20), length: 5).count == 3)
    }

    @Test("random windows: offsets cover the whole valid range, targets shifted by one")
    func randomWindows() {
        var sampler = RandomWindowSampler(tokens: indexStream(40), length: 8, seed: 7)
        var offsets: [Int] = []
        var valid = true
        for _ in 0..<200 {
            let batch = sampler.nextBatch(size: 4)
            valid = valid && batch.inputs.count == 32 && batch.targets.count == 32
            for b in 0..<4 {
                let row = batch.row(b)
                let start = Int(row.inputs.first!)
                offsets.append(start)
                valid = valid && Array(row.inputs) == (start ..< start + 8).map { Int32($0) }
                valid = valid && Array(row.targets) == row.inputs.map { $0 + 1 }
            }
        }
        #expect(valid)
        #expect(offsets.min() == 0)
        #expect(offsets.max() == 40 - 8 - 1)
    }

    @Test("random windows are fixed by the seed and resume from the saved generator")
    func randomWindowsResume() throws {
        var a = RandomWindowSampler(tokens: indexStream(100), length: 10, seed: 3)
        var b = RandomWindowSampler(tokens: indexStream(100), length: 10, seed: 3)
        #expect(a.nextBatch(size: 5) == b.nextBatch(size: 5))
        let saved = try JSONEncoder().encode(a.generator)
        let expected = (0..<3).map { _ in a.nextBatch(size: 5) }
        var resumed = RandomWindowSampler(
            tokens: indexStream(100), length: 10, generator: try JSONDecoder().decode(RandomGenerator.self, from: saved))
        #expect((0..<3).map { _ in resumed.nextBatch(size: 5) } == expected)
        var other = RandomWindowSampler(tokens: indexStream(100), length: 10, seed: 4)
        #expect(other.nextBatch(size: 5) != expected[0])
    }

    @Test("a shuffled epoch visits every sequence once; the next epoch is a different order")
    func cursorEpochs() {
        let sequences = PackedSequences(tokens: indexStream(61), length: 6)  // 10 sequences
        var cursor = SequenceCursor(sequences: sequences, seed: 11)
        let firstEpoch = cursor.nextBatch(size: 10)
        let secondEpoch = cursor.nextBatch(size: 10)
        let starts = { (batch: TokenBatch) in (0..<batch.batchSize).map { Int(batch.row($0).inputs.first!) / 6 } }
        #expect(starts(firstEpoch).sorted() == Array(0..<10))
        #expect(starts(secondEpoch).sorted() == Array(0..<10))
        #expect(starts(firstEpoch) != starts(secondEpoch))
        #expect(starts(firstEpoch) != Array(0..<10))
        #expect(cursor.state.epoch == 1 && cursor.state.position == 10)

        var ordered = SequenceCursor(sequences: sequences, shuffles: false, seed: 11)
        #expect(starts(ordered.nextBatch(size: 4)) == [0, 1, 2, 3])
        #expect(starts(ordered.nextBatch(size: 8)) == [4, 5, 6, 7, 8, 9, 0, 1])
    }

    @Test("a cursor restored from its encoded state yields identical batches, across epochs")
    func cursorResume() throws {
        let sequences = PackedSequences(tokens: indexStream(61), length: 6)
        var cursor = SequenceCursor(sequences: sequences, seed: 5)
        _ = cursor.nextBatch(size: 3)
        _ = cursor.nextBatch(size: 4)
        let saved = try JSONEncoder().encode(cursor.state)
        let expected = (0..<6).map { _ in cursor.nextBatch(size: 4) }  // crosses two epoch boundaries
        var resumed = SequenceCursor(
            sequences: sequences, resumingFrom: try JSONDecoder().decode(SequenceCursor.State.self, from: saved))
        #expect((0..<6).map { _ in resumed.nextBatch(size: 4) } == expected)
        #expect(resumed.state == cursor.state)
    }

    @Test("uniform integer draws are unbiased and permutations are uniform")
    func draws() {
        var generator = RandomGenerator(seed: 1)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[generator.uniformInt(in: 3...9) - 3] += 1 }
        #expect(counts.allSatisfy { abs($0 - 10_000) < 400 })  // 4 standard deviations
        var firstCounts = [Int](repeating: 0, count: 4)
        var allPermutations = true
        for _ in 0..<8_000 {
            let order = generator.permutation(count: 4)
            allPermutations = allPermutations && order.sorted() == [0, 1, 2, 3]
            firstCounts[order[0]] += 1
        }
        #expect(allPermutations)
        #expect(firstCounts.allSatisfy { abs($0 - 2_000) < 160 })
        var unit = 0.0, inRange = true
        for _ in 0..<10_000 {
            let u = generator.uniformUnitDouble()
            inRange = inRange && u >= 0 && u < 1
            unit += u
        }
        #expect(inRange)
        #expect(abs(unit / 10_000 - 0.5) < 0.012)
    }
}
