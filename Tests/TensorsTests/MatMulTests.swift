import Testing
@testable import Tensors

@Suite("Matrix multiply")
struct MatMulTests {
    @Test func valuesMatchHandComputation() {
        let a = Tensor([[1, 2, 3], [4, 5, 6]])
        let b = Tensor([[1, 0], [0, 1], [1, 1]])
        #expect(Tensor.matmul(a, b).scalars == [4, 5, 10, 11])
        #expect(Tensor.matmul(a, a, transposeB: true).scalars == [14, 32, 32, 77])
        #expect(Tensor.matmul(a, a, transposeA: true).shape == [3, 3])
        #expect(Tensor.matmul(a, a, transposeA: true).scalars == [17, 22, 27, 22, 29, 36, 27, 36, 45])
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func gradientsForEveryTransposition(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let a = randomTensor(ta ? [4, 3] : [3, 4], seed: 11)
        let b = randomTensor(tb ? [5, 4] : [4, 5], seed: 12)
        expectGradientsMatch([a, b]) { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func batchedGradients(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let a = randomTensor(ta ? [2, 3, 4, 3] : [2, 3, 3, 4], seed: 13)
        let b = randomTensor(tb ? [2, 3, 5, 4] : [2, 3, 4, 5], seed: 14)
        expectGradientsMatch([a, b]) { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sharedMatrixGradientsSumOverTheBatch(transposes: (Bool, Bool)) {
        let (ta, tb) = transposes
        let x = randomTensor(ta ? [2, 4, 3] : [2, 3, 4], seed: 15)
        let w = randomTensor(tb ? [5, 4] : [4, 5], seed: 16)
        expectGradientsMatch([x, w]) { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
        let left = randomTensor(ta ? [4, 3] : [3, 4], seed: 17)
        let right = randomTensor(tb ? [2, 5, 4] : [2, 4, 5], seed: 18)
        expectGradientsMatch([left, right]) { Tensor.matmul($0[0], $0[1], transposeA: ta, transposeB: tb) }
    }

    @Test func innerDimensionMismatchStopsWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.matmul(Tensor.zeros([2, 3]), Tensor.zeros([4, 5]))
        }
        let message = stderrText(result)
        #expect(message.contains("matmul: inner dimensions differ"))
        #expect(message.contains("[2, 3]") && message.contains("[4, 5]"))
    }
}
