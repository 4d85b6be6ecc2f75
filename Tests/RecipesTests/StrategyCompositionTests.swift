import Testing
@testable import Recipes

@Suite("Built-in strategies and composition")
struct StrategyCompositionTests {
    typealias F = StrategyFixture

    @Test func namesBuildTheirStrategies() throws {
        let cases: [(String, String)] = [
            ("cpt", "cpt"), ("mix-cpt", "mix-cpt"), ("longred-u", "longred-u"), ("longred-c", "longred-c"),
            ("merging", "cpt+merging"), ("attention-only", "cpt+attention-only"), ("lora", "cpt+lora"),
            ("longred-c+lora", "longred-c+lora"), ("longred-c+merging", "longred-c+merging"),
            ("longred-u+lora+merging", "longred-u+lora+merging"), ("cpt+l2", "cpt+l2"), ("cpt+ewc", "cpt+ewc"),
        ]
        let options = ["l2-lambda": "0.1", "ewc-lambda": "10"]
        for (name, built) in cases {
            let strategy = try #require(try BuiltInStrategies.make(name: name, options: options))
            #expect(strategy.name == built)
        }
        #expect(try BuiltInStrategies.make(name: "my-own", options: [:]) == nil)
        let longred = try #require(
            try BuiltInStrategies.make(name: "longred-u", options: ["a1": "3", "a2": "7", "layer-selection": "last"]) as? LongReD)
        #expect(longred.sampler == .uniform && longred.layerSelection == .lastOnly)
        #expect(longred.weights(F.context(student: F.model(), teacher: nil)) == (3, 7))
        let lora = try #require(
            try BuiltInStrategies.make(name: "lora", options: ["lora-rank": "4", "lora-targets": "attention+mlp"])
                as? CompositeStrategy)
        let adapter = try #require(lora.components.last as? LoRA)
        #expect(adapter.rank == 4 && adapter.targets == .attentionAndMLP)
        let merging = try #require(try BuiltInStrategies.make(name: "merging", options: [:]) as? CompositeStrategy)
        #expect((merging.components.last as? ModelMerging)?.weight == 0.5)
    }

    @Test func badNamesAndOptionsAreTypedErrors() {
        #expect(throws: StrategyError.unknownStrategy("nope", known: BuiltInStrategies.names)) {
            try BuiltInStrategies.make(name: "longred-c+nope", options: [:])
        }
        #expect(throws: StrategyError.invalidOption(strategy: "merging", key: "merge-weight", value: "1.5", expected: "a number in 0.0...1.0")) {
            try BuiltInStrategies.make(name: "merging", options: ["merge-weight": "1.5"])
        }
        #expect(throws: StrategyError.invalidOption(strategy: "lora", key: "lora-rank", value: "0", expected: "an integer >= 1")) {
            try BuiltInStrategies.make(name: "lora", options: ["lora-rank": "0"])
        }
        #expect(throws: StrategyError.invalidOption(
            strategy: "longred-c", key: "layer-selection", value: "best", expected: "kl, uniform, all or last")) {
            try BuiltInStrategies.make(name: "longred-c", options: ["layer-selection": "best"])
        }
        #expect(throws: StrategyError.missingOption(strategy: "l2", key: "l2-lambda")) {
            try BuiltInStrategies.make(name: "cpt+l2", options: [:])
        }
        #expect(throws: StrategyError.self) { try BuiltInStrategies.make(name: "cpt+mix-cpt", options: [:]) }
        #expect(throws: StrategyError.self) { try BuiltInStrategies.make(name: "longred-c+merging+lora", options: [:]) }
        #expect(throws: StrategyError.self) { try BuiltInStrategies.make(name: "lora+lora", options: [:]) }
        #expect(throws: StrategyError.self) { try BuiltInStrategies.make(name: "cpt+", options: [:]) }
    }

    /// LongReD + LoRA, then merging, through CompositeStrategy only: adapters train, the
    /// distillation sees them, finish folds them in and interpolates with the teacher.
    @Test func longRedWithLoRAThenMerging() throws {
        let (student, teacher) = F.pair()
        let longred = LongReD(sampler: .cream, shortWeight: 5, s2lWeight: 10, layers: .attentionDrift(count: 1),
                              originalLength: F.originalLength, targetLength: F.targetLength)
        let strategy = CompositeStrategy([longred, LoRA(rank: 2, alpha: 4), ModelMerging(weight: 0.5)])
        #expect(strategy.needsOriginalModel && strategy.dataMix == .longRed)
        let context = F.context(student: student, teacher: teacher)
        try strategy.start(context)
        let optimizer = AdamW(module: student, learningRate: 0.05, weightDecay: 0)
        let teacherBefore = F.snapshot(teacher)
        for _ in 0..<2 {
            for kind in StreamKind.allCases {
                strategy.loss(for: F.microBatch(kind, fraction: 1), context: context).loss!.backward()
            }
            optimizer.step()
            optimizer.zeroGrad()
        }
        // Expected: base + (alpha/r) B A per adapted projection, then averaged with the teacher.
        var expected = F.snapshot(student).filter { !$0.key.contains("lora") }
        for linear in LoRA(rank: 2, alpha: 4).targetLayers(of: student) {
            #expect(linear.adapter!.loraB.scalars.contains { $0 != 0 })  // the adapters trained
            let name = student.namedParameters().first { $0.1 === linear.weight }!.0
            expected[name] = zip(expected[name]!, linear.adapter!.deltaWeight().scalars).map { $0 + $1 }
        }
        for name in expected.keys { expected[name] = zip(expected[name]!, teacherBefore[name]!).map { 0.5 * $1 + 0.5 * $0 } }
        try strategy.finish(context)
        let merged = F.snapshot(student)
        #expect(Set(merged.keys) == Set(expected.keys))
        for (name, values) in merged {
            #expect(zip(values, expected[name]!).allSatisfy { abs($0 - $1) < 1e-5 }, "\(name)")
        }
        #expect(F.snapshot(teacher) == teacherBefore)
    }
}

@Suite("Built-in strategy components")
struct StrategyComponentTests {
    @Test func componentsAreExactlyTheNamedStrategy() throws {
        #expect(try BuiltInStrategies.component("merging", options: ["merge-weight": "0.25"]) is ModelMerging)
        #expect(try BuiltInStrategies.component("lora", options: [:]) is LoRA)
        #expect(throws: StrategyError.unknownStrategy("x", known: BuiltInStrategies.names)) {
            try BuiltInStrategies.component("x", options: [:])
        }
        #expect(Set(BuiltInStrategies.summaries.keys) == Set(BuiltInStrategies.names))
        #expect(Set(BuiltInStrategies.optionHelp.keys) == Set(BuiltInStrategies.names))
        // Every documented key is accepted with a valid value.
        let valid = [
            "a1": "1", "a2": "2", "layers": "1", "layer-selection": "uniform", "original-length": "8",
            "target-length": "32", "merge-weight": "0.3", "l2-lambda": "0.1", "ewc-lambda": "1",
            "ewc-batches": "2", "lora-rank": "2", "lora-alpha": "4", "lora-targets": "attention+mlp",
        ]
        for (name, keys) in BuiltInStrategies.optionHelp {
            let options = valid.filter { keys[$0.key] != nil }
            #expect(options.count == keys.count, "\(name)")
            _ = try BuiltInStrategies.component(name, options: options)
        }
    }
}
