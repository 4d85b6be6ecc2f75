import Foundation

/// The checkpoints of a run: directories `checkpoint-<step>` in the output directory and a
/// `latest` file naming the newest one.
///
/// A checkpoint is written whole into a hidden temporary directory next to its final place
/// and renamed only when every file is complete; `latest` is then replaced atomically. So an
/// interrupted save (crash, full disk) leaves the previous checkpoint and `latest` untouched.
///
/// Contents of `checkpoint-<step>/`:
/// - `config.json`, `model.safetensors`: the student in the Hugging Face format (plus any
///   extra student parameters, such as adapters, under their names);
/// - `optimizer.safetensors`, `optimizer.json`: the optimizer state (``OptimizerStateFile``);
/// - `trainer_state.json`: ``TrainerState``;
/// - copies of the run's auxiliary files (for example `tokenizer.json`).
/// The frozen original model is never written.
public struct CheckpointStore {
    /// The run's output directory.
    public let directory: URL
    /// The name of the pointer file.
    public static let latestFileName = "latest"
    /// The trainer state file name inside a checkpoint.
    public static let stateFileName = "trainer_state.json"

    /// Called after each file of a checkpoint is written, with its name; tests throw from it
    /// to simulate a crash in the middle of a save.
    var afterWritingFile: ((String) throws -> Void)?

    public init(directory: URL) { self.directory = directory }

    /// The directory of the checkpoint after `step` steps.
    public func checkpointURL(step: Int) -> URL { directory.appendingPathComponent("checkpoint-\(step)") }

    /// The newest complete checkpoint, as named by `latest`, or nil when there is none.
    public func latest() throws -> URL? {
        let pointer = directory.appendingPathComponent(Self.latestFileName)
        guard FileManager.default.fileExists(atPath: pointer.path) else { return nil }
        let name: String
        do {
            name = try String(contentsOf: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw TrainingError.invalidCheckpoint(path: pointer.path, reason: "unreadable: \(error)")
        }
        let url = directory.appendingPathComponent(name)
        guard !name.isEmpty, !name.contains("/"), FileManager.default.fileExists(atPath: url.path) else {
            throw TrainingError.invalidCheckpoint(path: pointer.path, reason: "names '\(name)', which does not exist")
        }
        return url
    }

    /// The steps of the checkpoint directories present, ascending.
    public func steps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in
            name.hasPrefix("checkpoint-") ? Int(name.dropFirst("checkpoint-".count)) : nil
        }.sorted()
    }

    /// Writes a checkpoint atomically and points `latest` at it.
    ///
    /// - Parameters:
    ///   - student: the trained model (written with `save(to:as:)`).
    ///   - auxiliaryFiles: files copied into the checkpoint as they are (tokenizer, ...).
    ///   - keepLast: afterwards delete all but the newest `keepLast` checkpoints (0 keeps all).
    @discardableResult
    public func save(
        step: Int, student: LlamaForCausalLM, optimizer: any Optimizer, state: TrainerState,
        auxiliaryFiles: [URL] = [], keepLast: Int = 0
    ) throws -> URL {
        let manager = FileManager.default
        let final = checkpointURL(step: step)
        let temporary = directory.appendingPathComponent(".checkpoint-\(step).partial-\(UUID().uuidString)")
        var committed = false
        defer { if !committed { try? manager.removeItem(at: temporary) } }
        do {
            try manager.createDirectory(at: temporary, withIntermediateDirectories: true)
            try student.save(to: temporary.path)
            try afterWritingFile?("model.safetensors")
            try OptimizerStateFile.write(optimizer.stateDictionary(), to: temporary)
            try afterWritingFile?(OptimizerStateFile.tensorFileName)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            try encoder.encode(state).write(to: temporary.appendingPathComponent(Self.stateFileName))
            try afterWritingFile?(Self.stateFileName)
            for file in auxiliaryFiles {
                try manager.copyItem(at: file, to: temporary.appendingPathComponent(file.lastPathComponent))
            }
            // Rename cannot replace a non-empty directory: move an existing one aside first.
            if manager.fileExists(atPath: final.path) {
                let stale = directory.appendingPathComponent(".checkpoint-\(step).stale-\(UUID().uuidString)")
                try manager.moveItem(at: final, to: stale)
                try manager.moveItem(at: temporary, to: final)
                try? manager.removeItem(at: stale)
            } else {
                try manager.moveItem(at: temporary, to: final)
            }
            committed = true
            try Data((final.lastPathComponent + "\n").utf8).write(
                to: directory.appendingPathComponent(Self.latestFileName), options: .atomic)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.writeFailed(path: final.path, reason: "\(error)")
        }
        if keepLast > 0 {
            for old in steps().filter({ $0 != step }).dropLast(max(0, keepLast - 1)) {
                try? manager.removeItem(at: checkpointURL(step: old))
            }
        }
        return final
    }

    /// Reads the trainer state of the checkpoint at `url`.
    public static func readState(at url: URL) throws -> TrainerState {
        let file = url.appendingPathComponent(stateFileName)
        do {
            return try JSONDecoder().decode(TrainerState.self, from: Data(contentsOf: file))
        } catch {
            throw TrainingError.invalidCheckpoint(path: file.path, reason: "unreadable trainer state: \(error)")
        }
    }
}
