import Foundation
import Testing
@testable import Models

/// Runs `body`, requires it to throw a `CheckpointError`, and returns it.
private func checkpointError(_ body: () throws -> Void) -> CheckpointError? {
    do {
        try body()
    } catch let error as CheckpointError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
    Issue.record("expected a CheckpointError, nothing was thrown")
    return nil
}

@Suite struct SafetensorsRoundTripTests {
    @Test func float32RoundTripIsExact() throws {
        let dir = try ModelIOTemporaryDirectory()
        let path = dir.path("model.safetensors")
        let a: [Float] = (0..<12).map { Float($0) * 0.37 - 1.5 }
        let b: [Float] = [.pi, -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude, -0.0]
        let scalar: [Float] = [42]
        try SafetensorsWriter.write(
            [
                .init(name: "layer.weight", shape: [3, 4], values: a),
                .init(name: "b", shape: [5], values: b),
                .init(name: "scalar", shape: [], values: scalar),
                .init(name: "empty", shape: [0, 3], values: []),
            ], as: .f32, to: path)
        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["b", "empty", "layer.weight", "scalar"])
        #expect(file.metadata == ["format": "pt"])
        #expect(try file.shape(of: "layer.weight") == [3, 4])
        #expect(try file.dtype(of: "layer.weight") == .f32)
        #expect(try file.shape(of: "scalar") == [])
        #expect(try file.read("layer.weight") == a)
        #expect(try file.read("b").map(\.bitPattern) == b.map(\.bitPattern))
        #expect(try file.read("scalar") == [42])
        #expect(try file.read("empty") == [])
        // Tensors are laid out in the given order, back to back.
        #expect(file.info("layer.weight")?.dataOffsets == 0..<48)
        #expect(file.info("b")?.dataOffsets == 48..<68)
        // The data section starts 8-byte aligned, as the reference writer pads it.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(bytes.count == 8 + headerLength + 72)
    }

    @Test func bfloat16RoundingIsNearestEven() throws {
        // (input bits, expected bf16 bits)
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1.0 exact
            (0x3F80_8000, 0x3F80),  // 1 + 2^-8: tie, 0x3F80 is even -> down
            (0x3F81_8000, 0x3F82),  // tie, 0x3F81 is odd -> up
            (0x3F80_8001, 0x3F81),  // just above the tie -> up
            (0x3F80_7FFF, 0x3F80),  // just below the tie -> down
            (0xC020_0000, 0xC020),  // -2.5 exact
            (0x7F7F_FFFF, 0x7F80),  // largest float rounds to +inf
            (0xFF7F_FFFF, 0xFF80),  // and its negative to -inf
            (0x0000_0001, 0x0000),  // smallest subnormal rounds to zero
            (0x0001_8000, 0x0002),  // subnormal tie, odd -> up
            (0x7F80_0000, 0x7F80),  // +inf
        ]
        for (input, expected) in cases {
            #expect(HalfPrecision.bfloat16Bits(from: Float(bitPattern: input)) == expected, "input \(input)")
        }
        #expect(Float(bitPattern: UInt32(HalfPrecision.bfloat16Bits(from: .nan)) << 16).isNaN)

        let dir = try ModelIOTemporaryDirectory()
        let path = dir.path("bf16.safetensors")
        let values = cases.map { Float(bitPattern: $0.0) } + [.nan]
        try SafetensorsWriter.write([.init(name: "w", shape: [values.count], values: values)], as: .bf16, to: path)
        let file = try SafetensorsFile(path: path)
        #expect(try file.dtype(of: "w") == .bf16)
        #expect(file.info("w")?.dataOffsets == 0..<(2 * values.count))
        let back = try file.read("w")
        for (i, (_, expected)) in cases.enumerated() {
            #expect(back[i].bitPattern == UInt32(expected) << 16, "element \(i)")
        }
        #expect(back.last!.isNaN)
    }

    @Test func float16ConversionOfHandValues() throws {
        let cases: [(UInt16, Float)] = [
            (0x3C00, 1.0), (0xC000, -2.0), (0x7BFF, 65504.0), (0x3555, 0.333251953125),
            (0x0001, 0x1p-24),  // smallest subnormal
            (0x03FF, 1023 * 0x1p-24),  // largest subnormal
            (0x8001, -0x1p-24),  // negative subnormal
            (0x0400, 0x1p-14),  // smallest normal
            (0x7C00, .infinity), (0xFC00, -.infinity), (0x0000, 0.0),
        ]
        let dir = try ModelIOTemporaryDirectory()
        let words = cases.map(\.0) + [0x8000, 0x7E00]
        let header = #"{"h":{"dtype":"F16","shape":[\#(words.count)],"data_offsets":[0,\#(2 * words.count)]}}"#
        let path = try dir.writeSafetensors("f16.safetensors", header: header, data: modelIOLittleEndianBytes(words))
        let values = try SafetensorsFile(path: path).read("h")
        for (i, (_, expected)) in cases.enumerated() {
            #expect(values[i] == expected, "half bits \(cases[i].0)")
        }
        #expect(values[cases.count].bitPattern == 0x8000_0000)  // -0.0 keeps its sign
        #expect(values[cases.count + 1].isNaN)
    }

    @Test func float64AndUnalignedDataAreRead() throws {
        let dir = try ModelIOTemporaryDirectory()
        let doubles: [Double] = [1.0 / 3.0, -1e300, 2.5]
        let doubleBytes = doubles.flatMap { d in (0..<8).map { UInt8(truncatingIfNeeded: d.bitPattern >> (8 * UInt64($0))) } }
        // A 3-byte-odd header leaves the data section unaligned for F32 and F64.
        let floats: [Float] = [1.25, -7.5]
        let header = #"{"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},"f":{"dtype":"F32","shape":[2],"data_offsets":[24,32]}}   "#
        #expect((8 + header.utf8.count) % 4 != 0)
        let path = try dir.writeSafetensors("mixed.safetensors", header: header, data: doubleBytes + modelIOLittleEndianBytes(floats))
        let file = try SafetensorsFile(path: path)
        #expect(try file.read("d") == [Float(1.0 / 3.0), -.infinity, 2.5])
        #expect(try file.read("f") == floats)
        #expect(file.metadata.isEmpty)
    }

    @Test func writeReplacesAtomicallyAndLeavesNoTemporaryFiles() throws {
        let dir = try ModelIOTemporaryDirectory()
        let path = dir.path("model.safetensors")
        try SafetensorsWriter.write([.init(name: "x", shape: [2], values: [1, 2])], as: .f32, to: path)
        let replacement: [Float] = [3, 4, 5]
        try replacement.withUnsafeBufferPointer { buffer in
            try SafetensorsWriter.write([.init(name: "y", shape: [3], buffer: buffer)], as: .f32, to: path)
        }
        let file = try SafetensorsFile(path: path)
        #expect(file.names == ["y"])
        #expect(try file.read("y") == replacement)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["model.safetensors"])

        let missing = dir.path("no-such-dir/model.safetensors")
        let error = checkpointError {
            try SafetensorsWriter.write([.init(name: "x", shape: [1], values: [1])], as: .f32, to: missing)
        }
        #expect(error?.description.contains(missing) == true)
        let duplicate = checkpointError {
            try SafetensorsWriter.write(
                [.init(name: "x", shape: [1], values: [1]), .init(name: "x", shape: [1], values: [2])], as: .f32,
                to: path)
        }
        #expect(duplicate == .writeFailed(file: path, tensor: "x", reason: "duplicate tensor name"))
        #expect(try SafetensorsFile(path: path).names == ["y"])  // the old file is untouched
    }
}

@Suite struct SafetensorsValidationTests {
    private let entryA = #""a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}"#

    @Test func fileShorterThanEightBytes() throws {
        let dir = try ModelIOTemporaryDirectory()
        let short = try dir.write("short.safetensors", bytes: [1, 2, 3, 4, 5])
        #expect(throws: CheckpointError.fileTooShort(file: short, size: 5)) { try SafetensorsFile(path: short) }
        let empty = try dir.write("empty.safetensors", bytes: [])
        #expect(throws: CheckpointError.fileTooShort(file: empty, size: 0)) { try SafetensorsFile(path: empty) }
        let missing = dir.path("missing.safetensors")
        let error = checkpointError { _ = try SafetensorsFile(path: missing) }
        guard case .unreadable(let file, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == missing)
    }

    @Test func headerLengthPastEndOfFile() throws {
        let dir = try ModelIOTemporaryDirectory()
        let path = try dir.writeSafetensors("x.safetensors", header: "{}", data: [], length: 1000)
        #expect(throws: CheckpointError.headerLengthOutOfRange(file: path, headerLength: 1000, fileSize: 10)) {
            try SafetensorsFile(path: path)
        }
        let huge = try dir.writeSafetensors("y.safetensors", header: "{}", data: [], length: UInt64.max)
        #expect(throws: CheckpointError.headerLengthOutOfRange(file: huge, headerLength: .max, fileSize: 10)) {
            try SafetensorsFile(path: huge)
        }
    }

    @Test func headerThatIsNotJSONOrNotAnObject() throws {
        let dir = try ModelIOTemporaryDirectory()
        let bad = try dir.writeSafetensors("bad.safetensors", header: "{\"a\": [1,", data: [])
        let error = checkpointError { _ = try SafetensorsFile(path: bad) }
        guard case .headerNotJSON(let file, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == bad)
        let binary = try dir.writeSafetensors("bin.safetensors", header: "\u{00}\u{ff}", data: [])
        #expect(checkpointError { _ = try SafetensorsFile(path: binary) } != nil)
        let array = try dir.writeSafetensors("array.safetensors", header: "[1, 2]", data: [])
        #expect(throws: CheckpointError.headerNotObject(file: array)) { try SafetensorsFile(path: array) }
    }

    @Test func missingOrMalformedFields() throws {
        let dir = try ModelIOTemporaryDirectory()
        let cases: [(String, String, String)] = [
            (#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, "a", "missing 'dtype'"),
            (#"{"a":{"dtype":"F32","data_offsets":[0,8]}}"#, "a", "missing 'shape'"),
            (#"{"a":{"dtype":"F32","shape":[2]}}"#, "a", "missing 'data_offsets'"),
            (#"{"a":{"dtype":7,"shape":[2],"data_offsets":[0,8]}}"#, "a", "'dtype' must be a string, found a number"),
            (#"{"a":{"dtype":"F32","shape":2,"data_offsets":[0,8]}}"#, "a", "'shape' must be an array, found a number"),
            (#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, "a", "'shape' entries must be non-negative integers"),
            (#"{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}"#, "a", "'shape' entries must be non-negative integers"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8,9]}}"#, "a", "'data_offsets' must be an array of two integers"),
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":["0","8"]}}"#, "a", "'data_offsets' must be an array of two integers"),
            (#"{"a":[1,2]}"#, "a", "expected an object, found an array"),
            (#"{"__metadata__":{"format":1}}"#, "__metadata__", "value of 'format' must be a string, found a number"),
            (#"{"__metadata__":"pt"}"#, "__metadata__", "expected an object, found a string"),
            (#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#, "a",
             "'shape' 3 dimensions overflow the element count"),
        ]
        for (index, (header, tensor, reason)) in cases.enumerated() {
            let path = try dir.writeSafetensors("m\(index).safetensors", header: header, data: Array(repeating: 0, count: 8))
            #expect(throws: CheckpointError.malformedEntry(file: path, tensor: tensor, reason: reason)) {
                try SafetensorsFile(path: path)
            }
        }
    }

    @Test func unknownDType() throws {
        let dir = try ModelIOTemporaryDirectory()
        let path = try dir.writeSafetensors(
            "x.safetensors", header: #"{"w":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}}"#, data: Array(repeating: 0, count: 8))
        let expected = CheckpointError.unknownDType(file: path, tensor: "w", dtype: "F12")
        #expect(throws: expected) { try SafetensorsFile(path: path) }
        #expect(expected.description == "\(path): tensor 'w' has unknown dtype 'F12'")
    }

    @Test func offsetsOutOfRangeOverlappingAndSizeMismatch() throws {
        let dir = try ModelIOTemporaryDirectory()
        let data = [UInt8](repeating: 0, count: 16)
        let reversed = try dir.writeSafetensors(
            "r.safetensors", header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}"#, data: data)
        #expect(throws: CheckpointError.offsetsOutOfRange(file: reversed, tensor: "w", begin: 8, end: 4)) {
            try SafetensorsFile(path: reversed)
        }
        let negative = try dir.writeSafetensors(
            "n.safetensors", header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, data: data)
        #expect(throws: CheckpointError.offsetsOutOfRange(file: negative, tensor: "w", begin: -4, end: 0)) {
            try SafetensorsFile(path: negative)
        }
        let overlap = try dir.writeSafetensors(
            "o.safetensors",
            header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            data: data)
        #expect(throws: CheckpointError.overlappingOffsets(file: overlap, tensor: "b", other: "a")) {
            try SafetensorsFile(path: overlap)
        }
        let size = try dir.writeSafetensors(
            "s.safetensors", header: #"{"w":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}"#, data: data)
        #expect(throws: CheckpointError.byteSizeMismatch(file: size, tensor: "w", expected: 6, actual: 8)) {
            try SafetensorsFile(path: size)
        }
        let truncated = try dir.writeSafetensors(
            "t.safetensors", header: "{\(entryA),\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", data: data)
        let error = CheckpointError.truncated(file: truncated, tensor: "b", needed: 24, available: 16)
        #expect(throws: error) { try SafetensorsFile(path: truncated) }
        #expect(error.description.contains(truncated) && error.description.contains("'b'"))
    }

    @Test func readErrorsNameTheTensor() throws {
        let dir = try ModelIOTemporaryDirectory()
        let path = try dir.writeSafetensors(
            "x.safetensors", header: "{\(entryA),\"ids\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[8,16]}}",
            data: modelIOLittleEndianBytes([Float(1), 2, 3, 4]))
        let file = try SafetensorsFile(path: path)
        #expect(throws: CheckpointError.tensorNotFound(file: path, tensor: "nope")) { try file.read("nope") }
        #expect(throws: CheckpointError.unsupportedConversion(file: path, tensor: "ids", dtype: "I32")) {
            try file.read("ids")
        }
        var small = [Float](repeating: 0, count: 3)
        #expect(throws: CheckpointError.elementCountMismatch(file: path, tensor: "a", expected: 2, actual: 3)) {
            try small.withUnsafeMutableBufferPointer { try file.read("a", into: $0) }
        }
        #expect(try file.read("a") == [1, 2])
        var two = [Float](repeating: 0, count: 2)
        #expect(throws: CheckpointError.shapeMismatch(file: path, tensor: "a", expected: [1, 2], actual: [2])) {
            try two.withUnsafeMutableBufferPointer { try file.read("a", shape: [1, 2], into: $0) }
        }
        try two.withUnsafeMutableBufferPointer { try file.read("a", shape: [2], into: $0) }
        #expect(two == [1, 2])
    }

    /// Truncations and byte flips of a valid file either open or throw; nothing traps.
    @Test func corruptedFilesNeverTrap() throws {
        let dir = try ModelIOTemporaryDirectory()
        let good = dir.path("good.safetensors")
        try SafetensorsWriter.write(
            [.init(name: "a", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), .init(name: "b", shape: [2], values: [7, 8])],
            as: .bf16, to: good)
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: good)))
        var generator = ModelIORandom(seed: 42)
        var opened = 0
        for trial in 0..<300 {
            var bytes = original
            if trial < original.count {
                bytes = Array(original.prefix(trial))
            } else {
                for _ in 0..<Int.random(in: 1...4, using: &generator) {
                    let position = Int.random(in: 0..<bytes.count, using: &generator)
                    bytes[position] = UInt8.random(in: 0...255, using: &generator)
                }
            }
            let path = try dir.write("fuzz.safetensors", bytes: bytes)
            do {
                let file = try SafetensorsFile(path: path)
                for name in file.names { _ = try? file.read(name) }
                opened += 1
            } catch is CheckpointError {
            } catch {
                Issue.record("non-checkpoint error \(error)")
            }
        }
        #expect(opened > 0)
    }
}

@Suite struct ShardedSafetensorsTests {
    private func writeShards(in dir: ModelIOTemporaryDirectory) throws {
        try SafetensorsWriter.write(
            [.init(name: "model.embed_tokens.weight", shape: [2, 2], values: [1, 2, 3, 4])], as: .f32,
            to: dir.path("model-00001-of-00002.safetensors"))
        try SafetensorsWriter.write(
            [.init(name: "lm_head.weight", shape: [2, 2], values: [5, 6, 7, 8]),
             .init(name: "model.norm.weight", shape: [2], values: [9, 10])], as: .bf16,
            to: dir.path("model-00002-of-00002.safetensors"))
    }

    @Test func indexPresentsAllShardsAsOneSet() throws {
        let dir = try ModelIOTemporaryDirectory()
        try writeShards(in: dir)
        let index = #"""
            {"metadata": {"total_size": 28},
             "weight_map": {"model.embed_tokens.weight": "model-00001-of-00002.safetensors",
                            "lm_head.weight": "model-00002-of-00002.safetensors",
                            "model.norm.weight": "model-00002-of-00002.safetensors"}}
            """#
        try dir.write(ShardedSafetensors.indexFileName, bytes: Array(index.utf8))
        let checkpoint = try openCheckpoint(directory: dir.url.path)
        #expect(checkpoint is ShardedSafetensors)
        #expect(checkpoint.names == ["lm_head.weight", "model.embed_tokens.weight", "model.norm.weight"])
        #expect(try checkpoint.read("model.embed_tokens.weight") == [1, 2, 3, 4])
        #expect(try checkpoint.read("lm_head.weight") == [5, 6, 7, 8])
        #expect(try checkpoint.dtype(of: "model.norm.weight") == .bf16)
        #expect(try checkpoint.shape(of: "model.norm.weight") == [2])
        #expect(throws: CheckpointError.tensorNotFound(file: dir.path(ShardedSafetensors.indexFileName), tensor: "x")) {
            try checkpoint.read("x")
        }
    }

    @Test func singleFileDirectoryOpens() throws {
        let dir = try ModelIOTemporaryDirectory()
        try SafetensorsWriter.write([.init(name: "w", shape: [1], values: [3])], as: .f32, to: dir.path("model.safetensors"))
        let checkpoint = try openCheckpoint(directory: dir.url.path)
        #expect(checkpoint is SafetensorsFile)
        #expect(try checkpoint.read("w") == [3])
        let empty = try ModelIOTemporaryDirectory()
        #expect(checkpointError { _ = try openCheckpoint(directory: empty.url.path) } != nil)
    }

    @Test func indexErrors() throws {
        let dir = try ModelIOTemporaryDirectory()
        try writeShards(in: dir)
        let indexPath = dir.path(ShardedSafetensors.indexFileName)
        func check(_ index: String, _ expected: CheckpointError) throws {
            try dir.write(ShardedSafetensors.indexFileName, bytes: Array(index.utf8))
            #expect(throws: expected) { try ShardedSafetensors(indexPath: indexPath) }
        }
        try check(
            #"{"weight_map": {"lm_head.weight": "model-00003-of-00003.safetensors"}}"#,
            .missingShard(file: indexPath, tensor: "lm_head.weight", shard: "model-00003-of-00003.safetensors"))
        try check(
            #"{"weight_map": {"lm_head.weight": "model-00001-of-00002.safetensors"}}"#,
            .tensorMissingFromShard(file: indexPath, tensor: "lm_head.weight", shard: "model-00001-of-00002.safetensors"))
        try check(#"{"metadata": {}}"#, .malformedIndex(file: indexPath, key: "weight_map", reason: "missing"))
        try check(#"{"weight_map": []}"#, .malformedIndex(file: indexPath, key: "weight_map", reason: "expected an object, found an array"))
        try check(
            #"{"weight_map": {"w": 3}}"#, .malformedIndex(file: indexPath, key: "weight_map.w", reason: "shard name must be a string"))
        try check(
            #"{"weight_map": {"w": "../model.safetensors"}}"#,
            .malformedIndex(file: indexPath, key: "weight_map.w", reason: "invalid shard file name '../model.safetensors'"))
        try dir.write(ShardedSafetensors.indexFileName, bytes: Array("not json".utf8))
        let error = checkpointError { _ = try ShardedSafetensors(indexPath: indexPath) }
        guard case .malformedIndex(let file, let key, _)? = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file == indexPath && key == "<root>")
    }
}

/// The checkpoints Transformers wrote for the model fixtures.
@Suite struct HuggingFaceSafetensorsTests {
    @Test func readsTransformersCheckpointsExactly() throws {
        let fixtures = try modelIOFixturesDirectory()
        let cases = try FileManager.default.contentsOfDirectory(atPath: fixtures.path)
            .filter { FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("\($0)/reference.json").path) }
        #expect(cases.count == 11)
        for name in cases {
            let directory = fixtures.appendingPathComponent(name)
            let checkpoint = try openCheckpoint(directory: directory.path)
            let file = try #require(checkpoint as? SafetensorsFile)
            #expect(file.metadata["format"] == "pt")
            let config = try LlamaConfiguration(contentsOf: directory.appendingPathComponent("config.json").path)
            // Tied checkpoints store no lm_head; biases appear only where configured.
            #expect(file.contains("lm_head.weight") == !config.tieWordEmbeddings, "\(name)")
            #expect(file.contains("model.layers.0.self_attn.q_proj.bias") == config.attentionBias, "\(name)")
            #expect(file.contains("model.layers.0.mlp.up_proj.bias") == config.mlpBias, "\(name)")
            #expect(try file.shape(of: "model.layers.1.self_attn.k_proj.weight") == [config.numKeyValueHeads * config.headDim, config.hiddenSize])

            let reference = try JSONSerialization.jsonObject(
                with: Data(contentsOf: directory.appendingPathComponent("reference.json"))) as! [String: Any]
            let checksums = reference["weight_checksums"] as! [String: [String: Any]]
            for (tensor, expected) in checksums {
                let values = try file.read(tensor)
                #expect(try file.shape(of: tensor) == (expected["shape"] as! [Int]), "\(name) \(tensor)")
                let storedType = (expected["dtype"] as! String) == "bfloat16" ? SafetensorsDType.bf16 : .f32
                #expect(try file.dtype(of: tensor) == storedType, "\(name) \(tensor)")
                let sum = values.reduce(0.0) { $0 + Double($1) }
                let squares = values.reduce(0.0) { $0 + Double($1) * Double($1) }
                #expect(abs(sum - (expected["sum"] as! Double)) <= 1e-9 * squares, "\(name) \(tensor)")
                #expect(abs(squares / (expected["sum_of_squares"] as! Double) - 1) <= 1e-12, "\(name) \(tensor)")
            }
        }
    }
}
