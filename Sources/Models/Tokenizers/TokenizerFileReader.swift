import Foundation

/// Typed access to the parts of a parsed `tokenizer.json`, turning every malformation
/// into a ``TokenizerError`` that names the file and the dotted key.
struct TokenizerFileReader {
    let file: String

    func value(_ parent: JSONValue, _ key: String, path: String) throws -> JSONValue {
        guard case .object = parent else { throw TokenizerError.invalidValue(file: file, key: path, reason: "expected an object") }
        guard let value = parent[key] else { throw TokenizerError.missingKey(file: file, key: join(path, key)) }
        return value
    }

    func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : path + "." + key
    }

    func string(_ value: JSONValue, path: String) throws -> String {
        guard case .string(let text) = value else {
            throw TokenizerError.invalidValue(file: file, key: path, reason: "expected a string, found \(value.kindName)")
        }
        return text
    }

    func string(_ parent: JSONValue, _ key: String, path: String) throws -> String {
        try string(try value(parent, key, path: path), path: join(path, key))
    }

    /// An optional string: absent or null give nil.
    func optionalString(_ parent: JSONValue, _ key: String, path: String) throws -> String? {
        guard let value = parent[key], !value.isNull else { return nil }
        return try string(value, path: join(path, key))
    }

    func bool(_ parent: JSONValue, _ key: String, path: String, default defaultValue: Bool) throws -> Bool {
        guard let value = parent[key], !value.isNull else { return defaultValue }
        guard case .bool(let flag) = value else {
            throw TokenizerError.invalidValue(
                file: file, key: join(path, key), reason: "expected a boolean, found \(value.kindName)")
        }
        return flag
    }

    func int(_ value: JSONValue, path: String) throws -> Int {
        guard case .number(let number) = value, number >= 0, number < 1e12, number == number.rounded() else {
            throw TokenizerError.invalidValue(
                file: file, key: path, reason: "expected a non-negative integer, found \(value.kindName)")
        }
        return Int(number)
    }

    func int(_ parent: JSONValue, _ key: String, path: String) throws -> Int {
        try int(try value(parent, key, path: path), path: join(path, key))
    }

    func array(_ value: JSONValue, path: String) throws -> [JSONValue] {
        guard case .array(let items) = value else {
            throw TokenizerError.invalidValue(file: file, key: path, reason: "expected an array, found \(value.kindName)")
        }
        return items
    }

    func array(_ parent: JSONValue, _ key: String, path: String) throws -> [JSONValue] {
        try array(try value(parent, key, path: path), path: join(path, key))
    }

    func object(_ value: JSONValue, path: String) throws -> [(key: String, value: JSONValue)] {
        guard case .object(let pairs) = value else {
            throw TokenizerError.invalidValue(file: file, key: path, reason: "expected an object, found \(value.kindName)")
        }
        return pairs
    }

    /// A single character (`replacement` of Metaspace, `content` of Strip).
    func scalar(_ parent: JSONValue, _ key: String, path: String) throws -> Unicode.Scalar {
        let text = try string(parent, key, path: path)
        let scalars = Array(text.unicodeScalars)
        guard scalars.count == 1 else {
            throw TokenizerError.invalidValue(file: file, key: join(path, key), reason: "expected a single character")
        }
        return scalars[0]
    }

    /// A `{"String": ...}` pattern; `{"Regex": ...}` is reported as unsupported.
    func literalPattern(_ parent: JSONValue, path: String) throws -> [Unicode.Scalar] {
        let pattern = try value(parent, "pattern", path: path)
        if let literal = pattern["String"] {
            return Array(try string(literal, path: join(path, "pattern.String")).unicodeScalars)
        }
        if let regex = pattern["Regex"] {
            throw TokenizerError.unsupported(
                file: file, key: join(path, "pattern.Regex"), value: (try? string(regex, path: "")) ?? "")
        }
        throw TokenizerError.missingKey(file: file, key: join(path, "pattern.String"))
    }

    /// The `type` of a component, required to be a string.
    func type(_ component: JSONValue, path: String) throws -> String {
        try string(component, "type", path: path)
    }
}
