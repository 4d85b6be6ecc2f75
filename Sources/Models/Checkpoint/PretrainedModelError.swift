/// Why a model directory could not be loaded or saved.
public enum PretrainedModelError: Error, CustomStringConvertible, Equatable {
    /// The weights in `file` do not match the configuration's parameters.
    case weightMismatch(file: String, ModuleLoadingError)

    public var description: String {
        switch self {
        case let .weightMismatch(file, problem):
            return "\(file): \(problem)"
        }
    }
}
