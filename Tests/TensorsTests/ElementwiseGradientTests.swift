import Testing
@testable import Tensors

@Suite("Elementwise ops: values and gradients")
struct ElementwiseGradientTests {
    @Test func broadcastValuesMatchHandComputation() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        let b = Tensor([10, 20, 30])
        #expect((a + b).scalars == [11, 22, 33, 14, 25, 36])
        let column = Tensor([1, 2], shape: [2, 1])
        #expect((a * column).scalars == [1, 2, 3, 8, 10, 12])
        #expect((column - b).shape == [2, 3])
        #expect((column - b).scalars == [-9, -19, -29, -8, -18, -28])
        #expect((2 / Tensor([4, 8])).scalars == [0.5, 0.25])
    }

    @Test(arguments: [
        ([3, 4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([4], [2, 3, 4]), ([2, 1, 4], [3, 1]), ([], [2, 3]),
    ])
    func arithmeticGradientsUnderBroadcasting(shapes: ([Int], [Int])) {
        let a = randomTensor(shapes.0, seed: 1)
        let b = randomTensor(shapes.1, seed: 2, in: 0.5..<2)
        expectGradientsMatch([a, b]) { $0[0] + $0[1] }
        expectGradientsMatch([a, b]) { $0[0] - $0[1] }
        expectGradientsMatch([a, b]) { $0[0] * $0[1] }
        expectGradientsMatch([a, b]) { $0[0] / $0[1] }
        expectGradientsMatch([a, b]) { Tensor.maximum($0[0], $0[1]) }
        expectGradientsMatch([a, b]) { Tensor.minimum($0[0], $0[1]) }
    }

    @Test func scalarOperandGradients() {
        let a = randomTensor([2, 3], seed: 3)
        expectGradientsMatch([a]) { 3 * $0[0] - 1 }
        expectGradientsMatch([a]) { 2 / ($0[0] + 3) }
        expectGradientsMatch([a]) { -$0[0] }
    }

    @Test func unaryGradients() {
        let x = randomTensor([3, 5], seed: 4, in: -2..<2)
        let positive = randomTensor([3, 5], seed: 5, in: 0.5..<3)
        expectGradientsMatch([x]) { $0[0].exp() }
        expectGradientsMatch([x]) { $0[0].tanh() }
        expectGradientsMatch([x]) { $0[0].sigmoid() }
        expectGradientsMatch([x]) { $0[0].silu() }
        expectGradientsMatch([x]) { $0[0].gelu() }
        expectGradientsMatch([x]) { $0[0].squared() }
        expectGradientsMatch([positive]) { $0[0].log() }
        expectGradientsMatch([positive]) { $0[0].sqrt() }
        expectGradientsMatch([positive]) { $0[0].rsqrt() }
        expectGradientsMatch([positive]) { $0[0].reciprocal() }
        expectGradientsMatch([positive]) { $0[0].pow(1.7) }
        expectGradientsMatch([positive]) { $0[0].clamped(min: 1.5) }
    }

    @Test func reluGradientAwayFromTheKink() {
        let x = Tensor([-1.5, -0.3, 0.4, 2.0])
        expectGradientsMatch([x]) { $0[0].relu() }
        #expect(x.relu().scalars == [0, 0, 0.4, 2.0])
    }

    @Test func tensorPowerGradientsForBothOperands() {
        let base = randomTensor([2, 3], seed: 6, in: 0.5..<2)
        let exponent = randomTensor([3], seed: 7, in: -1..<2)
        expectGradientsMatch([base, exponent]) { Tensor.pow($0[0], $0[1]) }
    }

    @Test func unaryValuesMatchFoundation() {
        let x = Tensor([-3, -0.5, 0, 0.5, 3])
        expectClose(x.gelu().scalars, [-0.0040496, -0.1542688, 0, 0.3457312, 2.9959502], tolerance: 1e-6)
        expectClose(x.silu().scalars, [-0.1422776, -0.1887703, 0, 0.3112297, 2.8577223], tolerance: 1e-6)
    }
}
