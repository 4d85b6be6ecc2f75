import Testing
@testable import Recipes

@Suite("LoRA adapters and strategy")
struct StrategyLoRATests {
    typealias F = StrategyFixture

    @Test func freshAdapterIsTheIdentityAndMergesExactly() {
        var generator = RandomGenerator(seed: 1)
        let linear = Linear(inputSize: 6, outputSize: 5, bias: true, generator: &generator)
        let x = Tensor.randomNormal([2, 3, 6], standardDeviation: 1, generator: &generator)
        let plain = linear(x).scalars
        let adapter = linear.addAdapter(rank: 2, alpha: 4, generator: &generator)
        #expect(adapter.loraB.scalars.allSatisfy { $0 == 0 })
        #expect(linear(x).scalars == plain)
        // Give B values, as training would, then merge.
        adapter.loraB.assign(Tensor.randomNormal([5, 2], standardDeviation: 1, generator: &generator))
        let adapted = linear(x).scalars
        #expect(zip(adapted, plain).contains { abs($0 - $1) > 1e-3 })
        // The adapter term is (alpha/r) (x Aᵀ) Bᵀ.
        let a = adapter.loraA.scalars, b = adapter.loraB.scalars, xs = x.scalars
        let w = linear.weight.scalars, bias = linear.bias!.scalars
        for row in 0..<6 {
            for o in 0..<5 {
                var y = Double(bias[o])
                for i in 0..<6 { y += Double(xs[row * 6 + i]) * Double(w[o * 6 + i]) }
                for r in 0..<2 {
                    var down = 0.0
                    for i in 0..<6 { down += Double(xs[row * 6 + i]) * Double(a[r * 6 + i]) }
                    y += 2 * down * Double(b[o * 2 + r])
                }
                #expect(abs(Double(adapted[row * 5 + o]) - y) < 1e-5)
            }
        }
        linear.mergeAdapter()
        #expect(linear.adapter == nil)
        #expect(zip(linear(x).scalars, adapted).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func adapterParametersAreNamedInsideTheLayer() {
        var generator = RandomGenerator(seed: 2)
        let model = F.model(layers: 2)
        model.model.layers[0].selfAttn.qProj.addAdapter(rank: 2, alpha: 2, generator: &generator)
        let names = model.namedParameters().map(\.0)
        #expect(names.contains("model.layers.0.self_attn.q_proj.lora_a"))
        #expect(names.contains("model.layers.0.self_attn.q_proj.lora_b"))
        #expect(names.contains("model.layers.0.self_attn.q_proj.weight"))
    }

    @Test(arguments: [LoRA.Targets.attention, .attentionAndMLP])
    func strategyTrainsOnlyAdaptersAndFinishMergesThem(targets: LoRA.Targets) throws {
        let (student, _) = F.pair()
        let ids = F.batch(rows: 2, length: 10, seed: 3).inputs
        let before = student(ids, batch: 2).logits.scalars
        let strategy = LoRA(rank: 2, alpha: 4, targets: targets)
        let context = F.context(student: student, teacher: nil)
        try strategy.start(context)
        let trainable = student.namedTrainableParameters().map(\.0)
        let perLayer = targets == .attention ? 4 : 7
        #expect(trainable.count == 2 * perLayer * 2)
        #expect(trainable.allSatisfy { $0.hasSuffix(".lora_a") || $0.hasSuffix(".lora_b") })
        #expect(student(ids, batch: 2).logits.scalars == before)  // B = 0
        // A few optimizer steps of CPT through the adapters.
        let objective = CompositeStrategy([LongCPT(), strategy])
        let optimizer = AdamW(module: student, learningRate: 0.05, weightDecay: 0)
        for _ in 0..<3 {
            objective.loss(for: F.microBatch(.long, fraction: 1), context: context).loss!.backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        let unmerged = student(ids, batch: 2).logits.scalars
        #expect(zip(unmerged, before).contains { abs($0 - $1) > 1e-4 })
        try objective.finish(context)
        #expect(!student.namedParameters().contains { $0.0.contains("lora") })
        let merged = student(ids, batch: 2).logits.scalars
        #expect(zip(merged, unmerged).allSatisfy { abs($0 - $1) < 1e-5 })
    }
}
