import Foundation

/// Small inline SVG charts for report.html: no scripts, no external files, so the report is one
/// self-contained file that opens anywhere and prints.
enum SVGChart {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    static func color(_ i: Int) -> String { palette[i % palette.count] }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func n(_ x: Double) -> String { String(format: "%.1f", x) }

    static func text(_ x: Double, _ y: Double, _ s: String, anchor: String = "middle", size: Int = 11,
                     extra: String = "") -> String {
        "<text x=\"\(n(x))\" y=\"\(n(y))\" text-anchor=\"\(anchor)\" font-size=\"\(size)\" \(extra)>\(escape(s))</text>"
    }

    static func svg(_ width: Double, _ height: Double, _ title: String, _ body: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" "
            + "viewBox=\"0 0 \(n(width)) \(n(height))\" role=\"img\" font-family=\"sans-serif\">"
            + "<title>\(escape(title))</title>\(body)</svg>"
    }

    static func legend(_ names: [String], x: Double, y: Double, dashedNote: String? = nil) -> String {
        var out = ""
        for (i, name) in names.enumerated() {
            let yy = y + Double(i) * 16
            out += "<rect x=\"\(n(x))\" y=\"\(n(yy - 9))\" width=\"10\" height=\"10\" fill=\"\(color(i))\"/>"
            out += text(x + 14, yy, name, anchor: "start")
        }
        if let dashedNote { out += text(x, y + Double(names.count) * 16, dashedNote, anchor: "start", size: 10) }
        return out
    }

    /// A confusion matrix; cell shade = the row-normalised rate (recall of the true class).
    static func confusionMatrix(_ counts: [[Int]], classNames: [String], title: String) -> String {
        let k = counts.count, cell = 56.0, left = 90.0, top = 40.0
        // Wide enough for the title (about 7 px per bold 12 px character), which is centred on the chart.
        let width = max(left + cell * Double(k) + 10, Double(title.count) * 7 + 20)
        var body = text(width / 2, 16, title, size: 12, extra: "font-weight=\"bold\"")
        body += text(left + cell * Double(k) / 2, top - 8, "predicted", size: 10)
        for (i, row) in counts.enumerated() {
            let total = max(1, row.reduce(0, +))
            body += text(left - 6, top + cell * (Double(i) + 0.55), classNames[i], anchor: "end")
            for (j, c) in row.enumerated() {
                let rate = Double(c) / Double(total)
                let x = left + cell * Double(j), y = top + cell * Double(i)
                body += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cell))\" height=\"\(n(cell))\" "
                    + "fill=\"rgb(\(Int(255 - 200 * rate)),\(Int(255 - 140 * rate)),255)\" stroke=\"#fff\"/>"
                body += text(x + cell / 2, y + cell / 2 + 4, "\(c)", size: 12,
                             extra: rate > 0.6 ? "fill=\"#fff\"" : "")
            }
        }
        for j in 0..<k { body += text(left + cell * (Double(j) + 0.5), top + cell * Double(k) + 14, classNames[j], size: 10) }
        return svg(width, top + cell * Double(k) + 24, title, body)
    }

    /// Grouped vertical bars in [0, 1], one group per category (e.g. subject), one bar per series.
    static func groupedBars(categories: [String], series: [(name: String, values: [Double?])], title: String,
                            yLabel: String) -> String {
        let barWidth = 7.0, groupGap = 6.0, left = 46.0, top = 30.0, plotHeight = 180.0
        let groupWidth = barWidth * Double(max(1, series.count)) + groupGap
        let width = max(420, left + groupWidth * Double(categories.count) + 150)
        var body = text(left, 16, title, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        body += axisY(left: left, top: top, height: plotHeight, width: groupWidth * Double(categories.count), label: yLabel)
        for (s, entry) in series.enumerated() {
            for (c, v) in entry.values.enumerated() {
                guard let v else { continue }
                let h = plotHeight * min(1, max(0, v))
                let x = left + groupWidth * Double(c) + groupGap / 2 + barWidth * Double(s)
                body += "<rect x=\"\(n(x))\" y=\"\(n(top + plotHeight - h))\" width=\"\(n(barWidth - 1))\" height=\"\(n(h))\" "
                    + "fill=\"\(color(s))\"><title>\(escape(entry.name)) \(escape(categories[c])): \(String(format: "%.3f", v))</title></rect>"
            }
        }
        for (c, name) in categories.enumerated() {
            let x = left + groupWidth * (Double(c) + 0.5), y = top + plotHeight + 8
            body += text(x, y, name, anchor: "end", size: 9, extra: "transform=\"rotate(-60 \(n(x)) \(n(y)))\"")
        }
        body += legend(series.map(\.name), x: width - 140, y: top + 10)
        return svg(width, top + plotHeight + 70, title, body)
    }

    static func axisY(left: Double, top: Double, height: Double, width: Double, label: String,
                      ticks: [(Double, String)]? = nil) -> String {
        var body = "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>"
        body += "<line x1=\"\(n(left))\" y1=\"\(n(top + height))\" x2=\"\(n(left + width))\" y2=\"\(n(top + height))\" stroke=\"#333\"/>"
        for (fraction, tick) in ticks ?? stride(from: 0.0, through: 1.0, by: 0.25).map({ ($0, String(format: "%.2f", $0)) }) {
            let y = top + height * (1 - fraction)
            body += "<line x1=\"\(n(left))\" y1=\"\(n(y))\" x2=\"\(n(left + width))\" y2=\"\(n(y))\" stroke=\"#ddd\"/>"
            body += text(left - 4, y + 4, tick, anchor: "end", size: 10)
        }
        body += text(12, top + height / 2, label, size: 10, extra: "transform=\"rotate(-90 12 \(n(top + height / 2)))\"")
        return body
    }

    /// Line chart; y is scaled to the data's range (from 0). Dashed series are drawn dashed.
    static func lines(_ series: [(name: String, colorIndex: Int, dashed: Bool, points: [(x: Double, y: Double)])],
                      title: String, xLabel: String, yLabel: String, legendNames: [String]) -> String {
        let left = 56.0, top = 30.0, w = 460.0, h = 200.0
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xMin = xs.min() ?? 0, xMax = max((xs.max() ?? 1), xMin + 1)
        let yMax = max(ys.filter(\.isFinite).max() ?? 1, 1e-9) * 1.05
        let ticks = stride(from: 0.0, through: 1.0, by: 0.25).map { ($0, String(format: "%.3g", $0 * yMax)) }
        var body = text(left, 16, title, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        body += axisY(left: left, top: top, height: h, width: w, label: yLabel, ticks: ticks)
        for s in series where !s.points.isEmpty {
            let path = s.points.filter { $0.y.isFinite }.map { p in
                "\(n(left + w * (p.x - xMin) / (xMax - xMin))),\(n(top + h * (1 - p.y / yMax)))"
            }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"\(color(s.colorIndex))\" stroke-width=\"1.5\" "
                + (s.dashed ? "stroke-dasharray=\"5 3\" " : "") + "points=\"\(path)\"><title>\(escape(s.name))</title></polyline>"
        }
        body += text(left, top + h + 14, String(format: "%.0f", xMin), size: 10)
        body += text(left + w, top + h + 14, String(format: "%.0f", xMax), size: 10)
        body += text(left + w / 2, top + h + 28, xLabel, size: 10)
        body += legend(legendNames, x: left + w + 14, y: top + 10, dashedNote: "solid: test, dashed: train")
        return svg(left + w + 170, top + h + 40, title, body)
    }

    /// Forest plot: one row per estimate with its interval, on a shared horizontal axis.
    static func intervals(_ rows: [(label: String, estimate: Double?, lower: Double?, upper: Double?, colorIndex: Int)],
                          title: String, zeroLine: Bool) -> String {
        let left = 260.0, top = 34.0, w = 360.0, rowHeight = 22.0
        let bounds: [Double] = rows.flatMap { r -> [Double] in [r.estimate, r.lower, r.upper].compactMap { $0 } }
        let values: [Double] = bounds + (zeroLine ? [0.0] : [])
        var lo: Double = values.min() ?? 0, hi: Double = values.max() ?? 1
        if hi - lo < 1e-6 { lo -= 0.05; hi += 0.05 }
        let pad = (hi - lo) * 0.08
        lo -= pad; hi += pad
        func x(_ v: Double) -> Double { left + w * (v - lo) / (hi - lo) }
        var body = text(8, 16, title, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        let height = top + rowHeight * Double(rows.count)
        if zeroLine && lo < 0 && hi > 0 {
            body += "<line x1=\"\(n(x(0)))\" y1=\"\(n(top - 10))\" x2=\"\(n(x(0)))\" y2=\"\(n(height))\" stroke=\"#999\" stroke-dasharray=\"3 3\"/>"
        }
        for (i, r) in rows.enumerated() {
            let y = top + rowHeight * Double(i) + 6
            body += text(left - 8, y + 4, r.label, anchor: "end")
            if let l = r.lower, let u = r.upper {
                body += "<line x1=\"\(n(x(l)))\" y1=\"\(n(y))\" x2=\"\(n(x(u)))\" y2=\"\(n(y))\" stroke=\"\(color(r.colorIndex))\" stroke-width=\"2\"/>"
                for e in [l, u] {
                    body += "<line x1=\"\(n(x(e)))\" y1=\"\(n(y - 5))\" x2=\"\(n(x(e)))\" y2=\"\(n(y + 5))\" stroke=\"\(color(r.colorIndex))\" stroke-width=\"2\"/>"
                }
            }
            if let e = r.estimate {
                body += "<circle cx=\"\(n(x(e)))\" cy=\"\(n(y))\" r=\"4\" fill=\"\(color(r.colorIndex))\"/>"
                body += text(left + w + 8, y + 4, String(format: "%.3f", e) + (r.lower.map { l in String(format: " [%.3f, %.3f]", l, r.upper ?? .nan) } ?? ""),
                             anchor: "start", size: 10)
            }
        }
        body += text(left, height + 14, String(format: "%.3f", lo), size: 10)
        body += text(left + w, height + 14, String(format: "%.3f", hi), size: 10)
        return svg(left + w + 150, height + 22, title, body)
    }
}
