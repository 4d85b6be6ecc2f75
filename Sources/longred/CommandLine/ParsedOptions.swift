/// A mistake on the command line. The tool prints it with the command's usage and exits with 2.
struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The flags given to one command, checked against its specification.
struct ParsedOptions {
    private var values: [String: String] = [:]
    private var switches: Set<String> = []

    /// Parses `arguments` (everything after the command name). Every flag must be declared;
    /// a value flag needs a value (`--steps 10` or `--steps=10`); a flag may appear once.
    init(_ arguments: [String], specification: CommandSpecification) throws {
        let known = Dictionary(uniqueKeysWithValues: specification.options.map { ($0.name, $0) })
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            guard argument.hasPrefix("--") else {
                throw UsageError("unexpected argument '\(argument)' (options start with --)")
            }
            var name = argument
            var inlineValue: String?
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                inlineValue = String(argument[argument.index(after: equals)...])
            }
            guard let option = known[name] else {
                throw UsageError("unknown option '\(name)' for 'longred \(specification.name)'")
            }
            guard values[name] == nil && !switches.contains(name) else {
                throw UsageError("option '\(name)' is given more than once")
            }
            if option.valueName == nil {
                guard inlineValue == nil else { throw UsageError("option '\(name)' takes no value") }
                switches.insert(name)
                continue
            }
            if let inlineValue {
                values[name] = inlineValue
            } else if index < arguments.count, !arguments[index].hasPrefix("--") {
                values[name] = arguments[index]
                index += 1
            } else {
                throw UsageError("option '\(name)' needs a value <\(option.valueName!)>")
            }
        }
    }

    /// Whether a switch was given.
    func isSet(_ name: String) -> Bool { switches.contains(name) }

    /// The raw value of a flag, if given.
    func string(_ name: String) -> String? { values[name] }

    /// The value of a flag that must be given.
    func required(_ name: String) throws -> String {
        guard let value = values[name] else { throw UsageError("missing required option '\(name)'") }
        return value
    }

    /// The value of `name` converted to `T` (Int, Double, Float, UInt64, ...), or `defaultValue`.
    func value<T: LosslessStringConvertible>(_ name: String, default defaultValue: T) throws -> T {
        try value(name, as: T.self) ?? defaultValue
    }

    /// The value of `name` converted to `T`, or nil when absent; a value that does not convert is
    /// an error naming the flag.
    func value<T: LosslessStringConvertible>(_ name: String, as type: T.Type) throws -> T? {
        guard let raw = values[name] else { return nil }
        guard let converted = T(raw) else {
            throw UsageError("option '\(name)' expects \(Self.kind(of: T.self)), got '\(raw)'")
        }
        return converted
    }

    /// A positive integer flag.
    func positiveInteger(_ name: String, default defaultValue: Int) throws -> Int {
        let result = try value(name, default: defaultValue)
        guard result > 0 else { throw UsageError("option '\(name)' must be a positive integer, got \(result)") }
        return result
    }

    private static func kind<T>(of type: T.Type) -> String {
        switch type {
        case is Int.Type, is UInt64.Type, is Int32.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default: return "a value of type \(type)"
        }
    }
}
