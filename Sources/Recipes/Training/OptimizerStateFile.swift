import Foundation

/// Stores an ``OptimizerState`` as two files: its tensors in `optimizer.safetensors`
/// (named `<parameter>/<slot>`, e.g. `model.norm.weight/exp_avg`, bit-exact F32) and its
/// scalars in `optimizer.json` (optimizer-wide scalars plus per-parameter scalar slots such
/// as AdamW's `step`).
public enum OptimizerStateFile {
    /// The tensor file name.
    public static let tensorFileName = "optimizer.safetensors"
    /// The scalar file name.
    public static let scalarFileName = "optimizer.json"

    private struct Scalars: Codable {
        var scalars: [String: Double]
        var parameterScalars: [String: [String: Double]]

        enum CodingKeys: String, CodingKey {
            case scalars
            case parameterScalars = "parameter_scalars"
        }
    }

    /// Writes `state` into `directory`.
    public static func write(_ state: OptimizerState, to directory: URL) throws {
        var entries: [SafetensorsWriter.Entry] = []
        var parameterScalars: [String: [String: Double]] = [:]
        for name in state.parameters.keys.sorted() {
            for (slot, tensor) in state.parameters[name]!.sorted(by: { $0.key < $1.key }) {
                if tensor.rank == 0 {
                    parameterScalars[name, default: [:]][slot] = Double(tensor.item)
                } else {
                    entries.append(SafetensorsWriter.Entry(name: "\(name)/\(slot)", shape: tensor.shape, values: tensor.scalars))
                }
            }
        }
        try SafetensorsWriter.write(entries, as: .f32, to: directory.appendingPathComponent(tensorFileName).path)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(Scalars(scalars: state.scalars, parameterScalars: parameterScalars))
        try data.write(to: directory.appendingPathComponent(scalarFileName), options: .atomic)
    }

    /// Reads the state written by ``write(_:to:)``.
    public static func read(from directory: URL) throws -> OptimizerState {
        let scalarURL = directory.appendingPathComponent(scalarFileName)
        let scalars: Scalars
        do {
            scalars = try JSONDecoder().decode(Scalars.self, from: Data(contentsOf: scalarURL))
        } catch {
            throw TrainingError.invalidCheckpoint(path: scalarURL.path, reason: "unreadable optimizer scalars: \(error)")
        }
        var parameters: [String: [String: Tensor]] = [:]
        for (name, slots) in scalars.parameterScalars {
            for (slot, value) in slots { parameters[name, default: [:]][slot] = Tensor(scalar: Float(value)) }
        }
        let file = try SafetensorsFile(path: directory.appendingPathComponent(tensorFileName).path)
        for key in file.names {
            guard let slash = key.lastIndex(of: "/"), let info = file.info(key) else {
                throw TrainingError.invalidCheckpoint(path: file.path, reason: "tensor '\(key)' is not named <parameter>/<slot>")
            }
            let tensor = Tensor(uninitializedShape: info.shape)
            try tensor.withUnsafeMutableBufferPointer { try file.read(key, into: $0) }
            parameters[String(key[..<slash]), default: [:]][String(key[key.index(after: slash)...])] = tensor
        }
        return OptimizerState(parameters: parameters, scalars: scalars.scalars)
    }
}
