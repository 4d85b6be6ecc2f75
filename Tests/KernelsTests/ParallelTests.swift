import Synchronization
import Testing
@testable import Kernels

@Suite struct ParallelTests {
    /// The pool's threads claim chunks from both ends of the range; every chunk must still
    /// run exactly once, for counts around the meeting point and loops issued back to back
    /// (a worker still in the previous job must not claim from the next).
    @Test func everyChunkRunsExactlyOnce() {
        let saved = Parallel.maxThreads
        defer { Parallel.maxThreads = saved }
        Parallel.maxThreads = max(2, Parallel.processorCount)
        for count in [1, 2, 3, 4, 5, 16, 17, 100, 1000] {
            for _ in 0..<20 {
                let runs = Mutex([Int](repeating: 0, count: count))
                Parallel.forEach(count) { index in
                    // Uneven chunks, so that the meeting point moves.
                    var sink = 0
                    for i in 0..<(index % 7) * 200 { sink &+= i }
                    runs.withLock { $0[index] += 1 + (sink == -1 ? 1 : 0) }
                }
                let counts = runs.withLock { $0 }
                #expect(counts.allSatisfy { $0 == 1 }, "count \(count): \(counts.filter { $0 != 1 }.count) chunks ran other than once")
            }
        }
    }
}
