import Foundation
import Recipes

/// `longred reproduce`: the LongReD paper's comparison at laptop scale, in one command.
///
/// Pretrains a base model (the `pretrain` defaults) unless `--base` names one, extends it
/// with each recipe through `extend` (same RoPE rescaling, target length and budget), then
/// evaluates the original model on the runs' validation windows, measures every extended
/// model's hidden-state similarity to the original on short texts, and writes `report.md`
/// with three SVG charts and `results.json`. Each stage is a run directory under `--output`:
/// a finished stage is kept and an interrupted one resumes from its checkpoint, so running
/// the command again continues where it stopped.
enum ReproduceCommand {
    static let specification = CommandSpecification(
        name: "reproduce",
        summary: "Reproduce the LongReD paper's comparison at small scale: base model, recipes, report and charts.",
        options: [
            .value("--output", "dir", "Output directory (a run directory per stage, report.md, charts)", default: "out/reproduction"),
            .value("--base", "dir", "Base model to extend instead of pretraining one into DIR/base"),
            .value("--base-steps", "n", "Optimizer steps of the base model's pretraining", default: "2000"),
            .value("--recipes", "list", "Comma-separated recipes to compare", default: defaultRecipes.joined(separator: ",")),
            .value("--rope", "spec", "RoPE rescaling of every recipe", default: "pi:4"),
            .value("--target-length", "n", "Target context Lt", default: "the RoPE factor (4 for abf) * L0"),
            .value("--steps", "n", "Optimizer steps of each recipe", default: "200"),
            .value("--eval-interval", "n", "Evaluate every n steps", default: "20"),
            .value("--lr", "x", "Learning rate of each recipe (constant)", default: "1e-4"),
            .value("--corpus", "path", "Text file, folder of .txt files or .jsonl file", default: "Data/tinyshakespeare.txt"),
            .value("--threads", "n", "Worker threads", default: "all cores"),
            .flag("--quiet", "No progress lines"),
        ],
        run: run)

    /// The paper's comparison: plain and mixed continual pretraining against LongReD with
    /// both skipped-position samplers.
    static let defaultRecipes = ["cpt", "mix-cpt", "longred-u", "longred-c"]

    static func run(_ options: ParsedOptions) throws {
        try TrainingFlags.applyThreads(options)
        let output = URL(fileURLWithPath: options.string("--output") ?? "out/reproduction")
        let recipes = (options.string("--recipes") ?? defaultRecipes.joined(separator: ","))
            .split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !recipes.isEmpty, !recipes.contains(where: \.isEmpty) else {
            throw UsageError("option '--recipes' expects comma-separated recipe names, got '\(options.string("--recipes") ?? "")'")
        }
        for recipe in recipes {
            do { _ = try StrategyRegistry.make(name: recipe, options: [:]) } catch {
                throw UsageError("option '--recipes': \(error)")
            }
        }
        guard Set(recipes).count == recipes.count else { throw UsageError("option '--recipes' names a recipe twice") }
        let steps = try options.positiveInteger("--steps", default: 200)
        let evalInterval = try options.positiveInteger("--eval-interval", default: 20)
        let baseSteps = try options.positiveInteger("--base-steps", default: 2000)
        if options.string("--base") != nil && options.string("--base-steps") != nil {
            throw UsageError("options '--base' and '--base-steps' exclude each other")
        }
        let rope = options.string("--rope") ?? "pi:4"
        let extensionFactor: Double
        switch try parseRope(rope) {
        case .abf: extensionFactor = 4
        case .positionInterpolation(let f), .dynamic(let f), .yarn(let f), .llama3(let f): extensionFactor = f
        }
        let learningRate = try options.value("--lr", default: 1e-4)
        guard learningRate > 0 else { throw UsageError("option '--lr' must be positive, got \(learningRate)") }
        var shared: [String] = []
        for flag in ["--corpus", "--threads"] {
            if let value = options.string(flag) { shared += [flag, value] }
        }
        if options.isSet("--quiet") { shared.append("--quiet") }

        // Stage 1: the base model.
        let base: String
        if let given = options.string("--base") {
            base = given
        } else {
            base = output.appendingPathComponent("base").path
            try runStage(PretrainCommand.specification, output: base, arguments: ["--steps", "\(baseSteps)"] + shared)
        }
        let baseConfiguration = try LlamaConfiguration(contentsOf: (base as NSString).appendingPathComponent("config.json"))
        let original = baseConfiguration.maxPositionEmbeddings
        let target = try options.positiveInteger("--target-length", default: Int(extensionFactor * Double(original)))

        // Stage 2: one extension run per recipe.
        for recipe in recipes {
            try runStage(
                ExtendCommand.specification, output: output.appendingPathComponent(recipe).path,
                arguments: ["--recipe", recipe, "--base", base, "--rope", rope, "--target-length", "\(target)",
                            "--steps", "\(steps)", "--eval-interval", "\(evalInterval)", "--lr", "\(learningRate)"] + shared)
        }

        // Stage 3: the original model on the same validation windows, and the similarities.
        printError("reproduce: evaluating the original model and the hidden-state similarities")
        let originalModel = try LlamaForCausalLM.load(directory: base)
        // The validation tokens `extend` evaluated on.
        let validation = try ExtendCommand.tokenStreams(options, baseDirectory: base, fraction: 0.1).validation
        let firstRun = output.appendingPathComponent(recipes[0])
        var configuration = try JSONDecoder().decode(
            TrainingConfiguration.self,
            from: Data(contentsOf: firstRun.appendingPathComponent(Trainer.configurationFileName)))
        configuration.outputDirectory = firstRun.path
        let evaluator = try Trainer(
            student: originalModel, original: nil, strategy: LongCPT(), trainingTokens: validation,
            validationTokens: validation, configuration: configuration)
        var windows = RandomWindowSampler(tokens: validation, length: original, seed: 0x51A1)
        let similarityWindows = windows.nextBatch(size: 16)
        let runs = try recipes.map { recipe in
            let directory = output.appendingPathComponent(recipe)
            let model = try LlamaForCausalLM.load(directory: directory.path)
            return ReproductionRun(
                recipe: recipe, records: try readMetrics(directory.appendingPathComponent("metrics.jsonl")),
                similarity: hiddenStateSimilarity(model, to: originalModel, windows: similarityWindows))
        }
        let report = ReproductionReport(
            setup: [
                ("base model", "\(base) (\(baseConfiguration.numHiddenLayers) layers, width \(baseConfiguration.hiddenSize), L0 = \(original))"),
                ("extension", "RoPE \(rope), Lt = \(target), \(steps) optimizer steps per recipe at a constant learning "
                    + "rate of \(learningRate), evaluation every \(evalInterval)"),
                ("recipes", recipes.joined(separator: ", ")),
                ("run directories", output.path + "/<recipe> (metrics.jsonl, final model)"),
                ("command", (["longred"] + CommandLine.arguments.dropFirst()).joined(separator: " ")),
            ],
            original: evaluator.evaluate(), runs: runs)

        // Stage 4: the report.
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        for (fileName, chart) in report.charts() {
            try Data(chart.svg().utf8).write(to: output.appendingPathComponent(fileName), options: .atomic)
        }
        try Data(report.markdown().utf8).write(to: output.appendingPathComponent("report.md"), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(ResultsFile(report)).write(to: output.appendingPathComponent("results.json"), options: .atomic)
        print(report.markdown().components(separatedBy: "## Charts")[0]
            .trimmingCharacters(in: .whitespacesAndNewlines))
        print("\nreport: \(output.appendingPathComponent("report.md").path)")
    }

    /// `results.json`: the numbers behind the report (non-finite values as null, as in
    /// `metrics.jsonl`).
    private struct ResultsFile: Encodable {
        struct Run: Encodable {
            let recipe: String
            let evaluations: [MetricRecord]
            let similarity: [Double?]
        }
        let original: MetricRecord
        let runs: [Run]

        init(_ report: ReproductionReport) {
            original = MetricRecord(type: "original", step: 0, values: report.original)
            runs = report.runs.map { run in
                Run(recipe: run.recipe, evaluations: run.records.filter { $0.type != "train" },
                    similarity: run.similarity.map { $0.isFinite ? $0 : nil })
            }
        }
    }

    private static func parseRope(_ text: String) throws -> RopeExtension {
        do { return try RopeExtension(parsing: text) } catch { throw UsageError("option '--rope': \(error)") }
    }

    /// Runs `pretrain` or `extend` into `output` unless a finished run is there; an
    /// interrupted one (a checkpoint, no final record) resumes. A usage error of the stage
    /// (the recipe rejecting the lengths, say) names the stage.
    private static func runStage(_ command: CommandSpecification, output: String, arguments: [String]) throws {
        let metrics = URL(fileURLWithPath: output).appendingPathComponent("metrics.jsonl")
        if FileManager.default.fileExists(atPath: metrics.path), try readMetrics(metrics).contains(where: { $0.type == "final" }) {
            printError("reproduce: \(output) is finished, kept")
            return
        }
        let resume = try CheckpointStore(directory: URL(fileURLWithPath: output)).latest() != nil
        printError("reproduce: \(command.name) into \(output)\(resume ? " (resuming)" : "")")
        do {
            try command.run(try ParsedOptions(
                ["--output", output] + arguments + (resume ? ["--resume"] : []), specification: command))
        } catch let error as UsageError {
            throw UsageError("\(command.name) into \(output): \(error)")
        }
    }

    private static func readMetrics(_ url: URL) throws -> [MetricRecord] {
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { line in
            do { return try decoder.decode(MetricRecord.self, from: Data(line.utf8)) } catch {
                throw ModelCommandError("\(url.path): a line is not a metric record (\(error)): \(line.prefix(80))")
            }
        }
    }
}
