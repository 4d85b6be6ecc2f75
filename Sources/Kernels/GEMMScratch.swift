import Foundation

/// A process-wide pool of float buffers (``FloatAllocation``) for GEMM packing.
///
/// Packed panels are a few hundred KiB to a few MiB. Allocating them fresh on every
/// call costs page faults that show up in medium-sized GEMMs, so buffers are handed
/// back to the pool and reused. Each chunk of a parallel GEMM takes its own buffer
/// for the duration of the chunk, so no two threads ever share one.
final class GEMMScratchPool: @unchecked Sendable {
    static let shared = GEMMScratchPool()

    /// Buffers kept for reuse; beyond this the smallest are freed.
    private let maxKept = 8
    private let lock = NSLock()
    private var free: [(pointer: UnsafeMutablePointer<Float>, capacity: Int)] = []

    /// Runs `body` with a buffer of at least `count` floats (contents undefined).
    func withBuffer<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let buffer = acquire(count)
        defer { release(buffer) }
        return body(buffer.pointer)
    }

    private func acquire(_ count: Int) -> (pointer: UnsafeMutablePointer<Float>, capacity: Int) {
        lock.lock()
        var best: Int? = nil
        for (index, entry) in free.enumerated() where entry.capacity >= count {
            if best == nil || entry.capacity < free[best!].capacity { best = index }
        }
        if let best {
            let entry = free.remove(at: best)
            lock.unlock()
            return entry
        }
        lock.unlock()
        let capacity = max(count, 1)
        return (FloatAllocation.allocate(count: capacity), capacity)
    }

    private func release(_ buffer: (pointer: UnsafeMutablePointer<Float>, capacity: Int)) {
        lock.lock()
        free.append(buffer)
        var evicted: UnsafeMutablePointer<Float>? = nil
        if free.count > maxKept {
            let smallest = free.indices.min { free[$0].capacity < free[$1].capacity }!
            evicted = free.remove(at: smallest).pointer
        }
        lock.unlock()
        evicted.map { FloatAllocation.deallocate($0) }
    }
}
