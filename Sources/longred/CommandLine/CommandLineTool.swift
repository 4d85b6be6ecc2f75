import Foundation

/// Dispatches `longred COMMAND [options]` to a command, printing usage on `--help` and on
/// mistakes. Exit codes: 0 success, 1 a failure while running (bad file, ...), 2 a usage error.
struct CommandLineTool {
    let commands: [CommandSpecification]

    var usage: String {
        let width = (commands.map { $0.name.count }.max() ?? 0) + 2
        let list = commands.map { "  \($0.name)\(String(repeating: " ", count: width - $0.name.count))\($0.summary)" }
        return (["USAGE: longred <command> [options]", "", "COMMANDS:"] + list
            + ["", "Run 'longred <command> --help' for the options of a command."]).joined(separator: "\n")
    }

    /// Runs the command named by `arguments[0]` and returns the process exit code.
    func run(_ arguments: [String]) -> Int32 {
        guard let name = arguments.first, !["--help", "-h", "help"].contains(name) else {
            print(usage)
            return arguments.isEmpty ? 2 : 0
        }
        guard let command = commands.first(where: { $0.name == name }) else {
            printError("error: unknown command '\(name)'\n\n\(usage)")
            return 2
        }
        let rest = Array(arguments.dropFirst())
        if rest.contains("--help") || rest.contains("-h") {
            print(command.usage)
            return 0
        }
        do {
            try command.run(try ParsedOptions(rest, specification: command))
            return 0
        } catch let error as UsageError {
            printError("error: \(error)\n\n\(command.usage)")
            return 2
        } catch {
            printError("error: \(error)")
            return 1
        }
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
