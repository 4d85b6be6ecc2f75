import Testing
@testable import Models

@Suite("KV cache")
struct KVCacheTests {
    private func rows(_ batch: Int, _ count: Int, seed: UInt64) -> Tensor {
        var generator = RandomGenerator(seed: seed)
        return Tensor.randomNormal([batch, count, 2, 3], standardDeviation: 1, generator: &generator)
    }

    /// One sequence appends in place, growing past the first capacity (64 rows): every result
    /// equals the concatenation so far, and results handed out earlier keep their contents.
    @Test func inPlaceAppendsEqualConcatenation() {
        let layer = KVCache.Layer(window: nil)
        var expected: [Float] = []
        var handedOut: [(Tensor, [Float])] = []
        withNoGrad {
            for (index, count) in [5, 1, 1, 60, 1, 3, 70].enumerated() {
                let keys = rows(1, count, seed: UInt64(index))
                let values = rows(1, count, seed: UInt64(100 + index))
                let (allKeys, allValues) = layer.append(keys: keys, values: values)
                expected += keys.scalars
                let total = expected.count / 6
                #expect(allKeys.shape == [1, total, 2, 3] && allValues.shape == [1, total, 2, 3])
                #expect(allKeys.scalars == expected)
                #expect(Array(allValues.scalars.suffix(count * 6)) == values.scalars)
                #expect(layer.keys?.scalars == expected)
                handedOut.append((allKeys, expected))
            }
        }
        for (tensor, snapshot) in handedOut { #expect(tensor.scalars == snapshot) }
    }

    /// Batches of two, and entries that carry a gradient, still concatenate (with the graph).
    @Test func batchesAndGradientsConcatenate() {
        let batched = KVCache.Layer(window: nil)
        let first = rows(2, 3, seed: 1), second = rows(2, 1, seed: 2)
        _ = batched.append(keys: first, values: first)
        let (keys, _) = batched.append(keys: second, values: second)
        #expect(keys.scalars == Tensor.concatenated([first, second], alongAxis: 1).scalars)

        let layer = KVCache.Layer(window: nil)
        let cached = rows(1, 4, seed: 3)
        withNoGrad { _ = layer.append(keys: cached, values: cached) }
        let trainable = rows(1, 2, seed: 4).requiringGrad()
        let (allKeys, _) = layer.append(keys: trainable, values: trainable)
        #expect(allKeys.requiresGrad)
        #expect(allKeys.scalars == cached.scalars + trainable.scalars)
        allKeys.sum().backward()
        #expect(trainable.grad?.scalars == [Float](repeating: 1, count: 12))
    }
}
