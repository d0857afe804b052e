import Foundation

/// The robustness and embedding charts of report.html (inline SVG like the others).
extension SVGChart {
    static let markerShapes = ["circle", "square", "triangle", "diamond", "cross"]

    /// A marker of the given shape centred at (x, y).
    static func marker(_ shape: Int, _ x: Double, _ y: Double, size r: Double, fill: String, title: String) -> String {
        let t = "<title>\(escape(title))</title>"
        switch markerShapes[shape % markerShapes.count] {
        case "square":
            return "<rect x=\"\(n(x - r))\" y=\"\(n(y - r))\" width=\"\(n(2 * r))\" height=\"\(n(2 * r))\" fill=\"\(fill)\" fill-opacity=\"0.8\">\(t)</rect>"
        case "triangle":
            return "<polygon points=\"\(n(x)),\(n(y - r * 1.2)) \(n(x - r * 1.1)),\(n(y + r)) \(n(x + r * 1.1)),\(n(y + r))\" fill=\"\(fill)\" fill-opacity=\"0.8\">\(t)</polygon>"
        case "diamond":
            return "<polygon points=\"\(n(x)),\(n(y - r * 1.3)) \(n(x + r * 1.3)),\(n(y)) \(n(x)),\(n(y + r * 1.3)) \(n(x - r * 1.3)),\(n(y))\" fill=\"\(fill)\" fill-opacity=\"0.8\">\(t)</polygon>"
        case "cross":
            return "<path d=\"M\(n(x - r)) \(n(y - r))L\(n(x + r)) \(n(y + r))M\(n(x + r)) \(n(y - r))L\(n(x - r)) \(n(y + r))\" stroke=\"\(fill)\" stroke-width=\"2\">\(t)</path>"
        default:
            return "<circle cx=\"\(n(x))\" cy=\"\(n(y))\" r=\"\(n(r))\" fill=\"\(fill)\" fill-opacity=\"0.8\">\(t)</circle>"
        }
    }

    /// A t-SNE map: colour = true class, shape = source dataset; hover titles name each sample.
    static func embeddingMap(_ map: EmbeddingMap, classNames: [String]) -> String {
        let size = 340.0, left = 10.0, top = 30.0
        let xs = map.points.map(\.x), ys = map.points.map(\.y)
        let x0 = xs.min() ?? 0, x1 = max(xs.max() ?? 1, x0 + 1e-9), y0 = ys.min() ?? 0, y1 = max(ys.max() ?? 1, y0 + 1e-9)
        let span = max(x1 - x0, y1 - y0)
        func px(_ v: Double) -> Double { left + 10 + (size - 20) * (v - x0) / span }
        func py(_ v: Double) -> Double { top + 10 + (size - 20) * (v - y0) / span }
        let datasets = orderedUnique(map.points.map(\.dataset))
        let title = "\(map.variant): t-SNE of test embeddings (seed \(map.seed))"
        var body = text(left, 16, title, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        body += "<rect x=\"\(n(left))\" y=\"\(n(top))\" width=\"\(n(size))\" height=\"\(n(size))\" fill=\"none\" stroke=\"#ccc\"/>"
        for p in map.points {
            let name = p.label < classNames.count ? classNames[p.label] : "class \(p.label)"
            body += marker(datasets.firstIndex(of: p.dataset) ?? 0, px(p.x), py(p.y), size: 3.5, fill: color(p.label),
                           title: "\(p.sample) (\(p.dataset)): \(name), predicted \(p.pred)")
        }
        var ly = top + 12
        let lx = left + size + 14
        for (c, name) in classNames.enumerated() {
            body += "<rect x=\"\(n(lx))\" y=\"\(n(ly - 9))\" width=\"10\" height=\"10\" fill=\"\(color(c))\"/>" + text(lx + 14, ly, name, anchor: "start")
            ly += 16
        }
        ly += 6
        for (d, name) in datasets.enumerated() {
            body += marker(d, lx + 5, ly - 4, size: 4, fill: "#555", title: name) + text(lx + 14, ly, name, anchor: "start")
            ly += 16
        }
        let trust = map.trustworthiness.map { String(format: ", trustworthiness %.3f", $0) } ?? ""
        body += text(left, top + size + 16, String(format: "%d points, %d dims, perplexity %.3g, KL %.3f", map.points.count, map.dimensions,
                                                   map.perplexity, map.klDivergence) + trust, anchor: "start", size: 10)
        return svg(left + size + 150, top + size + 26, title, body)
    }

    /// Score against SNR level (categorical x, from clean to noisiest), one line per variant with
    /// its 95% interval as whiskers, variants offset a little so whiskers do not overlap.
    static func levelCurves(_ curves: [(name: String, points: [(estimate: Double?, lower: Double?, upper: Double?)])],
                            levels: [String], title: String, yLabel: String) -> String {
        let left = 56.0, top = 30.0, w = 460.0, h = 220.0
        let values = curves.flatMap { $0.points.flatMap { [$0.estimate, $0.lower, $0.upper].compactMap { $0 } } }
        let scale = ChartScale(values: values, clamp: 0...1)
        func py(_ v: Double) -> Double { top + h * (1 - scale.fraction(v)) }
        let step = w / Double(max(levels.count, 1))
        var body = text(left, 16, title, anchor: "start", size: 12, extra: "font-weight=\"bold\"")
        body += yAxis(scale, left: left, top: top, width: w, height: h, label: yLabel)
        for (i, label) in levels.enumerated() { body += text(left + step * (Double(i) + 0.5), top + h + 14, label, size: 10) }
        body += text(left + w / 2, top + h + 30, "input SNR (signal power per sample)", size: 10)
        for (k, curve) in curves.enumerated() {
            let offset = (Double(k) - Double(curves.count - 1) / 2) * min(8, step / Double(curves.count + 1))
            func px(_ i: Int) -> Double { left + step * (Double(i) + 0.5) + offset }
            let path = curve.points.enumerated().compactMap { i, p in p.estimate.map { "\(n(px(i))),\(n(py($0)))" } }.joined(separator: " ")
            body += "<polyline fill=\"none\" stroke=\"\(color(k))\" stroke-width=\"1.5\" points=\"\(path)\"><title>\(escape(curve.name))</title></polyline>"
            for (i, p) in curve.points.enumerated() {
                if let l = p.lower, let u = p.upper {
                    body += "<line x1=\"\(n(px(i)))\" y1=\"\(n(py(l)))\" x2=\"\(n(px(i)))\" y2=\"\(n(py(u)))\" stroke=\"\(color(k))\" stroke-width=\"1.5\"/>"
                }
                if let e = p.estimate {
                    body += "<circle cx=\"\(n(px(i)))\" cy=\"\(n(py(e)))\" r=\"3\" fill=\"\(color(k))\"><title>\(escape(curve.name)) \(levels[i]): \(String(format: "%.3f", e))</title></circle>"
                }
            }
        }
        body += legend(curves.map(\.name), x: left + w + 14, y: top + 10)
        return svg(left + w + 170, top + h + 40, title, body)
    }
}
