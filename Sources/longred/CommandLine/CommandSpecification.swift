/// One `--flag` a command accepts.
struct OptionSpecification {
    /// The flag, with its dashes: `--model`.
    let name: String
    /// The placeholder shown in help for the value; nil for a boolean switch.
    let valueName: String?
    let help: String
    /// Shown in help; the command applies it when the flag is absent.
    let defaultDescription: String?

    static func value(_ name: String, _ valueName: String, _ help: String, default defaultDescription: String? = nil) -> Self {
        Self(name: name, valueName: valueName, help: help, defaultDescription: defaultDescription)
    }

    static func flag(_ name: String, _ help: String) -> Self {
        Self(name: name, valueName: nil, help: help, defaultDescription: nil)
    }
}

/// A subcommand: its name, a one-line summary, its options, and what it does.
struct CommandSpecification {
    let name: String
    let summary: String
    let options: [OptionSpecification]
    let run: (ParsedOptions) throws -> Void

    /// The text printed by `longred NAME --help`.
    var usage: String {
        var lines = ["USAGE: longred \(name) [options]", "", summary, "", "OPTIONS:"]
        let rendered = options.map { option in
            (option.valueName.map { "\(option.name) <\($0)>" } ?? option.name, option)
        }
        let width = (rendered.map { $0.0.count }.max() ?? 0) + 2
        for (label, option) in rendered {
            let padding = String(repeating: " ", count: max(2, width - label.count))
            let suffix = option.defaultDescription.map { " (default: \($0))" } ?? ""
            lines.append("  \(label)\(padding)\(option.help)\(suffix)")
        }
        lines.append("  --help\(String(repeating: " ", count: max(2, width - 6)))Show this help.")
        return lines.joined(separator: "\n")
    }
}
