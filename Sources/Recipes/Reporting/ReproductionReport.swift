import Foundation

/// One recipe's part of a reproduction: its evaluations during training and how close its
/// final model's hidden states stay to the original model's.
public struct ReproductionRun: Sendable {
    /// The recipe's registry name (`cpt`, `longred-c`, ...).
    public var recipe: String
    /// The run's metric records; the `eval` and `final` ones are used.
    public var records: [MetricRecord]
    /// ``hiddenStateSimilarity(_:to:windows:)`` of the final model to the original, per layer.
    public var similarity: [Double]

    public init(recipe: String, records: [MetricRecord], similarity: [Double]) {
        self.recipe = recipe
        self.records = records
        self.similarity = similarity
    }

    /// `(step, value)` of `key` at every evaluation during training.
    func curve(_ key: String) -> [(x: Double, y: Double)] {
        records.filter { $0.type == "eval" }.compactMap { record in
            record.values[key].map { (Double(record.step), $0) }
        }
    }

    /// `key` for the model as saved (the `final` record, else the last evaluation).
    func finalValue(_ key: String) -> Double? {
        (records.last { $0.type == "final" } ?? records.last { $0.type == "eval" })?.values[key]
    }
}

/// The report of `longred reproduce`: the LongReD paper's comparison at small scale (short-text
/// loss kept, long-text loss reached, hidden-state similarity to the original), as Markdown
/// with SVG charts.
public struct ReproductionReport: Sendable {
    /// Lines of the setup section, in order (for example `("RoPE", "pi:4")`).
    public var setup: [(name: String, value: String)]
    /// The original model's `val_loss_L0` and `val_loss_Lt` on the runs' validation windows.
    public var original: [String: Double]
    public var runs: [ReproductionRun]

    public init(setup: [(name: String, value: String)], original: [String: Double], runs: [ReproductionRun]) {
        self.setup = setup
        self.original = original
        self.runs = runs
    }

    /// The charts, each with the file name the Markdown refers to.
    public func charts() -> [(fileName: String, chart: LineChart)] {
        func lossChart(_ key: String, title: String) -> LineChart {
            var series = runs.map { LineChart.Series(name: $0.recipe, points: $0.curve(key)) }
            let steps = runs.flatMap { $0.curve(key).map(\.x) }
            if let value = original[key], let last = steps.max() {
                series.append(.init(name: "original model", points: [(0, value), (last, value)]))
            }
            return LineChart(title: title, xLabel: "optimizer step", yLabel: "validation loss", series: series)
        }
        let similarity = LineChart(
            title: "Hidden-state similarity to the original model", xLabel: "layer (last: final norm)",
            yLabel: "mean cosine", series: runs.map { run in
                .init(name: run.recipe, points: run.similarity.enumerated().map { (Double($0.offset + 1), $0.element) })
            })
        return [
            ("short_loss.svg", lossChart("val_loss_L0", title: "Short texts: validation loss at L0")),
            ("long_loss.svg", lossChart("val_loss_Lt", title: "Long texts: validation loss at Lt")),
            ("similarity.svg", similarity),
        ]
    }

    /// The report as Markdown.
    public func markdown() -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "-" }
        func signed(_ value: Double?) -> String { value.map { String(format: "%+.4f", $0) } ?? "-" }
        var lines = ["# LongReD at small scale", "", "## Setup", ""]
        lines += setup.map { "- \($0.name): \($0.value)" }
        lines += [
            "", "## Results", "",
            "Validation cross-entropy on the same windows for every model: short texts at the original",
            "window L0, long texts at the target length Lt. Similarity: mean cosine between the final",
            "model's hidden states and the original model's on short texts (last layer = final norm).",
            "",
            "| model | short-text loss (L0) | change from original | long-text loss (Lt) | similarity, last layer | similarity, mean over layers |",
            "|---|---:|---:|---:|---:|---:|",
            "| original (no extension) | \(number(original["val_loss_L0"])) | | \(number(original["val_loss_Lt"])) | 1 | 1 |",
        ]
        for run in runs {
            let short = run.finalValue("val_loss_L0")
            let change = short.flatMap { s in original["val_loss_L0"].map { s - $0 } }
            let mean = run.similarity.isEmpty ? nil : run.similarity.reduce(0, +) / Double(run.similarity.count)
            lines.append(
                "| \(run.recipe) | \(number(short)) | \(signed(change)) | \(number(run.finalValue("val_loss_Lt"))) "
                    + "| \(number(run.similarity.last)) | \(number(mean)) |")
        }
        lines += ["", "## Findings", ""] + findings()
        lines += ["", "## Charts", ""]
        for (fileName, chart) in charts() { lines += ["![\(chart.title)](\(fileName))", ""] }
        return lines.joined(separator: "\n")
    }

    /// Plain statements read off the numbers: rankings, and where each run's short-text loss
    /// was lowest (the paper finds it peaks early in CPT and then falls).
    func findings() -> [String] {
        func ranking(_ key: String) -> String {
            runs.compactMap { run in run.finalValue(key).map { (run.recipe, $0) } }
                .sorted { $0.1 < $1.1 }
                .map { "\($0.0) \(String(format: "%.4f", $0.1))" }.joined(separator: ", ")
        }
        var lines = [
            "- Short-text loss after training, lowest first: \(ranking("val_loss_L0")).",
            "- Long-text loss after training, lowest first: \(ranking("val_loss_Lt")).",
        ]
        let bySimilarity = runs.filter { $0.similarity.last != nil }.sorted { $0.similarity.last! > $1.similarity.last! }
        if !bySimilarity.isEmpty {
            lines.append("- Last-layer similarity to the original, highest first: "
                + bySimilarity.map { "\($0.recipe) \(String(format: "%.4f", $0.similarity.last!))" }.joined(separator: ", ") + ".")
        }
        for run in runs {
            let curve = run.curve("val_loss_L0")
            guard let best = curve.min(by: { $0.y < $1.y }), let last = curve.last else { continue }
            if best.x == last.x {
                lines.append(String(
                    format: "- %@: short-text loss still falling at the last evaluation (step %d: %.4f).",
                    run.recipe, Int(last.x), last.y))
            } else {
                lines.append(String(
                    format: "- %@: short-text loss lowest at step %d (%.4f), %.4f at step %d.",
                    run.recipe, Int(best.x), best.y, last.y, Int(last.x)))
            }
        }
        return lines
    }
}
