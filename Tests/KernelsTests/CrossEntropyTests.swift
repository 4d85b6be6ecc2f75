import Foundation
import Testing
@testable import Kernels

struct CrossEntropyTests {
    @Test func handValues() {
        // Row 0: logits [0, ln 3], target 1: loss = ln 4 - ln 3, grad = [1/4, -1/4] * scale.
        // Row 1: ignored (-100).
        let logits: [Float] = [0, Float(log(3.0)), 5, 7]
        let targets: [Int32] = [1, -100]
        var losses: [Float] = [.nan, .nan], lse: [Float] = [.nan, .nan]
        crossEntropyForward(logits: logits, targets: targets, losses: &losses, logSumExp: &lse, rows: 2, vocab: 2, ignoreIndex: -100)
        #expect(abs(losses[0] - Float(log(4.0 / 3.0))) <= 1e-7)
        #expect(abs(lse[0] - Float(log(4.0))) <= 2e-7)
        #expect(losses[1] == 0)
        var d = [Float](repeating: .nan, count: 4)
        crossEntropyBackward(logits: logits, targets: targets, logSumExp: lse, rowScale: [0.5, 0.5], dlogits: &d, rows: 2, vocab: 2, ignoreIndex: -100)
        #expect(abs(d[0] - 0.125) <= 1e-7 && abs(d[1] + 0.125) <= 1e-7)
        #expect(d[2] == 0 && d[3] == 0)
    }

    @Test(arguments: [(1, 1), (3, 7), (5, 203), (2, 1000)])
    func matchesReference(_ shape: (Int, Int)) {
        let (rows, vocab) = shape
        let logits = FusedCheck.random(rows * vocab, seed: 51, in: -12...12)
        let targets = (0..<rows).map { Int32(($0 * 7919 + 3) % vocab) }
        let scale = FusedCheck.random(rows, seed: 52, in: 0.1...2)
        var losses = [Float](repeating: .nan, count: rows), lse = losses, lossesSlow = losses, lseSlow = losses
        crossEntropyForward(logits: logits, targets: targets, losses: &losses, logSumExp: &lse, rows: rows, vocab: vocab, ignoreIndex: -1)
        Reference.crossEntropyForward(logits: logits, targets: targets, losses: &lossesSlow, logSumExp: &lseSlow, rows: rows, vocab: vocab, ignoreIndex: -1)
        #expect(FusedCheck.worstRatio(losses, lossesSlow, atol: 2e-6, rtol: 1e-6) <= 1)
        #expect(FusedCheck.worstRatio(lse, lseSlow, atol: 1e-6, rtol: 1e-6) <= 1)
        var d = [Float](repeating: .nan, count: logits.count), dSlow = d
        crossEntropyBackward(logits: logits, targets: targets, logSumExp: lse, rowScale: scale, dlogits: &d, rows: rows, vocab: vocab, ignoreIndex: -1)
        Reference.crossEntropyBackward(logits: logits, targets: targets, logSumExp: lse, rowScale: scale, dlogits: &dSlow, rows: rows, vocab: vocab, ignoreIndex: -1)
        #expect(FusedCheck.worstRatio(d, dSlow, atol: 1e-7, rtol: 1e-5) <= 1)
    }

    @Test func threadCountIndependentAndInPlaceBackward() {
        let rows = 600, vocab = 1001  // > 2 * transcendentalGrain: several chunks
        let logits = FusedCheck.random(rows * vocab, seed: 53, in: -6...6)
        let targets = (0..<rows).map { $0 % 5 == 0 ? Int32(-100) : Int32(($0 * 31) % vocab) }
        let scale = [Float](repeating: 1 / Float(rows), count: rows)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var losses = [Float](repeating: 0, count: rows), lse = losses
            crossEntropyForward(logits: logits, targets: targets, losses: &losses, logSumExp: &lse, rows: rows, vocab: vocab, ignoreIndex: -100)
            var d = logits
            d.withUnsafeMutableBufferPointer {
                crossEntropyBackward(logits: $0.baseAddress!, targets: targets, logSumExp: lse, rowScale: scale, dlogits: $0.baseAddress!, rows: rows, vocab: vocab, ignoreIndex: -100)
            }
            return losses + lse + d
        }
        #expect(FusedCheck.sameBits(one, two))
        #expect(one[0] == 0 && one[5] == 0 && one[1] > 0)
        // In place gives the same bits as a separate output buffer.
        let lse = Array(one[rows..<(2 * rows)])
        var separate = [Float](repeating: 0, count: logits.count)
        crossEntropyBackward(logits: logits, targets: targets, logSumExp: lse, rowScale: scale, dlogits: &separate, rows: rows, vocab: vocab, ignoreIndex: -100)
        #expect(FusedCheck.sameBits(Array(one[(2 * rows)...]), separate))
    }
}
