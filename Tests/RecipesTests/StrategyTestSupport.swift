import Foundation
@testable import Recipes

/// Tiny models and batches for the strategy tests: hidden 16, 2 heads, vocab 20,
/// `L0 = 24`, `Lt = 48` (the skipped-position samplers need `L0 > 8 · Lt / L0`).
enum StrategyFixture {
    static let originalLength = 24
    static let targetLength = 48
    static let vocab = 20

    static func configuration(layers: Int = 2) -> LlamaConfiguration {
        try! LlamaConfiguration(
            hiddenSize: 16, intermediateSize: 32, numHiddenLayers: layers, numAttentionHeads: 2,
            vocabSize: vocab, maxPositionEmbeddings: originalLength)
    }

    /// A model with weights ten times the default scale (std 0.2), so attention is not uniform
    /// and the rescaled RoPE changes the outputs visibly. Same seed, same weights.
    static func model(layers: Int = 2, seed: UInt64 = 7) -> LlamaForCausalLM {
        var generator = RandomGenerator(seed: seed)
        let model = LlamaForCausalLM(configuration: configuration(layers: layers), generator: &generator)
        for (_, parameter) in model.namedParameters() where parameter.rank == 2 {
            parameter.withUnsafeMutableBufferPointer { p in for i in 0..<p.count { p[i] *= 10 } }
        }
        return model
    }

    /// The RoPE of the extended student: linear interpolation (PI) by `Lt / L0`.
    static func extendedRotary(of model: LlamaForCausalLM) -> RotaryFrequencies {
        var rotary = model.rotary
        rotary.scaling = RopeScaling(kind: .linear, factor: Double(targetLength / originalLength))
        return rotary
    }

    /// A frozen teacher and a student with identical weights and the extended RoPE.
    static func pair(layers: Int = 2, seed: UInt64 = 7) -> (student: LlamaForCausalLM, teacher: LlamaForCausalLM) {
        let teacher = model(layers: layers, seed: seed)
        teacher.freeze()
        let student = model(layers: layers, seed: seed)
        student.rotary = extendedRotary(of: student)
        return (student, teacher)
    }

    /// Random rows of `length` tokens (targets are random too: only their use matters).
    static func batch(rows: Int, length: Int, seed: UInt64) -> TokenBatch {
        var generator = RandomGenerator(seed: seed)
        let draw = { (g: inout RandomGenerator) in Int32(g.next() % UInt64(vocab)) }
        let inputs = (0..<(rows * length)).map { _ in draw(&generator) }
        let targets = (0..<(rows * length)).map { _ in draw(&generator) }
        return TokenBatch(inputs: inputs, targets: targets, batchSize: rows, length: length)
    }

    static func microBatch(_ kind: StreamKind, rows: Int = 2, seed: UInt64 = 1, fraction: Double = 0.5) -> MicroBatch {
        let length: Int
        switch kind {
        case .long: length = targetLength
        case .short: length = 8
        case .originalWindow: length = originalLength
        }
        return MicroBatch(kind: kind, tokens: batch(rows: rows, length: length, seed: seed), fractionOfKind: fraction)
    }

    static func context(
        student: LlamaForCausalLM, teacher: LlamaForCausalLM?, seed: UInt64 = 99, calibration: [TokenBatch]? = nil
    ) -> TrainingContext {
        TrainingContext(
            student: student, original: teacher, generator: RandomGenerator(seed: seed),
            calibrationBatches: calibration ?? [batch(rows: 2, length: originalLength, seed: 1234)])
    }

    /// Snapshot of every parameter's values by name.
    static func snapshot(_ model: LlamaForCausalLM) -> [String: [Float]] {
        Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.0, $0.1.scalars) })
    }
}

/// Reference computations in Double, from plain arrays.
enum Reference {
    /// Mean next-token cross-entropy from logits (rows × vocab).
    static func crossEntropy(_ logits: Tensor, targets: [Int32]) -> Double {
        let vocab = logits.shape.last!
        let values = logits.scalars
        var total = 0.0
        for (row, target) in targets.enumerated() {
            let slice = values[(row * vocab)..<((row + 1) * vocab)].map(Double.init)
            let maximum = slice.max()!
            let logSum = maximum + Foundation.log(slice.reduce(0) { $0 + Foundation.exp($1 - maximum) })
            total += logSum - slice[Int(target)]
        }
        return total / Double(targets.count)
    }

    /// Mean over tokens of the cosine over the last axis.
    static func similarity(_ a: Tensor, _ b: Tensor) -> Double {
        precondition(a.shape == b.shape)
        let width = a.shape.last!
        let (x, y) = (a.scalars, b.scalars)
        let tokens = x.count / width
        var total = 0.0
        for t in 0..<tokens {
            var (dot, nx, ny) = (0.0, 0.0, 0.0)
            for i in (t * width)..<((t + 1) * width) {
                dot += Double(x[i]) * Double(y[i])
                nx += Double(x[i]) * Double(x[i])
                ny += Double(y[i]) * Double(y[i])
            }
            total += dot / (nx.squareRoot() * ny.squareRoot())
        }
        return total / Double(tokens)
    }

    static func close(_ a: Double, _ b: Double, tolerance: Double = 1e-5) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(b))
    }
}
