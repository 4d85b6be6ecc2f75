import Foundation

/// A learning rate as a function of the optimizer step, following the Hugging Face
/// `transformers` schedules (`get_cosine_schedule_with_warmup`, ...).
///
/// `step` is the number of optimizer updates already made: the first update uses step 0.
/// During warmup the rate rises linearly from 0 (at step 0) and reaches `peak` exactly at
/// `step == warmupSteps`; it then decays to `minimum`, reached at `step == totalSteps` and
/// kept afterwards.
public enum LearningRateSchedule: Equatable, Codable, Sendable {
    /// The same rate at every step.
    case constant(Float)
    /// Linear warmup to `peak`, then constant.
    case warmupConstant(peak: Float, warmupSteps: Int)
    /// Linear warmup to `peak`, then half a cosine down to `minimum` at `totalSteps`.
    case warmupCosine(peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0)
    /// Linear warmup to `peak`, then a straight line down to `minimum` at `totalSteps`.
    case warmupLinear(peak: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0)

    /// The learning rate for the update made after `step` earlier updates.
    public func learningRate(atStep step: Int) -> Float {
        precondition(step >= 0, "LearningRateSchedule: negative step \(step)")
        switch self {
        case let .constant(rate):
            return rate
        case let .warmupConstant(peak, warmupSteps):
            return Self.warmup(peak: peak, warmupSteps: warmupSteps, step: step) ?? peak
        case let .warmupCosine(peak, warmupSteps, totalSteps, minimum):
            if let rate = Self.warmup(peak: peak, warmupSteps: warmupSteps, step: step) { return rate }
            let progress = Self.decayProgress(step: step, warmupSteps: warmupSteps, totalSteps: totalSteps)
            return Self.interpolate(from: minimum, to: peak, factor: 0.5 * (1 + cos(Double.pi * progress)))
        case let .warmupLinear(peak, warmupSteps, totalSteps, minimum):
            if let rate = Self.warmup(peak: peak, warmupSteps: warmupSteps, step: step) { return rate }
            let progress = Self.decayProgress(step: step, warmupSteps: warmupSteps, totalSteps: totalSteps)
            return Self.interpolate(from: minimum, to: peak, factor: 1 - progress)
        }
    }

    /// `minimum + (peak - minimum) · factor` in Double, so factors 0 and 1 give the end points exactly.
    private static func interpolate(from minimum: Float, to peak: Float, factor: Double) -> Float {
        Float(Double(minimum) + (Double(peak) - Double(minimum)) * factor)
    }

    /// The warmup rate, or nil once warmup is over.
    private static func warmup(peak: Float, warmupSteps: Int, step: Int) -> Float? {
        precondition(warmupSteps >= 0, "LearningRateSchedule: negative warmupSteps \(warmupSteps)")
        guard step < warmupSteps else { return nil }
        return Float(Double(peak) * Double(step) / Double(warmupSteps))
    }

    /// How far the decay has gone, from 0 at the end of warmup to 1 at `totalSteps`.
    private static func decayProgress(step: Int, warmupSteps: Int, totalSteps: Int) -> Double {
        precondition(
            totalSteps >= warmupSteps,
            "LearningRateSchedule: totalSteps \(totalSteps) is smaller than warmupSteps \(warmupSteps)")
        guard totalSteps > warmupSteps else { return 1 }
        return min(1, Double(step - warmupSteps) / Double(totalSteps - warmupSteps))
    }
}
