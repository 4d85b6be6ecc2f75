import Foundation
import Testing
@testable import NN

/// A Llama-shaped toy: HF names come from camelCase properties, an array gives "0", "1", ...
private final class ToyAttention: Module {
    let qProj: Linear
    let oProj: Linear
    @Buffer var ropeCosine: Tensor

    init(generator: inout RandomGenerator) {
        qProj = Linear(inputSize: 4, outputSize: 4, bias: false, generator: &generator)
        oProj = Linear(inputSize: 4, outputSize: 4, bias: true, generator: &generator)
        ropeCosine = Tensor.ones([8, 2])
    }
}

private final class ToyLayer: Module {
    let selfAttn: ToyAttention
    let inputLayernorm: RMSNorm
    let mlp: SwiGLUMLP
    let dropoutRate: Float = 0.1  // a plain value: ignored

    init(generator: inout RandomGenerator) {
        selfAttn = ToyAttention(generator: &generator)
        inputLayernorm = RMSNorm(dimension: 4)
        mlp = SwiGLUMLP(dimension: 4, hiddenDimension: 6, generator: &generator)
    }
}

private final class ToyModel: Module {
    let embedTokens: Embedding
    let layers: [ToyLayer]
    let norm: RMSNorm
    var extraHead: Linear?

    init(layers count: Int, generator: inout RandomGenerator) {
        embedTokens = Embedding(count: 10, dimension: 4, generator: &generator)
        layers = (0..<count).map { _ in ToyLayer(generator: &generator) }
        norm = RMSNorm(dimension: 4)
    }
}

private final class ToyForCausalLM: Module {
    let model: ToyModel
    let lmHead: Linear

    init(layers: Int = 2) {
        var generator = RandomGenerator(seed: 1)
        model = ToyModel(layers: layers, generator: &generator)
        lmHead = Linear(inputSize: 4, outputSize: 10, bias: false, generator: &generator)
    }
}

/// A module overriding keys: `wte` instead of `token_table`, and a wrapper merged into its parent.
private final class Renamed: Module {
    let tokenTable: Embedding
    let inner: Linear
    static var parameterKeys: [String: String] { ["tokenTable": "wte", "inner": ""] }

    init() {
        var generator = RandomGenerator(seed: 2)
        tokenTable = Embedding(count: 3, dimension: 2, generator: &generator)
        inner = Linear(inputSize: 2, outputSize: 2, generator: &generator)
    }
}

private final class Tied: Module {
    let embedTokens: Embedding
    let lmHead: Linear

    init() {
        var generator = RandomGenerator(seed: 3)
        embedTokens = Embedding(count: 5, dimension: 3, generator: &generator)
        lmHead = Linear(weight: embedTokens.weight)
    }
}

private class BaseBlock: Module {
    let inProj: Linear
    init(generator: inout RandomGenerator) { inProj = Linear(inputSize: 2, outputSize: 2, bias: false, generator: &generator) }
}

/// Superclass properties come first; a dictionary gives sorted keys; a back reference does not loop.
private final class DerivedBlock: BaseBlock {
    let adapters: [String: Linear]
    let scales: [Tensor]
    let table: [Float] = Array(repeating: 0, count: 1000)
    weak var parent: DerivedBlock?
    lazy var cache: Tensor = Tensor.zeros([2])

    override init(generator: inout RandomGenerator) {
        adapters = [
            "value": Linear(inputSize: 2, outputSize: 1, bias: false, generator: &generator),
            "key": Linear(inputSize: 2, outputSize: 1, bias: false, generator: &generator),
        ]
        scales = [Tensor.ones([1]), Tensor.ones([2])]
        super.init(generator: &generator)
        parent = self
    }
}

private let layerKeys = [
    "self_attn.q_proj.weight", "self_attn.o_proj.weight", "self_attn.o_proj.bias", "input_layernorm.weight",
    "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight",
]

@Suite("Module parameter walk")
struct ModuleTests {
    @Test func namesFollowHuggingFaceConventionsInDeclarationOrder() {
        let names = ToyForCausalLM().namedParameters().map(\.0)
        let expected = ["model.embed_tokens.weight"]
            + layerKeys.map { "model.layers.0." + $0 } + layerKeys.map { "model.layers.1." + $0 }
            + ["model.norm.weight", "lm_head.weight"]
        #expect(names == expected)
    }

    @Test func optionalChildrenAreFollowedWhenPresent() {
        let lm = ToyForCausalLM(layers: 1)
        let before = lm.parameterCount
        var generator = RandomGenerator(seed: 9)
        lm.model.extraHead = Linear(inputSize: 4, outputSize: 2, generator: &generator)
        let names = lm.namedParameters().map(\.0)
        #expect(names.contains("model.extra_head.weight") && names.contains("model.extra_head.bias"))
        #expect(lm.parameterCount == before + 10)
    }

    @Test func superclassesDictionariesArraysOfTensorsAndCyclesAreWalked() {
        var generator = RandomGenerator(seed: 8)
        let block = DerivedBlock(generator: &generator)
        _ = block.cache
        #expect(block.namedParameters().map(\.0) == [
            "in_proj.weight", "adapters.key.weight", "adapters.value.weight", "scales.0", "scales.1",
        ])
        #expect(block.namedModules().map(\.0) == ["", "in_proj", "adapters.key", "adapters.value"])
    }

    @Test func snakeCaseConversion() {
        #expect(snakeCased("selfAttn") == "self_attn")
        #expect(snakeCased("qProj") == "q_proj")
        #expect(snakeCased("inputLayernorm") == "input_layernorm")
        #expect(snakeCased("postAttentionLayernorm") == "post_attention_layernorm")
        #expect(snakeCased("embedTokens") == "embed_tokens")
        #expect(snakeCased("lmHead") == "lm_head")
        #expect(snakeCased("layers") == "layers")
        #expect(snakeCased("fc1") == "fc1")
        #expect(snakeCased("wQKV") == "w_qkv")
        #expect(snakeCased("HTTPServer") == "http_server")
        #expect(snakeCased("layer2Norm") == "layer2_norm")
    }

    @Test func buffersAndPlainValuesAreNotParameters() {
        let lm = ToyForCausalLM(layers: 1)
        #expect(!lm.namedParameters().contains { $0.0.contains("rope") })
        // 10*4 embed + (16 + 16 + 4 + 4 + 3*24) per layer + 4 norm + 40 head
        #expect(lm.parameterCount == 40 + 112 + 4 + 40)
    }

    @Test func keyOverridesRenameAndMerge() {
        #expect(Renamed().namedParameters().map(\.0) == ["wte.weight", "weight", "bias"])
    }

    @Test func tiedWeightsAreListedOnceAndLoadFromEitherName() throws {
        let tied = Tied()
        #expect(tied.namedParameters().map(\.0) == ["embed_tokens.weight"])
        #expect(tied.parameterCount == 15)
        let values = randomTensor([5, 3], seed: 4)
        try tied.load(["lm_head.weight": values])
        #expect(tied.embedTokens.weight.scalars == values.scalars)
        try tied.load(["embed_tokens.weight": Tensor.zeros([5, 3]), "lm_head.weight": Tensor.zeros([5, 3])])
        #expect(tied.lmHead.weight.scalars == [Float](repeating: 0, count: 15))
    }

    @Test func namedModulesIncludeRootAndEveryChild() {
        let names = ToyForCausalLM(layers: 1).namedModules().map(\.0)
        let layer = "model.layers.0"
        #expect(names == [
            "", "model", "model.embed_tokens", layer, "\(layer).self_attn", "\(layer).self_attn.q_proj",
            "\(layer).self_attn.o_proj", "\(layer).input_layernorm", "\(layer).mlp", "\(layer).mlp.gate_proj",
            "\(layer).mlp.up_proj", "\(layer).mlp.down_proj", "model.norm", "lm_head",
        ])
    }

    @Test func freezeAndUnfreezeByName() {
        let lm = ToyForCausalLM()
        lm.freeze { !$0.contains("self_attn") }
        let trainable = lm.namedTrainableParameters().map(\.0)
        #expect(trainable.count == 6 && trainable.allSatisfy { $0.contains("self_attn") })
        #expect(lm.trainableParameterCount == 2 * (16 + 16 + 4))
        lm.unfreeze { $0 == "lm_head.weight" }
        #expect(lm.lmHead.weight.requiresGrad)
        lm.freeze()
        #expect(lm.trainableParameters().isEmpty)
        lm.unfreeze()
        #expect(lm.trainableParameters().count == lm.parameters().count)
    }

    @Test func frozenParametersGetNoGradient() {
        let layer = Linear(weight: randomTensor([2, 3], seed: 5), bias: randomTensor([2], seed: 6))
        layer.freeze { $0 == "weight" }
        layer(randomTensor([4, 3], seed: 7)).sum().backward()
        #expect(layer.weight.grad == nil)
        #expect(layer.bias?.grad?.scalars == [4, 4])
        layer.zeroGrad()
        #expect(layer.bias?.grad == nil)
    }

    @Test func loadCopiesIntoExistingTensorsAndRoundTrips() throws {
        let source = ToyForCausalLM(), target = ToyForCausalLM()
        for parameter in source.parameters() {
            parameter.assign(randomTensor(parameter.shape, seed: UInt64(parameter.count)))
        }
        let identities = target.parameters().map(ObjectIdentifier.init)
        try target.load(source.stateDictionary())
        #expect(target.parameters().map(ObjectIdentifier.init) == identities)
        for ((name, a), (_, b)) in zip(source.namedParameters(), target.namedParameters()) {
            #expect(a.scalars == b.scalars, "\(name)")
            #expect(a.storage !== b.storage, "\(name) must be copied, not shared")
        }
        #expect(target.trainableParameters().count == target.parameters().count)
    }

    @Test func strictLoadingReportsMissingKey() {
        let lm = ToyForCausalLM(layers: 1)
        var tensors = lm.stateDictionary()
        tensors["model.norm.weight"] = nil
        #expect(throws: ModuleLoadingError.missingKey("model.norm.weight", shape: [4])) { try lm.load(tensors) }
        #expect(throws: Never.self) { try lm.load(tensors, strict: false) }
        let message = String(describing: ModuleLoadingError.missingKey("model.norm.weight", shape: [4]))
        #expect(message.contains("missing key 'model.norm.weight'") && message.contains("[4]"))
    }

    @Test func strictLoadingReportsUnexpectedKey() {
        let lm = ToyForCausalLM(layers: 1)
        var tensors = lm.stateDictionary()
        tensors["model.layers.1.mlp.up_proj.weight"] = Tensor.zeros([6, 4])
        #expect(throws: ModuleLoadingError.unexpectedKey("model.layers.1.mlp.up_proj.weight", shape: [6, 4])) {
            try lm.load(tensors)
        }
        #expect(throws: Never.self) { try lm.load(tensors, strict: false) }
        #expect(String(describing: ModuleLoadingError.unexpectedKey("a.b", shape: [6, 4])).contains("unexpected key 'a.b'"))
    }

    @Test func loadingReportsShapeMismatchWithBothShapesAndChangesNothing() {
        let lm = ToyForCausalLM(layers: 1)
        let before = lm.parameters().map(\.scalars)
        var tensors = lm.stateDictionary().mapValues { Tensor.zeros($0.shape) }
        tensors["model.layers.0.mlp.down_proj.weight"] = Tensor.zeros([6, 4])
        let expected = ModuleLoadingError.shapeMismatch(key: "model.layers.0.mlp.down_proj.weight", expected: [4, 6], found: [6, 4])
        #expect(throws: expected) { try lm.load(tensors) }
        #expect(throws: expected) { try lm.load(tensors, strict: false) }  // shapes are always checked
        #expect(lm.parameters().map(\.scalars) == before)
        let message = String(describing: expected)
        #expect(message.contains("'model.layers.0.mlp.down_proj.weight'") && message.contains("[4, 6]") && message.contains("[6, 4]"))
    }
}
