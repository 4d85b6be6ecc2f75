/// The element types a safetensors header can name.
///
/// Only the floating-point types `F64`, `F32`, `F16` and `BF16` convert to `Float`;
/// the others are recognised so that files holding them (for example integer buffers)
/// still open, and reading such a tensor as `Float` is a typed error.
public enum SafetensorsDType: String, CaseIterable, Sendable {
    case bool = "BOOL"
    case u8 = "U8", i8 = "I8"
    case f8e4m3 = "F8_E4M3", f8e5m2 = "F8_E5M2"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e4m3, .f8e5m2: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }

    /// Whether `read(_:into:)` can convert this type to `Float`.
    public var convertsToFloat: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: return true
        default: return false
        }
    }
}

/// Bit-level conversions between `Float` and the 16-bit float formats.
///
/// Written with integer operations rather than `Float16` because `Float16` is not
/// available on every platform Swift targets (macOS on Intel).
public enum HalfPrecision {
    /// Converts IEEE binary16 bits to `Float` exactly (subnormals, infinities and NaN included).
    @inlinable
    public static func float(fromHalfBits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h) & 0x3FF
        if exponent == 0x1F {
            // Infinity or NaN: keep the payload in the top mantissa bits.
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {
            // Zero or subnormal: value = mantissa * 2^-24, exact in Float.
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }

    /// Converts bfloat16 bits to `Float` exactly.
    @inlinable
    public static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }

    /// Rounds a `Float` to bfloat16 bits, round-to-nearest-even, as PyTorch does.
    /// NaN stays a quiet NaN with its sign.
    @inlinable
    public static func bfloat16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: (bits >> 16) | 0x0040) }
        let bias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ bias) >> 16)
    }
}
