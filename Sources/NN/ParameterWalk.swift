/// One reflective walk over a module tree, collecting parameters (aliases included) and
/// modules. Each module is entered once, so shared sub-modules and reference cycles
/// (a child pointing back at its parent) do not repeat or loop.
struct ParameterWalk {
    /// Every (name, tensor) pair reached; a tied tensor appears under each of its names.
    private(set) var parameters: [(String, Tensor)] = []
    private(set) var modules: [(String, any Module)] = []
    private var visited: Set<ObjectIdentifier> = []

    init(root: any Module) {
        enter(root, path: "")
    }

    private mutating func enter(_ module: any Module, path: String) {
        guard visited.insert(ObjectIdentifier(module)).inserted else { return }
        modules.append((path, module))
        let keys = type(of: module).parameterKeys
        // Superclass properties first, so a subclass extends its parent's ordering.
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: module)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard let label = child.label, !label.hasPrefix("_"), !label.hasPrefix("$") else { continue }
                visit(child.value, path: Self.join(path, keys[label] ?? snakeCased(label)))
            }
        }
    }

    private mutating func visit(_ value: Any, path: String) {
        // `as?` also unwraps a non-nil Optional<Tensor> / Optional<some Module>.
        if let tensor = value as? Tensor {
            parameters.append((path, tensor))
            return
        }
        if let module = value as? any Module {
            enter(module, path: path)
            return
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let wrapped = mirror.children.first { visit(wrapped.value, path: path) }
        case .collection:
            // Look at the first element only, so large arrays of numbers are not traversed.
            guard let first = mirror.children.first, Self.mayContainEntries(first.value) else { return }
            for (index, element) in mirror.children.enumerated() {
                visit(element.value, path: Self.join(path, String(index)))
            }
        case .dictionary:
            var entries: [(String, Any)] = []
            for pair in mirror.children {
                let parts = Array(Mirror(reflecting: pair.value).children)
                guard parts.count == 2, let key = parts[0].value as? String else { return }
                entries.append((key, parts[1].value))
            }
            guard let first = entries.first, Self.mayContainEntries(first.1) else { return }
            for (key, element) in entries.sorted(by: { $0.0 < $1.0 }) {
                visit(element, path: Self.join(path, key))
            }
        default:
            return
        }
    }

    private static func mayContainEntries(_ value: Any) -> Bool {
        if value is Tensor || value is any Module { return true }
        let style = Mirror(reflecting: value).displayStyle
        return style == .optional || style == .collection || style == .dictionary
    }

    private static func join(_ path: String, _ key: String) -> String {
        if key.isEmpty { return path }
        return path.isEmpty ? key : path + "." + key
    }
}

/// Converts a camelCase Swift identifier to snake_case: an underscore goes before an
/// uppercase letter that follows a lowercase letter or digit, or that starts a new word
/// after an acronym (`qProj` → `q_proj`, `wQKV` → `w_qkv`, `HTTPServer` → `http_server`).
/// Digits stay attached to the preceding word (`fc1` → `fc1`).
public func snakeCased(_ identifier: String) -> String {
    let characters = Array(identifier)
    var result = ""
    result.reserveCapacity(characters.count + 4)
    for (index, character) in characters.enumerated() {
        if character.isUppercase, index > 0 {
            let previous = characters[index - 1]
            let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
            if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                result.append("_")
            }
        }
        result.append(contentsOf: character.lowercased())
    }
    return result
}
