import Foundation
import Testing
@testable import NN

@Suite("Schedules, clipping, accumulation")
struct ScheduleAndClippingTests {
    @Test func warmupCosineReachesPeakMidpointAndMinimum() {
        let schedule = LearningRateSchedule.warmupCosine(peak: 1e-3, warmupSteps: 10, totalSteps: 110, minimum: 1e-4)
        #expect(schedule.learningRate(atStep: 0) == 0)
        #expect(abs(schedule.learningRate(atStep: 5) - 5e-4) < 1e-9)
        #expect(schedule.learningRate(atStep: 10) == 1e-3)
        // Halfway through the decay the cosine factor is 1/2: (peak + minimum) / 2.
        #expect(abs(schedule.learningRate(atStep: 60) - 5.5e-4) < 1e-9)
        // A quarter of the way: minimum + (peak - minimum)(1 + cos(π/4))/2.
        let quarter = 1e-4 + 9e-4 * (1 + cos(Double.pi / 4)) / 2
        #expect(abs(Double(schedule.learningRate(atStep: 35)) - quarter) < 1e-9)
        #expect(schedule.learningRate(atStep: 110) == 1e-4)
        #expect(schedule.learningRate(atStep: 500) == 1e-4)
        let rates = (10...110).map { schedule.learningRate(atStep: $0) }
        #expect(zip(rates, rates.dropFirst()).allSatisfy { $0 >= $1 }, "the decay is monotone")
    }

    @Test func warmupLinearAndConstantSchedules() {
        let linear = LearningRateSchedule.warmupLinear(peak: 2, warmupSteps: 4, totalSteps: 12, minimum: 0)
        #expect((0...4).map { linear.learningRate(atStep: $0) } == [0, 0.5, 1, 1.5, 2])
        #expect(linear.learningRate(atStep: 8) == 1)
        #expect(linear.learningRate(atStep: 10) == 0.5)
        #expect(linear.learningRate(atStep: 12) == 0 && linear.learningRate(atStep: 13) == 0)
        let noWarmup = LearningRateSchedule.warmupCosine(peak: 1, warmupSteps: 0, totalSteps: 4)
        #expect(noWarmup.learningRate(atStep: 0) == 1 && noWarmup.learningRate(atStep: 4) == 0)
        #expect(LearningRateSchedule.constant(3e-4).learningRate(atStep: 1000) == 3e-4)
        let warmupConstant = LearningRateSchedule.warmupConstant(peak: 1, warmupSteps: 2)
        #expect((0...3).map { warmupConstant.learningRate(atStep: $0) } == [0, 0.5, 1, 1])
    }

    @Test func clippingReturnsTheGlobalNormAndRescales() {
        let a = Tensor([0, 0]).requiringGrad(), b = Tensor([0]).requiringGrad(), noGrad = Tensor([5]).requiringGrad()
        a.grad = Tensor([3, 4])
        b.grad = Tensor([12])
        // Below the limit: untouched.
        #expect(clipGradientNorm([a, b, noGrad], maxNorm: 20) == 13)
        #expect(a.grad?.scalars == [3, 4] && b.grad?.scalars == [12])
        // Above: scaled by maxNorm / (norm + 1e-6), like torch.nn.utils.clip_grad_norm_.
        #expect(clipGradientNorm([a, b, noGrad], maxNorm: 6.5) == 13)
        let scale = Float(6.5 / (13 + 1e-6))
        expectClose(a.grad!.scalars + b.grad!.scalars, [3 * scale, 4 * scale, 12 * scale])
        let norm = (a.grad!.scalars + b.grad!.scalars).reduce(0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(norm - 6.5) < 1e-5)
        #expect(noGrad.grad == nil)
    }

    @Test func clippingLeavesNonFiniteGradientsForTheCallerToSee() {
        let a = Tensor([0, 0]).requiringGrad()
        a.grad = Tensor([.infinity, 1])
        #expect(clipGradientNorm([a], maxNorm: 1).isInfinite)
        #expect(a.grad?.scalars == [.infinity, 1])
    }

    @Test func twoHalfMicroBatchesGiveTheFullBatchGradient() {
        var generator = RandomGenerator(seed: 41)
        let mlp = TwoLayerPerceptron(inputs: 4, hidden: 6, classes: 3, generator: &generator)
        let inputs = randomTensor([8, 4], seed: 42)
        let targets: [Int32] = [0, 2, 1, 1, 0, 2, 2, 1]

        let fullLoss = Tensor.crossEntropy(logits: mlp(inputs), targets: targets)
        fullLoss.backward()
        let fullGradients = mlp.parameters().map { $0.grad!.scalars }
        mlp.zeroGrad()

        let meanLoss = accumulateGradients(microBatches: 2) { index in
            let rows = index * 4..<index * 4 + 4
            return Tensor.crossEntropy(logits: mlp(inputs.sliced(alongAxis: 0, rows)), targets: Array(targets[rows]))
        }
        #expect(abs(meanLoss - fullLoss.item) < 1e-6)
        for ((name, parameter), full) in zip(mlp.namedParameters(), fullGradients) {
            #expect(parameter.grad != nil, "\(name)")
            expectClose(parameter.grad?.scalars ?? [], full, tolerance: 1e-6)
        }
    }
}
