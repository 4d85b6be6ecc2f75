import Foundation

/// A parsed JSON document, used where the schema is checked by hand to give errors
/// that name the exact key (safetensors headers, shard indexes).
enum CheckpointJSON: Decodable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([CheckpointJSON])
    case object([String: CheckpointJSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([CheckpointJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: CheckpointJSON].self))
        }
    }

    /// Parses `data`, returning the parser's complaint as a string on failure.
    static func parse(_ data: Data) -> Result<CheckpointJSON, ParseFailure> {
        do {
            return .success(try JSONDecoder().decode(CheckpointJSON.self, from: data))
        } catch let DecodingError.dataCorrupted(context) {
            return .failure(ParseFailure(reason: context.underlyingError.map { "\($0)" } ?? context.debugDescription))
        } catch {
            return .failure(ParseFailure(reason: "\(error)"))
        }
    }

    /// Why a document failed to parse.
    struct ParseFailure: Error {
        var reason: String
    }

    /// A short name of the JSON type, for error messages.
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
