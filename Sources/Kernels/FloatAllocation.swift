#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Allocation of float buffers for kernel operands: tensor storage and GEMM packing.
///
/// Every buffer is 64-byte aligned, so a SIMD load never straddles a cache line.
/// On Linux, buffers of at least ``hugePageThreshold`` bytes are also 2 MiB aligned
/// and advised for transparent huge pages (as NumPy does for its arrays): a GEMM
/// streams a packed 4 MiB panel once per A sliver and walks C rows 8 KiB apart,
/// and with 4 KiB pages those walks miss the TLB (huge pages measured 3-8 % faster
/// at 2048³). Smaller buffers stay on ordinary pages, so they waste no memory.
public enum FloatAllocation {
    /// Buffers at least this large (in bytes) get huge-page alignment and advice.
    public static let hugePageThreshold = 4 << 20

    /// `count` uninitialised floats (at least one, so the pointer is always valid).
    /// Free with ``deallocate(_:)``.
    public static func allocate(count: Int) -> UnsafeMutablePointer<Float> {
        let byteCount = max(count, 1) * MemoryLayout<Float>.stride
        #if os(Linux)
        if byteCount >= hugePageThreshold {
            let hugePage = 2 << 20
            let raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: hugePage)
            // Advice only: if the kernel declines, the buffer works on small pages.
            _ = madvise(raw, byteCount / 4096 * 4096, MADV_HUGEPAGE)
            return raw.bindMemory(to: Float.self, capacity: max(count, 1))
        }
        #endif
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Frees a buffer from ``allocate(count:)``.
    public static func deallocate(_ pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).deallocate()
    }
}
