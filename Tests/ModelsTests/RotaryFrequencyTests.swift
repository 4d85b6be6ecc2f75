import Foundation
import Testing
@testable import Models

/// One case of Fixtures/rope.json, written by Scripts/make_fixtures.py from
/// Transformers' `LlamaRotaryEmbedding`.
private struct RopeCase {
    struct Evaluation {
        var positions: [Int32]
        var inverseFrequencies: [Float]
        var attentionScaling: Double
        var cos: [[Float]]
        var sin: [[Float]]
    }

    var name: String
    var configuration: LlamaConfiguration
    var inverseFrequencies: [Float]
    var attentionScaling: Double
    var evaluations: [Evaluation]
}

private func floats(_ value: Any?) -> [Float] { (value as! [NSNumber]).map { Float($0.doubleValue) } }

private func loadRopeCases() throws -> [RopeCase] {
    let url = try modelIOFixturesDirectory().appendingPathComponent("rope.json")
    let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    let cases = try #require(root["cases"] as? [[String: Any]])
    return try cases.map { entry in
        let configData = try JSONSerialization.data(withJSONObject: entry["config"]!)
        let evaluations = (entry["evaluations"] as! [[String: Any]]).map { e in
            RopeCase.Evaluation(
                positions: (e["positions"] as! [NSNumber]).map { Int32($0.intValue) },
                inverseFrequencies: floats(e["inv_freq"]),
                attentionScaling: (e["attention_scaling"] as! NSNumber).doubleValue,
                cos: (e["cos"] as! [Any]).map(floats),
                sin: (e["sin"] as! [Any]).map(floats))
        }
        return RopeCase(
            name: entry["name"] as! String, configuration: try LlamaConfiguration.decode(configData),
            inverseFrequencies: floats(entry["inv_freq"]),
            attentionScaling: (entry["attention_scaling"] as! NSNumber).doubleValue, evaluations: evaluations)
    }
}

/// Distance in units in the last place between two finite positive floats.
private func ulps(_ a: Float, _ b: Float) -> Int {
    abs(Int(a.bitPattern) - Int(b.bitPattern))
}

@Suite struct RotaryFrequencyFixtureTests {
    @Test func fixtureCoversEveryScaling() throws {
        let kinds = Set(try loadRopeCases().map { $0.configuration.ropeScaling?.kind ?? .default })
        #expect(kinds == Set(RopeScaling.Kind.allCases))
    }

    /// Inverse frequencies and attention scaling at construction, per type.
    @Test func inverseFrequenciesMatchTransformers() throws {
        var exact = 0
        var total = 0
        for ropeCase in try loadRopeCases() {
            let rope = RotaryFrequencies(configuration: ropeCase.configuration)
            let ours = rope.inverseFrequencies()
            #expect(ours.count == ropeCase.inverseFrequencies.count, "\(ropeCase.name)")
            for (j, (a, b)) in zip(ours, ropeCase.inverseFrequencies).enumerated() {
                #expect(ulps(a, b) <= 1, "\(ropeCase.name) inv_freq[\(j)]: \(a) vs \(b)")
                exact += a == b ? 1 : 0
                total += 1
            }
            #expect(abs(rope.attentionScaling - ropeCase.attentionScaling) <= 1e-15, "\(ropeCase.name)")
        }
        // Only PyTorch's powf, within one ulp, may differ; most values are bit-identical.
        #expect(Double(exact) >= 0.95 * Double(total), "\(exact) of \(total) exact")
    }

    /// Per evaluation: the sequence length Transformers picks (dynamic NTK), the resulting
    /// frequencies, and cos / sin at skipped positions, many past max_position_embeddings.
    @Test func tablesMatchTransformersAtArbitraryPositions() throws {
        for ropeCase in try loadRopeCases() {
            let rope = RotaryFrequencies(configuration: ropeCase.configuration)
            let pairs = ropeCase.configuration.headDim / 2
            for evaluation in ropeCase.evaluations {
                let label = "\(ropeCase.name) positions \(evaluation.positions)"
                let length = RotaryFrequencies.sequenceLength(of: evaluation.positions)
                let inverse = rope.inverseFrequencies(sequenceLength: length)
                for (a, b) in zip(inverse, evaluation.inverseFrequencies) {
                    #expect(ulps(a, b) <= 1, "\(label): inv_freq \(a) vs \(b)")
                }
                #expect(abs(rope.attentionScaling - evaluation.attentionScaling) <= 1e-15)

                // The kernel alone, fed Transformers' frequencies: cos / sin to about an ulp.
                let count = evaluation.positions.count * pairs
                var cos = [Float](repeating: 0, count: count)
                var sin = [Float](repeating: 0, count: count)
                evaluation.positions.withUnsafeBufferPointer { p in
                    evaluation.inverseFrequencies.withUnsafeBufferPointer { f in
                        cos.withUnsafeMutableBufferPointer { c in
                            sin.withUnsafeMutableBufferPointer { s in
                                RotaryFrequencies.fillTables(
                                    positions: p, inverseFrequencies: f, attentionScaling: rope.attentionScaling, cos: c, sin: s)
                            }
                        }
                    }
                }
                let tolerance: Float = 2.5e-7
                for row in 0..<evaluation.positions.count {
                    for j in 0..<pairs {
                        #expect(abs(cos[row * pairs + j] - evaluation.cos[row][j]) <= tolerance, "\(label) cos[\(row)][\(j)]")
                        #expect(abs(sin[row * pairs + j] - evaluation.sin[row][j]) <= tolerance, "\(label) sin[\(row)][\(j)]")
                    }
                }

                // End to end: where our frequency equals Transformers' the tables agree to an
                // ulp; where it is one ulp off, the float32 angles differ by at most
                // position * that ulp plus one rounding of the angle.
                let (ourCos, ourSin) = rope.tables(positions: evaluation.positions)
                for (row, position) in evaluation.positions.enumerated() {
                    for j in 0..<pairs {
                        let difference = abs(inverse[j] - evaluation.inverseFrequencies[j])
                        let angle = Float(position) * evaluation.inverseFrequencies[j]
                        let drift = difference == 0 ? 0 : Float(position) * difference + angle.ulp
                        let bound = tolerance + drift * Float(rope.attentionScaling)
                        #expect(abs(ourCos[row * pairs + j] - evaluation.cos[row][j]) <= bound, "\(label) cos[\(row)][\(j)]")
                        #expect(abs(ourSin[row * pairs + j] - evaluation.sin[row][j]) <= bound, "\(label) sin[\(row)][\(j)]")
                    }
                }
            }
        }
    }
}

@Suite struct RotaryFrequencyBehaviourTests {
    @Test func plainFrequenciesByHand() {
        let rope = RotaryFrequencies(headDim: 4, base: 10000, maxPositionEmbeddings: 16)
        #expect(rope.inverseFrequencies() == [1, 0.01])
        #expect(rope.attentionScaling == 1)
        let (cos, sin) = rope.tables(positions: [0, 3])
        #expect(cos[0] == 1 && cos[1] == 1 && sin[0] == 0 && sin[1] == 0)
        #expect(cos[2] == Float(Foundation.cos(3.0)) && sin[2] == Float(Foundation.sin(3.0)))
        #expect(cos[3] == Float(Foundation.cos(Double(Float(3) * Float(0.01)))))
        // Linear scaling divides every frequency by the factor.
        let linear = RotaryFrequencies(
            headDim: 4, base: 10000, scaling: RopeScaling(kind: .linear, factor: 4), maxPositionEmbeddings: 16)
        #expect(linear.inverseFrequencies() == [0.25, 0.01 / 4])
    }

    @Test func sequenceLengthIsLargestPositionPlusOne() {
        #expect(RotaryFrequencies.sequenceLength(of: [Int32]()) == 0)
        #expect(RotaryFrequencies.sequenceLength(of: [5, 3000, 100] as [Int32]) == 3001)
        #expect(RotaryFrequencies.sequenceLength(of: [0, 1, 2, 3] as [Int32]) == 4)
    }

    @Test func dynamicNTKGrowsTheBaseOnlyPastTheTrainedLength() {
        let scaling = RopeScaling(kind: .dynamic, factor: 2)
        let rope = RotaryFrequencies(headDim: 64, base: 10000, scaling: scaling, maxPositionEmbeddings: 2048)
        let plain = RotaryFrequencies(headDim: 64, base: 10000, maxPositionEmbeddings: 2048).inverseFrequencies()
        #expect(rope.dependsOnSequenceLength)
        #expect(rope.inverseFrequencies(sequenceLength: 0) == plain)
        #expect(rope.inverseFrequencies(sequenceLength: 2048) == plain)
        let longer = rope.inverseFrequencies(sequenceLength: 4096)
        #expect(longer[0] == 1)
        #expect(zip(longer.dropFirst(), plain.dropFirst()).allSatisfy { $0 < $1 })
        // base' = base * (2 * 4096 / 2048 - 1)^(64/62) = 10000 * 3^(32/31)
        let expectedLast = 1 / Foundation.pow(10000 * Foundation.pow(3, 64.0 / 62), 62.0 / 64)
        #expect(abs(Double(longer[31]) / expectedLast - 1) < 1e-5)
        // Tables pick max(position) + 1 unless told otherwise.
        let automatic = rope.tables(positions: [0, 1, 4095])
        let explicit = rope.tables(positions: [0, 1, 4095], sequenceLength: 4096)
        let short = rope.tables(positions: [0, 1, 4095], sequenceLength: 100)
        #expect(automatic.cos == explicit.cos && automatic.sin == explicit.sin)
        #expect(automatic.cos != short.cos)
    }

    @Test func yarnAttentionScaling() {
        func scaling(_ s: RopeScaling) -> Double {
            RotaryFrequencies(headDim: 8, base: 10000, scaling: s, maxPositionEmbeddings: 64).attentionScaling
        }
        #expect(scaling(RopeScaling(kind: .yarn, factor: 4)) == 0.1 * Foundation.log(4.0) + 1)
        #expect(scaling(RopeScaling(kind: .yarn, factor: 1)) == 1)
        #expect(scaling(RopeScaling(kind: .yarn, factor: 4, attentionFactor: 0.9)) == 0.9)
        let deepSeek = (0.1 * 1.0 * Foundation.log(40.0) + 1) / (0.1 * 0.5 * Foundation.log(40.0) + 1)
        #expect(scaling(RopeScaling(kind: .yarn, factor: 40, mscale: 1, mscaleAllDim: 0.5)) == deepSeek)
        // mscale alone is ignored, as in Transformers.
        #expect(scaling(RopeScaling(kind: .yarn, factor: 4, mscale: 2)) == 0.1 * Foundation.log(4.0) + 1)
        #expect(scaling(RopeScaling(kind: .llama3, factor: 8, lowFreqFactor: 1, highFreqFactor: 4)) == 1)
    }

    @Test func llama3KeepsHighAndDividesLowFrequencies() {
        let scaling = RopeScaling(kind: .llama3, factor: 8, originalMaxPositionEmbeddings: 8192, lowFreqFactor: 1, highFreqFactor: 4)
        let rope = RotaryFrequencies(headDim: 128, base: 500_000, scaling: scaling, maxPositionEmbeddings: 131_072)
        let plain = RotaryFrequencies(headDim: 128, base: 500_000, maxPositionEmbeddings: 131_072).inverseFrequencies()
        let scaled = rope.inverseFrequencies()
        for j in 0..<64 {
            let wavelength = 2 * Double.pi / Double(plain[j])
            if wavelength < 8192 / 4 {
                #expect(scaled[j] == plain[j])
            } else if wavelength > 8192 {
                #expect(scaled[j] == plain[j] / 8)
            } else {
                #expect(scaled[j] < plain[j] && scaled[j] > plain[j] / 8)
            }
        }
    }

    @Test func configurationInitialiserUsesHeadDimBaseAndScaling() throws {
        let config = try LlamaConfiguration(
            hiddenSize: 96, intermediateSize: 64, numHiddenLayers: 1, numAttentionHeads: 4, headDim: 16, vocabSize: 10,
            maxPositionEmbeddings: 64, ropeTheta: 5e5, ropeScaling: RopeScaling(kind: .linear, factor: 2))
        let rope = RotaryFrequencies(configuration: config)
        #expect(rope.headDim == 16 && rope.base == 5e5 && rope.scaling?.kind == .linear && rope.maxPositionEmbeddings == 64)
        #expect(rope.inverseFrequencies().count == 8)
    }
}
