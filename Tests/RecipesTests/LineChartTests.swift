import Foundation
import Testing
@testable import Recipes

/// Whether `actual` matches `expected` element by element within `tolerance`.
private func matches(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-12) -> Bool {
    actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= tolerance }
}

/// The `points` attribute of every `<polyline>` in `svg`, parsed into coordinate pairs.
private func polylines(in svg: String) -> [[(x: Double, y: Double)]] {
    svg.components(separatedBy: "\n").filter { $0.hasPrefix("<polyline") }.map { line in
        let list = line.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
        return list.split(separator: " ").map { pair in
            let parts = pair.split(separator: ",").map { Double($0)! }
            return (x: parts[0], y: parts[1])
        }
    }
}

private func occurrences(of needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

@Suite("Line chart")
struct LineChartTests {
    @Test("nice ticks for hand-computed ranges")
    func niceTicksByHand() {
        #expect(matches(LineChart.niceTicks(minimum: 0, maximum: 1), [0, 0.2, 0.4, 0.6, 0.8, 1.0]))
        #expect(matches(LineChart.niceTicks(minimum: 1, maximum: 0), [0, 0.2, 0.4, 0.6, 0.8, 1.0]))
        #expect(matches(LineChart.niceTicks(minimum: 1.62, maximum: 1.95),
                        [1.6, 1.65, 1.7, 1.75, 1.8, 1.85, 1.9, 1.95]))
        #expect(matches(LineChart.niceTicks(minimum: 0, maximum: 2000), [0, 500, 1000, 1500, 2000]))
        #expect(matches(LineChart.niceTicks(minimum: -3.7, maximum: 12.2), [-5, 0, 5, 10, 15]))
        #expect(matches(LineChart.niceTicks(minimum: 0.001, maximum: 0.0042),
                        [0.001, 0.0015, 0.002, 0.0025, 0.003, 0.0035, 0.004, 0.0045]))
    }

    @Test("nice ticks enclose the range with 4 to 8 evenly spaced ticks of step 1, 2 or 5 x 10^k")
    func niceTicksProperties() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let a = Double.random(in: -1000...1000, using: &generator) * pow(10, Double.random(in: -6...6, using: &generator))
            let b = a + pow(10, Double.random(in: -5...7, using: &generator))
            let ticks = LineChart.niceTicks(minimum: a, maximum: b)
            #expect((4...8).contains(ticks.count), "\(a)...\(b): \(ticks)")
            guard ticks.count >= 2 else { continue }
            // Differences of large ticks carry their rounding error, which can dwarf a small step.
            let step = ticks[1] - ticks[0], noise = 4 * max(abs(ticks.first!), abs(ticks.last!)).ulp + 1e-9 * step
            #expect(ticks.first! <= a + noise && ticks.last! >= b - noise, "\(a)...\(b): \(ticks)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { abs(($1 - $0) - step) <= noise })
            let power = pow(10, log10(step).rounded(.down))
            #expect([1.0, 2, 5, 10].contains { abs(step - $0 * power) <= noise }, "step \(step)")
        }
    }

    @Test("degenerate ranges widen to finite, increasing ticks around the value")
    func degenerateRanges() {
        // 3 ± 5 % = 2.85...3.15, in steps of 0.05.
        #expect(matches(LineChart.niceTicks(minimum: 3, maximum: 3), [2.85, 2.9, 2.95, 3, 3.05, 3.1, 3.15]))
        // 0 ± 0.5, in steps of 0.2.
        #expect(matches(LineChart.niceTicks(minimum: 0, maximum: 0), [-0.6, -0.4, -0.2, 0, 0.2, 0.4, 0.6]))
        for value in [0, 3, -1000, 1e-300, .leastNonzeroMagnitude, 1e300, -2.5e-7, 1 + 1e-12] {
            let ticks = LineChart.niceTicks(minimum: value, maximum: value)
            #expect(ticks.count >= 2 && ticks.allSatisfy(\.isFinite), "\(value): \(ticks)")
            #expect(zip(ticks, ticks.dropFirst()).allSatisfy { $0 < $1 }, "\(value): \(ticks)")
            #expect(ticks.first! <= value && value <= ticks.last!, "\(value): \(ticks)")
        }
        #expect(matches(LineChart.niceTicks(minimum: .nan, maximum: 1), LineChart.niceTicks(minimum: 0, maximum: 1)))
    }

    @Test("numbers and tick labels are compact, locale-free and never -0")
    func numberFormatting() {
        #expect(LineChart.number(2.5) == "2.5")
        #expect(LineChart.number(-1.234) == "-1.23")
        #expect(LineChart.number(-0.05) == "-0.05")
        #expect(LineChart.number(-0.001) == "0")
        #expect(LineChart.number(-0.0) == "0")
        #expect(LineChart.number(120.0) == "120")
        #expect(LineChart.number(0.999) == "1")
        #expect(LineChart.number(.nan) == "0")
        #expect(LineChart.tickLabels([0, 0.0005, 0.001]) == ["0", "0.0005", "0.001"])
        #expect(LineChart.tickLabels([1.5, 1.55, 1.6]) == ["1.5", "1.55", "1.6"])
        #expect(LineChart.tickLabels([0, 500, 2000]) == ["0", "500", "2000"])
        let unitLabels = LineChart.tickLabels(LineChart.niceTicks(minimum: 0, maximum: 1))
        #expect(unitLabels == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
    }

    @Test("text is XML-escaped")
    func escaping() {
        #expect(LineChart.escaped(#"a<b & "c" 'd'>"#) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;")
        #expect(LineChart.escaped("tab\there\u{1}") == "tab\there")
    }

    @Test("a two-series chart is a complete SVG document with escaped names and no NaN")
    func twoSeriesDocument() {
        let chart = LineChart(title: "Loss & <accuracy>", xLabel: "step", yLabel: "it's", series: [
            .init(name: #"a<b & "c""#, points: [(0, 2.3), (100, 1.7), (200, 1.62)]),
            .init(name: "eval", points: [(0, 2.4), (200, 1.95)]),
        ])
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.trimmingCharacters(in: .whitespacesAndNewlines).hasSuffix("</svg>"))
        #expect(svg.contains(#"width="640" height="400""#))
        #expect(occurrences(of: "<polyline", in: svg) == 2)
        #expect(occurrences(of: "<circle", in: svg) == 5)
        #expect(svg.contains(">a&lt;b &amp; &quot;c&quot;</text>"))
        #expect(svg.contains(">Loss &amp; &lt;accuracy&gt;</text>") && svg.contains(">it&apos;s</text>"))
        #expect(!svg.contains(#"a<b"#) && !svg.contains("-0\"") && !svg.contains("-0,"))
        for bad in ["nan", "NaN", "inf"] { #expect(!svg.contains(bad), "\(bad)") }
        let strokes = polylines(in: svg).count == 2
        #expect(strokes && svg.contains(#"stroke="\#(LineChart.palette[0])""#)
                && svg.contains(#"stroke="\#(LineChart.palette[1])""#))
    }

    @Test("axis minimum maps to the plot's left/bottom edge and maximum to right/top")
    func mapping() throws {
        // x 0...2 gives ticks 0...2 (step 0.5); y 0...4 gives ticks 0...4 (step 1): the extremes are the axis ends.
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y",
                              series: [.init(name: "s", points: [(0, 0), (1, 3), (2, 4)])])
        let frame = chart.frame(width: 640, height: 400)
        #expect(matches(frame.xTicks, [0, 0.5, 1, 1.5, 2]) && matches(frame.yTicks, [0, 1, 2, 3, 4]))
        #expect(frame.left < frame.right && frame.top < frame.bottom && frame.right <= 640 && frame.bottom <= 400)
        let low = frame.location(of: (x: 0, y: 0)), high = frame.location(of: (x: 2, y: 4))
        #expect(abs(low.x - frame.left) < 1e-9 && abs(low.y - frame.bottom) < 1e-9)
        #expect(abs(high.x - frame.right) < 1e-9 && abs(high.y - frame.top) < 1e-9)
        let middle = frame.location(of: (x: 1, y: 3))
        #expect(abs(middle.x - (frame.left + frame.right) / 2) < 1e-9)
        #expect(abs(middle.y - (frame.bottom - 0.75 * (frame.bottom - frame.top))) < 1e-9)

        let points = try #require(polylines(in: chart.svg()).first)
        #expect(points.count == 3)
        #expect(abs(points[0].x - frame.left) <= 0.005 && abs(points[0].y - frame.bottom) <= 0.005)
        #expect(abs(points[2].x - frame.right) <= 0.005 && abs(points[2].y - frame.top) <= 0.005)
    }

    @Test("non-finite points are skipped; a series without finite points is only in the legend")
    func nonFinitePoints() throws {
        let chart = LineChart(title: "t", xLabel: "x", yLabel: "y", series: [
            .init(name: "gappy", points: [(0, 1), (1, .nan), (.infinity, 2), (2, 3)]),
            .init(name: "empty", points: [(0, .nan), (-.infinity, 1)]),
        ])
        let svg = chart.svg()
        let lines = polylines(in: svg)
        #expect(lines.count == 1)
        #expect(lines.first?.count == 2)
        #expect(occurrences(of: "<circle", in: svg) == 2)
        #expect(svg.contains(">gappy</text>") && svg.contains(">empty</text>"))
        #expect(svg.contains(#"stroke="\#(LineChart.palette[1])""#))  // the empty series' legend swatch
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        // The axes come from the finite points only: x 0...2, y 1...3.
        let frame = chart.frame(width: 640, height: 400)
        #expect(frame.xTicks.first == 0 && frame.xTicks.last == 2 && frame.yTicks.first == 1 && frame.yTicks.last == 3)
    }

    @Test("single-point and empty charts draw without NaN")
    func degenerateCharts() {
        let single = LineChart(title: "one", xLabel: "x", yLabel: "y", series: [.init(name: "p", points: [(5, 5)])])
        let empty = LineChart(title: "none", xLabel: "x", yLabel: "y", series: [])
        for svg in [single.svg(), empty.svg(width: 50, height: 30)] {
            #expect(svg.hasPrefix("<svg") && !svg.contains("nan") && !svg.contains("inf"))
        }
        #expect(polylines(in: single.svg()).first?.count == 1)
    }

    @Test("x tick labels get fewer ticks rather than overlap in a narrow chart")
    func crowdedXLabels() {
        let chart = LineChart(title: "t", xLabel: "lr", yLabel: "y", series: [.init(name: "one", points: [(0.001, 5)])])
        let frame = chart.frame(width: 400, height: 300)
        let labels = LineChart.tickLabels(frame.xTicks)
        #expect(labels == ["0.00095", "0.001", "0.00105"])
        let labelWidth = 7 * Double(labels.map(\.count).max()!)
        #expect(labelWidth * Double(labels.count - 1) < frame.right - frame.left)
        #expect(LineChart.tickLabels(chart.frame(width: 2000, height: 300).xTicks).count == 7)
    }

    @Test("series colours come from a palette of at least 8 distinct colours, cycling")
    func palette() {
        #expect(Set(LineChart.palette).count == LineChart.palette.count && LineChart.palette.count >= 8)
        let count = LineChart.palette.count + 2
        let series = (0..<count).map { LineChart.Series(name: "s\($0)", points: [(0, Double($0)), (1, 1)]) }
        let svg = LineChart(title: "", xLabel: "", yLabel: "", series: series).svg()
        let strokes = svg.components(separatedBy: "\n").filter { $0.hasPrefix("<polyline") }
            .map { $0.components(separatedBy: "stroke=\"")[1].prefix(7) }
        #expect(strokes.map(String.init) == (0..<count).map { LineChart.palette[$0 % LineChart.palette.count] })
    }
}
