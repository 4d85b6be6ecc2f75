import Dispatch
import Foundation
import Models

/// Monotonic wall-clock seconds.
func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) * 1e-9 }

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// llama2.c's stories15M shape with random weights.
func makeModel() throws -> LlamaForCausalLM {
    let configuration = try LlamaConfiguration(
        hiddenSize: 288, intermediateSize: 768, numHiddenLayers: 6, numAttentionHeads: 6, numKeyValueHeads: 6,
        vocabSize: 32000, tieWordEmbeddings: true, maxPositionEmbeddings: 1024)
    var generator = RandomGenerator(seed: 1)
    return withNoGrad { LlamaForCausalLM(configuration: configuration, generator: &generator) }
}

/// One generation: seconds until the first token (prefill + its sampling) and for the rest.
func timeGeneration(_ model: LlamaForCausalLM, prompt: [Int32], newTokens: Int) -> (prefill: Double, decode: Double) {
    let start = now()
    var firstToken = start
    var count = 0
    model.generate(prompt: prompt, maxNewTokens: newTokens) { _ in
        count += 1
        if count == 1 { firstToken = now() }
        return true
    }
    precondition(count == newTokens, "model-bench: generation stopped after \(count) of \(newTokens) tokens")
    return (firstToken - start, now() - firstToken)
}

struct Result: Codable {
    let threads: Int
    let promptTokens: Int
    let newTokens: Int
    let prefillTokensPerSecond: Double
    let decodeTokensPerSecond: Double
    let prefillSeconds: [Double]
    let decodeSeconds: [Double]
    /// Median milliseconds per decode step spent in each part (with --breakdown).
    let decodeBreakdownMilliseconds: [String: Double]?
}

/// Times the parts of decode steps at the cache length reached after the prompt. The
/// layers are unrolled here (the ops of `LlamaAttention`, the model's `KVCache`) so each part
/// can be timed on its own.
func decodeBreakdown(_ model: LlamaForCausalLM, prompt: [Int32], steps: Int) -> [String: Double] {
    withNoGrad {
        let layers = model.model.layers
        // Keys / values of the prompt, as the cache would hold them.
        let cache = model.makeCache()
        _ = model(prompt, cache: cache, lastPositionOnly: true)
        var parts: [String: [Double]] = [:]
        var token: Int32 = 1
        for step in 0..<steps {
            var stepParts: [String: Double] = [:]
            var t = now()
            func lap(_ name: String) {
                let u = now()
                stepParts[name, default: 0] += (u - t) * 1000
                t = u
            }
            let tables = RotaryTables(frequencies: model.rotary, positions: [Int32(prompt.count + step)], batch: 1, sequence: 1)
            var h = model.model.embedTokens([token], shape: [1, 1])
            lap("embedding + rotary tables")
            for (index, layer) in layers.enumerated() {
                let attention = layer.selfAttn
                let x = layer.inputLayernorm(h)
                let q = Tensor.rotaryEmbedding(
                    attention.qProj(x).reshaped([1, 1, attention.heads, attention.headDim]), cos: tables.cos, sin: tables.sin)
                let k = Tensor.rotaryEmbedding(
                    attention.kProj(x).reshaped([1, 1, attention.kvHeads, attention.headDim]), cos: tables.cos, sin: tables.sin)
                let v = attention.vProj(x).reshaped([1, 1, attention.kvHeads, attention.headDim])
                lap("norms + q/k/v projections + rotary")
                let (keys, values) = cache.layers[index].append(keys: k, values: v)
                lap("KV cache append")
                let attended = Tensor.scaledDotProductAttention(
                    query: q, key: keys, value: values, window: attention.slidingWindow)
                lap("attention over the cache")
                h = h + attention.oProj(attended.reshaped([1, 1, attention.heads * attention.headDim]))
                lap("output projections + residual")
                h = h + layer.mlp(layer.postAttentionLayernorm(h))
                lap("norms + SwiGLU MLPs + residual")
            }
            let logits = Tensor.matmul(model.model.norm(h), model.model.embedTokens.weight, transposeB: true).scalars
            lap("final norm + LM head (32000 x 288)")
            token = Int32(TokenSampler.argmax(logits))
            lap("sampling (argmax over 32000)")
            for (name, ms) in stepParts { parts[name, default: []].append(ms) }
        }
        return parts.mapValues(median)
    }
}

let options: BenchOptions
do {
    guard let parsed = try BenchOptions.parse(Array(CommandLine.arguments.dropFirst())) else {
        print(BenchOptions.usage)
        exit(0)
    }
    options = parsed
} catch let error as BenchOptions.UsageError {
    FileHandle.standardError.write(Data("error: \(error.message)\n\n\(BenchOptions.usage)\n".utf8))
    exit(2)
}

let model = try makeModel()
let parameterCount = model.namedParameters().reduce(0) { $0 + $1.1.count }
var generator = RandomGenerator(seed: 2)
let prompt = (0..<options.promptLength).map { _ in Int32(generator.next() % 32000) }
var results: [Result] = []
for threads in options.threads {
    Parallel.maxThreads = threads
    _ = timeGeneration(model, prompt: prompt, newTokens: min(8, options.newTokens))  // warm-up
    var prefill: [Double] = []
    var decode: [Double] = []
    for _ in 0..<options.runs {
        let (p, d) = timeGeneration(model, prompt: prompt, newTokens: options.newTokens)
        prefill.append(p)
        decode.append(d)
    }
    let breakdown = options.breakdown ? decodeBreakdown(model, prompt: prompt, steps: 32) : nil
    results.append(Result(
        threads: threads, promptTokens: options.promptLength, newTokens: options.newTokens,
        prefillTokensPerSecond: Double(options.promptLength) / median(prefill),
        decodeTokensPerSecond: Double(options.newTokens - 1) / median(decode),
        prefillSeconds: prefill, decodeSeconds: decode, decodeBreakdownMilliseconds: breakdown))
}

if options.json {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(results), as: UTF8.self))
} else {
    print("model-bench: random Llama, \(parameterCount) parameters (dim 288, 6 layers, 6 heads, vocab 32000, tied)")
    print("prompt \(options.promptLength) tokens, \(options.newTokens) new tokens (greedy), median of \(options.runs) runs")
    print("")
    print("threads  prefill tok/s  decode tok/s  decode ms/token")
    for r in results {
        let line = [
            String(r.threads).padding(toLength: 7, withPad: " ", startingAt: 0),
            String(format: "%13.0f", r.prefillTokensPerSecond),
            String(format: "%13.1f", r.decodeTokensPerSecond),
            String(format: "%16.2f", 1000 / r.decodeTokensPerSecond),
        ]
        print(line.joined(separator: "  "))
    }
    for r in results {
        guard let parts = r.decodeBreakdownMilliseconds else { continue }
        print("\ndecode step breakdown, \(r.threads) thread(s), cache ~\(options.promptLength) positions (median ms per step):")
        for (name, ms) in parts.sorted(by: { $0.value > $1.value }) {
            print("  " + String(format: "%7.3f", ms) + "  " + name)
        }
        print("  " + String(format: "%7.3f", parts.values.reduce(0, +)) + "  total")
    }
}
