import Foundation

/// Why a training run could not start, save or resume. Each message names the file or the
/// setting at fault.
public enum TrainingError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// A configuration value is out of range.
    case invalidConfiguration(field: String, reason: String)
    /// The strategy needs the frozen original model but none was given.
    case missingOriginalModel(strategy: String)
    /// A token stream is too short for the windows the run draws.
    case notEnoughTokens(stream: String, count: Int, needed: Int)
    /// There is no checkpoint to resume from in the directory.
    case noCheckpoint(directory: String)
    /// A checkpoint file is missing or does not fit the run.
    case invalidCheckpoint(path: String, reason: String)
    /// Writing a checkpoint or log failed; the previous checkpoint is intact.
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidConfiguration(field, reason):
            return "training configuration: '\(field)' \(reason)"
        case let .missingOriginalModel(strategy):
            return "strategy '\(strategy)' needs the frozen original model, but none was given"
        case let .notEnoughTokens(stream, count, needed):
            return "the \(stream) token stream has \(count) tokens; windows need at least \(needed)"
        case let .noCheckpoint(directory):
            return "no checkpoint to resume from in \(directory) (no 'latest' file)"
        case let .invalidCheckpoint(path, reason):
            return "checkpoint \(path): \(reason)"
        case let .writeFailed(path, reason):
            return "could not write \(path): \(reason)"
        }
    }

    public var errorDescription: String? { description }
}
