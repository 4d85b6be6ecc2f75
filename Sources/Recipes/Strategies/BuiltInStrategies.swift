/// Builds the built-in strategies from a name and string options (the command line's
/// `--strategy` and `--strategy-option key=value`).
///
/// Names: `cpt`, `mix-cpt`, `pose`, `longred-u`, `longred-c` (objectives) and `merging`,
/// `attention-only`, `l2`, `ewc`, `lora` (modifiers). Components join with `+` and run in the
/// written order (`longred-c+lora`, `longred-c+merging`, `longred-c+lora+merging`). A name made
/// only of modifiers gets `cpt` in front (`merging` is "CPT, then merge", as in the papers).
///
/// Options (all optional unless noted; keys not listed are ignored, so one dictionary can
/// serve every component):
///
/// | key | strategies | value |
/// |---|---|---|
/// | `a1`, `a2` | longred-* | non-negative numbers; default by extension factor |
/// | `layers` | longred-* | `M`, the number of selected layers besides the last |
/// | `layer-selection` | longred-* | `kl` (default), `uniform`, `all`, `last` |
/// | `original-length`, `target-length` | longred-* | `L0`, `Lt` (default: from the batches) |
/// | `target-length` | pose | `Lt` (default: the run's target length) |
/// | `merge-weight` | merging | `w` in [0, 1], default 0.5 |
/// | `l2-lambda` | l2 | required, non-negative |
/// | `ewc-lambda` | ewc | required, non-negative |
/// | `ewc-batches` | ewc | positive integer, default 8 |
/// | `lora-rank` | lora | positive integer, default 8 |
/// | `lora-alpha` | lora | positive number, default 16 |
/// | `lora-targets` | lora | `attention` (default) or `attention+mlp` |
///
/// A registry that splits `+` itself should build each part with ``component(_:options:)``
/// (no implicit `cpt`) and list ``optionHelp`` as the keys each part reads.
public enum BuiltInStrategies {
    /// Strategies that define the training objective.
    public static let objectives = ["cpt", "mix-cpt", "pose", "longred-u", "longred-c"]
    /// Strategies that change how an objective trains (hooks or an added penalty).
    public static let modifiers = ["merging", "attention-only", "l2", "ewc", "lora"]
    /// Every built-in name.
    public static var names: [String] { objectives + modifiers }

    /// The strategy called `name` (possibly a `+` composition), or nil when `name` is a single
    /// name that is not built in (so a registry can try others).
    ///
    /// - Throws: ``StrategyError`` for an unknown component of a composition, a bad option
    ///   value, a missing required option or components that cannot run together.
    public static func make(name: String, options: [String: String]) throws -> (any TrainingStrategy)? {
        let parts = name.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 && !names.contains(name) { return nil }
        for part in parts where !names.contains(part) {
            throw StrategyError.unknownStrategy(part.isEmpty ? name : part, known: names)
        }
        if Set(parts).count != parts.count {
            throw StrategyError.incompatibleComponents("'\(name)' names a component twice")
        }
        if parts.filter({ objectives.contains($0) }).count > 1 {
            throw StrategyError.incompatibleComponents("'\(name)' has more than one objective (\(objectives.joined(separator: ", ")))")
        }
        if let merging = parts.firstIndex(of: "merging"), let lora = parts.firstIndex(of: "lora"), merging < lora {
            throw StrategyError.incompatibleComponents("'\(name)': merging must come after lora (adapters are folded in first)")
        }
        let names = parts.contains { objectives.contains($0) } ? parts : ["cpt"] + parts
        let components = try names.map { try component($0, options: options) }
        return components.count == 1 ? components[0] : CompositeStrategy(components)
    }

    /// One-line descriptions, by name (for `--help`).
    public static let summaries: [String: String] = [
        "cpt": "long-text continual pretraining: cross-entropy on Lt texts (METHODS.md §2)",
        "mix-cpt": "data replay: long/short/original-window texts 4:3:1, all with cross-entropy",
        "pose": "PoSE: cross-entropy on L0 windows whose two chunks' positions are spread over 0..<Lt (METHODS.md §6)",
        "longred-u": "LongReD with uniform skipped positions: CE on long, hidden-state distillation on short and s2l texts",
        "longred-c": "LongReD with CREAM skipped positions: CE on long, hidden-state distillation on short and s2l texts",
        "merging": "after training, interpolate every weight with the original: (1 - w) original + w trained",
        "attention-only": "train only the attention projections (q/k/v/o_proj)",
        "l2": "add lambda * ||theta - theta_orig||^2",
        "ewc": "add lambda * sum F (theta - theta_orig)^2, diagonal Fisher of the original on calibration texts",
        "lora": "freeze the base weights, train low-rank adapters, fold them in at the end",
    ]

    /// The option keys each strategy reads, with help text, by name.
    public static let optionHelp: [String: [String: String]] = {
        let longred = [
            "a1": "weight of the short-text distillation (default 5 below 8x extension, 2 from 8x)",
            "a2": "weight of the short-to-long distillation (default 10 below 8x, 15 from 8x)",
            "layers": "number of distilled layers besides the last (default round(layers * 6/32))",
            "layer-selection": "kl (attention drift, default), uniform, all or last",
            "original-length": "L0 (default: the original-window text length)",
            "target-length": "Lt (default: the long text length)",
        ]
        return [
            "cpt": [:], "mix-cpt": [:], "longred-u": longred, "longred-c": longred,
            "pose": ["target-length": "Lt (default: the run's target length)"],
            "merging": ["merge-weight": "w in [0, 1], the trained model's weight (default 0.5)"],
            "attention-only": [:],
            "l2": ["l2-lambda": "lambda (required)"],
            "ewc": ["ewc-lambda": "lambda (required)", "ewc-batches": "calibration batches for the Fisher (default 8)"],
            "lora": [
                "lora-rank": "adapter rank r (default 8)", "lora-alpha": "alpha, the update is scaled by alpha/r (default 16)",
                "lora-targets": "attention (default) or attention+mlp",
            ],
        ]
    }()

    /// Exactly the built-in strategy `name` (no `+`, no implicit `cpt`), for registries that
    /// compose the parts themselves. Keys it does not read are ignored.
    ///
    /// - Throws: ``StrategyError`` for an unknown name, a bad value or a missing required option.
    public static func component(_ name: String, options: [String: String]) throws -> any TrainingStrategy {
        let reader = OptionReader(strategy: name, options: options)
        switch name {
        case "cpt":
            return LongCPT()
        case "mix-cpt":
            return MixCPT()
        case "pose":
            return PoSE(targetLength: try reader.integer("target-length", minimum: 2))
        case "longred-u", "longred-c":
            let count = try reader.integer("layers", minimum: 0)
            let selection: LayerSelection
            switch options["layer-selection"] {
            case nil, "kl": selection = .attentionDrift(count: count)
            case "uniform": selection = .uniform(count: count)
            case "all": selection = .all
            case "last": selection = .lastOnly
            case let other?:
                throw StrategyError.invalidOption(
                    strategy: name, key: "layer-selection", value: other, expected: "kl, uniform, all or last")
            }
            return LongReD(
                sampler: name == "longred-u" ? .uniform : .cream,
                shortWeight: try reader.number("a1", range: 0...Double.greatestFiniteMagnitude),
                s2lWeight: try reader.number("a2", range: 0...Double.greatestFiniteMagnitude),
                layers: selection,
                originalLength: try reader.integer("original-length", minimum: 1),
                targetLength: try reader.integer("target-length", minimum: 1))
        case "merging":
            return ModelMerging(weight: try reader.number("merge-weight", range: 0...1) ?? 0.5)
        case "attention-only":
            return AttentionOnlyTuning()
        case "l2":
            return L2ToOriginal(lambda: try reader.required { try reader.number("l2-lambda", range: 0...Double.greatestFiniteMagnitude) })
        case "ewc":
            return EWC(
                lambda: try reader.required { try reader.number("ewc-lambda", range: 0...Double.greatestFiniteMagnitude) },
                fisherBatches: try reader.integer("ewc-batches", minimum: 1) ?? 8)
        case "lora":
            let targets: LoRA.Targets
            switch options["lora-targets"] {
            case nil: targets = .attention
            case let value?:
                guard let parsed = LoRA.Targets(rawValue: value) else {
                    throw StrategyError.invalidOption(
                        strategy: name, key: "lora-targets", value: value, expected: "attention or attention+mlp")
                }
                targets = parsed
            }
            return LoRA(
                rank: try reader.integer("lora-rank", minimum: 1) ?? 8,
                alpha: try reader.number("lora-alpha", range: Double.leastNonzeroMagnitude...Double.greatestFiniteMagnitude) ?? 16,
                targets: targets)
        default:
            throw StrategyError.unknownStrategy(name, known: Self.names)
        }
    }
}

/// Typed parsing of `key=value` strategy options.
private struct OptionReader {
    let strategy: String
    let options: [String: String]
    /// The key of the last lookup, for ``required(_:)``'s error.
    private final class LastKey { var key = "" }
    private let last = LastKey()

    init(strategy: String, options: [String: String]) {
        self.strategy = strategy
        self.options = options
    }

    func number(_ key: String, range: ClosedRange<Double>) throws -> Double? {
        last.key = key
        guard let text = options[key] else { return nil }
        guard let value = Double(text), value.isFinite, range.contains(value) else {
            throw StrategyError.invalidOption(
                strategy: strategy, key: key, value: text,
                expected: range.upperBound == Double.greatestFiniteMagnitude
                    ? (range.lowerBound > 0 ? "a positive number" : "a non-negative number")
                    : "a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func integer(_ key: String, minimum: Int) throws -> Int? {
        last.key = key
        guard let text = options[key] else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw StrategyError.invalidOption(strategy: strategy, key: key, value: text, expected: "an integer >= \(minimum)")
        }
        return value
    }

    func required<T>(_ read: () throws -> T?) throws -> T {
        guard let value = try read() else { throw StrategyError.missingOption(strategy: strategy, key: last.key) }
        return value
    }
}
