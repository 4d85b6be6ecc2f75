/// `acc + a * b`, fused into one instruction where the build enables FMA
/// (`KERNELS_FMA`, see Package.swift). Without FMA code generation `addingProduct`
/// would be a library call per lane, so the fallback multiplies and adds.
@inlinable @inline(__always)
public func fusedMultiplyAdd(_ acc: SIMD8<Float>, _ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
    #if KERNELS_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// Scalar counterpart of ``fusedMultiplyAdd(_:_:_:)-(SIMD8<Float>,_,_)``.
@inlinable @inline(__always)
public func fusedMultiplyAdd(_ acc: Float, _ a: Float, _ b: Float) -> Float {
    #if KERNELS_FMA
    return acc.addingProduct(a, b)
    #else
    return acc + a * b
    #endif
}

/// Loads 8 floats from `p` (no alignment required).
@inlinable @inline(__always)
public func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Loads 4 floats from `p` (no alignment required).
@inlinable @inline(__always)
public func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
}

/// Stores 8 floats to `p` (no alignment required).
@inlinable @inline(__always)
public func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
