import Foundation
import XCTest
@testable import Evaluation

/// report.tex: booktabs headline tables that pdflatex compiles.
final class LaTeXReportTests: XCTestCase {
    func report() throws -> RunReport {
        var run = SyntheticRun.run(variants: [("base_line & 100%", 0.55), ("weighted", 0.7)])
        run.experimentName = "demo #1 {x}"
        return try RunReport(run, settings: .init(permutationRounds: 50, bootstrapResamples: 50))
    }

    func testTablesCarryBothRulesAndCIs() throws {
        let r = try report()
        let tex = LaTeXReport.render(r)
        for needle in ["\\usepackage{booktabs}", "\\toprule", "\\midrule", "\\bottomrule", "% begin table: variants",
                       "% begin table: datasets", "best-test-epoch (optimistic)", "final epoch", "base\\_line \\& 100\\%",
                       "demo \\#1 \\{x\\}", "UF1 95\\% CI", "CASME II"] {
            XCTAssertTrue(tex.contains(needle), needle)
        }
        // The headline numbers of the report, 3 decimals, with their CI.
        let v = r.main.variants[1]
        let ci = try XCTUnwrap(ReportFormat.interval(v.intervals, .uf1, of: v.name))
        XCTAssertTrue(tex.contains(String(format: "%.3f $\\pm$ %.3f & [%.3f, %.3f]", v.uf1.mean!, v.uf1.std!, ci.lower!, ci.upper!)))
        // 2 variants x 2 rules in the first table; 2 x 3 datasets x 2 rules in the second.
        let variantRows = tex.components(separatedBy: "% end table: variants")[0].components(separatedBy: "\\\\\n").count - 2
        XCTAssertEqual(variantRows, 4)
    }

    /// Compiles report.tex with pdflatex where TeX is installed (cluster/setup.sh installs it).
    func testCompilesWithPdflatex() throws {
        let candidates = ["/usr/bin/pdflatex", "/usr/local/bin/pdflatex", "/Library/TeX/texbin/pdflatex"]
        guard let pdflatex = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("pdflatex not found (install texlive-latex-base texlive-latex-recommended): report.tex not compiled")
        }
        let dir = NSTemporaryDirectory() + "latex-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try LaTeXReport.render(try report()).write(toFile: dir + "/report.tex", atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: pdflatex)
        process.arguments = ["-interaction=nonstopmode", "-halt-on-error", "report.tex"]
        process.currentDirectoryURL = URL(fileURLWithPath: dir)
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertFalse(output.contains("Overfull \\hbox"), "a table is wider than the page: \(output)")
        let pdf = try Data(contentsOf: URL(fileURLWithPath: dir + "/report.pdf"))
        XCTAssertTrue(pdf.starts(with: Data("%PDF".utf8)))
    }
}
