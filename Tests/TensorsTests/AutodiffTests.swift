import Testing
@testable import Tensors

@Suite("Reverse-mode engine")
struct AutodiffTests {
    @Test func recordsOnlyWhenAnInputNeedsAGradient() {
        let a = Tensor([1, 2]), b = Tensor([3, 4])
        #expect((a * b).node == nil)
        #expect(!(a * b).requiresGrad)
        a.requiringGrad()
        #expect((a * b).node != nil)
        #expect(withNoGrad { (a * b).node } == nil)
        #expect(isGradEnabled)
    }

    @Test func gradientsAccumulateAcrossBackwardCalls() {
        let w = Tensor([1, 2, 3]).requiringGrad()
        (w * w).sum().backward()
        #expect(w.grad?.scalars == [2, 4, 6])
        (w * 3).sum().backward()
        #expect(w.grad?.scalars == [5, 7, 9])
    }

    @Test func sharedSubexpressionsSumTheirGradients() {
        let x = Tensor([2]).requiringGrad()
        let y = x * x
        (y * y + y).sum().backward()  // d/dx (x^4 + x^2) = 4x^3 + 2x
        #expect(x.grad?.scalars == [36])
    }

    @Test func graphIsReleasedAfterBackward() {
        let x = Tensor([1, 2]).requiringGrad()
        let hidden = x.exp()
        let loss = hidden.sum()
        loss.backward()
        #expect(hidden.node == nil && loss.node == nil)
        weak var weakHidden: Tensor?
        do {
            let h = x.tanh()
            weakHidden = h
            h.sum().backward()
        }
        #expect(weakHidden == nil)
    }

    @Test func detachedStopsTheGradient() {
        let x = Tensor([3]).requiringGrad()
        (x * x.detached()).sum().backward()
        #expect(x.grad?.scalars == [3])
        #expect(!x.detached().requiresGrad)
    }

    @Test func smallNetworkGradientsMatchFiniteDifferences() {
        let x = randomTensor([4, 3], seed: 51)
        let w1 = randomTensor([5, 3], seed: 52), b1 = randomTensor([5], seed: 53)
        let w2 = randomTensor([2, 5], seed: 54), gain = randomTensor([5], seed: 55, in: 0.5..<1.5)
        expectGradientsMatch([w1, b1, w2, gain]) { p in
            let h = (Tensor.matmul(x, p[0], transposeB: true) + p[1]).gelu()
            let n = Tensor.rmsNorm(h, weight: p[3], epsilon: 1e-5)
            let logits = Tensor.matmul(n, p[2], transposeB: true)
            return Tensor.crossEntropy(logits: logits, targets: [0, 1, 1, 0])
        }
    }

    @Test func backwardOnANonScalarStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let x = Tensor([1, 2]).requiringGrad()
            (x * 2).backward()
        }
        #expect(stderrText(result).contains("Tensor.backward: called on a tensor of shape [2]"))
    }

    @Test func randomGeneratorIsReproducibleAndRestorable() throws {
        var g = RandomGenerator(seed: 42)
        _ = g.next()
        let saved = try JSONEncoder().encode(g)
        let expected = (0..<5).map { _ in g.next() }
        var restored = try JSONDecoder().decode(RandomGenerator.self, from: saved)
        #expect((0..<5).map { _ in restored.next() } == expected)
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1)
        #expect(Tensor.randomNormal([16], generator: &a).scalars == Tensor.randomNormal([16], generator: &b).scalars)
        var n = RandomGenerator(seed: 9)
        let samples = Tensor.randomNormal([20000], mean: 1, standardDeviation: 2, generator: &n)
        let mean = samples.mean().item
        let std = ((samples - mean).squared().mean().item).squareRoot()
        #expect(abs(mean - 1) < 0.05 && abs(std - 2) < 0.05)
    }
}

import Foundation
