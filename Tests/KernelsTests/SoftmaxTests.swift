import Foundation
import Testing
@testable import Kernels

struct SoftmaxTests {
    static let shapes = [(1, 1), (3, 7), (5, 203), (2, 1000)]

    @Test(arguments: shapes)
    func softmaxAndLogSoftmaxMatchReference(_ shape: (Int, Int)) {
        let (rows, cols) = shape
        var x = FusedCheck.random(rows * cols, seed: 21, in: -30...30)
        x[0] += 60  // a dominant entry
        var fast = [Float](repeating: .nan, count: x.count), slow = fast
        softmaxRows(x, &fast, rows: rows, cols: cols)
        Reference.softmaxRows(x, &slow, rows: rows, cols: cols)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 1e-37, rtol: 6e-6) <= 1)  // x - max rounds by up to ulp(max)/2 in Float
        logSoftmaxRows(x, &fast, rows: rows, cols: cols)
        Reference.logSoftmaxRows(x, &slow, rows: rows, cols: cols)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 2e-6, rtol: 1e-6) <= 1)
    }

    @Test func handValuesAndMaskedRows() {
        let ninf = -Float.infinity
        // Row 0: softmax([0, ln 3]) = [1/4, 3/4]; row 1: fully masked; row 2: partly masked.
        let x: [Float] = [0, Float(log(3.0)), ninf, ninf, ninf, 5]
        var y = [Float](repeating: .nan, count: 6)
        softmaxRows(x, &y, rows: 3, cols: 2)
        #expect(abs(y[0] - 0.25) <= 1e-7 && abs(y[1] - 0.75) <= 1e-7)
        #expect(y[2] == 0 && y[3] == 0)
        #expect(y[4] == 0 && y[5] == 1)
        logSoftmaxRows(x, &y, rows: 3, cols: 2)
        #expect(abs(y[0] - Float(log(0.25))) <= 2e-7 && abs(y[1] - Float(log(0.75))) <= 2e-7)
        #expect(y[2] == ninf && y[3] == ninf)
        #expect(y[4] == ninf && y[5] == 0)
    }

    @Test(arguments: shapes)
    func backwardsMatchReference(_ shape: (Int, Int)) {
        let (rows, cols) = shape
        let x = FusedCheck.random(rows * cols, seed: 22, in: -5...5)
        let dy = FusedCheck.random(rows * cols, seed: 23, in: -1...1)
        var y = [Float](repeating: 0, count: x.count)
        var fast = y, slow = y
        softmaxRows(x, &y, rows: rows, cols: cols)
        softmaxRowsBackward(y: y, dy: dy, dx: &fast, rows: rows, cols: cols)
        Reference.softmaxRowsBackward(y: y, dy: dy, dx: &slow, rows: rows, cols: cols)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 1e-7, rtol: 1e-5) <= 1)
        logSoftmaxRows(x, &y, rows: rows, cols: cols)
        logSoftmaxRowsBackward(y: y, dy: dy, dx: &fast, rows: rows, cols: cols)
        Reference.logSoftmaxRowsBackward(y: y, dy: dy, dx: &slow, rows: rows, cols: cols)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 1e-6, rtol: 1e-5) <= 1)
    }

    @Test func softmaxBackwardAgreesWithFiniteDifferences() {
        // d/dx of L = Σ w ⊙ softmax(x), in Double by central differences.
        let cols = 13
        let x = FusedCheck.random(cols, seed: 24, in: -2...2), w = FusedCheck.random(cols, seed: 25)
        var y = [Float](repeating: 0, count: cols), dx = y
        softmaxRows(x, &y, rows: 1, cols: cols)
        softmaxRowsBackward(y: y, dy: w, dx: &dx, rows: 1, cols: cols)
        func loss(_ v: [Double]) -> Double {
            let m = v.max()!, e = v.map { exp($0 - m) }, s = e.reduce(0, +)
            return zip(e, w).map { $0 / s * Double($1) }.reduce(0, +)
        }
        for j in 0..<cols {
            var p = x.map(Double.init), q = p
            p[j] += 1e-6
            q[j] -= 1e-6
            #expect(abs(Double(dx[j]) - (loss(p) - loss(q)) / 2e-6) <= 1e-6)
        }
    }

    @Test func threadCountIndependentAndInPlace() {
        let rows = 600, cols = 1001  // > 2 * transcendentalGrain: several chunks
        let x = FusedCheck.random(rows * cols, seed: 26, in: -8...8)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = x
            y.withUnsafeMutableBufferPointer { softmaxRows($0.baseAddress!, $0.baseAddress!, rows: rows, cols: cols) }
            var l = [Float](repeating: 0, count: x.count), d = l
            logSoftmaxRows(x, &l, rows: rows, cols: cols)
            logSoftmaxRowsBackward(y: l, dy: x, dx: &d, rows: rows, cols: cols)
            return y + l + d
        }
        #expect(FusedCheck.sameBits(one, two))
        var separate = [Float](repeating: 0, count: x.count)
        softmaxRows(x, &separate, rows: rows, cols: cols)
        #expect(FusedCheck.sameBits(Array(one[0..<x.count]), separate))
    }
}
