/// Why a strategy could not be built or run. Messages name the strategy or option at fault.
public enum StrategyError: Error, CustomStringConvertible, Equatable {
    /// No built-in strategy has this name.
    case unknownStrategy(String, known: [String])
    /// An option's value could not be used.
    case invalidOption(strategy: String, key: String, value: String, expected: String)
    /// A required option is missing.
    case missingOption(strategy: String, key: String)
    /// The components of a composite cannot run together.
    case incompatibleComponents(String)
    /// The strategy needs the frozen original model, but the context has none.
    case missingOriginalModel(strategy: String)
    /// A parameter of the student has no counterpart in the original model.
    case parameterMismatch(strategy: String, parameter: String)
    /// Start-hook data (calibration batches) is missing.
    case missingCalibrationData(strategy: String)

    public var description: String {
        switch self {
        case let .unknownStrategy(name, known):
            return "unknown strategy '\(name)' (known: \(known.joined(separator: ", ")))"
        case let .invalidOption(strategy, key, value, expected):
            return "strategy '\(strategy)': option '\(key)' has value '\(value)', expected \(expected)"
        case let .missingOption(strategy, key):
            return "strategy '\(strategy)': option '\(key)' is required"
        case let .incompatibleComponents(reason):
            return "strategy composition: \(reason)"
        case let .missingOriginalModel(strategy):
            return "strategy '\(strategy)' needs the frozen original model, but the training context has none"
        case let .parameterMismatch(strategy, parameter):
            return "strategy '\(strategy)': student parameter '\(parameter)' has no counterpart of the same shape in the original model"
        case let .missingCalibrationData(strategy):
            return "strategy '\(strategy)': no calibration batches (original-window texts) in the training context"
        }
    }
}
