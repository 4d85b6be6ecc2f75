// swift-tools-version: 6.0
import PackageDescription

// Kernels are written with `SIMD8<Float>` and `addingProduct`. On x86_64 that only
// becomes a single vfmadd instruction when code generation targets AVX2 + FMA
// (x86-64-v3); without it every `addingProduct` lane is a libm `fmaf` call. The
// flag is an unsafe flag: SwiftPM accepts it for a root package and for local
// (path) or branch dependencies, but refuses it for version-pinned dependencies.
// A package depending on this one by version gets the portable build (no
// `KERNELS_FMA`, plain multiply + add, about 2x slower GEMM) unless it builds with
// `swift build -Xcc -march=x86-64-v3 -Xswiftc -DKERNELS_FMA` itself.
// arm64 always has fused multiply-add in NEON, so no flag is needed there.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=x86-64-v3"]),
    .define("KERNELS_FMA"),
]
// The AVX-512 kernels' module alone targets x86-64-v4. Kernels calls into it only after
// checking the CPU at run time, so the build still runs on AVX2-only machines.
// `KERNELS_AVX512` travels with the flag that makes the code AVX-512: a build without it
// compiles the module for baseline x86_64, and Kernels then never calls it.
let avx512Settings: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-march=x86-64-v4", "-DKERNELS_AVX512"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]
#elseif arch(arm64)
let kernelSettings: [SwiftSetting] = [.define("KERNELS_FMA")]
let avx512Settings: [SwiftSetting] = []
#else
let kernelSettings: [SwiftSetting] = []
let avx512Settings: [SwiftSetting] = []
#endif

// Debug builds (what `swift test` uses) still optimise the kernels: unoptimised SIMD code is
// 50-100x slower, which would make every numeric test crawl. Only Kernels gets -O; the
// layers above stay debuggable.
let optimizedKernelSettings = kernelSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "LongReD",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "NN", targets: ["NN"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Recipes", targets: ["Recipes"]),
        .executable(name: "longred", targets: ["longred"]),
        .executable(name: "kernel-bench", targets: ["KernelBench"]),
        .executable(name: "model-bench", targets: ["ModelBench"]),
        .executable(name: "train-bench", targets: ["TrainBench"]),
        // For Benchmarks/compare_numpy_torch.py --library only.
        .library(name: "KernelsFFI", type: .dynamic, targets: ["KernelsFFI"]),
    ],
    targets: [
        .target(name: "Kernels", dependencies: ["KernelsAVX512"], swiftSettings: optimizedKernelSettings),
        .target(name: "KernelsAVX512", swiftSettings: avx512Settings),
        .target(name: "Tensors", dependencies: ["Kernels"], swiftSettings: kernelSettings),
        .target(name: "NN", dependencies: ["Tensors"], swiftSettings: kernelSettings),
        .target(name: "Models", dependencies: ["NN"], swiftSettings: kernelSettings),
        .target(name: "Recipes", dependencies: ["Models"], swiftSettings: kernelSettings),
        .executableTarget(name: "longred", dependencies: ["Recipes"], swiftSettings: kernelSettings),
        .executableTarget(
            name: "KernelBench", dependencies: ["Kernels", "KernelsAVX512"], path: "Benchmarks/KernelBench",
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "ModelBench", dependencies: ["Models"], path: "Benchmarks/ModelBench",
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "TrainBench", dependencies: ["Recipes"], path: "Benchmarks/TrainBench",
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "CustomRecipe", dependencies: ["Recipes"], path: "Examples/CustomRecipe",
            swiftSettings: kernelSettings),
        .target(
            name: "KernelsFFI", dependencies: ["Kernels"], path: "Benchmarks/KernelsFFI",
            swiftSettings: kernelSettings),
        .executableTarget(
            name: "TrainTiny", dependencies: ["NN"], path: "Examples/TrainTiny",
            swiftSettings: kernelSettings),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "KernelsAVX512"], swiftSettings: kernelSettings),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"], swiftSettings: kernelSettings),
        .testTarget(name: "NNTests", dependencies: ["NN"], swiftSettings: kernelSettings),
        .testTarget(
            name: "ModelsTests", dependencies: ["Models"], resources: [.copy("Fixtures")],
            swiftSettings: kernelSettings),
        .testTarget(name: "RecipesTests", dependencies: ["Recipes"], swiftSettings: kernelSettings),
    ],
    swiftLanguageModes: [.v5]
)
