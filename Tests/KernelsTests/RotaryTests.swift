import Foundation
import Testing
@testable import Kernels

struct RotaryTests {
    @Test func handValues() {
        // headDim 4 (h = 2), angles (π/2, 0): pairs (x0, x2) rotate by 90°, (x1, x3) stay.
        let x: [Float] = [1, 2, 3, 4]
        var y = [Float](repeating: 0, count: 4)
        rotaryEmbedding(x: x, y: &y, cos: [0, 1], sin: [1, 0], batch: 1, seq: 1, heads: 1, headDim: 4, inverse: false)
        #expect(y == [-3, 2, 1, 4])
        var back = [Float](repeating: 0, count: 4)
        rotaryEmbedding(x: y, y: &back, cos: [0, 1], sin: [1, 0], batch: 1, seq: 1, heads: 1, headDim: 4, inverse: true)
        #expect(back == x)
    }

    static func angles(batch: Int, seq: Int, half: Int) -> ([Float], [Float]) {
        var c = [Float](), s = [Float]()
        for b in 0..<batch {
            for t in 0..<seq {
                for j in 0..<half {
                    let theta = Double(t + 3 * b) * pow(10000, -2 * Double(j) / Double(2 * half))
                    c.append(Float(cos(theta)))
                    s.append(Float(sin(theta)))
                }
            }
        }
        return (c, s)
    }

    @Test(arguments: [(1, 1, 1, 2), (2, 3, 3, 22), (1, 5, 2, 64), (2, 2, 1, 34)])
    func matchesReferenceAndInverts(_ shape: (Int, Int, Int, Int)) {
        let (batch, seq, heads, headDim) = shape
        let n = batch * seq * heads * headDim
        let x = FusedCheck.random(n, seed: 71, in: -2...2)
        let (c, s) = Self.angles(batch: batch, seq: seq, half: headDim / 2)
        for inverse in [false, true] {
            var fast = [Float](repeating: .nan, count: n), slow = fast
            rotaryEmbedding(x: x, y: &fast, cos: c, sin: s, batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: inverse)
            Reference.rotaryEmbedding(x: x, y: &slow, cos: c, sin: s, batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: inverse)
            #expect(FusedCheck.worstRatio(fast, slow, atol: 5e-7, rtol: 5e-7) <= 1)
        }
        // In place forward then inverse restores x (rotations are orthogonal).
        var y = x
        y.withUnsafeMutableBufferPointer { p in
            rotaryEmbedding(x: p.baseAddress!, y: p.baseAddress!, cos: c, sin: s, batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: false)
            rotaryEmbedding(x: p.baseAddress!, y: p.baseAddress!, cos: c, sin: s, batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: true)
        }
        #expect(FusedCheck.worstRatio(y, x, atol: 1e-6, rtol: 1e-6) <= 1)
    }

    @Test func threadCountIndependent() {
        let (batch, seq, heads, headDim) = (2, 1280, 8, 104)  // > 2 * streamingGrain
        let n = batch * seq * heads * headDim
        let x = FusedCheck.random(n, seed: 72)
        let (c, s) = Self.angles(batch: batch, seq: seq, half: headDim / 2)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = [Float](repeating: 0, count: n)
            rotaryEmbedding(x: x, y: &y, cos: c, sin: s, batch: batch, seq: seq, heads: heads, headDim: headDim, inverse: false)
            return y
        }
        #expect(FusedCheck.sameBits(one, two))
    }
}
