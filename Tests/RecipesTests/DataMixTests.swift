import Foundation
import Testing
@testable import Recipes

@Suite("Data mix and LongReD streams")
struct DataMixTests {
    let lengths = StreamLengths(originalLength: 64, targetLength: 256)

    @Test("the short length defaults to L0 / 8")
    func defaults() {
        #expect(lengths.long == 256 && lengths.short == 8 && lengths.originalWindow == 64)
        #expect(StreamLengths(originalLength: 64, targetLength: 256, shortLength: 16).short == 16)
    }

    @Test("4:3:1 is realised exactly when the budget allows it")
    func exactRatio() {
        let plan = DataMix.longRed.plan(tokensPerStep: 4096, lengths: lengths)
        #expect(plan.microSteps.map(\.kind) == [.long, .short, .originalWindow])
        #expect(plan.sequenceCount(of: .long) == 8)
        #expect(plan.sequenceCount(of: .short) == 192)
        #expect(plan.sequenceCount(of: .originalWindow) == 8)
        #expect(plan.tokenCount(of: .long) == 2048)
        #expect(plan.tokenCount(of: .short) == 1536)
        #expect(plan.tokenCount(of: .originalWindow) == 512)
        #expect(plan.tokenCount == 4096)
    }

    @Test("micro-steps respect the token limit, split evenly, and their fractions sum to one")
    func microSteps() {
        let plan = DataMix.longRed.plan(tokensPerStep: 4096, lengths: lengths, maxTokensPerMicroStep: 1000)
        // long: 3 per micro-step -> 8 = 3 + 3 + 2; short: 125 -> 192 = 96 + 96; original: 15 -> 8.
        #expect(plan.microSteps.map(\.batchSize) == [3, 3, 2, 96, 96, 8])
        #expect(plan.microSteps.allSatisfy { $0.tokenCount <= 1000 })
        for kind in StreamKind.allCases {
            let fractions = plan.microSteps.filter { $0.kind == kind }.map(\.fractionOfKind)
            #expect(abs(fractions.reduce(0, +) - 1) < 1e-12)
        }
        #expect(plan.tokenCount(of: .long) == 2048)
        // A text longer than the limit still gets one micro-step per text.
        let tight = DataMix.longRed.plan(tokensPerStep: 4096, lengths: lengths, maxTokensPerMicroStep: 100)
        #expect(tight.microSteps.filter { $0.kind == .long }.map(\.batchSize) == Array(repeating: 1, count: 8))
    }

    @Test("rounding: each stream within half a text of its exact token share")
    func rounding() throws {
        for budget in [1000, 1500, 3333, 10_000] {
            let plan = DataMix.longRed.plan(tokensPerStep: budget, lengths: lengths)
            for kind in StreamKind.allCases {
                let share = Double(budget) * DataMix.longRed[kind] / 8
                let realised = Double(plan.tokenCount(of: kind))
                #expect(abs(realised - share) <= Double(lengths[kind]) / 2 + 1e-9, "budget \(budget), \(kind)")
                #expect(plan.sequenceCount(of: kind) >= 1)
            }
        }
        // A budget too small for one long text still trains on one of each.
        let tiny = DataMix.longRed.plan(tokensPerStep: 64, lengths: lengths)
        #expect(tiny.microSteps.map(\.batchSize) == [1, 3, 1])
        let cpt = DataMix.longOnly.plan(tokensPerStep: 1024, lengths: lengths)
        #expect(cpt.microSteps == [MicroStep(kind: .long, batchSize: 4, sequenceLength: 256, fractionOfKind: 1)])
        let decoded = try JSONDecoder().decode(MicroStepPlan.self, from: JSONEncoder().encode(cpt))
        #expect(decoded == cpt)
    }

    @Test("streams give windows of each kind's length from one stream, reproducibly")
    func streams() throws {
        let tokens = (0..<2000).map { Int32($0) }
        let plan = DataMix.longRed.plan(tokensPerStep: 4096, lengths: lengths, maxTokensPerMicroStep: 1024)
        var streams = LongReDStreams(tokens: tokens, lengths: lengths, seed: 9)
        let saved = try JSONEncoder().encode(streams.generator)
        let step = streams.batches(for: plan)
        #expect(step.count == plan.microSteps.count)
        for (microStep, batch) in step {
            #expect(batch.batchSize == microStep.batchSize && batch.length == lengths[microStep.kind])
            for b in 0..<batch.batchSize {
                let row = batch.row(b)
                let start = row.inputs.first!
                #expect(Array(row.inputs) == (start ..< start + Int32(batch.length)).map { $0 })
                #expect(Array(row.targets) == row.inputs.map { $0 + 1 })
            }
        }
        var resumed = LongReDStreams(
            tokens: tokens, lengths: lengths, generator: try JSONDecoder().decode(RandomGenerator.self, from: saved))
        let again = resumed.batches(for: plan)
        #expect(again.map(\.batch) == step.map(\.batch))
        #expect(resumed.generator == streams.generator)
    }
}
