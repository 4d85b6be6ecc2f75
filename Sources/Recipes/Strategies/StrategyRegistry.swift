/// The training strategies known by name (`longred extend --recipe NAME`).
///
/// Each entry builds a strategy from string options (`--a1 5` arrives as `["a1": "5"]`).
/// Names joined by `+` build a ``CompositeStrategy`` of the named parts, each given the
/// options it declares (`longred+lora`). To add a strategy, append an entry to ``entries``.
public enum StrategyRegistry {
    /// One named strategy.
    public struct Entry {
        /// The name on the command line.
        public let name: String
        /// One line for `--help`.
        public let summary: String
        /// The option keys it reads, with their help text.
        public let options: [String: String]
        /// Builds the strategy; throws ``StrategyRegistryError`` for a bad option value.
        public let make: (StrategyOptions) throws -> any TrainingStrategy

        public init(
            name: String, summary: String, options: [String: String] = [:],
            make: @escaping (StrategyOptions) throws -> any TrainingStrategy
        ) {
            self.name = name
            self.summary = summary
            self.options = options
            self.make = make
        }
    }

    /// Every registered strategy.
    public static var entries: [Entry] {
        [
            Entry(name: "cpt", summary: "long-text continual pretraining: cross-entropy on Lt texts (METHODS.md §2)") { _ in
                LongCPT()
            },
        ]
    }

    /// The registered names.
    public static var names: [String] { entries.map(\.name) }

    /// The strategy called `name` (or the composite `a+b+...`), built from `options`.
    /// - Throws: ``StrategyRegistryError`` for an unknown name, an option no part reads, or
    ///   a bad option value.
    public static func make(name: String, options: [String: String]) throws -> any TrainingStrategy {
        let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        var used: Set<String> = []
        var strategies: [any TrainingStrategy] = []
        for part in parts {
            guard let entry = entries.first(where: { $0.name == part }) else {
                throw StrategyRegistryError.unknownStrategy(part, known: names)
            }
            let own = options.filter { entry.options[$0.key] != nil }
            used.formUnion(own.keys)
            strategies.append(try entry.make(StrategyOptions(values: own, strategy: part)))
        }
        if let unused = options.keys.sorted().first(where: { !used.contains($0) }) {
            throw StrategyRegistryError.unusedOption(unused, strategy: name)
        }
        return strategies.count == 1 ? strategies[0] : CompositeStrategy(strategies)
    }
}

/// String options handed to a registry entry, with typed accessors whose errors name the option.
public struct StrategyOptions {
    /// The raw values by key.
    public let values: [String: String]
    /// The strategy the options are for (for messages).
    public let strategy: String

    public init(values: [String: String], strategy: String) {
        self.values = values
        self.strategy = strategy
    }

    /// The option `key` as a number, or `defaultValue` when absent.
    public func double(_ key: String, default defaultValue: Double) throws -> Double {
        guard let raw = values[key] else { return defaultValue }
        guard let value = Double(raw), value.isFinite else {
            throw StrategyRegistryError.invalidOption(key, value: raw, strategy: strategy, reason: "expected a number")
        }
        return value
    }

    /// The option `key` as an integer, or `defaultValue` when absent.
    public func int(_ key: String, default defaultValue: Int) throws -> Int {
        guard let raw = values[key] else { return defaultValue }
        guard let value = Int(raw) else {
            throw StrategyRegistryError.invalidOption(key, value: raw, strategy: strategy, reason: "expected an integer")
        }
        return value
    }

    /// The option `key` as text, or `defaultValue` when absent.
    public func string(_ key: String, default defaultValue: String) -> String { values[key] ?? defaultValue }
}

/// Why the registry could not build a strategy.
public enum StrategyRegistryError: Error, Equatable, CustomStringConvertible {
    case unknownStrategy(String, known: [String])
    case unusedOption(String, strategy: String)
    case invalidOption(String, value: String, strategy: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownStrategy(name, known):
            return "unknown recipe '\(name)' (known: \(known.joined(separator: ", ")))"
        case let .unusedOption(key, strategy):
            return "option '\(key)' is not used by recipe '\(strategy)'"
        case let .invalidOption(key, value, strategy, reason):
            return "recipe '\(strategy)': option '\(key)' = '\(value)': \(reason)"
        }
    }
}
