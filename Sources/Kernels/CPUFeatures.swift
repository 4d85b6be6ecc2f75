import Foundation
import Synchronization
#if arch(x86_64)
import KernelsAVX512
#endif

/// Instruction-set extensions the kernels choose between at run time.
///
/// The package is compiled for AVX2 + FMA (x86-64-v3) so that it runs on any recent x86_64
/// CPU; the GEMM micro-kernels and the attention tiles and softmax loops also have AVX-512
/// versions (module `KernelsAVX512`), used when the CPU and the operating system support
/// it. Set the environment variable `KERNELS_ISA=avx2` to keep to the AVX2 kernels (for
/// comparisons). Both give identical results.
public enum CPUFeatures {
    /// Whether the CPU has AVX-512 F, BW, DQ and VL (x86-64-v4) and module KernelsAVX512 was
    /// compiled for them.
    public static let hasAVX512: Bool = {
        #if arch(x86_64)
        return compiledForAVX512
            && supportsAVX512(flags: cpuFlags, environment: ProcessInfo.processInfo.environment)
        #else
        return false
        #endif
    }()

    /// The AVX-512 decision from the CPU's flags (as `/proc/cpuinfo` lists them) and the
    /// environment (`KERNELS_ISA=avx2` opts out).
    static func supportsAVX512(flags: Set<String>, environment: [String: String]) -> Bool {
        if environment["KERNELS_ISA"]?.lowercased() == "avx2" { return false }
        return avx512Flags.allSatisfy(flags.contains)
    }

    private static let avx512Flags = ["avx512f", "avx512bw", "avx512dq", "avx512vl"]

    /// The name of the instruction set the GEMM and attention kernels use: "avx512",
    /// "avx2", "neon" or "portable".
    public static var instructionSet: String {
        #if arch(x86_64)
        #if KERNELS_FMA
        return usesAVX512Kernels ? "avx512" : "avx2"
        #else
        return "portable"
        #endif
        #elseif arch(arm64)
        return "neon"
        #else
        return "portable"
        #endif
    }

    #if arch(x86_64)
    /// The CPU flags the kernel reports: it lists only extensions whose register state
    /// it saves, so a listed `avx512f` is usable.
    private static var cpuFlags: Set<String> {
        #if os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
            let colon = line.firstIndex(of: ":")
        else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        #elseif canImport(Darwin)
        return Set(avx512Flags.filter { flag in
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname("hw.optional.\(flag)", &value, &size, nil, 0) == 0 && value != 0
        })
        #else
        return []
        #endif
    }
    #endif
}

/// Whether the GEMM and attention kernels use their AVX-512 versions; starts as
/// ``CPUFeatures/hasAVX512``. Tests turn it off to compare the two (products running
/// meanwhile are unaffected: the bits are the same).
let avx512KernelsEnabled = Atomic<Bool>(CPUFeatures.hasAVX512)

var usesAVX512Kernels: Bool { avx512KernelsEnabled.load(ordering: .relaxed) }
