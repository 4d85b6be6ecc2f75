import Foundation

/// Chooses next tokens from logits according to ``SamplingOptions``, holding the random
/// generator so that consecutive draws continue one seeded sequence.
public struct TokenSampler {
    public let options: SamplingOptions
    /// The generator the draws come from, seeded with `options.seed`.
    public private(set) var generator: RandomGenerator

    public init(options: SamplingOptions) {
        self.options = options
        generator = RandomGenerator(seed: options.seed)
    }

    /// The next token for one position's logits (one value per vocabulary entry).
    public mutating func next(logits: [Float]) -> Int32 {
        precondition(!logits.isEmpty, "TokenSampler.next: empty logits")
        if options.isGreedy { return Int32(Self.argmax(logits)) }
        let probabilities = Self.probabilities(logits: logits, options: options)
        // 53 random bits: finer than any probability a Float can hold.
        let u = Double(generator.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        var cumulative = 0.0
        var last = 0
        for (index, p) in probabilities.enumerated() where p > 0 {
            cumulative += Double(p)
            last = index
            if u < cumulative { return Int32(index) }
        }
        // Rounding left the total a hair below u: the last kept token is the right answer.
        return Int32(last)
    }

    /// The index of the largest logit (the first one among equals).
    public static func argmax(_ logits: [Float]) -> Int {
        var best = 0
        for index in logits.indices.dropFirst() where logits[index] > logits[best] { best = index }
        return best
    }

    /// The distribution a non-greedy draw uses: softmax of the logits after temperature,
    /// top-k and top-p filtering (filtered tokens have probability exactly 0).
    public static func probabilities(logits: [Float], options: SamplingOptions) -> [Float] {
        precondition(!options.isGreedy, "TokenSampler.probabilities: greedy decoding has no distribution")
        var scaled = logits.map { $0 / options.temperature }
        if let k = options.topK, k > 0, k < scaled.count {
            // Hugging Face drops logits strictly below the k-th largest, so ties survive.
            let threshold = scaled.sorted(by: >)[k - 1]
            for index in scaled.indices where scaled[index] < threshold { scaled[index] = -.infinity }
        }
        var probabilities = softmax(scaled)
        if let p = options.topP, p < 1 {
            // Descending by probability, lower id first among equals; a token stays while the
            // mass of the tokens ranked above it is still below p (so the top token always stays).
            let order = probabilities.indices.sorted {
                probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1
            }
            var above = 0.0
            var kept = [Bool](repeating: false, count: probabilities.count)
            for index in order {
                if above >= Double(p) { break }
                kept[index] = true
                above += Double(probabilities[index])
            }
            for index in probabilities.indices where !kept[index] { scaled[index] = -.infinity }
            probabilities = softmax(scaled)
        }
        return probabilities
    }

    private static func softmax(_ values: [Float]) -> [Float] {
        let maximum = values.max() ?? 0
        let exponentials = values.map { $0 == -.infinity ? 0 : Foundation.exp($0 - maximum) }
        let total = exponentials.reduce(0, +)
        return exponentials.map { $0 / total }
    }
}
