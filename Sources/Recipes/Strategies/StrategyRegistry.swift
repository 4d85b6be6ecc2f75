/// The training strategies known by name (`longred extend --recipe NAME`).
///
/// The built-in strategies (``BuiltInStrategies``: `cpt`, `mix-cpt`, `pose`, `longred-u`,
/// `longred-c`, `merging`, `attention-only`, `l2`, `ewc`, `lora`) are always there; more can
/// be added to ``customEntries``. Each entry builds a strategy from string options (`--a1 5`
/// arrives as `["a1": "5"]`). Names joined by `+` compose (`longred-c+lora`); a composition
/// of built-ins follows ``BuiltInStrategies/make(name:options:)`` (checks, implicit `cpt`).
/// An option that no named part reads is an error, so a typo is never silently ignored.
public enum StrategyRegistry {
    /// One named strategy.
    public struct Entry {
        /// The name on the command line.
        public let name: String
        /// One line for `--help`.
        public let summary: String
        /// The option keys it reads, with their help text.
        public let options: [String: String]
        /// Builds the strategy; throws for a bad option value.
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

    /// Strategies registered besides the built-in ones, e.g. by a program that embeds the
    /// trainer: `StrategyRegistry.customEntries.append(Entry(name: "my-recipe", ...))`.
    /// Register before training starts (the registry is not synchronised).
    nonisolated(unsafe) public static var customEntries: [Entry] = []

    /// Every registered strategy: the built-in ones, then ``customEntries``.
    public static var entries: [Entry] {
        BuiltInStrategies.names.map { name in
            Entry(
                name: name, summary: BuiltInStrategies.summaries[name] ?? "",
                options: BuiltInStrategies.optionHelp[name] ?? [:]
            ) { options in try BuiltInStrategies.component(name, options: options.values) }
        } + customEntries
    }

    /// The registered names.
    public static var names: [String] { entries.map(\.name) }

    /// The strategy called `name` (or the composite `a+b+...`), built from `options`.
    /// - Throws: ``StrategyRegistryError`` for an unknown name or an option no part reads;
    ///   the strategies' own errors (``StrategyError``) for bad values or incompatible parts.
    public static func make(name: String, options: [String: String]) throws -> any TrainingStrategy {
        let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        let known = entries
        var entriesOfParts: [Entry] = []
        for part in parts {
            guard let entry = known.first(where: { $0.name == part }) else {
                throw StrategyRegistryError.unknownStrategy(part, known: known.map(\.name))
            }
            entriesOfParts.append(entry)
        }
        let readable = Set(entriesOfParts.flatMap(\.options.keys))
        if let unused = options.keys.sorted().first(where: { !readable.contains($0) }) {
            throw StrategyRegistryError.unusedOption(unused, strategy: name)
        }
        if parts.allSatisfy(BuiltInStrategies.names.contains), let strategy = try BuiltInStrategies.make(name: name, options: options) {
            return strategy
        }
        let strategies = try entriesOfParts.map { entry in
            try entry.make(StrategyOptions(values: options.filter { entry.options[$0.key] != nil }, strategy: entry.name))
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
