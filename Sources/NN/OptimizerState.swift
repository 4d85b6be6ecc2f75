/// The saved state of an optimizer.
///
/// `parameters` maps a parameter name to its state tensors (for AdamW `exp_avg`,
/// `exp_avg_sq` and `step`, for SGD `momentum_buffer`, PyTorch's names); `scalars` holds
/// optimizer-wide values such as `step` (the number of ``Optimizer/step()`` calls) and
/// `learning_rate`. It is `Codable` (tensors as shape + values) for small states; large
/// states are better written as tensors (for example to safetensors) with the scalars apart.
public struct OptimizerState: Codable {
    /// Per-parameter state: parameter name -> state name -> tensor.
    public var parameters: [String: [String: Tensor]]
    /// Optimizer-wide scalars.
    public var scalars: [String: Double]

    /// A state with the given per-parameter tensors and scalars.
    public init(parameters: [String: [String: Tensor]] = [:], scalars: [String: Double] = [:]) {
        self.parameters = parameters
        self.scalars = scalars
    }

    private struct StoredTensor: Codable {
        var shape: [Int]
        var values: [Float]
    }

    private enum CodingKeys: String, CodingKey { case parameters, scalars }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        scalars = try container.decode([String: Double].self, forKey: .scalars)
        let stored = try container.decode([String: [String: StoredTensor]].self, forKey: .parameters)
        parameters = try stored.mapValues { slots in
            try slots.mapValues { tensor in
                guard tensor.shape.allSatisfy({ $0 >= 0 }), tensor.values.count == Shape.count(tensor.shape) else {
                    throw DecodingError.dataCorrupted(DecodingError.Context(
                        codingPath: container.codingPath + [CodingKeys.parameters],
                        debugDescription: "optimizer state tensor of shape \(tensor.shape) has \(tensor.values.count) values"))
                }
                return Tensor(tensor.values, shape: tensor.shape)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scalars, forKey: .scalars)
        try container.encode(
            parameters.mapValues { $0.mapValues { StoredTensor(shape: $0.shape, values: $0.scalars) } },
            forKey: .parameters)
    }
}

/// Why a saved optimizer state does not fit an optimizer.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// The state has an entry for a parameter the optimizer was not given.
    case unknownParameter(String)
    /// A parameter's entry lacks a state tensor the optimizer needs.
    case missingState(parameter: String, name: String)
    /// A state tensor has the wrong shape.
    case shapeMismatch(parameter: String, name: String, expected: [Int], found: [Int])
    /// A required optimizer-wide scalar is absent.
    case missingScalar(String)

    public var description: String {
        switch self {
        case let .unknownParameter(name):
            return "optimizer state has an entry for parameter '\(name)', which this optimizer does not update"
        case let .missingState(parameter, name):
            return "optimizer state for parameter '\(parameter)' lacks '\(name)'"
        case let .shapeMismatch(parameter, name, expected, found):
            return "optimizer state '\(name)' of parameter '\(parameter)' has shape \(found), expected \(expected)"
        case let .missingScalar(name):
            return "optimizer state lacks the scalar '\(name)'"
        }
    }
}
