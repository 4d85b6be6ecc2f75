#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Allocation of float buffers for kernel operands: tensor storage and GEMM packing.
///
/// Every buffer is 64-byte aligned, so a SIMD load never straddles a cache line.
/// On Linux, buffers of at least ``hugePageThreshold`` bytes are also 2 MiB aligned
/// and advised for transparent huge pages (as NumPy does for its arrays): a GEMM
/// streams a packed 4 MiB panel once per A sliver and walks C rows 8 KiB apart,
/// and with 4 KiB pages those walks miss the TLB (huge pages measured 3-8 % faster
/// at 2048³).
///
/// Freed buffers of at least ``cacheThreshold`` bytes are kept for reuse, up to
/// ``cacheLimit`` bytes in all. A training step allocates the same activation and
/// gradient sizes every step; without the cache each large buffer is a fresh
/// `mmap`, faulted in and zeroed page by page, and its `munmap` interrupts the other
/// threads to flush their TLBs (4-10 % of a small model's training step).
public enum FloatAllocation {
    /// Buffers at least this large (in bytes) get huge-page alignment and advice.
    public static let hugePageThreshold = 4 << 20
    /// Freed buffers at least this large (in bytes) are cached for reuse.
    public static let cacheThreshold = 32 << 10
    /// Most bytes the cache holds; a buffer freed when the cache is full is released.
    public static let cacheLimit = 512 << 20

    /// `count` uninitialised floats (at least one, so the pointer is always valid).
    /// Free with ``deallocate(_:count:)`` and the same `count`.
    public static func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        let byteCount = allocatedBytes(count: count)
        if byteCount >= cacheThreshold, let cached = cache.withLock({ $0.take(byteCount) }) {
            return cached.assumingMemoryBound(to: Float.self)
        }
        #if os(Linux)
        if byteCount >= hugePageThreshold {
            let raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 2 << 20)
            // Advice only: if the kernel declines, the buffer works on small pages.
            _ = madvise(raw, byteCount / 4096 * 4096, MADV_HUGEPAGE)
            return raw.bindMemory(to: Float.self, capacity: byteCount / MemoryLayout<Float>.stride)
        }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            .bindMemory(to: Float.self, capacity: byteCount / MemoryLayout<Float>.stride)
    }

    /// Frees (or caches) a buffer from ``allocate(count:)`` of the same `count`.
    public static func deallocate(_ pointer: UnsafeMutablePointer<Float>, count: Int) {
        let byteCount = allocatedBytes(count: count)
        let raw = UnsafeMutableRawPointer(pointer)
        if byteCount >= cacheThreshold, cache.withLock({ $0.put(raw, byteCount: byteCount) }) { return }
        raw.deallocate()
    }

    /// Releases every cached buffer to the system (for example after training, before
    /// a long phase that needs the memory elsewhere).
    public static func releaseCachedBuffers() {
        let released = cache.withLock { $0.removeAll() }
        for pointer in released { pointer.deallocate() }
    }

    /// Runs `body` with a scratch buffer of `count` floats (contents undefined), which
    /// goes back to the cache afterwards.
    @inline(__always)
    public static func withScratch<R>(count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let buffer = allocate(count: count)
        defer { deallocate(buffer, count: count) }
        return try body(buffer)
    }

    /// Bytes currently held by the cache.
    public static var cachedBytes: Int { cache.withLock { $0.bytes } }

    /// The size actually allocated for `count` floats. Large sizes are rounded up to
    /// one of four classes per power of two (at most 25 % over), so a tensor that
    /// grows a little per call (a KV cache) still reuses cached buffers; pages past
    /// `count` that are never written are never made resident.
    static func allocatedBytes(count: Int) -> Int {
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        if bytes < cacheThreshold { return (bytes + 63) & ~63 }
        let quarter = 1 << (Int.bitWidth - bytes.leadingZeroBitCount - 3)
        return (bytes + quarter - 1) / quarter * quarter
    }

    private static let cache = Mutex(BufferCache())
}

/// Free buffers by allocated size (see ``FloatAllocation``).
struct BufferCache: @unchecked Sendable {
    private var free: [Int: [UnsafeMutableRawPointer]] = [:]
    private(set) var bytes = 0

    mutating func take(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        guard let pointer = free[byteCount]?.popLast() else { return nil }
        bytes -= byteCount
        return pointer
    }

    /// Keeps `pointer` unless the cache would exceed its limit.
    mutating func put(_ pointer: UnsafeMutableRawPointer, byteCount: Int) -> Bool {
        guard bytes + byteCount <= FloatAllocation.cacheLimit else { return false }
        free[byteCount, default: []].append(pointer)
        bytes += byteCount
        return true
    }

    mutating func removeAll() -> [UnsafeMutableRawPointer] {
        let all = free.values.flatMap { $0 }
        free = [:]
        bytes = 0
        return all
    }
}
