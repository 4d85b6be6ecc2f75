// TrainTiny: the smallest end-to-end use of the NN module. A two-layer perceptron learns
// to tell three concentric rings of points apart, trained with AdamW, a warmup-cosine
// learning-rate schedule, gradient clipping and two accumulated micro-batches per step.
//
//     swift run -c release TrainTiny
import Foundation
import NN

/// `fc2(relu(fc1(x)))`; parameter names are `fc1.weight`, `fc1.bias`, `fc2.weight`, `fc2.bias`.
final class Classifier: Module {
    let fc1: Linear
    let fc2: Linear

    init(inputs: Int, hidden: Int, classes: Int, generator: inout RandomGenerator) {
        fc1 = Linear(inputSize: inputs, outputSize: hidden, generator: &generator)
        fc2 = Linear(inputSize: hidden, outputSize: classes, generator: &generator)
    }

    func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
}

// Points on rings of radius 0.5, 1.5 and 2.5 (with jitter); the label is the ring.
var generator = RandomGenerator(seed: 42)
let (classes, count) = (3, 128)
var points: [Float] = []
var labels: [Int32] = []
for index in 0..<count {
    let radius = 0.5 + Float(index % classes) + 0.6 * (generator.nextUniform() - 0.5)
    let angle = 2 * Float.pi * generator.nextUniform()
    points += [radius * cos(angle), radius * sin(angle)]
    labels.append(Int32(index % classes))
}
let inputs = Tensor(points, shape: [count, 2])

let model = Classifier(inputs: 2, hidden: 32, classes: classes, generator: &generator)
for (name, parameter) in model.namedParameters() { print(name, parameter.shape) }
let optimizer = AdamW(module: model, learningRate: 0, weightDecay: 0.01)
let steps = 300
let schedule = LearningRateSchedule.warmupCosine(peak: 0.03, warmupSteps: 20, totalSteps: steps, minimum: 0.003)

for step in 0..<steps {
    optimizer.learningRate = schedule.learningRate(atStep: step)
    optimizer.zeroGrad()
    // Two micro-batches (first and second half of the data); their scaled gradients add up to the full batch's.
    let loss = accumulateGradients(microBatches: 2) { half in
        let rows = half * count / 2..<(half + 1) * count / 2
        return Tensor.crossEntropy(logits: model(inputs.sliced(alongAxis: 0, rows)), targets: Array(labels[rows]))
    }
    let norm = clipGradientNorm(model.trainableParameters(), maxNorm: 1)
    optimizer.step()
    if step % 25 == 0 || step == steps - 1 {
        print(String(format: "step %3d  loss %.4f  lr %.4f  grad norm %.3f", step, loss, optimizer.learningRate, norm))
    }
}

let logits = withNoGrad { model(inputs) }.scalars
let correct = (0..<count).filter { row in
    let scores = logits[row * classes..<(row + 1) * classes]
    return scores.firstIndex(of: scores.max()!)! - row * classes == Int(labels[row])
}.count
print("accuracy \(correct)/\(count)")
