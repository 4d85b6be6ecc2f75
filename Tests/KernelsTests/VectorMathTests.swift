import Foundation
import Testing
@testable import Kernels

/// Accuracy of the SIMD8 transcendental functions against Foundation in Double.
// Measured maximum errors over this sweep (vs. the exact value): exp 0.93 ulp, log 0.74 ulp,
// tanh 1.18 ulp, sigmoid 1.97 ulp; the bounds leave a small margin.
struct VectorMathTests {
    /// Every 20011th bit pattern over both signs: ~215k floats spread over the whole range
    /// (NaN patterns included), plus edge values.
    static let sweep: [Float] = {
        var values: [Float] = [
            0, -0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, -1e-30,
            1, -1, 0.5, 0.625, -0.625, 88.72, 88.73, 89, 100, -87.3, -103.9, -104, -200,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan,
        ]
        var bits: UInt32 = 0
        while true {
            values.append(Float(bitPattern: bits))
            let (next, overflow) = bits.addingReportingOverflow(20011)
            if overflow { break }
            bits = next
        }
        return values
    }()

    static func maxUlp(_ f: (SIMD8<Float>) -> SIMD8<Float>, _ exact: (Double) -> Double, over values: [Float]) -> (Double, Float) {
        var worst = 0.0
        var worstAt: Float = 0
        var i = 0
        while i < values.count {
            var v = SIMD8<Float>(repeating: 0)
            let n = min(8, values.count - i)
            for k in 0..<n { v[k] = values[i + k] }
            let r = f(v)
            for k in 0..<n {
                let e = FusedCheck.ulpError(r[k], exact: exact(Double(values[i + k])))
                if !(e <= worst) { worst = e; worstAt = values[i + k] }
            }
            i += 8
        }
        return (worst, worstAt)
    }

    @Test func expIsWithinOneAndAHalfUlpOverTheFloatRange() {
        let (ulp, at) = Self.maxUlp(vectorExp, Foundation.exp, over: Self.sweep)
        #expect(ulp <= 1.5, "max ulp \(ulp) at \(at)")
    }

    @Test func expEdgeValues() {
        let r = vectorExp(SIMD8(-.infinity, .infinity, .nan, 0, -0.0, 89, -104, 1))
        #expect(r[0] == 0)
        #expect(r[1] == .infinity)
        #expect(r[2].isNaN)
        #expect(r[3] == 1 && r[4] == 1)
        #expect(r[5] == .infinity)
        #expect(r[6] == 0)
        #expect(abs(r[7] - Float(M_E)) <= Float(M_E).ulp)
        // Subnormal results: e^-100 = 3.72e-44 is 26.5 * 2^-149.
        let sub = vectorExp(SIMD8(repeating: -100))[0]
        #expect(sub > 0 && sub < Float.leastNormalMagnitude)
        #expect(FusedCheck.ulpError(sub, exact: Foundation.exp(-100.0)) <= 1)
    }

    @Test func logIsWithinOneAndAHalfUlpOverTheFloatRange() {
        let (ulp, at) = Self.maxUlp(vectorLog, Foundation.log, over: Self.sweep)
        #expect(ulp <= 1.5, "max ulp \(ulp) at \(at)")
    }

    @Test func logEdgeValues() {
        let r = vectorLog(SIMD8(0, -0.0, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, 1))
        #expect(r[0] == -.infinity && r[1] == -.infinity)
        #expect(r[2].isNaN && r[4].isNaN && r[5].isNaN)
        #expect(r[3] == .infinity)
        #expect(FusedCheck.ulpError(r[6], exact: Foundation.log(Double(Float.leastNonzeroMagnitude))) <= 1)
        #expect(r[7] == 0)
    }

    @Test func tanhIsWithinTwoUlpOverTheFloatRange() {
        let (ulp, at) = Self.maxUlp(vectorTanh, Foundation.tanh, over: Self.sweep)
        #expect(ulp <= 2, "max ulp \(ulp) at \(at)")
        let r = vectorTanh(SIMD8(0, -0.0, .infinity, -.infinity, .nan, 20, -20, 1e-30))
        #expect(r[0] == 0 && r[0].sign == .plus && r[1] == 0 && r[1].sign == .minus)
        #expect(r[2] == 1 && r[3] == -1 && r[4].isNaN && r[5] == 1 && r[6] == -1 && r[7] == 1e-30)
    }

    @Test func sigmoidIsAccurateOverTheFloatRange() {
        let (ulp, at) = Self.maxUlp(vectorSigmoid, { 1 / (1 + Foundation.exp(-$0)) }, over: Self.sweep)
        #expect(ulp <= 3, "max ulp \(ulp) at \(at)")
        let r = vectorSigmoid(SIMD8(0, .infinity, -.infinity, .nan, 100, -100, 1, -1))
        #expect(r[0] == 0.5 && r[1] == 1 && r[2] == 0 && r[3].isNaN && r[4] == 1)
        #expect(r[5] > 0 && r[5] < Float(Double(1e-43)))
    }

    @Test func erfHasSmallAbsoluteError() {
        var worst = 0.0
        var x: Float = -6
        while x <= 6 {
            let r = vectorErf(SIMD8(repeating: x))[0]
            worst = max(worst, abs(Double(r) - Foundation.erf(Double(x))))
            x += 0.00123
        }
        #expect(worst <= 4e-7, "max abs error \(worst)")
        #expect(vectorErf(SIMD8(repeating: .nan))[0].isNaN)
        #expect(vectorErf(SIMD8(repeating: .infinity))[0] == 1)
    }
}

struct VectorSqrtTests {
    @Test func sqrtIsCorrectlyRoundedOrNearlySoOverTheFloatRange() {
        let (ulp, at) = VectorMathTests.maxUlp(vectorSqrt, { $0.squareRoot() }, over: VectorMathTests.sweep)
        #expect(ulp <= 0.6, "max ulp \(ulp) at \(at)")
        let subnormal = Float(Double(1e-40))  // via Double: a Float literal this small warns
        let r = vectorSqrt(SIMD8(0, -0.0, -1, .infinity, .nan, 4, .leastNonzeroMagnitude, subnormal))
        #expect(r[0] == 0 && r[1] == 0 && r[1].sign == .minus)
        #expect(r[2].isNaN && r[3] == .infinity && r[4].isNaN && r[5] == 2)
        #expect(r[6] == Float(Double(Float.leastNonzeroMagnitude).squareRoot()))
        #expect(r[7] == subnormal.squareRoot())
    }
}

struct ExpOfNonPositiveTests {
    @Test func matchesVectorExpAboveTheNormalRangeAndFlushesBelow() {
        var worst = 0.0
        var x: Float = -87.3
        while x <= 0 {
            let v = SIMD8<Float>(repeating: x)
            worst = max(worst, FusedCheck.ulpError(expOfNonPositive(v)[0], exact: Foundation.exp(Double(x))))
            x += 0.0123
        }
        #expect(worst <= 1, "max ulp \(worst)")
        let r = expOfNonPositive(SIMD8(-.infinity, -88, -100, -1e30, 0, -0.0, .nan, -87))
        #expect(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0)
        #expect(r[4] == 1 && r[5] == 1 && r[6].isNaN)
        #expect(FusedCheck.ulpError(r[7], exact: Foundation.exp(-87.0)) <= 1)
    }
}

#if arch(x86_64)
import KernelsAVX512

@Suite struct VectorExp16Tests {
    /// The AVX-512 attention loops use a sixteen-lane copy of `vectorExp`; it must give
    /// the same bits, over the normal range, the clamps, subnormal results and specials.
    @Test func sixteenLaneExpMatchesVectorExpBitForBit() {
        guard CPUFeatures.hasAVX512 else { return }
        var values: [Float] = [0, -0, 1, -1, 88.7, 88.8, 89, 100, -87.3, -100, -103.9, -104, -200,
                               .infinity, -.infinity, .nan, .leastNormalMagnitude, -.leastNormalMagnitude]
        var state: UInt64 = 12345
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            values.append(Float(Int64(bitPattern: state) >> 40) / Float(1 << 23) * 110)
        }
        while values.count % 16 != 0 { values.append(0.5) }
        var differing = 0
        for start in stride(from: 0, to: values.count, by: 16) {
            let x = SIMD16<Float>(values[start..<(start + 16)])
            let wide = vectorExp16(x)
            let low = vectorExp(x.lowHalf), high = vectorExp(x.highHalf)
            for i in 0..<16 where wide[i].bitPattern != (i < 8 ? low[i] : high[i - 8]).bitPattern {
                differing += 1
            }
        }
        #expect(differing == 0)
    }
}
#endif
