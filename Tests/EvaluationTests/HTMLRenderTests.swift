import Foundation
import XCTest
@testable import Evaluation

/// Opens report.html in headless Chromium and fails on a JavaScript error, an SVG error Chromium logs
/// (e.g. a NaN in a path), or an SVG that renders empty. Skips with a message where Chromium is
/// absent (`cluster/setup.sh --report-tools` installs it).
///
/// The report holds no scripts; the test adds one probe to a copy: it records errors and, after load,
/// the rendered size, bounding box and element count of every <svg>, which `--dump-dom` prints.
final class HTMLRenderTests: XCTestCase {
    static let probe = """
    <script>
    window.__errors = [];
    window.addEventListener('error', e => window.__errors.push(String(e.message)));
    window.addEventListener('load', () => {
      const svgs = [...document.querySelectorAll('svg')].map((svg, i) => {
        const r = svg.getBoundingClientRect(), b = svg.getBBox();
        return {index: i, title: (svg.querySelector('title') || svg.querySelector('text') || {}).textContent || '',
                width: r.width, height: r.height, bboxWidth: b.width, bboxHeight: b.height,
                elements: svg.querySelectorAll('*').length};
      });
      const pre = document.createElement('pre');
      pre.id = '__probe';
      pre.textContent = JSON.stringify({errors: window.__errors, svgs: svgs});
      document.body.appendChild(pre);
    });
    </script>
    """

    struct Probe: Decodable {
        struct SVG: Decodable {
            var index: Int
            var title: String
            var width: Double
            var height: Double
            var bboxWidth: Double
            var bboxHeight: Double
            var elements: Int
        }
        var errors: [String]
        var svgs: [SVG]
    }

    static func chromium() -> String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/snap/bin/chromium"]
            .first(where: FileManager.default.isExecutableFile(atPath:))
    }

    /// Runs Chromium headless on `html` and returns the probe and Chromium's console lines.
    static func render(_ html: String, in dir: String) throws -> (probe: Probe, console: [String]) {
        let path = dir + "/probed.html"
        try html.replacingOccurrences(of: "<head>", with: "<head>" + probe).write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium()!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--user-data-dir=\(dir)/profile", "--virtual-time-budget=5000", "--dump-dom", "file://" + path]
        // Chromium's console goes to a file: a pipe nobody reads while the DOM is read would fill and block it.
        let errPath = dir + "/chromium-stderr.log"
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        let console = String(decoding: errData, as: UTF8.self).split(separator: "\n").map(String.init).filter { $0.contains("CONSOLE") }
        guard let start = dom.range(of: "<pre id=\"__probe\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            throw XCTSkip("Chromium printed no DOM (exit \(process.terminationStatus)); cannot check the report here")
        }
        let json = String(dom[start.upperBound..<end.lowerBound])
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&lt;", with: "<")
            .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
        return (try JSONDecoder().decode(Probe.self, from: Data(json.utf8)), console)
    }

    func testReportRendersInChromiumWithoutErrors() throws {
        guard Self.chromium() != nil else {
            throw XCTSkip("Chromium not found (cluster/setup.sh --report-tools installs it): report.html not rendered")
        }
        let dir = NSTemporaryDirectory() + "html-render-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // 3 variants (3 pairs, Holm), 3 seeds, 72 subjects: the compact per-subject layout.
        let run = SyntheticRun.run(variants: [("baseline", 0.55), ("weighted", 0.7), ("third", 0.6)], seeds: [1, 2, 3], subjects: 72)
        let report = try RunReport(run, settings: .init(permutationRounds: 50, bootstrapResamples: 50))
        let (probe, console) = try Self.render(HTMLReport.render(report), in: dir)
        XCTAssertEqual(probe.errors, [], "JavaScript errors")
        XCTAssertEqual(console.filter { $0.contains("Error") || $0.contains("Uncaught") }, [], "Chromium console errors")
        XCTAssertGreaterThanOrEqual(probe.svgs.count, 8, "too few charts rendered")
        for svg in probe.svgs {
            XCTAssertGreaterThan(svg.width, 50, "svg \(svg.index) '\(svg.title)' has no width")
            XCTAssertGreaterThan(svg.height, 50, "svg \(svg.index) '\(svg.title)' has no height")
            XCTAssertGreaterThan(svg.bboxWidth * svg.bboxHeight, 0, "svg \(svg.index) '\(svg.title)' draws nothing")
            XCTAssertGreaterThan(svg.elements, 3, "svg \(svg.index) '\(svg.title)' is empty")
        }
    }

    /// The probe can fail: a NaN in a path is reported by Chromium's console.
    func testProbeCatchesABrokenSVG() throws {
        guard Self.chromium() != nil else { throw XCTSkip("Chromium not found: probe not checked") }
        let dir = NSTemporaryDirectory() + "html-render-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let html = "<!DOCTYPE html><html><head></head><body><svg width=\"100\" height=\"60\"><path d=\"M 0 NaN L 10 10\"/></svg>"
            + "<script>undefinedFunction()</script></body></html>"
        let (probe, console) = try Self.render(html, in: dir)
        XCTAssertTrue(console.contains { $0.contains("attribute d") }, "\(console)")
        XCTAssertEqual(probe.errors.count, 1, "\(probe.errors)")
        XCTAssertEqual(probe.svgs.first?.bboxWidth, 0)
    }
}
