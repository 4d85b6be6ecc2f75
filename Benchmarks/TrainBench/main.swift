import Foundation
import Recipes

/// Training throughput of a small Llama: forward + backward + AdamW step, tokens per second.
/// `swift run -c release train-bench [--threads N] [--steps N] [--json]`

struct Case {
    let name: String
    let batch: Int
    let context: Int
}

func parseArguments() -> (threads: Int?, steps: Int, json: Bool, filter: String?) {
    var threads: Int?
    var steps = 10
    var json = false
    var filter: String?
    var arguments = CommandLine.arguments.dropFirst()
    while let flag = arguments.popFirst() {
        switch flag {
        case "--threads": threads = arguments.popFirst().flatMap(Int.init)
        case "--steps": steps = arguments.popFirst().flatMap(Int.init) ?? steps
        case "--filter": filter = arguments.popFirst()
        case "--json": json = true
        default:
            FileHandle.standardError.write(Data("train-bench: unknown option '\(flag)'\nusage: train-bench [--threads N] [--steps N] [--filter NAME] [--json]\n".utf8))
            exit(2)
        }
    }
    return (threads, steps, json, filter)
}

/// The nanoGPT shakespeare_char laptop shape as a Llama: 4 layers, 4 heads, width 128.
func makeModel(context: Int) throws -> LlamaForCausalLM {
    var generator = RandomGenerator(seed: 1)
    let configuration = try LlamaConfiguration(
        hiddenSize: 128, intermediateSize: 352, numHiddenLayers: 4, numAttentionHeads: 4, vocabSize: 65,
        maxPositionEmbeddings: max(context, 64))
    return LlamaForCausalLM(configuration: configuration, generator: &generator)
}

func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return .nan }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? .nan
        return kilobytes / 1024
    }
    return .nan
}

let options = parseArguments()
if let threads = options.threads { Parallel.maxThreads = threads }
let cases = [
    Case(name: "nanogpt", batch: 12, context: 64),
    Case(name: "ctx1024", batch: 1, context: 1024),
    Case(name: "ctx4096", batch: 1, context: 4096),
].filter { options.filter == nil || $0.name.contains(options.filter!) }

var rows: [String] = []
for benchCase in cases {
    let model = try makeModel(context: benchCase.context)
    let optimizer = AdamW(module: model, learningRate: 1e-3, betas: (0.9, 0.99), weightDecay: 0.1)
    var generator = RandomGenerator(seed: 2)
    let tokenCount = benchCase.batch * benchCase.context
    var times: [Double] = []
    for step in 0..<(options.steps + 2) {
        let ids = (0..<(tokenCount + 1)).map { _ in Int32(generator.next() % 65) }
        let start = DispatchTime.now().uptimeNanoseconds
        let logits = model(Array(ids[0..<tokenCount]), batch: benchCase.batch).logits
        let loss = Tensor.crossEntropy(logits: logits, targets: Array(ids[1...]))
        loss.backward()
        clipGradientNorm(model.parameters(), maxNorm: 1)
        optimizer.step()
        optimizer.zeroGrad()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if step >= 2 { times.append(seconds) }  // two warm-up steps
    }
    times.sort()
    let median = times[times.count / 2]
    let tokensPerSecond = Double(tokenCount) / median
    if options.json {
        rows.append(#"{"case": "\#(benchCase.name)", "batch": \#(benchCase.batch), "context": \#(benchCase.context), "threads": \#(Parallel.maxThreads), "median_s": \#(median), "tokens_per_s": \#(tokensPerSecond), "peak_rss_mb": \#(peakResidentMegabytes())}"#)
    } else {
        print(String(format: "%-8@ batch %3d  context %5d  threads %d  median %8.4f s  %9.0f tokens/s  peak RSS %7.1f MB",
                     benchCase.name as NSString, benchCase.batch, benchCase.context, Parallel.maxThreads, median, tokensPerSecond, peakResidentMegabytes()))
    }
}
if options.filter == nil || "longred".contains(options.filter!) {
    // Lt 4096 is the throughput benchmark's longest context. From Lt 8192 on, attention
    // dominates the long step, and at Lt 16384 (L0 4096, 4x) the lengths approach the
    // paper's 8K -> 32K setting; the short and original-window steps cost the same
    // share of tokens at every length, so the ratio falls as Lt grows.
    for original in [1024, 2048, 4096] {
        let cost = try strategyCost(original: original, steps: max(5, options.steps / 2))
        if options.json {
            rows.append(#"{"case": "longred_vs_cpt", "context": \#(4 * original), "threads": \#(Parallel.maxThreads), "cpt_step_s": \#(cost.cptSeconds), "longred_step_s": \#(cost.longRedSeconds), "ratio": \#(cost.ratio), "flop_ratio": \#(cost.flopRatio)}"#)
        } else {
            print(String(format: "longred-vs-cpt  Lt %d, L0 %d, 4:3:1  CPT step %.3f s  LongReD step %.3f s  ratio %.2f (median of step pairs; FLOP ratio %.2f)",
                         4 * original, original, cost.cptSeconds, cost.longRedSeconds, cost.ratio, cost.flopRatio))
        }
    }
}
if options.json { print("[" + rows.joined(separator: ",\n ") + "]") }
