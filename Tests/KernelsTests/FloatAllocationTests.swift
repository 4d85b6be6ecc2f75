import Testing

@testable import Kernels

struct FloatAllocationTests {
    @Test func smallBuffersAreCacheLineAligned() {
        for count in [0, 1, 15, 1000, 1 << 18] {
            let pointer = FloatAllocation.allocate(count: count)
            defer { FloatAllocation.deallocate(pointer, count: count) }
            #expect(Int(bitPattern: pointer) % 64 == 0, "count \(count)")
            pointer[max(count, 1) - 1] = 1  // the whole range is writable
        }
    }

    /// Large buffers start on a huge-page boundary on Linux, so transparent huge
    /// pages can back all of them.
    @Test func largeBuffersAreHugePageAligned() {
        let count = FloatAllocation.hugePageThreshold / MemoryLayout<Float>.stride + 3
        let pointer = FloatAllocation.allocate(count: count)
        defer { FloatAllocation.deallocate(pointer, count: count) }
        #if os(Linux)
        #expect(Int(bitPattern: pointer) % (2 << 20) == 0)
        #else
        #expect(Int(bitPattern: pointer) % 64 == 0)
        #endif
        pointer.initialize(repeating: 2, count: count)
        #expect(pointer[count - 1] == 2)
    }

    /// Sizes at or above the cache threshold round up to four classes per power of two.
    @Test func sizeClasses() {
        #expect(FloatAllocation.allocatedBytes(count: 1) == 64)
        #expect(FloatAllocation.allocatedBytes(count: 100) == 448)
        #expect(FloatAllocation.allocatedBytes(count: 8192) == 32768)  // exactly 32 KiB
        #expect(FloatAllocation.allocatedBytes(count: 8193) == 40960)  // 1.25 x 32 KiB
        #expect(FloatAllocation.allocatedBytes(count: 768 * 352) == 1_310_720)  // 1.25 MiB
        for count in stride(from: 8192, through: 1 << 22, by: 4099) {
            let bytes = FloatAllocation.allocatedBytes(count: count)
            #expect(bytes >= count * 4 && Double(bytes) <= 1.25 * Double(count * 4), "count \(count)")
        }
    }

    /// A freed large buffer comes back for the next request of its size class. The
    /// odd 37 MiB class keeps other tests (running concurrently) from taking it.
    @Test func freedBuffersAreReused() {
        let count = (37 << 20) / 4 + 5
        let first = FloatAllocation.allocate(count: count)
        first[count - 1] = 7
        FloatAllocation.deallocate(first, count: count)
        let second = FloatAllocation.allocate(count: count - 3)  // same class
        #expect(second == first)
        FloatAllocation.deallocate(second, count: count - 3)
        FloatAllocation.releaseCachedBuffers()
    }
}
