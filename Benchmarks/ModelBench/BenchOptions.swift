/// Command-line options of `model-bench`.
struct BenchOptions {
    var threads: [Int] = [1, 2]
    var runs = 5
    var promptLength = 256
    var newTokens = 128
    var json = false
    /// Also time the parts of one decode step (embedding, layers, norm + LM head, sampling).
    var breakdown = false

    static let usage = """
        Usage: model-bench [--threads N[,N...]] [--runs R] [--prompt T] [--new-tokens N] [--breakdown] [--json] [--help]

        Times generation with a randomly initialised Llama of about 15M parameters (llama2.c's
        stories15M shape: dim 288, 6 layers, 6 heads, 6 KV heads, hidden 768, vocab 32000,
        tied embeddings): prefill tokens/s (the prompt in one forward pass with a KV cache) and
        decode tokens/s (then one token per step, greedy), median of R runs after a warm-up.

          --threads N[,N...]  Parallel.maxThreads values to run (default 1,2)
          --runs R            timed runs per thread count (default 5)
          --prompt T          prompt length (default 256)
          --new-tokens N      tokens to generate (default 128)
          --breakdown         also time the parts of a decode step
          --json              print JSON instead of the table
          --help              show this help
        """

    struct UsageError: Error { let message: String }

    /// Parses `arguments` (without the program name); nil for `--help`.
    static func parse(_ arguments: [String]) throws -> BenchOptions? {
        var options = BenchOptions()
        var rest = arguments[...]
        func positive(_ flag: String) throws -> Int {
            guard let text = rest.popFirst() else { throw UsageError(message: "\(flag) needs a value") }
            guard let value = Int(text), value > 0 else {
                throw UsageError(message: "\(flag) expects a positive integer, got '\(text)'")
            }
            return value
        }
        while let argument = rest.popFirst() {
            switch argument {
            case "--help", "-h": return nil
            case "--json": options.json = true
            case "--breakdown": options.breakdown = true
            case "--runs": options.runs = try positive(argument)
            case "--prompt": options.promptLength = try positive(argument)
            case "--new-tokens": options.newTokens = try positive(argument)
            case "--threads":
                guard let text = rest.popFirst() else { throw UsageError(message: "--threads needs a value") }
                let counts = text.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0) }
                guard !counts.isEmpty, counts.count == text.split(separator: ",", omittingEmptySubsequences: false).count,
                      counts.allSatisfy({ $0 >= 1 })
                else { throw UsageError(message: "--threads expects positive integers like 1 or 1,2; got '\(text)'") }
                options.threads = counts
            default:
                throw UsageError(message: "unknown argument '\(argument)'")
            }
        }
        return options
    }
}
