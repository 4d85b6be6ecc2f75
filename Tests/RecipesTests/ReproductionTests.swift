import Foundation
import Testing
@testable import Recipes

@Suite struct HiddenStateSimilarityTests {
    /// A model compared with itself is 1 at every layer; with the extended RoPE each entry is
    /// the mean over tokens of the cosine between the two models' states after that layer,
    /// computed here by hand in Double from the forward outputs.
    @Test func layerByLayerCosineAgainstAHandComputation() {
        let (student, teacher) = StrategyFixture.pair(layers: 3)
        var sampler = RandomWindowSampler(
            tokens: (0..<400).map { Int32($0 * 7 % StrategyFixture.vocab) }, length: StrategyFixture.originalLength, seed: 5)
        let windows = sampler.nextBatch(size: 3)

        let same = hiddenStateSimilarity(teacher, to: teacher, windows: windows)
        #expect(same.count == 3)
        #expect(same.allSatisfy { abs($0 - 1) < 1e-5 }, "\(same)")

        let measured = hiddenStateSimilarity(student, to: teacher, windows: windows)
        let a = student(windows.inputs, batch: 3, outputHiddenStates: true).hiddenStates
        let b = teacher(windows.inputs, batch: 3, outputHiddenStates: true).hiddenStates
        for layer in 0..<3 {
            let x = a[layer].scalars, y = b[layer].scalars
            let width = a[layer].shape.last!, tokens = x.count / width
            var sum = 0.0
            for t in 0..<tokens {
                var dot = 0.0, xx = 0.0, yy = 0.0
                for i in (t * width)..<((t + 1) * width) {
                    dot += Double(x[i]) * Double(y[i])
                    xx += Double(x[i]) * Double(x[i])
                    yy += Double(y[i]) * Double(y[i])
                }
                sum += dot / (xx.squareRoot() * yy.squareRoot())
            }
            #expect(abs(measured[layer] - sum / Double(tokens)) < 1e-5, "layer \(layer)")
        }
        // PI changes every position but the first, so the states move away from the original.
        #expect(measured.last! < 0.999, "\(measured)")
    }
}

@Suite struct ReproductionReportTests {
    static func run(_ recipe: String, short: [Double], long: [Double], final: (Double, Double), similarity: [Double])
        -> ReproductionRun
    {
        var records = zip(short, long).enumerated().map { index, losses in
            MetricRecord(type: "eval", step: 10 * index, values: ["val_loss_L0": losses.0, "val_loss_Lt": losses.1])
        }
        records.insert(MetricRecord(type: "train", step: 5, values: ["loss": 9]), at: 1)
        records.append(MetricRecord(type: "final", step: 10 * (short.count - 1),
                                    values: ["val_loss_L0": final.0, "val_loss_Lt": final.1]))
        return ReproductionRun(recipe: recipe, records: records, similarity: similarity)
    }

    static let report = ReproductionReport(
        setup: [("RoPE", "pi:4")], original: ["val_loss_L0": 1.5, "val_loss_Lt": 3.0],
        runs: [
            run("cpt", short: [2.0, 1.6, 1.7], long: [2.5, 2.0, 1.9], final: (1.7, 1.9), similarity: [0.9, 0.8]),
            run("longred-c", short: [2.0, 1.65, 1.55], long: [2.5, 2.1, 2.0], final: (1.55, 2.0), similarity: [0.99, 0.95]),
        ])

    /// The table takes the final record (not the last evaluation, nor the training lines),
    /// the change is against the original model, and the findings rank by the numbers.
    @Test func tableAndFindingsComeFromTheRecords() {
        let text = Self.report.markdown()
        #expect(text.contains("| original (no extension) | 1.5000 | | 3.0000 | 1 | 1 |"))
        #expect(text.contains("| cpt | 1.7000 | +0.2000 | 1.9000 | 0.8000 | 0.8500 |"))
        #expect(text.contains("| longred-c | 1.5500 | +0.0500 | 2.0000 | 0.9500 | 0.9700 |"))
        #expect(text.contains("- Short-text loss after training, lowest first: longred-c 1.5500, cpt 1.7000."))
        #expect(text.contains("- Long-text loss after training, lowest first: cpt 1.9000, longred-c 2.0000."))
        #expect(text.contains("- Last-layer similarity to the original, highest first: longred-c 0.9500, cpt 0.8000."))
        #expect(text.contains("- cpt: short-text loss lowest at step 10 (1.6000), 1.7000 at step 20."))
        #expect(text.contains("- longred-c: short-text loss still falling at the last evaluation (step 20: 1.5500)."))
        #expect(text.contains("![Short texts: validation loss at L0](short_loss.svg)"))
    }

    /// Loss charts hold one series per recipe (its evaluations) plus the original model as a
    /// flat line over the same steps; the similarity chart has one point per layer.
    @Test func chartsHoldEveryRunAndTheOriginal() throws {
        let charts = Self.report.charts()
        #expect(charts.map(\.fileName) == ["short_loss.svg", "long_loss.svg", "similarity.svg"])
        let short = charts[0].chart
        #expect(short.series.map(\.name) == ["cpt", "longred-c", "original model"])
        #expect(short.series[0].points.map(\.y) == [2.0, 1.6, 1.7])
        #expect(short.series[2].points.map(\.x) == [0, 20] && short.series[2].points.map(\.y) == [1.5, 1.5])
        let similarity = charts[2].chart
        #expect(similarity.series[1].points.map(\.x) == [1, 2] && similarity.series[1].points.map(\.y) == [0.99, 0.95])
    }
}

/// `longred reproduce` end to end on the tiny base of the recipe tests: two recipes, a report
/// with charts and JSON; run again, it keeps the finished runs and resumes an interrupted one.
@Suite("longred reproduce", .serialized)
struct ReproduceCommandLineTests {
    @Test func writesTheReportKeepsFinishedRunsAndResumesInterruptedOnes() throws {
        let (base, corpus) = try RecipeCommandLineTests.base.get()
        let output = base.deletingLastPathComponent().appendingPathComponent("reproduction")
        let arguments = [
            "reproduce", "--base", base.path, "--corpus", corpus.path, "--output", output.path,
            "--recipes", "cpt,longred-c", "--rope", "pi:2", "--steps", "4", "--eval-interval", "2", "--quiet",
        ]
        let first = try runLongred(arguments)
        #expect(first.status == 0, "\(first.error)")
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("| cpt | ") && report.contains("| longred-c | ") && report.contains("| original (no extension) | "))
        #expect(first.output.contains("| longred-c | "))
        for name in ["short_loss.svg", "long_loss.svg", "similarity.svg"] {
            let svg = try String(contentsOf: output.appendingPathComponent(name), encoding: .utf8)
            #expect(svg.hasPrefix("<svg") && svg.contains("<polyline"), "\(name)")
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json")))
        let runs = try #require((json as? [String: Any])?["runs"] as? [[String: Any]])
        #expect(runs.compactMap { $0["recipe"] as? String } == ["cpt", "longred-c"])
        #expect(runs.allSatisfy { ($0["similarity"] as? [Double])?.count == 2 })
        // Every evaluation of the run, with its step (eval at 0, 2, 4, then the final model).
        let steps = (runs[0]["evaluations"] as? [[String: Any]])?.compactMap { $0["step"] as? Int }
        #expect(steps == [0, 2, 4, 4])

        let again = try runLongred(arguments)
        #expect(again.status == 0, "\(again.error)")
        #expect(again.error.contains("\(output.appendingPathComponent("cpt").path) is finished, kept"))
        let reportAgain = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(reportAgain.components(separatedBy: "## Results")[1] == report.components(separatedBy: "## Results")[1])

        // A run without its final record (interrupted after its last checkpoint) resumes.
        let metrics = output.appendingPathComponent("cpt/metrics.jsonl")
        let lines = try String(contentsOf: metrics, encoding: .utf8).split(separator: "\n")
        try (lines.filter { !$0.contains("\"final\"") }.joined(separator: "\n") + "\n")
            .write(to: metrics, atomically: true, encoding: .utf8)
        let resumed = try runLongred(arguments)
        #expect(resumed.status == 0, "\(resumed.error)")
        #expect(resumed.error.contains("extend into \(output.appendingPathComponent("cpt").path) (resuming)"))
        #expect(try String(contentsOf: metrics, encoding: .utf8).contains("\"final\""))
    }

    /// A recipe that rejects the lengths names the stage it failed in.
    @Test func aRecipeRejectingTheLengthsNamesItsStage() throws {
        let (base, corpus) = try RecipeCommandLineTests.base.get()
        let output = base.deletingLastPathComponent().appendingPathComponent("reproduction-too-far")
        let result = try runLongred([
            "reproduce", "--base", base.path, "--corpus", corpus.path, "--output", output.path,
            "--recipes", "longred-u", "--rope", "pi:4", "--steps", "2", "--quiet",
        ])
        #expect(result.status == 2)
        #expect(result.error.contains("extend into \(output.appendingPathComponent("longred-u").path): option '--target-length'"),
                "\(result.error)")
    }

    @Test func anUnknownRecipeIsAUsageError() throws {
        let result = try runLongred(["reproduce", "--recipes", "cpt,nope", "--output", "/tmp/never-written"])
        #expect(result.status == 2)
        #expect(result.error.contains("option '--recipes'") && result.error.contains("nope"))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/never-written"))
    }
}
