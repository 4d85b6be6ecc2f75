/// A neural-network component whose parameters are found by walking its stored properties.
///
/// Conforming types are classes (usually `final class`) that declare their parameters and
/// sub-modules as ordinary stored properties. Reflection (`Mirror`) finds them:
///
/// - a `Tensor` property is a parameter;
/// - a `Module` property is a child module, walked recursively;
/// - an array of tensors or modules gives entries `0`, `1`, ... (like PyTorch's `ModuleList`);
/// - a dictionary keyed by `String` gives one entry per key, in sorted key order;
/// - an optional property is followed when it is non-nil;
/// - everything else (configuration values, closures, `@Buffer` tensors) is ignored, as are
///   properties whose name starts with `_` or `$` (private storage, property-wrapper backing).
///
/// Each entry is named by the dotted path of keys leading to it. A key is the Swift property
/// name converted to snake_case (`selfAttn` → `self_attn`, `qProj` → `q_proj`, `lmHead` →
/// `lm_head`), so a model written with the Hugging Face names in camelCase has parameter names
/// equal to the checkpoint keys (`model.layers.0.self_attn.q_proj.weight`) without a mapping
/// table. When the automatic key is not the wanted one, override it in ``parameterKeys``.
///
///     final class Block: Module {
///         let selfAttn: Attention          // "self_attn"
///         let mlp: SwiGLUMLP               // "mlp"
///         @Buffer var ropeCosine: Tensor   // not a parameter
///         static var parameterKeys: [String: String] { ["mlp": "feed_forward"] }
///     }
public protocol Module: AnyObject {
    /// Keys replacing the automatic snake_case key of some stored properties, indexed by the
    /// Swift property name. An empty key merges the property's entries into this module's
    /// own namespace (useful for wrappers that should not add a path component).
    static var parameterKeys: [String: String] { get }
}

extension Module {
    public static var parameterKeys: [String: String] { [:] }
}

/// Marks a tensor-valued stored property of a ``Module`` as a buffer: state that is not a
/// parameter (cached RoPE tables, masks, running statistics). The parameter walk skips it, so
/// it is never trained, counted, loaded or saved.
@propertyWrapper
public struct Buffer<Value> {
    /// The buffer's value (usually a `Tensor` or `Tensor?`).
    public var wrappedValue: Value
    /// Wraps `wrappedValue`; written implicitly by `@Buffer var x = ...` or `self.x = ...` in an init.
    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }
}

extension Module {
    /// The parameters with their dotted names, in declaration order (depth first). A tensor
    /// reachable under several names (tied weights) is listed once, under its first name.
    public func namedParameters() -> [(String, Tensor)] {
        var seen: Set<ObjectIdentifier> = []
        return ParameterWalk(root: self).parameters.filter { seen.insert(ObjectIdentifier($0.1)).inserted }
    }

    /// The parameters, in the order of ``namedParameters()``.
    public func parameters() -> [Tensor] { namedParameters().map(\.1) }

    /// The parameters that currently require gradients (not frozen).
    public func trainableParameters() -> [Tensor] { parameters().filter(\.requiresGrad) }

    /// The parameters that currently require gradients, with their names.
    public func namedTrainableParameters() -> [(String, Tensor)] { namedParameters().filter { $0.1.requiresGrad } }

    /// This module (named `""`) and every sub-module, depth first, each listed once.
    public func namedModules() -> [(String, any Module)] { ParameterWalk(root: self).modules }

    /// The total number of scalars in all parameters (tied tensors counted once).
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    /// The number of scalars in trainable parameters.
    public var trainableParameterCount: Int { trainableParameters().reduce(0) { $0 + $1.count } }

    /// Stops gradients for the parameters whose name satisfies `predicate` (they become
    /// constants; optimizers skip them). Existing gradients are kept.
    public func freeze(matching predicate: (String) -> Bool) {
        for (name, parameter) in namedParameters() where predicate(name) { parameter.requiringGrad(false) }
    }

    /// Makes the parameters whose name satisfies `predicate` trainable again.
    public func unfreeze(matching predicate: (String) -> Bool) {
        for (name, parameter) in namedParameters() where predicate(name) { parameter.requiringGrad(true) }
    }

    /// Freezes every parameter (for example a teacher model used only for inference).
    public func freeze() { freeze { _ in true } }

    /// Makes every parameter trainable.
    public func unfreeze() { unfreeze { _ in true } }

    /// Drops the gradients of all parameters (`grad = nil`, PyTorch's `set_to_none`).
    public func zeroGrad() {
        for parameter in parameters() { parameter.grad = nil }
    }
}
