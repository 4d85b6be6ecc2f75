import Foundation
import Synchronization

/// Persistent worker threads that run the chunks of ``Parallel/forEach(_:_:)``.
///
/// Kernels issue thousands of sub-millisecond parallel loops per training step. Waking a
/// Dispatch worker for each costs tens of microseconds, so a second core often joined too
/// late to help. These workers spin briefly on a generation counter after each job (so the
/// next job starts at once) and then sleep on a condition variable. The calling thread
/// works too, and chunks are claimed dynamically, from both ends of the range (see `Job`);
/// which thread runs a chunk never changes its result, because chunk boundaries come from
/// the problem size.
final class WorkerPool: @unchecked Sendable {
    /// One parallel loop: its body, and the claim and completion counters of its chunks.
    /// Each job has its own counters, so a worker still finishing an old job can never
    /// claim a chunk of the next one. The body is held by pointer, not retained: a worker
    /// may keep a finished job alive a little longer, but calls the body only for claimed
    /// chunks, all of which complete before ``WorkerPool/run(_:_:)`` returns.
    ///
    /// The caller claims chunks from the front and the workers from the back, so with two
    /// threads each runs a contiguous run of chunks, and the two meet wherever the work
    /// balances. Consecutive loops over the same data then give each core the same part of
    /// it (C rows of successive k slices, the tensor of successive elementwise kernels),
    /// which stays in that core's cache; claimed in turn from one end, chunks alternated
    /// between the cores, and their data with them.
    private final class Job: @unchecked Sendable {
        let body: UnsafePointer<(Int) -> Void>
        /// The unclaimed chunks `front..<back`: `front` in the low 32 bits, `back` above.
        let unclaimed: Atomic<Int>
        let unfinished: Atomic<Int>

        init(body: UnsafePointer<(Int) -> Void>, count: Int) {
            precondition(count < 1 << 31, "WorkerPool: \(count) chunks are more than a job can count")
            self.body = body
            unclaimed = Atomic<Int>(count << 32)
            unfinished = Atomic<Int>(count)
        }

        /// The next unclaimed chunk from the front (or the back), or nil when none is left.
        private func claim(fromBack: Bool) -> Int? {
            var state = unclaimed.load(ordering: .relaxed)
            while true {
                let front = state & 0xFFFF_FFFF, back = state >> 32
                guard front < back else { return nil }
                let claimed = fromBack ? back - 1 : front
                let next = fromBack ? front | claimed << 32 : (front + 1) | back << 32
                let (exchanged, original) = unclaimed.compareExchange(
                    expected: state, desired: next, ordering: .relaxed)
                if exchanged { return claimed }
                state = original
            }
        }

        /// Claims and runs chunks until none are left.
        func work(fromBack: Bool) {
            while let index = claim(fromBack: fromBack) {
                body.pointee(index)
                unfinished.wrappingSubtract(1, ordering: .releasing)
            }
        }
    }

    static let shared = WorkerPool(workers: max(0, Parallel.processorCount - 1))

    /// Bumped for every job; workers spin on it before going to sleep.
    private let generation = Atomic<Int>(0)
    private let condition = NSCondition()
    /// The current job, guarded by `condition`.
    private var current: Job?
    /// Spin iterations before a worker sleeps (~20-50 µs).
    private let spinLimit = 2_000_000

    private init(workers: Int) {
        for index in 0..<workers {
            let thread = Thread { [unowned self] in self.workerLoop() }
            thread.name = "Kernels.worker.\(index)"
            thread.stackSize = 1 << 20
            thread.start()
        }
    }

    /// Runs `body(i)` for every `i` in `0..<count` on the caller and the workers; returns
    /// when all chunks are done.
    func run(_ count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            withUnsafePointer(to: body) { pointer in
                let job = Job(body: pointer, count: count)
                condition.lock()
                current = job
                generation.wrappingAdd(1, ordering: .releasing)
                condition.broadcast()
                condition.unlock()
                job.work(fromBack: false)
                while job.unfinished.load(ordering: .acquiring) > 0 {}
                condition.lock()
                if current === job { current = nil }
                condition.unlock()
            }
        }
    }

    private func workerLoop() {
        var seen = 0
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen && spins < spinLimit { spins += 1 }
            condition.lock()
            while generation.load(ordering: .acquiring) == seen { condition.wait() }
            seen = generation.load(ordering: .acquiring)
            let job = current
            condition.unlock()
            job?.work(fromBack: true)
        }
    }
}
