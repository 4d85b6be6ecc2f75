import Foundation

/// How close a model's hidden states stay to a reference model's on the same texts, layer by
/// layer: the diagnostic the LongReD paper uses to explain how much short-text skill an
/// extended model keeps (MMLU retention 0.96 at similarity 0.94, 0.87 at 0.86).
///
/// Both models run `windows` at positions `0..<length` with their own RoPE (the reference
/// is usually the original model, the other one extended). Entry `l` is the mean over
/// windows and tokens of the cosine between the two hidden states after decoder layer
/// `l + 1`; the last entry compares the final-norm outputs, as ``LongReD`` does.
///
/// - Precondition: the two models have the same number of layers and the same width.
public func hiddenStateSimilarity(
    _ model: LlamaForCausalLM, to reference: LlamaForCausalLM, windows: TokenBatch
) -> [Double] {
    precondition(
        model.configuration.numHiddenLayers == reference.configuration.numHiddenLayers
            && model.configuration.hiddenSize == reference.configuration.hiddenSize,
        "hiddenStateSimilarity: the models differ in depth or width")
    return withNoGrad {
        let states = model(windows.inputs, batch: windows.batchSize, outputHiddenStates: true).hiddenStates
        let references = reference(windows.inputs, batch: windows.batchSize, outputHiddenStates: true).hiddenStates
        return zip(states, references).map { Double(LongReD.similarity($0, $1).item) }
    }
}
