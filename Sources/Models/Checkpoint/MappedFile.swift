import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file, unmapped when released.
///
/// Checkpoint bytes are read straight from the page cache into the caller's buffer, so
/// loading a model never holds the file contents and the converted floats at once.
final class MappedFile: @unchecked Sendable {
    /// The path used in error messages.
    let path: String
    /// The mapped bytes; `count` is the file size.
    let bytes: UnsafeRawBufferPointer

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw CheckpointError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        if fstat(fd, &info) != 0 {
            throw CheckpointError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw CheckpointError.unreadable(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            // mmap rejects a zero length; an empty file is simply too short.
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw CheckpointError.unreadable(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }
}
