import Foundation

extension RotaryFrequencies {
    /// YaRN (`_compute_yarn_parameters`): frequencies whose wavelength is short compared
    /// with the original context are kept (extrapolated), long ones divided by `factor`
    /// (interpolated), with a linear ramp between the correction dimensions found from
    /// `beta_fast` and `beta_slow` rotations. The ramp bounds are float64; the blend is float32.
    func yarnInverseFrequencies(_ scaling: RopeScaling, factor: Double) -> [Float] {
        let dim = Double(headDim)
        let original = Double(scaling.originalMaxPositionEmbeddings ?? maxPositionEmbeddings)
        let betaFast = scaling.betaFast ?? 32
        let betaSlow = scaling.betaSlow ?? 1
        let truncate = scaling.truncate ?? true

        func correctionDimension(_ rotations: Double) -> Double {
            (dim * Foundation.log(original / (rotations * 2 * Double.pi))) / (2 * Foundation.log(base))
        }
        var low = correctionDimension(betaFast)
        var high = correctionDimension(betaSlow)
        if truncate {
            low = low.rounded(.down)
            high = high.rounded(.up)
        }
        low = Swift.max(low, 0)
        high = Swift.min(high, dim - 1)
        if low == high { high += 0.001 }  // Transformers' guard against a zero-width ramp

        let powers = Self.powers(headDim: headDim, base: Float(base))
        let f = Float(factor)
        let lowF = Float(low)
        let width = Float(high - low)
        return powers.indices.map { j in
            let extrapolation = 1 / powers[j]
            let interpolation = 1 / (f * powers[j])
            let ramp = Swift.min(Swift.max((Float(j) - lowF) / width, 0), 1)
            let extrapolationFactor = 1 - ramp
            let interpolationWeight = 1 - extrapolationFactor
            return interpolation * interpolationWeight + extrapolation * extrapolationFactor
        }
    }

    /// Llama 3.1 (`_compute_llama3_parameters`): wavelengths above
    /// `original / low_freq_factor` are divided by `factor`, those below
    /// `original / high_freq_factor` kept, and those between blended smoothly.
    /// PyTorch evaluates `scalar / tensor` as `tensor.reciprocal() * scalar`; so does this.
    func llama3InverseFrequencies(_ scaling: RopeScaling, factor: Double) -> [Float] {
        let lowFreqFactor = scaling.lowFreqFactor ?? 1
        let highFreqFactor = scaling.highFreqFactor ?? 4
        let oldContext = Double(scaling.originalMaxPositionEmbeddings ?? maxPositionEmbeddings)
        let lowWavelength = Float(oldContext / lowFreqFactor)
        let highWavelength = Float(oldContext / highFreqFactor)
        let f = Float(factor)
        let twoPi = Float(2 * Double.pi)
        let oldContextF = Float(oldContext)
        let lowF = Float(lowFreqFactor)
        let span = Float(highFreqFactor - lowFreqFactor)

        return Self.plainInverseFrequencies(headDim: headDim, base: Float(base)).map { inverse in
            let wavelength = (1 / inverse) * twoPi
            let scaled = wavelength > lowWavelength ? inverse / f : inverse
            let isMedium = !(wavelength < highWavelength) && !(wavelength > lowWavelength)
            guard isMedium else { return scaled }
            let smooth = ((1 / wavelength) * oldContextF - lowF) / span
            return ((1 - smooth) * scaled) / f + smooth * scaled
        }
    }
}
