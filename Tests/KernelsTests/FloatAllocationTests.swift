import Testing

@testable import Kernels

struct FloatAllocationTests {
    @Test func smallBuffersAreCacheLineAligned() {
        for count in [0, 1, 15, 1000, 1 << 18] {
            let pointer = FloatAllocation.allocate(count: count)
            defer { FloatAllocation.deallocate(pointer) }
            #expect(Int(bitPattern: pointer) % 64 == 0, "count \(count)")
            pointer[max(count, 1) - 1] = 1  // the whole range is writable
        }
    }

    /// Large buffers start on a huge-page boundary on Linux, so transparent huge
    /// pages can back all of them.
    @Test func largeBuffersAreHugePageAligned() {
        let count = FloatAllocation.hugePageThreshold / MemoryLayout<Float>.stride + 3
        let pointer = FloatAllocation.allocate(count: count)
        defer { FloatAllocation.deallocate(pointer) }
        #if os(Linux)
        #expect(Int(bitPattern: pointer) % (2 << 20) == 0)
        #else
        #expect(Int(bitPattern: pointer) % 64 == 0)
        #endif
        pointer.initialize(repeating: 2, count: count)
        #expect(pointer[count - 1] == 2)
    }
}
