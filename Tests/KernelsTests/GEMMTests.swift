import Synchronization
import Testing
@testable import Kernels

/// Fixed-seed uniform values in [-1, 1).
private func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
    }
}

/// How many elements of two equally long arrays differ in their bits.
private func differingBits(_ x: [Float], _ y: [Float]) -> Int {
    zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count
}

/// Spot check of the last element of an `mc x nc` macro-kernel result (row stride `ldc`)
/// against `0.7 * sum of opA(i, p) * opB(p, j) + 1.3 * c0`, summed in Double.
private func expectLastElementIsTheProduct(
    _ result: [Float], c0: [Float], mc: Int, nc: Int, kc: Int, ldc: Int,
    opA: (Int, Int) -> Float, opB: (Int, Int) -> Float
) {
    let (i, j) = (mc - 1, nc - 1)
    var sum = 0.0
    for p in 0..<kc { sum += Double(opA(i, p)) * Double(opB(p, j)) }
    let expected = 0.7 * sum + 1.3 * Double(c0[i * ldc + j])
    #expect(abs(Double(result[i * ldc + j]) - expected) < 1e-4, "mc \(mc) nc \(nc) kc \(kc)")
}

/// One GEMM problem with padded leading dimensions; runs the kernel or the reference.
private struct Problem {
    var transposeA = false, transposeB = false
    var m: Int, n: Int, k: Int
    var alpha: Float = 1, beta: Float = 0
    /// Extra stored columns beyond each matrix's width.
    var padding = 0

    var lda: Int { (transposeA ? m : k) + padding }
    var ldb: Int { (transposeB ? k : n) + padding }
    var ldc: Int { n + padding }
    var a: [Float] { randomValues((transposeA ? k : m) * lda, seed: 11) }
    var b: [Float] { randomValues((transposeB ? n : k) * ldb, seed: 22) }
    var c0: [Float] { randomValues(m * ldc, seed: 33) }

    func run(_ c: inout [Float], reference: Bool) {
        let a = self.a, b = self.b
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    if reference {
                        Reference.sgemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                            c: c.baseAddress!, ldc: ldc)
                    } else {
                        sgemm(
                            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                            a: a.baseAddress!, lda: lda, b: b.baseAddress!, ldb: ldb, beta: beta,
                            c: c.baseAddress!, ldc: ldc)
                    }
                }
            }
        }
    }

    /// Largest |kernel - reference| divided by sqrt(k), the typical size of a sum of k
    /// products of values in [-1, 1). Infinity if a padding column of C was touched.
    func maxError() -> Float {
        var expected = c0, actual = c0
        run(&expected, reference: true)
        run(&actual, reference: false)
        var worst: Float = 0
        for i in 0..<m {
            for j in 0..<ldc {
                let index = i * ldc + j
                if j >= n {
                    if actual[index] != c0[index] { return .infinity }
                    continue
                }
                let error = abs(actual[index] - expected[index])
                worst = max(worst, error.isNaN ? .infinity : error)
            }
        }
        return worst / Float(k).squareRoot()
    }
}

@Suite struct GEMMTests {
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func transposeCombinations(transposeA: Bool, transposeB: Bool) {
        // Includes the vector (n = 1, m = 1) and shallow (k <= 4) direct paths.
        for (m, n, k) in [
            (1, 1, 1), (7, 17, 33), (33, 7, 17), (65, 33, 70), (130, 150, 300), (6, 16, 256),
            (1, 40, 33), (40, 1, 33), (40, 50, 3), (1, 43, 37), (43, 1, 37), (1, 7, 1030), (7, 1, 1030),
        ] {
            let problem = Problem(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k)
            #expect(problem.maxError() < 1e-5, "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB)")
        }
    }

    @Test func oddSizes() {
        for size in [1, 2, 7, 17, 33, 65] {
            for (m, n, k) in [(size, size, size), (size, 65, 17), (65, size, 33), (17, 33, size)] {
                let problem = Problem(m: m, n: n, k: k)
                #expect(problem.maxError() < 1e-5, "m \(m) n \(n) k \(k)")
            }
        }
    }

    @Test func alphaAndBetaAccumulate() {
        for (alpha, beta) in [(Float(1), Float(1)), (0.5, -2), (-1.5, 0.25), (2, 0)] {
            for (m, n, k) in [(5, 9, 4), (70, 40, 700), (13, 100, 64)] {
                let problem = Problem(transposeB: true, m: m, n: n, k: k, alpha: alpha, beta: beta)
                #expect(problem.maxError() < 1e-5, "alpha \(alpha) beta \(beta) m \(m) n \(n) k \(k)")
            }
        }
    }

    /// Packed and direct paths; the direct ones (outer-product-like depths among them)
    /// start their first pass from zeros instead of from C.
    @Test func betaZeroDoesNotReadC() {
        for (m, n, k) in [(3, 4, 5), (40, 50, 60), (30, 20, 1), (7, 9, 3), (33, 17, 12)] {
            let problem = Problem(m: m, n: n, k: k)
            var c = [Float](repeating: .nan, count: m * n)
            problem.run(&c, reference: false)
            var expected = [Float](repeating: 0, count: m * n)
            problem.run(&expected, reference: true)
            let worst = zip(c, expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "m \(m) n \(n) k \(k)")
        }
    }

    @Test func leadingDimensionsLargerThanWidth() {
        for (tA, tB) in [(false, false), (true, true), (false, true), (true, false)] {
            for (m, n, k) in [(9, 10, 11), (50, 37, 45)] {
                let problem = Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k, beta: 0.5, padding: 5)
                #expect(problem.maxError() < 1e-5, "m \(m) n \(n) k \(k) tA \(tA) tB \(tB)")
            }
        }
    }

    @Test func zeroDepthScalesC() {
        var c: [Float] = [1, 2, 3, 4, 5, 6]
        let empty: [Float] = [0]
        empty.withUnsafeBufferPointer { e in
            sgemm(
                transposeA: false, transposeB: false, m: 2, n: 3, k: 0, alpha: 1,
                a: e.baseAddress!, lda: 1, b: e.baseAddress!, ldb: 3, beta: 2, c: &c, ldc: 3)
        }
        #expect(c == [2, 4, 6, 8, 10, 12])
    }

    @Test func batchedWithBroadcastOperand() {
        for (m, n, k, batch) in [(19, 23, 29, 5), (40, 50, 60, 3)] {
            for (tA, tB) in [(false, false), (true, true)] {
                // A is broadcast (stride 0); each batch entry has its own B and C.
                let a = randomValues(m * k, seed: 1)
                let b = randomValues(batch * k * n, seed: 2)
                var c = randomValues(batch * m * n, seed: 3)
                var expected = c
                let lda = tA ? m : k, ldb = tB ? k : n
                sgemmBatched(
                    transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, strideA: 0,
                    b: b, ldb: ldb, strideB: k * n, beta: 1, c: &c, ldc: n, strideC: m * n, batch: batch)
                b.withUnsafeBufferPointer { b in
                    expected.withUnsafeMutableBufferPointer { e in
                        for i in 0..<batch {
                            Reference.sgemm(
                                transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda,
                                b: b.baseAddress! + i * k * n, ldb: ldb, beta: 1,
                                c: e.baseAddress! + i * m * n, ldc: n)
                        }
                    }
                }
                let worst = zip(c, expected).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-4, "m \(m) n \(n) k \(k) tA \(tA) tB \(tB)")
            }
        }
    }

    /// Results must not depend on the thread count; sizes cover the packed path with
    /// several row blocks, column groups and k slices, the depth split, column blocks on one
    /// thread, and a parallel batch.
    @Test func identicalBitsForOneAndTwoThreads() {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        for (m, n, k, tA, tB) in [
            (300, 100, 700, false, true), (40, 400, 300, true, false), (150, 150, 150, false, false),
            (150, 40, 300, true, false), (40, 150, 300, false, false),
            (2000, 1, 300, true, false), (1, 2000, 300, false, true),
            (50, 60, 700, true, false), (20, 200, 400, true, false),
        ] {
            let problem = Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k, beta: 1)
            Parallel.maxThreads = 1
            var one = problem.c0
            problem.run(&one, reference: false)
            Parallel.maxThreads = 2
            var two = problem.c0
            problem.run(&two, reference: false)
            #expect(one.map(\.bitPattern) == two.map(\.bitPattern), "m \(m) n \(n) k \(k)")
        }
        // The phased driver (large products) directly, at a debug-friendly size: shared
        // packed B, per-chunk or shared packed A, several k slices and column groups.
        for (m, n, k, tA, tB) in [(300, 70, 700, false, true), (40, 300, 660, true, false)] {
            let problem = Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k, beta: 1)
            var expected = problem.c0
            problem.run(&expected, reference: true)
            var outputs: [[Float]] = []
            for threads in [1, 2] {
                Parallel.maxThreads = threads
                var c = problem.c0
                let a = problem.a, b = problem.b
                gemmPacked(
                    transA: tA, transB: tB, m: m, n: n, k: k, alpha: 1, a: a, lda: problem.lda, b: b,
                    ldb: problem.ldb, beta: 1, c: &c, ldc: problem.ldc, parallel: true)
                outputs.append(c)
            }
            #expect(outputs[0].map(\.bitPattern) == outputs[1].map(\.bitPattern), "phased m \(m) n \(n) k \(k)")
            let worst = zip(outputs[0], expected).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-3, "phased m \(m) n \(n) k \(k)")
        }
        let (m, n, k, batch) = (30, 30, 30, 16)
        let a = randomValues(batch * m * k, seed: 5), b = randomValues(batch * k * n, seed: 6)
        var results: [[Float]] = []
        for threads in [1, 2] {
            Parallel.maxThreads = threads
            var c = [Float](repeating: 0, count: batch * m * n)
            sgemmBatched(
                transposeA: false, transposeB: false, m: m, n: n, k: k, a: a, lda: k, strideA: m * k,
                b: b, ldb: n, strideB: k * n, c: &c, ldc: n, strideC: m * n, batch: batch)
            results.append(c)
        }
        #expect(results[0].map(\.bitPattern) == results[1].map(\.bitPattern))
    }
}

@Suite struct GEMMVectorTests {
    /// Rows long enough to be read four in step (a last group of three repeats a row) sum
    /// exactly as rows read one at a time.
    @Test func rowsReadInStepSumAsRowsReadAlone() {
        let k = gemmDotRowsInStepDepth + 9, rows = 7
        let x = randomValues(k, seed: 3), matrix = randomValues(rows * (k + 2), seed: 4)
        var inStep = [Float](repeating: .nan, count: rows)
        x.withUnsafeBufferPointer { x in
            matrix.withUnsafeBufferPointer { m in
                gemmDotEachRow(x.baseAddress!, rows: m.baseAddress!, stride: k + 2, count: rows, depth: k) { i, sum in
                    inStep[i] = sum
                }
                for i in 0..<rows {
                    let alone = gemmDot(x.baseAddress!, m.baseAddress! + i * (k + 2), count: k)
                    #expect(inStep[i].bitPattern == alone.bitPattern, "row \(i)")
                    var exact = 0.0
                    for p in 0..<k { exact += Double(x[p]) * Double(m[i * (k + 2) + p]) }
                    #expect(abs(Double(alone) - exact) < 1e-4, "row \(i)")
                }
            }
        }
    }
}

@Suite struct GEMMInPlaceATests {
    /// The macro-kernel that reads op(A)'s rows in place must give the packed path's bits:
    /// full slivers, a partial last sliver (packed), full and partial column tiles, and an
    /// alpha/beta update whose rounding would show.
    @Test func rowsInPlaceGiveThePackedBits() {
        for (mc, nc, kc) in [(13, 37, 50), (6, 16, 7), (24, 65, 128), (5, 20, 9)] {
            let lda = kc + 3, ldc = nc + 2
            let a = randomValues(mc * lda, seed: 7), b = randomValues(kc * nc, seed: 8)
            let c0 = randomValues(mc * ldc, seed: 9)
            let slivers = (mc + gemmMR - 1) / gemmMR, bSlivers = (nc + gemmNR - 1) / gemmNR
            var packedA = [Float](repeating: .nan, count: slivers * gemmMR * kc)
            var packedB = [Float](repeating: .nan, count: bSlivers * gemmNR * kc)
            gemmPackA(transposed: false, a: a, lda: lda, mc: mc, kc: kc, into: &packedA)
            gemmPackB(transposed: false, b: b, ldb: nc, kc: kc, columns: 0..<nc, into: &packedB)
            var packed = c0, inPlace = c0
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, packedA: packedA, packedB: packedB, alpha: 0.7, beta: 1.3,
                c: &packed, ldc: ldc)
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, rows: a, lda: lda, packedB: packedB, alpha: 0.7, beta: 1.3,
                c: &inPlace, ldc: ldc)
            let differing = zip(packed, inPlace).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "mc \(mc) nc \(nc) kc \(kc)")
            // And both are the product.
            expectLastElementIsTheProduct(
                inPlace, c0: c0, mc: mc, nc: nc, kc: kc, ldc: ldc,
                opA: { i, p in a[i * lda + p] }, opB: { p, j in b[p * nc + j] })
        }
    }
}

@Suite struct GEMMPackWhileComputingTests {
    /// The macro-kernels that read a transposed op(A), or a non-transposed op(B), or both,
    /// in place during the first tiles and pack them on the way must give the packed path's
    /// bits and leave exactly the slivers the packing routines write (the later tiles read
    /// them).
    /// Shapes: full and partial last slivers of both operands, blocks narrower than a
    /// tile (nothing fused), depths that are not a multiple of the 4-step unrolling, and
    /// an alpha/beta update whose rounding would show.
    @Test func packingWhileComputingGivesThePackedBits() {
        for (mc, nc, kc) in [(13, 37, 50), (6, 16, 7), (24, 65, 128), (5, 20, 9), (12, 10, 6), (18, 48, 33)] {
            let lda = mc + 3, ldb = nc + 5, ldc = nc + 2
            let aStored = randomValues(kc * lda, seed: 7)   // kc x mc, op(A) = its transpose
            let bStored = randomValues(kc * ldb, seed: 8)   // kc x nc, not transposed
            let c0 = randomValues(mc * ldc, seed: 9)
            let aFloats = (mc + gemmMR - 1) / gemmMR * gemmMR * kc
            let bFloats = (nc + gemmNR - 1) / gemmNR * gemmNR * kc
            var packedA = [Float](repeating: .nan, count: aFloats)
            var packedB = [Float](repeating: .nan, count: bFloats)
            gemmPackA(transposed: true, a: aStored, lda: lda, mc: mc, kc: kc, into: &packedA)
            gemmPackB(transposed: false, b: bStored, ldb: ldb, kc: kc, columns: 0..<nc, into: &packedB)
            var packed = c0
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, packedA: packedA, packedB: packedB, alpha: 0.7, beta: 1.3,
                c: &packed, ldc: ldc)

            var aWhileComputing = c0
            var packedAOnTheWay = [Float](repeating: .nan, count: aFloats)
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, columns: aStored, lda: lda, packingInto: &packedAOnTheWay,
                packedB: packedB, alpha: 0.7, beta: 1.3, c: &aWhileComputing, ldc: ldc)
            var bWhileComputing = c0
            var packedBOnTheWay = [Float](repeating: .nan, count: bFloats)
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, packedA: packedA, rows: bStored, ldb: ldb, packingInto: &packedBOnTheWay,
                alpha: 0.7, beta: 1.3, c: &bWhileComputing, ldc: ldc)

            var bothWhileComputing = c0
            var packedAWithB = [Float](repeating: .nan, count: aFloats)
            var packedBWithA = [Float](repeating: .nan, count: bFloats)
            gemmMacroKernel(
                mc: mc, nc: nc, kc: kc, columns: aStored, lda: lda, packingInto: &packedAWithB,
                rows: bStored, ldb: ldb, packingInto: &packedBWithA,
                alpha: 0.7, beta: 1.3, c: &bothWhileComputing, ldc: ldc)

            #expect(differingBits(packed, bothWhileComputing) == 0, "both: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packedA, packedAWithB) == 0, "both, A slivers: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packedB, packedBWithA) == 0, "both, B slivers: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packed, aWhileComputing) == 0, "A: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packedA, packedAOnTheWay) == 0, "A slivers: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packed, bWhileComputing) == 0, "B: mc \(mc) nc \(nc) kc \(kc)")
            #expect(differingBits(packedB, packedBOnTheWay) == 0, "B slivers: mc \(mc) nc \(nc) kc \(kc)")
            // And all are the product.
            expectLastElementIsTheProduct(
                packed, c0: c0, mc: mc, nc: nc, kc: kc, ldc: ldc,
                opA: { i, p in aStored[p * lda + i] }, opB: { p, j in bStored[p * ldb + j] })
        }
    }
}

@Suite struct GEMMSplitDepthTests {
    /// Products whose k slices run as parallel tasks, their sums added into C afterwards,
    /// must give the bits of the slices run one after another on one thread, for any
    /// number of row groups; shapes with 2, 3 and 4 slices, every transpose, an alpha and
    /// beta whose rounding would show, padded leading dimensions, and beta 0 over a C
    /// full of NaN (not read).
    @Test func slicesSideBySideGiveTheBitsOfSlicesInTurn() {
        for (m, n, k, tA, tB, beta) in [
            (30, 40, 700, true, false, Float(1.3)), (25, 33, 1300, false, true, 0.6),
            (14, 20, 1600, true, true, 0), (19, 17, 1030, false, false, 1),
        ] {
            var problem = Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.7, beta: beta)
            problem.padding = 3
            let a = problem.a, b = problem.b
            let c0 = beta == 0 ? [Float](repeating: .nan, count: m * problem.ldc) : problem.c0
            var inTurn = c0
            gemmShared(
                transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: problem.lda, b: b,
                ldb: problem.ldb, beta: beta, c: &inTurn, ldc: problem.ldc, parallel: false)
            for groups in [1, 2, 3] {
                var sideBySide = c0
                gemmSplitDepth(
                    transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: problem.lda, b: b,
                    ldb: problem.ldb, beta: beta, c: &sideBySide, ldc: problem.ldc, groups: groups)
                #expect(differingBits(inTurn, sideBySide) == 0, "m \(m) n \(n) k \(k) groups \(groups)")
            }
            var expected = problem.c0
            if beta == 0 { expected = c0.map { _ in 0 } }
            problem.run(&expected, reference: true)
            var worst: Float = 0
            for i in 0..<m {
                for j in 0..<n {
                    let error = abs(inTurn[i * problem.ldc + j] - expected[i * problem.ldc + j])
                    worst = error.isNaN ? .infinity : max(worst, error)  // a NaN (C read) fails
                }
            }
            #expect(worst < 1e-3, "m \(m) n \(n) k \(k): off by \(worst)")
        }
    }

    /// The depth is split only for a small C, more than one thread and a task count that
    /// gives every thread the same share.
    @Test func splitsOnlyWhenEveryThreadGetsTheSameShare() {
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 2, threads: 2) == 1)
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 4, threads: 2) == 1)
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 2, threads: 4) == 2)
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 3, threads: 2) == nil)
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 2, threads: 1) == nil)
        #expect(gemmDepthSplitGroups(m: 128, n: 128, kSlices: 1, threads: 2) == nil)
        #expect(gemmDepthSplitGroups(m: 352, n: 128, kSlices: 2, threads: 2) == nil)
    }
}

@Suite struct GEMMInstructionSetTests {
    /// The AVX-512 kernels (12 x 16 pairs of slivers or rows read in place, 6 x 16 single
    /// slivers, edge tiles) and the AVX2 kernel compute every element with the same FMA
    /// chain, so switching kernels must not change a bit. Shapes cover odd sliver counts,
    /// partial tiles, both drivers, several k slices, and alpha/beta updates.
    @Test func avx512AndAVX2GiveIdenticalBits() {
        guard CPUFeatures.hasAVX512 else {
            #expect(CPUFeatures.instructionSet != "avx512")
            return
        }
        #expect(CPUFeatures.instructionSet == "avx512")
        defer { avx512KernelsEnabled.store(true, ordering: .relaxed) }
        for (m, n, k, tA, tB) in [
            (12, 16, 7, false, false), (18, 33, 100, false, true), (127, 65, 131, true, false),
            (300, 70, 700, false, true), (40, 300, 660, true, true), (768, 65, 128, false, true),
            (131, 65, 127, false, false),
        ] {
            // alpha is not a power of two, so a differently rounded update would show.
            let problem = Problem(transposeA: tA, transposeB: tB, m: m, n: n, k: k, alpha: 0.7, beta: 1.3)
            var outputs: [[Float]] = []
            for wide in [true, false] {
                avx512KernelsEnabled.store(wide, ordering: .relaxed)
                var c = problem.c0
                problem.run(&c, reference: false)
                outputs.append(c)
                // The phased driver too (sgemm picks the mid-sized one for most of these).
                var phased = problem.c0
                let a = problem.a, b = problem.b
                gemmPacked(
                    transA: tA, transB: tB, m: m, n: n, k: k, alpha: 0.7, a: a, lda: problem.lda, b: b,
                    ldb: problem.ldb, beta: 1.3, c: &phased, ldc: problem.ldc, parallel: true)
                outputs.append(phased)
            }
            #expect(differingBits(outputs[0], outputs[2]) == 0, "m \(m) n \(n) k \(k)")
            #expect(differingBits(outputs[1], outputs[3]) == 0, "phased m \(m) n \(n) k \(k)")
            avx512KernelsEnabled.store(true, ordering: .relaxed)
            #expect(problem.maxError() < 1e-5, "m \(m) n \(n) k \(k)")
        }
    }

    @Test func avx512NeedsAllFourExtensionsAndRespectsTheOptOut() {
        let all: Set<String> = ["fma", "avx2", "avx512f", "avx512bw", "avx512dq", "avx512vl"]
        #expect(CPUFeatures.supportsAVX512(flags: all, environment: [:]))
        #expect(!CPUFeatures.supportsAVX512(flags: all.subtracting(["avx512vl"]), environment: [:]))
        #expect(!CPUFeatures.supportsAVX512(flags: ["fma", "avx2"], environment: [:]))
        #expect(!CPUFeatures.supportsAVX512(flags: all, environment: ["KERNELS_ISA": "AVX2"]))
        #expect(CPUFeatures.supportsAVX512(flags: all, environment: ["KERNELS_ISA": "avx512"]))
    }
}
