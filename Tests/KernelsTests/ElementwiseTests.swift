import Testing
@testable import Kernels

struct ElementwiseTests {
    static let count = 1003  // not a multiple of 8: exercises the padded tail

    /// Inputs inside each function's domain.
    static func input(for f: UnaryFunction, count: Int = count, seed: UInt64 = 1) -> [Float] {
        switch f {
        case .log, .sqrt, .rsqrt: return FusedCheck.random(count, seed: seed, in: 0.01...20)
        case .exp: return FusedCheck.random(count, seed: seed, in: -80...80)
        case .reciprocal: return FusedCheck.random(count, seed: seed, in: 0.1...5).enumerated().map { $0 % 2 == 0 ? $1 : -$1 }
        default: return FusedCheck.random(count, seed: seed, in: -9...9)
        }
    }

    @Test(arguments: UnaryFunction.allCases)
    func unaryMatchesReference(_ f: UnaryFunction) {
        let x = Self.input(for: f)
        var fast = [Float](repeating: .nan, count: x.count)
        var slow = fast
        applyUnary(f, x, &fast, count: x.count)
        Reference.applyUnary(f, x, &slow, count: x.count)
        // gelu uses an erf with ~3e-7 absolute error; the others are ulp-accurate.
        let atol: Float = f == .gelu ? 3e-6 : 1e-30
        #expect(FusedCheck.worstRatio(fast, slow, atol: atol, rtol: 6e-7) <= 1, "\(f)")
    }

    @Test(arguments: UnaryFunction.allCases)
    func unaryBackwardMatchesDoubleDerivative(_ f: UnaryFunction) {
        let x = Self.input(for: f, seed: 2)
        let dy = FusedCheck.random(x.count, seed: 3, in: -2...2)
        var y = [Float](repeating: 0, count: x.count)
        applyUnary(f, x, &y, count: x.count)
        var fast = [Float](repeating: .nan, count: x.count)
        var slow = fast
        applyUnaryBackward(f, x: x, y: y, dy: dy, dx: &fast, count: x.count)
        Reference.applyUnaryBackward(f, x: x, y: y, dy: dy, dx: &slow, count: x.count)
        #expect(FusedCheck.worstRatio(fast, slow, atol: 1e-6, rtol: 2e-6) <= 1, "\(f)")
    }

    @Test func unaryHandValues() {
        let x: [Float] = [-2, -0.5, 0, 0.5, 2, 3, 1, 4, 9]
        func run(_ f: UnaryFunction) -> [Float] {
            var y = [Float](repeating: 0, count: x.count)
            applyUnary(f, x, &y, count: x.count)
            return y
        }
        #expect(run(.relu) == [0, 0, 0, 0.5, 2, 3, 1, 4, 9])
        #expect(run(.square) == [4, 0.25, 0, 0.25, 4, 9, 1, 16, 81])
        #expect(run(.negate) == x.map { -$0 })
        #expect(run(.sqrt)[8] == 3 && run(.rsqrt)[7] == 0.5 && run(.reciprocal)[7] == 0.25)
        // Exact x Φ(x) in Double; torch.nn.functional.gelu in float32 gives
        // [-0.0455001, -0.1542688, 0, 0.3457312, 1.9545000], within 2e-7 of these.
        let g = run(.gelu)
        for (i, want) in [(0, Float(-0.04550027)), (1, -0.15426877), (2, 0), (3, 0.34573123), (4, 1.9544997)] {
            #expect(abs(g[i] - want) <= 1e-6, "gelu(\(x[i])) = \(g[i]), want \(want)")
        }
        // silu(2) = 2 / (1 + e^-2)
        #expect(abs(run(.silu)[4] - 1.7615942) <= 2e-7)
    }

    @Test func unaryMayAliasAndIsThreadCountIndependent() {
        let n = 2 * transcendentalGrain + 13  // two parallel chunks
        let x = Self.input(for: .gelu, count: n, seed: 4)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = x
            y.withUnsafeMutableBufferPointer { applyUnary(.gelu, $0.baseAddress!, $0.baseAddress!, count: n) }
            return y
        }
        #expect(FusedCheck.sameBits(one, two))
        var separate = [Float](repeating: 0, count: n)
        applyUnary(.gelu, x, &separate, count: n)
        #expect(FusedCheck.sameBits(one, separate))
    }

    @Test(arguments: BinaryFunction.allCases)
    func binaryMatchesReferenceForEveryBroadcast(_ f: BinaryFunction) {
        let n = 1001
        var a = FusedCheck.random(n, seed: 5, in: -4...4)
        let b = FusedCheck.random(n, seed: 6, in: -4...4).map { $0 == 0 ? 1 : $0 }
        if f == .power { a = a.map { abs($0) + 0.1 } }
        a[3] = .nan  // maximum / minimum propagate NaN
        for (aStep, bStep) in [(1, 1), (0, 1), (1, 0)] {
            var fast = [Float](repeating: 0, count: n), slow = fast
            applyBinary(f, a, aStep: aStep, b, bStep: bStep, &fast, count: n)
            Reference.applyBinary(f, a, aStep: aStep, b, bStep: bStep, &slow, count: n)
            #expect(FusedCheck.worstRatio(fast, slow, atol: 0, rtol: f == .power ? 2.4e-7 : 1e-7) <= 1, "\(f) steps \(aStep) \(bStep)")
        }
    }

    @Test func binaryOutputMayAliasAnInput() {
        let a = FusedCheck.random(257, seed: 7), b = FusedCheck.random(257, seed: 8)
        var c = a
        c.withUnsafeMutableBufferPointer { applyBinary(.subtract, $0.baseAddress!, aStep: 1, b, bStep: 1, $0.baseAddress!, count: 257) }
        #expect(c == zip(a, b).map { $0 - $1 })
        #expect(Reference.binary(.maximum, 1, .nan).isNaN)
    }

    @Test func scaleAddAndAccumulate() {
        let n = 2 * streamingGrain + 5  // two parallel chunks
        let x = FusedCheck.random(n, seed: 9), y0 = FusedCheck.random(n, seed: 10)
        let (one, two) = FusedCheck.oneAndTwoThreads { () -> [Float] in
            var y = y0
            scaleAdd(alpha: 0.75, x, beta: -1.5, &y, count: n)
            return y
        }
        #expect(FusedCheck.sameBits(one, two))
        var slow = y0
        Reference.scaleAdd(alpha: 0.75, x, beta: -1.5, &slow, count: n)
        #expect(FusedCheck.worstRatio(one, slow, atol: 1e-7, rtol: 1e-7) <= 1)
        // beta == 0 must not read y (NaN there must not leak).
        var z = [Float](repeating: .nan, count: 11)
        scaleAdd(alpha: 2, x, beta: 0, &z, count: 11)
        #expect(z == x.prefix(11).map { 2 * $0 })
        var acc = y0
        accumulate(x, into: &acc, count: n)
        #expect(acc == zip(x, y0).map { $0 + $1 })
    }
}
