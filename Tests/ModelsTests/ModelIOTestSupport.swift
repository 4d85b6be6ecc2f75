import Foundation

/// A fresh temporary directory for one test, removed when the value is released.
final class ModelIOTemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("ModelsTests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes raw bytes to `name` and returns the full path.
    @discardableResult
    func write(_ name: String, bytes: [UInt8]) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes a safetensors-style file: 8-byte length (or `length` if given), header text, data.
    @discardableResult
    func writeSafetensors(_ name: String, header: String, data: [UInt8], length: UInt64? = nil) throws -> String {
        let headerBytes = Array(header.utf8)
        let prefix = length ?? UInt64(headerBytes.count)
        var bytes: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: prefix >> (8 * UInt64($0))) }
        bytes += headerBytes
        bytes += data
        return try write(name, bytes: bytes)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Little-endian bytes of 32-bit floats.
func modelIOLittleEndianBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in (0..<4).map { UInt8(truncatingIfNeeded: value.bitPattern >> (8 * UInt32($0))) } }
}

/// Little-endian bytes of 16-bit words.
func modelIOLittleEndianBytes(_ values: [UInt16]) -> [UInt8] {
    values.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
}

/// The directory holding the committed Hugging Face fixtures.
func modelIOFixturesDirectory() throws -> URL {
    guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw CocoaError(.fileNoSuchFile)
    }
    return url
}

/// A seeded generator (ModelIORandom) so randomised tests are reproducible.
struct ModelIORandom: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
