import Foundation
import Testing
@testable import Recipes

@Suite("LongReD layer selection")
struct StrategyLayerSelectionTests {
    typealias F = StrategyFixture

    @Test func klSkipsMaskedEntriesAndAveragesOverHeadsAndQueries() {
        // (B=1, H=2, Tq=2, Tk=2): causal rows have a masked (zero) key in both.
        let p = Tensor([1, 0, 0.5, 0.5, 1, 0, 0.2, 0.8], shape: [1, 2, 2, 2])
        let q = Tensor([1, 0, 0.25, 0.75, 1, 0, 0.4, 0.6], shape: [1, 2, 2, 2])
        let row1 = 0.5 * log(0.5 / 0.25) + 0.5 * log(0.5 / 0.75)
        let row3 = 0.2 * log(0.2 / 0.4) + 0.8 * log(0.8 / 0.6)
        let kl = AttentionDrift.klDivergence(teacher: p, student: q)
        #expect(kl.isFinite)
        #expect(abs(kl - (row1 + row3) / 4) < 1e-6)
    }

    /// A 4-layer model whose layer `planted` has queries and keys scaled up: sharper attention,
    /// so the same RoPE change moves its distributions most.
    func plantedModel(_ planted: Int) -> LlamaForCausalLM {
        let model = F.model(layers: 4, seed: 3)
        let attention = model.model.layers[planted].selfAttn
        for weight in [attention.qProj.weight, attention.kProj.weight] {
            weight.withUnsafeMutableBufferPointer { w in for i in 0..<w.count { w[i] *= 3 } }
        }
        model.freeze()
        return model
    }

    @Test(arguments: [0, 1, 2])
    func driftSelectionPicksThePlantedLayer(planted: Int) throws {
        let teacher = plantedModel(planted)
        let batches = [F.batch(rows: 2, length: F.originalLength, seed: 5)]
        let drift = AttentionDrift.perLayer(model: teacher, rescaled: F.extendedRotary(of: teacher), batches: batches)
        #expect(drift.count == 4)
        #expect(LayerSelection.attentionDrift(count: 1).layers(layerCount: 4, drift: drift) == [planted, 3])
        // Through the strategy's start hook, with the choice noted for the log.
        let student = plantedModel(planted)
        student.unfreeze()
        student.rotary = F.extendedRotary(of: student)
        let strategy = LongReD(sampler: .cream, layers: .attentionDrift(count: 1))
        let context = F.context(student: student, teacher: teacher, calibration: batches)
        try strategy.start(context)
        #expect(strategy.selectedLayers == [planted, 3])
        #expect(strategy.layerDrift == drift)
        #expect(context.notes["longred-c/layers"] == "\(planted),3")
        #expect(context.notes["longred-c/attention_drift"] != nil)
    }

    @Test func rotarySwapEqualsTwoModelsAndRestoresTheRotary() {
        let teacher = F.model(layers: 2, seed: 11)
        let rescaled = F.model(layers: 2, seed: 11)
        rescaled.rotary = F.extendedRotary(of: rescaled)
        let batches = [F.batch(rows: 1, length: F.originalLength, seed: 8), F.batch(rows: 3, length: 12, seed: 9)]
        let original = teacher.rotary
        let swapped = AttentionDrift.perLayer(model: teacher, rescaled: rescaled.rotary, batches: batches)
        let direct = AttentionDrift.perLayer(teacher: teacher, student: rescaled, batches: batches)
        #expect(swapped == direct)
        #expect(swapped.allSatisfy { $0 > 0 })
        #expect(teacher.rotary == original)
        // The same model and RoPE: no drift.
        #expect(AttentionDrift.perLayer(teacher: teacher, student: teacher, batches: batches).allSatisfy { abs($0) < 1e-9 })
    }

    @Test func ablationChoices() {
        #expect(LayerSelection.all.layers(layerCount: 4) == [0, 1, 2, 3])
        #expect(LayerSelection.lastOnly.layers(layerCount: 4) == [3])
        #expect(LayerSelection.uniform(count: 6).layers(layerCount: 32) == [4, 8, 13, 17, 22, 26, 31])
        #expect(LayerSelection.uniform(count: 1).layers(layerCount: 3) == [1, 2])
        #expect(LayerSelection.defaultCount(layerCount: 32) == 6)
        #expect(LayerSelection.defaultCount(layerCount: 2) == 1)
        // Ties go to the lower layer; the last layer is never counted among the M.
        let drift = [0.1, 0.5, 0.5, 9.0]
        #expect(LayerSelection.attentionDrift(count: 1).layers(layerCount: 4, drift: drift) == [1, 3])
        #expect(LayerSelection.attentionDrift(count: 2).layers(layerCount: 4, drift: drift) == [1, 2, 3])
    }
}
