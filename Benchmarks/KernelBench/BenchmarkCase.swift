import Foundation
import Kernels

/// One registered microbenchmark: a kernel at one problem shape.
///
/// To add a kernel, write a file with a function returning `[BenchmarkCase]` and list
/// it in `Registry.swift`. `setup` allocates inputs (use ``BenchArray``) and returns
/// the closures to time and to verify; the harness calls `check` once before timing
/// and stops the whole run if it throws.
///
/// ```swift
/// func softmaxCases() -> [BenchmarkCase] {
///     [4096].map { cols in
///         let rows = 768
///         return BenchmarkCase(
///             kernel: "softmax", shape: [rows, cols], work: .bytes(Double(2 * rows * cols * 4))
///         ) {
///             let x = BenchArray.random(count: rows * cols, seed: 1)
///             let y = BenchArray(count: rows * cols)
///             return BenchmarkInstance(
///                 run: { softmax(x.pointer, y.pointer, rows: rows, cols: cols) },
///                 check: {
///                     let ref = BenchArray(count: rows * cols)
///                     Reference.softmax(x.pointer, ref.pointer, rows: rows, cols: cols)
///                     try expectClose(y, ref, tolerance: 1e-5, what: "softmax")
///                 })
///         }
///     }
/// }
/// ```
struct BenchmarkCase {
    /// What one run does, for the rate column: arithmetic or memory traffic.
    enum Work {
        /// Floating-point operations per run (a multiply-add counts 2); reported as GFLOPS.
        case flops(Double)
        /// Bytes read plus written per run; reported as GB/s (memory-bound kernels).
        case bytes(Double)
    }

    /// Kernel name; `--filter` matches a substring of it.
    let kernel: String
    /// Problem dimensions as printed, e.g. `[m, n, k]`.
    let shape: [Int]
    let work: Work
    /// Allocates inputs and returns the run / check closures (called once per case).
    let setup: () -> BenchmarkInstance

    /// The shape as printed and matched by `--shape`, e.g. `768x288x32000`.
    var shapeText: String { shape.map(String.init).joined(separator: "x") }
}

/// The closures of a prepared case; they capture whatever `setup` allocated.
struct BenchmarkInstance {
    /// The timed body.
    let run: () -> Void
    /// Compares the kernel's output against its naive reference; throws on mismatch.
    /// Called after `run` has been called once.
    let check: () throws -> Void
}

/// A heap buffer of floats that frees itself; closures capture it to keep it alive.
/// Allocated like tensor storage (``FloatAllocation``), so the kernels see the same
/// alignment and pages as in training.
final class BenchArray {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    init(count: Int) {
        self.count = count
        pointer = FloatAllocation.allocate(count: count)
        pointer.initialize(repeating: 0, count: count)
    }

    /// Uniform values in [-1, 1) from a fixed-seed generator, the same on every run.
    static func random(count: Int, seed: UInt64) -> BenchArray {
        let array = BenchArray(count: count)
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            array.pointer[i] = Float(Int64(bitPattern: state) >> 40) / Float(1 << 23)
        }
        return array
    }

    deinit { FloatAllocation.deallocate(pointer, count: count) }
}

/// A kernel result that disagrees with its reference.
struct BenchmarkMismatch: Error, CustomStringConvertible {
    let description: String
}

/// Throws unless `actual` and `expected` agree to `tolerance` relative to the largest
/// reference magnitude: `max |a - e| <= tolerance * max(1, max |e|)`.
func expectClose(
    _ actual: UnsafePointer<Float>, _ expected: UnsafePointer<Float>, count: Int,
    tolerance: Float, what: String
) throws {
    var scale: Float = 1
    for i in 0..<count { scale = max(scale, abs(expected[i])) }
    for i in 0..<count {
        let error = abs(actual[i] - expected[i])
        if !(error <= tolerance * scale) {
            throw BenchmarkMismatch(
                description: "\(what): element \(i) is \(actual[i]), reference \(expected[i]) "
                    + "(tolerance \(tolerance * scale))")
        }
    }
}

/// ``expectClose(_:_:count:tolerance:what:)`` for whole arrays.
func expectClose(_ actual: BenchArray, _ expected: BenchArray, tolerance: Float, what: String) throws {
    precondition(actual.count == expected.count, "expectClose: \(actual.count) vs \(expected.count)")
    try expectClose(actual.pointer, expected.pointer, count: actual.count, tolerance: tolerance, what: what)
}
