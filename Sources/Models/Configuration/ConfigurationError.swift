/// An error in a model configuration (a Hugging Face `config.json`).
///
/// The message names the file (when the configuration came from one), the JSON key
/// (dotted for nested keys, e.g. `rope_scaling.factor`) and what is wrong with it.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What is wrong with the key.
    public enum Problem: Equatable, Sendable {
        /// A required key is absent (or null).
        case missing
        /// The value has the wrong JSON type.
        case wrongType(expected: String)
        /// The value has the right type but is not acceptable.
        case invalid(String)
        /// `rope_type` (or the old `type`) names a scaling this package does not implement.
        case unknownRopeType(String)
        /// `hidden_act` is not `silu`, the only activation Llama and Mistral use.
        case unsupportedActivation(String)
        /// `model_type` is neither `llama` nor `mistral`.
        case unsupportedModelType(String)
        /// The file could not be read.
        case unreadable(String)
        /// The file is not a JSON object.
        case notJSON(String)
        /// The file could not be written.
        case unwritable(String)
    }

    /// The configuration file, or `nil` for one built in memory or decoded from bytes.
    public var file: String?
    /// The JSON key at fault; `<root>` for the document as a whole.
    public var key: String
    /// What is wrong.
    public var problem: Problem

    public init(file: String? = nil, key: String, problem: Problem) {
        self.file = file
        self.key = key
        self.problem = problem
    }

    public var description: String {
        let place = file.map { "\($0): " } ?? "configuration: "
        switch problem {
        case .missing:
            return "\(place)key '\(key)' is required but missing"
        case .wrongType(let expected):
            return "\(place)key '\(key)' must be \(expected)"
        case .invalid(let reason):
            return "\(place)key '\(key)': \(reason)"
        case .unknownRopeType(let type):
            return "\(place)key '\(key)': unknown RoPE type '\(type)' "
                + "(supported: default, linear, dynamic, yarn, llama3)"
        case .unsupportedActivation(let name):
            return "\(place)key '\(key)': unsupported activation '\(name)' (only 'silu' is supported)"
        case .unsupportedModelType(let name):
            return "\(place)key '\(key)': unsupported model type '\(name)' (supported: llama, mistral)"
        case .unreadable(let reason):
            return "\(place)cannot read configuration: \(reason)"
        case .unwritable(let reason):
            return "\(place)cannot write configuration: \(reason)"
        case .notJSON(let reason):
            return "\(place)configuration is not a JSON object: \(reason)"
        }
    }
}
