/// Why a set of named tensors could not be loaded into a ``Module``.
public enum ModuleLoadingError: Error, Equatable, CustomStringConvertible {
    /// The module has a parameter with this name that the tensors do not provide.
    case missingKey(String, shape: [Int])
    /// The tensors provide a key that names no parameter of the module.
    case unexpectedKey(String, shape: [Int])
    /// The tensor for this key has a different shape from the parameter.
    case shapeMismatch(key: String, expected: [Int], found: [Int])

    public var description: String {
        switch self {
        case let .missingKey(key, shape):
            return "missing key '\(key)': the module has a parameter of shape \(shape) with this name, but no tensor was given for it"
        case let .unexpectedKey(key, shape):
            return "unexpected key '\(key)' (tensor of shape \(shape)): the module has no parameter with this name"
        case let .shapeMismatch(key, expected, found):
            return "shape mismatch for key '\(key)': the module's parameter has shape \(expected), the given tensor has shape \(found)"
        }
    }
}

extension Module {
    /// Copies `tensors` into the module's existing parameter tensors, matched by name.
    ///
    /// Values are copied in place, so the parameter objects keep their identity (an optimizer
    /// built on them stays valid) and their `requiresGrad` flags. Nothing is copied unless
    /// every check passes. A tied parameter is satisfied by any one of its names.
    ///
    /// - Parameters:
    ///   - tensors: tensors keyed by parameter name (for example read from safetensors).
    ///   - strict: when true (the default), every parameter must be given and every key must
    ///     name a parameter. Shapes are always checked.
    /// - Throws: ``ModuleLoadingError`` naming the first offending key (parameter order for
    ///   shapes and missing keys, sorted order for unexpected keys).
    public func load(_ tensors: [String: Tensor], strict: Bool = true) throws {
        let entries = ParameterWalk(root: self).parameters
        for (name, parameter) in entries {
            if let given = tensors[name], given.shape != parameter.shape {
                throw ModuleLoadingError.shapeMismatch(key: name, expected: parameter.shape, found: given.shape)
            }
        }
        if strict {
            var satisfied: Set<ObjectIdentifier> = []
            for (name, parameter) in entries where tensors[name] != nil {
                satisfied.insert(ObjectIdentifier(parameter))
            }
            if let (name, parameter) = entries.first(where: { !satisfied.contains(ObjectIdentifier($0.1)) }) {
                throw ModuleLoadingError.missingKey(name, shape: parameter.shape)
            }
            let known = Set(entries.map(\.0))
            if let key = tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw ModuleLoadingError.unexpectedKey(key, shape: tensors[key]!.shape)
            }
        }
        for (name, parameter) in entries {
            guard let given = tensors[name], given.storage !== parameter.storage else { continue }
            parameter.assign(given)
        }
    }

    /// The parameters keyed by name (tied tensors once, under their first name), ready to be
    /// written to a checkpoint. The values are the live parameter tensors, not copies: copy
    /// them if a snapshot must survive later optimizer steps.
    public func stateDictionary() -> [String: Tensor] {
        Dictionary(namedParameters(), uniquingKeysWith: { first, _ in first })
    }
}
