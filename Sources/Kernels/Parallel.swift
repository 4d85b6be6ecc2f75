import Dispatch
import Foundation

/// Controls how kernels spread work over threads.
///
/// Kernels split their work into chunks whose boundaries depend only on the problem
/// size, never on the thread count, and every output element is produced by exactly
/// one chunk with a fixed reduction order. Results are therefore bit-identical for
/// any `maxThreads`.
public enum Parallel {
    /// The number of threads kernels may use; 1 runs everything on the caller's thread.
    /// Defaults to the number of active processors.
    nonisolated(unsafe) public static var maxThreads: Int = processorCount

    /// The number of active processors: the caller plus ``WorkerPool``'s threads.
    public static let processorCount = ProcessInfo.processInfo.activeProcessorCount

    /// Runs `body(i)` for `i` in `0..<count`, concurrently when more than one thread is
    /// allowed and there is more than one chunk. Each call should carry at least ~0.5 ms
    /// of work for the dispatch overhead to pay off.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        if count <= 0 { return }
        if count == 1 || maxThreads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        if maxThreads >= processorCount {
            WorkerPool.shared.run(count, body)
            return
        }
        // A thread limit below the core count: that many workers, each taking a strided
        // share of the chunks.
        let workers = maxThreads
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            var i = w
            while i < count {
                body(i)
                i += workers
            }
        }
    }

    /// A chunk count for `work` units of which roughly `grain` make ~0.5 ms, capped by `limit`.
    /// Depends only on the problem size, so results stay independent of the thread count.
    @inlinable
    public static func chunkCount(work: Int, grain: Int, limit: Int = 64) -> Int {
        max(1, min(limit, work / max(grain, 1)))
    }
}
