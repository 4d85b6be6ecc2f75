/// A JSON key given by its string, for hand-written decoding that can name every key
/// in its errors.
struct ConfigurationKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Reads keys from a JSON object, turning decoding failures into `ConfigurationError`s
/// that carry the dotted key path.
struct ConfigurationReader {
    let container: KeyedDecodingContainer<ConfigurationKey>
    /// Dotted prefix for nested objects, e.g. `rope_scaling.`.
    let prefix: String

    func has(_ key: String) -> Bool {
        container.contains(ConfigurationKey(key)) && !((try? container.decodeNil(forKey: ConfigurationKey(key))) ?? true)
    }

    /// The value, or `nil` if the key is absent or null.
    func optional<T: Decodable>(_ key: String, as type: T.Type = T.self, expected: String) throws -> T? {
        guard has(key) else { return nil }
        do {
            return try container.decode(T.self, forKey: ConfigurationKey(key))
        } catch {
            throw ConfigurationError(key: prefix + key, problem: .wrongType(expected: expected))
        }
    }

    func required<T: Decodable>(_ key: String, as type: T.Type = T.self, expected: String) throws -> T {
        guard let value = try optional(key, as: T.self, expected: expected) else {
            throw ConfigurationError(key: prefix + key, problem: .missing)
        }
        return value
    }

    /// A nested object, or `nil` if absent or null.
    func nested(_ key: String) throws -> ConfigurationReader? {
        guard has(key) else { return nil }
        do {
            let inner = try container.nestedContainer(keyedBy: ConfigurationKey.self, forKey: ConfigurationKey(key))
            return ConfigurationReader(container: inner, prefix: prefix + key + ".")
        } catch {
            throw ConfigurationError(key: prefix + key, problem: .wrongType(expected: "an object or null"))
        }
    }
}
