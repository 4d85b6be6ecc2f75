/// Open-addressing hash map from a packed id pair to a packed (rank, merged id), the hot
/// lookup of BPE merging. A multiplicative hash on the 64-bit key replaces the
/// `Dictionary`'s SipHash, which dominated merge time.
struct PairTable {
    private static let empty = UInt64.max
    private var keys: [UInt64]
    private var values: [UInt64]
    private let mask: Int
    private let shift: UInt64

    init(minimumCapacity: Int) {
        var capacity = 16
        var bits: UInt64 = 4
        while capacity < 2 * minimumCapacity {
            capacity *= 2
            bits += 1
        }
        keys = [UInt64](repeating: Self.empty, count: capacity)
        values = [UInt64](repeating: 0, count: capacity)
        mask = capacity - 1
        shift = 64 - bits
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// Inserts or overwrites. Keys never equal `UInt64.max` (ids are below 2^31).
    mutating func set(_ key: UInt64, rank: Int32, id: Int32) {
        var index = slot(key)
        while keys[index] != Self.empty && keys[index] != key { index = (index + 1) & mask }
        keys[index] = key
        values[index] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: id))
    }

    @inline(__always)
    func get(_ key: UInt64) -> (rank: Int32, id: Int32)? {
        var index = slot(key)
        while true {
            let stored = keys[index]
            if stored == key {
                let value = values[index]
                return (Int32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value & 0xFFFF_FFFF))
            }
            if stored == Self.empty { return nil }
            index = (index + 1) & mask
        }
    }
}
