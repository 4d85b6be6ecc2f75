/// Why a model directory could not be loaded or saved.
public enum PretrainedModelError: Error, CustomStringConvertible, Equatable {
    /// The directory has neither `model.safetensors` nor `model.safetensors.index.json`.
    case noWeights(directory: String)
    /// The weights in `file` do not match the configuration's parameters.
    case weightMismatch(file: String, ModuleLoadingError)

    public var description: String {
        switch self {
        case let .noWeights(directory):
            return "\(directory): no model.safetensors or model.safetensors.index.json in the model directory"
        case let .weightMismatch(file, problem):
            return "\(file): \(problem)"
        }
    }
}
