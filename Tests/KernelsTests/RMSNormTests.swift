import Testing
@testable import Kernels

struct RMSNormTests {
    @Test func handValues() {
        // x = [3, 4]: mean square 12.5, rstd = 1/sqrt(12.5); weight [1, 2].
        var y: [Float] = [0, 0], rstd: [Float] = [0]
        rmsNormForward(x: [3, 4], weight: [1, 2], y: &y, rstd: &rstd, rows: 1, cols: 2, epsilon: 0)
        #expect(abs(rstd[0] - 0.28284271) <= 3e-8)
        #expect(abs(y[0] - 0.84852814) <= 1e-7 && abs(y[1] - 2.2627417) <= 2e-7)
    }

    @Test(arguments: [(1, 1), (3, 7), (4, 203), (2, 1000)])
    func forwardAndBackwardMatchReference(_ shape: (Int, Int)) {
        let (rows, cols) = shape
        let x = FusedCheck.random(rows * cols, seed: 41, in: -3...3)
        let w = FusedCheck.random(cols, seed: 42, in: 0.5...1.5)
        let dy = FusedCheck.random(rows * cols, seed: 43)
        var y = [Float](repeating: .nan, count: x.count), ySlow = y
        var rstd = [Float](repeating: .nan, count: rows), rstdSlow = rstd
        rmsNormForward(x: x, weight: w, y: &y, rstd: &rstd, rows: rows, cols: cols, epsilon: 1e-5)
        Reference.rmsNormForward(x: x, weight: w, y: &ySlow, rstd: &rstdSlow, rows: rows, cols: cols, epsilon: 1e-5)
        #expect(FusedCheck.worstRatio(y, ySlow, atol: 1e-7, rtol: 1e-6) <= 1)
        #expect(FusedCheck.worstRatio(rstd, rstdSlow, atol: 0, rtol: 1e-6) <= 1)
        // dweight accumulates onto what is there.
        let dw0 = FusedCheck.random(cols, seed: 44)
        var dx = [Float](repeating: .nan, count: x.count), dxSlow = dx
        var dw = dw0, dwSlow = dw0
        rmsNormBackward(x: x, weight: w, rstd: rstd, dy: dy, dx: &dx, dweight: &dw, rows: rows, cols: cols)
        Reference.rmsNormBackward(x: x, weight: w, rstd: rstd, dy: dy, dx: &dxSlow, dweight: &dwSlow, rows: rows, cols: cols)
        #expect(FusedCheck.worstRatio(dx, dxSlow, atol: 1e-6, rtol: 1e-5) <= 1)
        #expect(FusedCheck.worstRatio(dw, dwSlow, atol: 1e-6, rtol: 1e-5) <= 1)
        var dxOnly = [Float](repeating: .nan, count: x.count)
        rmsNormBackward(x: x, weight: w, rstd: rstd, dy: dy, dx: &dxOnly, dweight: nil, rows: rows, cols: cols)
        #expect(FusedCheck.sameBits(dx, dxOnly))
    }

    @Test func backwardAgreesWithFiniteDifferences() {
        // L = Σ g ⊙ rmsnorm(x) in Double, central differences in x and w.
        let cols = 11
        let x = FusedCheck.random(cols, seed: 45, in: -2...2), w = FusedCheck.random(cols, seed: 46, in: 0.5...1.5)
        let g = FusedCheck.random(cols, seed: 47)
        let eps = 1e-5
        func loss(_ xs: [Double], _ ws: [Double]) -> Double {
            let rs = 1 / (xs.map { $0 * $0 }.reduce(0, +) / Double(cols) + eps).squareRoot()
            return (0..<cols).map { xs[$0] * rs * ws[$0] * Double(g[$0]) }.reduce(0, +)
        }
        var y = [Float](repeating: 0, count: cols), rstd: [Float] = [0], dx = y, dw = [Float](repeating: 0, count: cols)
        rmsNormForward(x: x, weight: w, y: &y, rstd: &rstd, rows: 1, cols: cols, epsilon: Float(eps))
        rmsNormBackward(x: x, weight: w, rstd: rstd, dy: g, dx: &dx, dweight: &dw, rows: 1, cols: cols)
        let xd = x.map(Double.init), wd = w.map(Double.init)
        for j in 0..<cols {
            var a = xd, b = xd
            a[j] += 1e-6
            b[j] -= 1e-6
            #expect(abs(Double(dx[j]) - (loss(a, wd) - loss(b, wd)) / 2e-6) <= 2e-5)
            var c = wd, d = wd
            c[j] += 1e-6
            d[j] -= 1e-6
            #expect(abs(Double(dw[j]) - (loss(xd, c) - loss(xd, d)) / 2e-6) <= 2e-5)
        }
    }

    @Test func threadCountIndependent() {
        let rows = 2100, cols = 1001  // > 2 * streamingGrain: several chunks
        let x = FusedCheck.random(rows * cols, seed: 48), w = FusedCheck.random(cols, seed: 49)
        let dy = FusedCheck.random(rows * cols, seed: 50)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = [Float](repeating: 0, count: x.count), rstd = [Float](repeating: 0, count: rows)
            rmsNormForward(x: x, weight: w, y: &y, rstd: &rstd, rows: rows, cols: cols, epsilon: 1e-6)
            var dx = y, dw = [Float](repeating: 1, count: cols)
            rmsNormBackward(x: x, weight: w, rstd: rstd, dy: dy, dx: &dx, dweight: &dw, rows: rows, cols: cols)
            return y + rstd + dx + dw
        }
        #expect(FusedCheck.sameBits(one, two))
    }
}
