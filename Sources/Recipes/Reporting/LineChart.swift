import Foundation

/// A line chart written as a standalone SVG document, for the reports the command-line tool writes.
///
/// SVG needs no plotting library and opens in any browser, so a run's curves (loss against step, say) can be
/// looked at straight from its output folder.
public struct LineChart: Sendable {
    /// One named line of the chart.
    public struct Series: Sendable {
        /// The name the legend shows.
        public var name: String
        /// The points, joined in this order; points with a non-finite coordinate are left out.
        public var points: [(x: Double, y: Double)]

        public init(name: String, points: [(x: Double, y: Double)]) {
            self.name = name
            self.points = points
        }

        /// The points that can be drawn.
        var finitePoints: [(x: Double, y: Double)] { points.filter { $0.x.isFinite && $0.y.isFinite } }
    }

    /// The heading above the plot.
    public var title: String
    /// The caption under the horizontal axis.
    public var xLabel: String
    /// The caption beside the vertical axis.
    public var yLabel: String
    /// The lines, drawn in this order (later ones on top) with colours from a fixed palette.
    public var series: [Series]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    /// Stroke colours, one per series in order, starting over after the last (the Tableau 10 palette).
    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    /// The chart as an SVG document (UTF-8 text starting with `<svg`), `width` x `height` pixels.
    ///
    /// Both axes span "nice" ticks around all finite points (see `niceTicks`); a series without finite points
    /// still gets its legend entry. Coordinates carry at most 2 decimals.
    public func svg(width: Int = 640, height: Int = 400) -> String {
        let frame = self.frame(width: width, height: height)
        let (left, top, right, bottom) = (Self.number(frame.left), Self.number(frame.top),
                                          Self.number(frame.right), Self.number(frame.bottom))
        var lines = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
                + "viewBox=\"0 0 \(width) \(height)\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(Self.number(Double(width) / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">"
                + "\(Self.escaped(title))</text>",
        ]
        for (tick, label) in zip(frame.xTicks, Self.tickLabels(frame.xTicks)) {
            let x = Self.number(frame.location(of: (x: tick, y: frame.yTicks[0])).x)
            lines.append("<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(bottom)\" stroke=\"#e5e5e5\"/>")
            let labelY = Self.number(frame.bottom + 16)
            lines.append("<text x=\"\(x)\" y=\"\(labelY)\" text-anchor=\"middle\">\(label)</text>")
        }
        for (tick, label) in zip(frame.yTicks, Self.tickLabels(frame.yTicks)) {
            let y = frame.location(of: (x: frame.xTicks[0], y: tick)).y
            lines.append("<line x1=\"\(left)\" y1=\"\(Self.number(y))\" x2=\"\(right)\" y2=\"\(Self.number(y))\" "
                + "stroke=\"#e5e5e5\"/>")
            lines.append("<text x=\"\(Self.number(frame.left - 6))\" y=\"\(Self.number(y + 4))\" "
                + "text-anchor=\"end\">\(label)</text>")
        }
        lines.append("<rect x=\"\(left)\" y=\"\(top)\" width=\"\(Self.number(frame.right - frame.left))\" "
            + "height=\"\(Self.number(frame.bottom - frame.top))\" fill=\"none\" stroke=\"#333333\"/>")
        let middleX = Self.number((frame.left + frame.right) / 2), middleY = Self.number((frame.top + frame.bottom) / 2)
        lines.append("<text x=\"\(middleX)\" y=\"\(Self.number(Double(height) - 10))\" text-anchor=\"middle\">"
            + "\(Self.escaped(xLabel))</text>")
        lines.append("<text x=\"16\" y=\"\(middleY)\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(middleY))\">"
            + "\(Self.escaped(yLabel))</text>")
        for (index, series) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let points = series.finitePoints.map { frame.location(of: $0) }
            if !points.isEmpty {
                let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
                lines.append("<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(list)\"/>")
                for point in points {
                    lines.append("<circle cx=\"\(Self.number(point.x))\" cy=\"\(Self.number(point.y))\" r=\"2.5\" "
                        + "fill=\"\(colour)\"/>")
                }
            }
            let entryY = frame.top + 10 + 18 * Double(index)
            lines.append("<line x1=\"\(Self.number(frame.right + 12))\" y1=\"\(Self.number(entryY))\" "
                + "x2=\"\(Self.number(frame.right + 30))\" y2=\"\(Self.number(entryY))\" stroke=\"\(colour)\" "
                + "stroke-width=\"3\"/>")
            lines.append("<text x=\"\(Self.number(frame.right + 36))\" y=\"\(Self.number(entryY + 4))\">"
                + "\(Self.escaped(series.name))</text>")
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension LineChart {
    /// The plot area of a drawing (in SVG pixels, y growing downwards) and the ticks of its two axes.
    struct Frame {
        var left: Double, top: Double, right: Double, bottom: Double
        var xTicks: [Double], yTicks: [Double]

        /// Where a data point lands: the axis ranges (first to last tick) map linearly onto left...right and
        /// bottom...top.
        func location(of point: (x: Double, y: Double)) -> (x: Double, y: Double) {
            func fraction(_ value: Double, _ ticks: [Double]) -> Double {
                let lower = ticks.first ?? 0, span = (ticks.last ?? 1) - lower
                return span > 0 && span.isFinite ? (value - lower) / span : 0.5
            }
            return (x: left + (right - left) * fraction(point.x, xTicks),
                    y: bottom - (bottom - top) * fraction(point.y, yTicks))
        }
    }

    /// The layout of a `width` x `height` drawing: margins for the title (top), the y tick labels and caption
    /// (left, sized to the labels), the x tick labels and caption (bottom) and the legend (right, sized to the
    /// names at about 7 pixels a character, at most a third of the width). The x axis gets fewer ticks
    /// when six would crowd their labels.
    func frame(width: Int, height: Int) -> Frame {
        let points = series.flatMap(\.finitePoints)
        let (xMinimum, xMaximum) = (points.map(\.x).min() ?? 0, points.map(\.x).max() ?? 1)
        let yTicks = Self.niceTicks(minimum: points.map(\.y).min() ?? 0, maximum: points.map(\.y).max() ?? 1)
        let left = 36 + 7 * Double(Self.tickLabels(yTicks).map(\.count).max() ?? 0)
        let legendWidth = series.isEmpty ? 20 : min(44 + 7 * Double(series.map(\.name.count).max() ?? 0),
                                                    Double(width) / 3)
        let (top, right) = (40.0, max(Double(width) - legendWidth, left + 1))
        // Fewer x ticks while their labels would run into each other.
        var xTicks: [Double] = []
        for target in stride(from: 6, through: 2, by: -1) {
            xTicks = Self.niceTicks(minimum: xMinimum, maximum: xMaximum, targetCount: target)
            let labelWidth = 12 + 7 * Double(Self.tickLabels(xTicks).map(\.count).max() ?? 0)
            if labelWidth * Double(xTicks.count - 1) <= right - left { break }
        }
        return Frame(left: left, top: top, right: right, bottom: max(Double(height) - 48, top + 1),
                     xTicks: xTicks, yTicks: yTicks)
    }

    /// Axis ticks around `minimum...maximum`: the multiples of the smallest step of 1, 2 or 5 times a power of
    /// ten for which the enclosing multiples give at most `targetCount + 2` ticks (4 to 8 ticks for the
    /// default), from the largest multiple at or below `minimum` to the smallest at or above `maximum`.
    ///
    /// A degenerate range (width at most 1e-9 of its magnitude, such as a single value v) is widened to
    /// v ± 5 % of |v|, or to v ± 0.5 when v is zero or too close to it (|v| below about 2e-249) for 5 % to
    /// be a usable step. Non-finite bounds give the ticks of 0...1.
    static func niceTicks(minimum: Double, maximum: Double, targetCount: Int = 6) -> [Double] {
        guard minimum.isFinite, maximum.isFinite else {
            return niceTicks(minimum: 0, maximum: 1, targetCount: targetCount)
        }
        var lower = min(minimum, maximum), upper = max(minimum, maximum)
        if !(upper - lower > max(abs(lower), abs(upper)) * 1e-9) {
            let center = lower / 2 + upper / 2
            let half = abs(center) * 0.05 >= 1e-250 ? abs(center) * 0.05 : 0.5
            (lower, upper) = (center - half, center + half)
        }
        let span = upper - lower
        guard span.isFinite else { return [lower, upper] }  // beyond ±9e307: no step to speak of
        let maximumCount = min(max(targetCount, 2), 50) + 2
        // A step below span / (maximumCount - 1) cannot fit, so start at the power of ten under it and go up.
        var exponent = Int(log10(span / Double(maximumCount - 1)).rounded(.down))
        while true {
            // Scaling an integer by an exact power of ten gives the tick nearest the decimal value (0.6, not
            // 0.6000000000000001 as 3 * 0.2 would).
            let power = pow(10, Double(abs(exponent)))
            for multiple in [1, 2, 5] {
                let step = exponent < 0 ? Double(multiple) / power : Double(multiple) * power
                let first = Int((lower / step + 1e-9).rounded(.down)), last = Int((upper / step - 1e-9).rounded(.up))
                if last - first + 1 <= maximumCount {
                    return (first...last).map { Double($0 * multiple) }
                        .map { exponent < 0 ? $0 / power : $0 * power }
                }
            }
            exponent += 1
        }
    }

    /// Compact tick labels: as many decimals as the step needs (0.05 gives 2), trailing zeros dropped.
    static func tickLabels(_ ticks: [Double]) -> [String] {
        let step = ticks.count > 1 ? abs(ticks[1] - ticks[0]) : 1
        let decimals = step > 0 && step.isFinite ? max(0, -Int((log10(step) + 1e-9).rounded(.down))) : 0
        return ticks.map { number($0, decimals: decimals) }
    }

    /// `value` rounded to `decimals` places without trailing zeros or a "-0", independent of the locale
    /// ("2.5", "-0.01", "250"). Values too large for that fall back to Swift's shortest form ("1e+20"); a
    /// non-finite value prints as "0" so the SVG stays valid.
    static func number(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "0" }
        let scale = pow(10, Double(decimals)), scaled = (value * scale).rounded()
        guard decimals <= 12, abs(scaled) < 1e15 else { return "\(value)" }
        let units = Int(scaled), unitsPerOne = Int(scale)
        let whole = "\(units < 0 ? "-" : "")\(abs(units) / unitsPerOne)"
        guard decimals > 0, abs(units) % unitsPerOne != 0 else { return units == 0 ? "0" : whole }
        var fraction = String(abs(units) % unitsPerOne)
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return whole + "." + fraction
    }

    /// `text` safe inside an SVG element or attribute: the five XML special characters escaped, and control
    /// characters XML does not allow dropped.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\t", "\n", "\r": result.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF: break
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
