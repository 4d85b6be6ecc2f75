import Testing
@testable import Kernels

struct ReductionsTests {
    @Test(arguments: [(3, 37, 1), (2, 5, 43), (1, 9, 77), (4, 1, 3), (1, 1000, 1)])
    func reduceSumMatchesReference(_ shape: (Int, Int, Int)) {
        let (outer, length, inner) = shape
        let x = FusedCheck.random(outer * length * inner, seed: 11)
        var fast = [Float](repeating: .nan, count: outer * inner), slow = fast
        reduceSum(x, &fast, outer: outer, length: length, inner: inner)
        Reference.reduceSum(x, &slow, outer: outer, length: length, inner: inner)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 1e-5, rtol: 1e-5) <= 1, "\(shape)")
    }

    @Test func reduceSumHandValues() {
        // (2, 3, 2): sums over the middle axis.
        let x: [Float] = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]
        var y = [Float](repeating: 0, count: 4)
        reduceSum(x, &y, outer: 2, length: 3, inner: 2)
        #expect(y == [9, 12, 90, 120])
    }

    @Test func reduceSumIsThreadCountIndependent() {
        // Each shape has at least 2 * streamingGrain elements, so it runs as several chunks.
        for (outer, length, inner) in [(2100, 1001, 1), (1, 2100, 1001), (300, 50, 150)] {
            let x = FusedCheck.random(outer * length * inner, seed: 12)
            let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
                var y = [Float](repeating: 0, count: outer * inner)
                reduceSum(x, &y, outer: outer, length: length, inner: inner)
                return y
            }
            #expect(FusedCheck.sameBits(one, two), "\((outer, length, inner))")
        }
    }

    @Test(arguments: [(3, 37, 1), (2, 5, 43), (1, 1, 5), (5, 100, 1)])
    func reduceMaxMatchesReferenceWithFirstIndex(_ shape: (Int, Int, Int)) {
        let (outer, length, inner) = shape
        // Few distinct values, so ties are common and "first index" matters.
        let x = FusedCheck.random(outer * length * inner, seed: 13, in: 0...4).map { $0.rounded(.down) }
        var fast = [Float](repeating: .nan, count: outer * inner), slow = fast
        var fastIndex = [Int32](repeating: -1, count: outer * inner), slowIndex = fastIndex
        reduceMax(x, &fast, argmax: &fastIndex, outer: outer, length: length, inner: inner)
        Reference.reduceMax(x, &slow, argmax: &slowIndex, outer: outer, length: length, inner: inner)
        #expect(fast == slow)
        #expect(fastIndex == slowIndex)
    }

    @Test func reduceMaxPropagatesNaNAndHandValues() {
        var x: [Float] = [1, 7, 7, -2, 3, 7, 0, 0, 5]
        var y = [Float](repeating: 0, count: 1)
        var index: [Int32] = [0]
        reduceMax(x, &y, argmax: &index, outer: 1, length: 9, inner: 1)
        #expect(y == [7] && index == [1])
        x[4] = .nan
        reduceMax(x, &y, argmax: &index, outer: 1, length: 9, inner: 1)
        #expect(y[0].isNaN && index == [4])
        // Columns: (1, 3, 3) with a NaN in column 1.
        let c: [Float] = [1, .nan, 2, 5, 0, 2, 3, 9, 1]
        var yc = [Float](repeating: 0, count: 3)
        reduceMax(c, &yc, argmax: nil, outer: 1, length: 3, inner: 3)
        #expect(yc[0] == 5 && yc[1].isNaN && yc[2] == 2)
    }

    @Test func sumAllAndSumOfSquares() {
        let n = 2 * streamingGrain + 777  // several blocks, two parallel chunks
        let x = FusedCheck.random(n, seed: 14, in: -3...3)
        let (one, two) = FusedCheck.oneAndTwoThreads { (sumAll(x, count: n), sumOfSquares(x, count: n)) }
        #expect(one.0.bitPattern == two.0.bitPattern && one.1.bitPattern == two.1.bitPattern)
        let exactSum = Reference.sumAll(x, count: n), exactSquares = Reference.sumOfSquares(x, count: n)
        #expect(abs(one.0 - exactSum) <= 1e-10 * Double(n))
        #expect(abs(one.1 - exactSquares) <= 1e-10 * exactSquares)  // the sequential reference itself drifts ~1e-12
        #expect(sumAll([1, 2, 3.5], count: 3) == 6.5)
        #expect(sumOfSquares([3, 4, 0.5], count: 3) == 25.25)
        #expect(sumAll([], count: 0) == 0)
    }
}
