import Testing
@testable import Tensors

@Suite("Reductions, softmax and shape ops")
struct ReductionAndShapeTests {
    @Test func reductionValues() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(x.sum().item == 21)
        #expect(x.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(x.sum(alongAxis: 1, keepingDimensions: true).shape == [2, 1])
        #expect(x.mean(alongAxis: -1).scalars == [2, 5])
        #expect(x.max(alongAxis: 0).scalars == [4, 5, 6])
        #expect(x.max(alongAxis: 1, keepingDimensions: true).scalars == [3, 6])
    }

    @Test(arguments: [0, 1, 2, -1])
    func reductionGradientsOverEachAxis(axis: Int) {
        let x = randomTensor([2, 3, 4], seed: 21)
        expectGradientsMatch([x]) { $0[0].sum(alongAxis: axis) }
        expectGradientsMatch([x]) { $0[0].mean(alongAxis: axis, keepingDimensions: true) }
        expectGradientsMatch([x]) { $0[0].max(alongAxis: axis) }
        expectGradientsMatch([x]) { $0[0].softmax(alongAxis: axis) }
        expectGradientsMatch([x]) { $0[0].logSoftmax(alongAxis: axis) }
    }

    @Test func multiAxisAndFullReductionGradients() {
        let x = randomTensor([2, 3, 4], seed: 22)
        expectGradientsMatch([x]) { $0[0].sum(alongAxes: [0, 2]) }
        expectGradientsMatch([x]) { $0[0].mean() }
        expectGradientsMatch([x]) { $0[0].broadcasted(to: [3, 2, 3, 4]) }
    }

    @Test func softmaxValuesAndMaskedRows() {
        let x = Tensor([[0, 0, 0, 0], [1, 2, 3, 4]])
        expectClose(x.softmax().scalars, [0.25, 0.25, 0.25, 0.25, 0.0320586, 0.0871443, 0.2368828, 0.6439143])
        expectClose(x.logSoftmax().scalars.suffix(4).map { $0 }, [-3.4401897, -2.4401897, -1.4401897, -0.4401897])
        // Two queries over three keys are the last two positions: query 0 sees keys 0...1.
        let masked = Tensor([[0, 1, 2], [0, 1, 2]]).causallyMasked().softmax()
        expectClose(masked.scalars.prefix(3).map { $0 }, [0.2689414, 0.7310586, 0])
        expectClose(masked.scalars.suffix(3).map { $0 }, [0.0900306, 0.2447285, 0.6652410])
        let square = Tensor([[0, 1], [0, 1]]).causallyMasked().softmax()
        expectClose(square.scalars, [1, 0, 0.2689414, 0.7310586])
    }

    @Test func shapeOpsValues() {
        let x = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        #expect(x.reshaped([3, -1]).shape == [3, 2])
        #expect(x.transposed().scalars == [1, 4, 2, 5, 3, 6])
        #expect(x.sliced(alongAxis: 1, 1..<3).scalars == [2, 3, 5, 6])
        let parts = x.split(sizes: [1, 2], alongAxis: 1)
        #expect(parts[1].scalars == [2, 3, 5, 6])
        #expect(Tensor.concatenated(parts.reversed(), alongAxis: 1).scalars == [2, 3, 1, 5, 6, 4])
        let cube = Tensor((0..<24).map(Float.init), shape: [2, 3, 4])
        let permuted = cube.permuted([2, 0, 1])
        #expect(permuted.shape == [4, 2, 3])
        #expect(permuted.scalars.prefix(6).map { $0 } == [0, 4, 8, 12, 16, 20])
    }

    @Test func shapeOpGradients() {
        let x = randomTensor([2, 3, 4], seed: 23)
        let y = randomTensor([2, 2, 4], seed: 24)
        expectGradientsMatch([x]) { $0[0].reshaped([4, 6]) }
        expectGradientsMatch([x]) { $0[0].permuted([1, 2, 0]) }
        expectGradientsMatch([x]) { $0[0].transposed(0, 2) }
        expectGradientsMatch([x]) { $0[0].sliced(alongAxis: 1, 1..<3) }
        expectGradientsMatch([x, y]) { Tensor.concatenated([$0[0], $0[1]], alongAxis: 1) }
        expectGradientsMatch([x]) { Tensor.concatenated($0[0].split(sizes: [1, 3], alongAxis: 2).reversed(), alongAxis: 2) }
    }

    @Test func indexingValuesAndGradients() {
        let table = Tensor([[1, 2], [3, 4], [5, 6]])
        #expect(table.indexSelect([2, 0, 2]).scalars == [5, 6, 1, 2, 5, 6])
        #expect(table.gather(alongAxis: 1, indices: [1, 0, 0], indexShape: [3, 1]).scalars == [2, 3, 5])
        let x = randomTensor([4, 3], seed: 25)
        expectGradientsMatch([x]) { $0[0].indexSelect([3, 1, 3, 0], alongAxis: 0) }
        expectGradientsMatch([x]) { $0[0].indexSelect([2, 2], alongAxis: 1) }
        expectGradientsMatch([x]) { $0[0].gather(alongAxis: 1, indices: [0, 2, 2, 1, 0, 0, 1, 1], indexShape: [4, 2]) }
    }

    @Test func maskingGradients() {
        let x = randomTensor([2, 3, 3], seed: 26)
        let mask = BooleanMask([true, false, false, true, false, true], shape: [2, 1, 3])
        expectGradientsMatch([x]) { $0[0].maskedFill(mask, with: -5) }
        expectGradientsMatch([x]) { $0[0].causallyMasked().softmax() }
        #expect(x.maskedFill(mask, with: -5).scalars[0] == -5)
    }

    @Test func invalidAxisStopsWithTheShape() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).sum(alongAxis: 2)
        }
        #expect(stderrText(result).contains("sum: axis 2 is out of range for a tensor of shape [2, 3]"))
    }

    @Test func wrongElementCountStops() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor([1, 2, 3], shape: [2, 2])
        }
        #expect(stderrText(result).contains("3 scalars do not fill shape [2, 2]"))
    }

    @Test func broadcastMismatchStopsWithBothShapes() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        #expect(stderrText(result).contains("+: shapes [2, 3] and [4] cannot be broadcast together"))
    }
}
