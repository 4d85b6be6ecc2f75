/// GPT-2's reversible mapping between bytes and printable Unicode scalars, used by the
/// `ByteLevel` pre-tokenizer and decoder.
enum ByteLevel {
    /// `byteToScalar[b]` is the scalar standing for byte `b`.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = Unicode.Scalar(UInt32(byte))!
            } else {
                table[byte] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// Inverse of `byteToScalar`, indexed by scalar value (all are below 0x144).
    static let scalarToByte: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in byteToScalar.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// Replaces each UTF-8 byte of `text` by its stand-in scalar.
    static func encode(_ text: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(text.count)
        for scalar in text {
            if scalar.value < 0x80 {
                result.append(byteToScalar[Int(scalar.value)])
            } else {
                for byte in UTF8.encode(scalar)! { result.append(byteToScalar[Int(byte)]) }
            }
        }
        return result
    }

    /// The bytes a token stands for, or nil when some scalar is not a byte stand-in
    /// (Hugging Face then keeps the token's own UTF-8 bytes).
    static func bytes(of token: String) -> [UInt8]? {
        var result: [UInt8] = []
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < scalarToByte.count, scalarToByte[value] >= 0 else { return nil }
            result.append(UInt8(scalarToByte[value]))
        }
        return result
    }
}

/// `bytes` as a string if they are valid UTF-8, nil otherwise. (`String(validating:)`
/// needs macOS 15; this works on every platform the package supports.)
func validatedUTF8String<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
    var view = String.UnicodeScalarView()
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue(let scalar): view.append(scalar)
        case .emptyInput: return String(view)
        case .error: return nil
        }
    }
}
