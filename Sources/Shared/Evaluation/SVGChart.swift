import Foundation

/// Small inline SVG charts for report.html: no scripts, no external files, so the report is one
/// self-contained file that opens anywhere and prints. Every chart has labelled axes with nice ticks
/// (ChartScale); hovering a mark shows its exact value (an SVG <title>).
enum SVGChart {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ x: Double) -> String { String(format: "%.1f", x.isFinite ? x : 0) }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "middle", size: Int = 11,
                     extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" \(extra)>\(escape(s))</text>"
    }

    static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1,
                     extra: String = "") -> String {
        "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\" \(extra)/>"
    }

    static func svg(_ width: Double, _ height: Double, _ title: String, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" font-family=\"sans-serif\">"
            + "<title>\(escape(title))</title>\(body)</svg>"
    }

    static func heading(_ s: String, x: Double = 8) -> String {
        text(x, 16, s, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
    }

    static func legend(_ names: [String], x: Double, y: Double, notes: [String] = []) -> String {
        var out = ""
        for (i, name) in names.enumerated() {
            let yy = y + Double(i) * 16
            out += "<rect x=\"\(n(x))\" y=\"\(n(yy - 9))\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/>"
            out += text(x + 14, yy, name, anchor: "start")
        }
        for (i, note) in notes.enumerated() {
            out += text(x, y + Double(names.count + i) * 16, note, anchor: "start", size: 10, extra: "fill=\"#555\"")
        }
        return out
    }

    /// A legend on one line (for charts whose right side is taken).
    static func legendRow(_ names: [String], x: Double, y: Double) -> String {
        var out = "", cursor = x
        for (i, name) in names.enumerated() {
            out += "<rect x=\"\(n(cursor))\" y=\"\(n(y - 9))\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/>"
            out += text(cursor + 14, y, name, anchor: "start")
            cursor += 14 + Double(name.count) * 6.5 + 16
        }
        return out
    }

    /// A vertical value axis on the left of a plot area: grid lines, tick labels, the axis title.
    static func yAxis(_ scale: ChartScale, left: Double, top: Double, width: Double, height: Double, label: String) -> String {
        var body = ""
        for t in scale.ticks {
            let y = top + height * (1 - scale.fraction(t))
            body += line(left, y, left + width, y, stroke: "#e4e4e4")
            body += text(left - 5, y + 4, scale.label(t), anchor: "end", size: 10)
        }
        body += line(left, top, left, top + height, stroke: "#333")
        body += line(left, top + height, left + width, top + height, stroke: "#333")
        body += text(14, top + height / 2, label, size: 11, extra: "transform=\"rotate(-90 14 \(n(top + height / 2)))\"")
        return body
    }

    /// A horizontal value axis below (or above) a plot area: grid lines, tick labels, the axis title.
    static func xAxis(_ scale: ChartScale, left: Double, top: Double, width: Double, height: Double, label: String,
                      labelsAbove: Bool = false) -> String {
        var body = ""
        for t in scale.ticks {
            let x = left + width * scale.fraction(t)
            body += line(x, top, x, top + height, stroke: "#e4e4e4")
            body += text(x, top + height + 14, scale.label(t), size: 10)
            if labelsAbove { body += text(x, top - 5, scale.label(t), size: 10) }
        }
        body += line(left, top + height, left + width, top + height, stroke: "#333")
        body += text(left + width / 2, top + height + 30, label, size: 11)
        return body
    }

    /// A confusion matrix: each cell shows the row percentage (the share of that true class predicted
    /// as the column's class; the diagonal is the class's recall) and, below it, the count. The shade
    /// follows the row percentage.
    static func confusionMatrix(_ counts: [[Int]], classNames: [String], title: String) -> String {
        let k = counts.count, cell = 64.0, left = 96.0, top = 58.0
        let width = max(left + cell * Double(k) + 16, Double(title.count) * 7 + 20)
        var body = heading(title)
        body += text(left + cell * Double(k) / 2, top - 24, "predicted class", size: 11)
        body += text(14, top + cell * Double(k) / 2, "true class", size: 11,
                     extra: "transform=\"rotate(-90 14 \(n(top + cell * Double(k) / 2)))\"")
        for j in 0..<k { body += text(left + cell * (Double(j) + 0.5), top - 6, classNames[j], size: 10) }
        for (i, row) in counts.enumerated() {
            let total = row.reduce(0, +)
            body += text(left - 6, top + cell * (Double(i) + 0.45), classNames[i], anchor: "end")
            body += text(left - 6, top + cell * (Double(i) + 0.45) + 13, "n = \(total)", anchor: "end", size: 9, extra: "fill=\"#555\"")
            for (j, c) in row.enumerated() {
                let rate = total > 0 ? Double(c) / Double(total) : 0
                let x = left + cell * Double(j), y = top + cell * Double(i)
                // Light to dark blue; white ink only on the dark cells, so text keeps its contrast.
                let ink = rate > 0.6 ? "fill=\"#fff\"" : ""
                body += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cell))\" height=\"\(n(cell))\" "
                    + "fill=\"rgb(\(Int(245 - 215 * rate)),\(Int(248 - 175 * rate)),\(Int(255 - 85 * rate)))\" stroke=\"#fff\">"
                    + "<title>true \(escape(classNames[i])), predicted \(escape(classNames[j])): \(c) of \(total) (\(String(format: "%.1f", 100 * rate))% of the row)</title></rect>"
                body += text(x + cell / 2, y + cell / 2, String(format: "%.0f%%", 100 * rate), size: 13, extra: "font-weight=\"bold\" " + ink)
                body += text(x + cell / 2, y + cell / 2 + 15, "(\(c))", size: 10, extra: ink)
            }
        }
        body += text(left, top + cell * Double(k) + 16, "row % (count); rows sum to 100%", anchor: "start", size: 10, extra: "fill=\"#555\"")
        return svg(width, top + cell * Double(k) + 24, title, body)
    }

    /// One series of a line chart: points with an optional band (low, high) drawn shaded around it.
    struct LineSeries {
        var name: String
        var colorIndex: Int
        var dashed: Bool
        var points: [(x: Double, y: Double, low: Double?, high: Double?)]
    }

    /// Line chart with nice ticks on both axes; bands are drawn under the lines.
    static func lines(_ series: [LineSeries], title: String, xLabel: String, yLabel: String, legendNames: [String],
                      notes: [String], clamp: ClosedRange<Double>? = nil) -> String {
        let left = 60.0, top = 30.0, w = 440.0, h = 210.0
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.flatMap { [$0.y, $0.low, $0.high].compactMap { $0 } } }
        let xScale = ChartScale(values: xs, targetTicks: 7), yScale = ChartScale(values: ys, targetTicks: 6, clamp: clamp)
        func px(_ x: Double) -> Double { left + w * xScale.fraction(x) }
        func py(_ y: Double) -> Double { top + h * (1 - yScale.fraction(min(max(y, yScale.lower), yScale.upper))) }
        var body = heading(title)
        body += yAxis(yScale, left: left, top: top, width: w, height: h, label: yLabel)
        body += xAxis(xScale, left: left, top: top, width: w, height: h, label: xLabel)
        for s in series {
            let banded = s.points.filter { $0.low != nil && $0.high != nil && $0.low!.isFinite && $0.high!.isFinite }
            guard banded.count > 1 else { continue }
            let upper = banded.map { "\(n(px($0.x))),\(n(py($0.high!)))" }
            let lower = banded.reversed().map { "\(n(px($0.x))),\(n(py($0.low!)))" }
            body += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color(s.colorIndex))\" "
                + "fill-opacity=\"\(s.dashed ? "0.08" : "0.16")\" stroke=\"none\"><title>\(escape(s.name)) band</title></polygon>"
        }
        for s in series where !s.points.isEmpty {
            let path = s.points.filter { $0.y.isFinite }.map { "\(n(px($0.x))),\(n(py($0.y)))" }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"\(color(s.colorIndex))\" stroke-width=\"1.6\" "
                + (s.dashed ? "stroke-dasharray=\"5 3\" " : "") + "points=\"\(path)\"><title>\(escape(s.name))</title></polyline>"
        }
        body += legend(legendNames, x: left + w + 16, y: top + 10, notes: notes)
        return svg(left + w + 190, top + h + 40, title, body)
    }

    /// One row of a forest plot: an estimate, its interval, and optional per-seed values drawn as
    /// open dots beside it.
    struct IntervalRow {
        var label: String
        var estimate: Double?
        var lower: Double?
        var upper: Double?
        var colorIndex: Int
        var seeds: [Double] = []
    }

    /// Forest plot: one row per estimate with its interval and seed dots, on a shared axis with nice ticks.
    static func intervals(_ rows: [IntervalRow], title: String, axisLabel: String, zeroLine: Bool,
                          clamp: ClosedRange<Double>? = nil) -> String {
        let left = 250.0, top = 34.0, w = 340.0, rowHeight = 24.0
        let values = rows.flatMap { [$0.estimate, $0.lower, $0.upper].compactMap { $0 } + $0.seeds }
        let scale = ChartScale(values: values, include: zeroLine ? [0] : [], targetTicks: 6, clamp: clamp)
        func x(_ v: Double) -> Double { left + w * scale.fraction(v) }
        let plotHeight = rowHeight * Double(rows.count) + 6
        var body = heading(title)
        body += xAxis(scale, left: left, top: top, width: w, height: plotHeight, label: axisLabel)
        if zeroLine && scale.lower < 0 && scale.upper > 0 {
            body += line(x(0), top, x(0), top + plotHeight, stroke: "#777", extra: "stroke-dasharray=\"3 3\"")
        }
        for (i, r) in rows.enumerated() {
            let y = top + rowHeight * Double(i) + 14
            let c = color(r.colorIndex)
            body += text(left - 8, y + 4, r.label, anchor: "end")
            if let l = r.lower, let u = r.upper {
                body += line(x(l), y, x(u), y, stroke: c, width: 2)
                for e in [l, u] { body += line(x(e), y - 5, x(e), y + 5, stroke: c, width: 2) }
            }
            for s in r.seeds {
                body += "<circle cx=\"\(n(x(s)))\" cy=\"\(n(y - 8))\" r=\"2.8\" fill=\"#fff\" stroke=\"\(c)\" stroke-width=\"1.2\">"
                    + "<title>\(escape(r.label)), one seed: \(String(format: "%.4f", s))</title></circle>"
            }
            if let e = r.estimate {
                body += "<circle cx=\"\(n(x(e)))\" cy=\"\(n(y))\" r=\"4.5\" fill=\"\(c)\"><title>\(escape(r.label)): \(String(format: "%.4f", e))</title></circle>"
                let ci = r.lower.flatMap { l in r.upper.map { String(format: " [%.3f, %.3f]", l, $0) } } ?? ""
                body += text(left + w + 8, y + 4, String(format: "%.3f", e) + ci, anchor: "start", size: 10)
            }
        }
        return svg(left + w + 130, top + plotHeight + 40, title, body)
    }

    /// One series (variant) of a bar chart with error bars.
    struct BarSeries {
        var name: String
        var values: [Double?]
        var lower: [Double?]
        var upper: [Double?]
        var seeds: [[Double]]
    }

    /// Grouped vertical bars with 95% interval whiskers and per-seed dots, one group per category
    /// (e.g. source dataset), one bar per series (variant).
    static func groupedBars(categories: [String], series: [BarSeries], title: String, yLabel: String, xLabel: String,
                            notes: [String]) -> String {
        let left = 60.0, top = 30.0, h = 200.0, bar = 26.0, gap = 22.0
        let groupWidth = bar * Double(max(1, series.count)) + gap
        let w = max(220, groupWidth * Double(categories.count))
        let scale = ChartScale(values: [0, 1], targetTicks: 6, clamp: 0...1)
        func py(_ v: Double) -> Double { top + h * (1 - scale.fraction(min(1, max(0, v)))) }
        var body = heading(title)
        body += yAxis(scale, left: left, top: top, width: w, height: h, label: yLabel)
        for (s, entry) in series.enumerated() {
            for c in categories.indices {
                let x = left + groupWidth * Double(c) + gap / 2 + bar * Double(s)
                if let v = entry.values[c] {
                    body += "<rect x=\"\(n(x + 2))\" y=\"\(n(py(v)))\" width=\"\(n(bar - 4))\" height=\"\(n(top + h - py(v)))\" "
                        + "fill=\"\(color(s))\" fill-opacity=\"0.75\"><title>\(escape(entry.name)), \(escape(categories[c])): "
                        + "\(String(format: "%.4f", v))</title></rect>"
                }
                if let l = entry.lower[c], let u = entry.upper[c] {
                    let cx = x + bar / 2
                    body += line(cx, py(l), cx, py(u), stroke: "#222", width: 1.4)
                    body += line(cx - 5, py(l), cx + 5, py(l), stroke: "#222", width: 1.4)
                    body += line(cx - 5, py(u), cx + 5, py(u), stroke: "#222", width: 1.4)
                }
                for (k, v) in entry.seeds[c].enumerated() {
                    body += "<circle cx=\"\(n(x + bar / 2 + Double(k % 3 - 1) * 4))\" cy=\"\(n(py(v)))\" r=\"2.5\" fill=\"#fff\" stroke=\"#222\">"
                        + "<title>\(escape(entry.name)), \(escape(categories[c])), one seed: \(String(format: "%.4f", v))</title></circle>"
                }
            }
        }
        for (c, name) in categories.enumerated() {
            body += text(left + groupWidth * (Double(c) + 0.5), top + h + 16, name, size: 11)
        }
        body += text(left + w / 2, top + h + 34, xLabel, size: 11)
        body += legend(series.map(\.name), x: left + w + 16, y: top + 10, notes: notes)
        return svg(left + w + 240, top + h + 44, title, body)
    }

    /// One subject's row in the per-subject chart.
    struct SubjectRow {
        var subject: String
        var dataset: String
        var predictions: Int
        /// One value per series (variant).
        var accuracy: [Double?]
        var uf1: [Double?]
    }

    /// Per-subject dot plot in two panels (accuracy, UF1), one compact row per subject, in the given
    /// order (the caller sorts), each labelled with its dataset and number of predictions.
    static func subjectDots(_ rows: [SubjectRow], seriesNames: [String], title: String, notes: [String]) -> String {
        let labelWidth = 190.0, panel = 250.0, panelGap = 50.0, top = 62.0
        let rowHeight = rows.count > 40 ? 12.0 : 18.0
        let h = rowHeight * Double(rows.count)
        let scale = ChartScale(values: [0, 1], targetTicks: 6, clamp: 0...1)
        var body = heading(title)
        body += legendRow(seriesNames, x: labelWidth, y: 32)
        for (p, (name, values)) in [("accuracy", \SubjectRow.accuracy), ("UF1", \SubjectRow.uf1)].enumerated() {
            let left = labelWidth + Double(p) * (panel + panelGap)
            body += xAxis(scale, left: left, top: top, width: panel, height: h, label: "\(name) of the subject", labelsAbove: true)
            for (i, row) in rows.enumerated() {
                let y = top + rowHeight * (Double(i) + 0.5)
                if i % 2 == 0 {
                    body += "<rect x=\"\(n(left))\" y=\"\(n(y - rowHeight / 2))\" width=\"\(n(panel))\" height=\"\(n(rowHeight))\" fill=\"#f6f6f6\"/>"
                }
                for (s, v) in row[keyPath: values].enumerated() {
                    guard let v else { continue }
                    let cx = left + panel * scale.fraction(v)
                    // Variants sit a little apart vertically, so equal values stay visible.
                    let cy = y + (Double(s) - Double(seriesNames.count - 1) / 2) * (rowHeight > 12 ? 3 : 2.2)
                    body += "<circle cx=\"\(n(cx))\" cy=\"\(n(cy))\" r=\"\(rowHeight > 12 ? "4" : "3.2")\" fill=\"\(color(s))\" fill-opacity=\"0.85\">"
                        + "<title>\(escape(row.subject)) (\(escape(row.dataset)), n = \(row.predictions)), \(escape(seriesNames[s])): "
                        + "\(name) \(String(format: "%.3f", v))</title></circle>"
                }
            }
        }
        for (i, row) in rows.enumerated() {
            body += text(labelWidth - 8, top + rowHeight * (Double(i) + 0.5) + 3.5,
                         "\(row.subject) · \(row.dataset) · n=\(row.predictions)", anchor: "end", size: rowHeight > 12 ? 10 : 9)
        }
        var y = top + h + 46
        for note in notes {
            body += text(8, y, note, anchor: "start", size: 10, extra: "fill=\"#555\"")
            y += 14
        }
        return svg(labelWidth + 2 * panel + panelGap + 20, y, title, body)
    }
}
