import Foundation

/// One line of the metrics log: a training step or an evaluation.
///
/// Encoded flat, as `{"type": "train", "step": 10, "loss": 2.31, "lr": 0.001, ...}`, so the
/// JSON-lines file reads directly into pandas (`pd.read_json(path, lines=True)`).
public struct MetricRecord: Codable, Equatable, Sendable {
    /// `"train"`, `"eval"`, or `"final"` (the finished model, after the strategy's finish hook).
    public var type: String
    /// The number of optimizer steps completed when the record was made.
    public var step: Int
    /// The named values (losses, learning rate, throughput, ...).
    public var values: [String: Double]

    public init(type: String, step: Int, values: [String: Double]) {
        self.type = type
        self.step = step
        self.values = values
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        type = try container.decode(String.self, forKey: Key("type"))
        step = try container.decode(Int.self, forKey: Key("step"))
        var values: [String: Double] = [:]
        for key in container.allKeys where key.stringValue != "type" && key.stringValue != "step" {
            // Non-finite values are written as null.
            values[key.stringValue] = try container.decodeIfPresent(Double.self, forKey: key) ?? .nan
        }
        self.values = values
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(type, forKey: Key("type"))
        try container.encode(step, forKey: Key("step"))
        for (name, value) in values {
            if value.isFinite { try container.encode(value, forKey: Key(name)) } else { try container.encodeNil(forKey: Key(name)) }
        }
    }

    /// The record as one line of JSON (sorted keys, no newline).
    public func jsonLine() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only strings, integers and finite numbers are encoded, which cannot fail.
        return String(decoding: try! encoder.encode(self), as: UTF8.self)
    }
}

/// The JSON-lines metrics file of a run (`metrics.jsonl` in the output directory).
///
/// On resume the file is rewritten from the records saved in the checkpoint, so lines
/// written after that checkpoint by the interrupted run disappear and the file reads as
/// one uninterrupted run.
final class MetricsLog {
    let path: String
    private var handle: FileHandle?

    init(path: String) { self.path = path }

    /// Replaces the file by `records`, then keeps it open for appending.
    func reset(to records: [MetricRecord]) throws(TrainingError) {
        let text = records.map { $0.jsonLine() + "\n" }.joined()
        do {
            try? handle?.close()
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle?.seekToEnd()
        } catch {
            throw .writeFailed(path: path, reason: "\(error)")
        }
    }

    func append(_ record: MetricRecord) {
        // A failing log write must not kill a long run; the checkpoint keeps the records.
        try? handle?.write(contentsOf: Data((record.jsonLine() + "\n").utf8))
    }

    deinit { try? handle?.close() }
}
