import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import HostCore

/// The replay plot is read by people (and browsers): it must parse as XML, name the runs, carry the
/// reasons as hover text, break lines where values are missing, and keep a day at 1 s small
/// without losing a one-tick peak.
@Suite("Replay plot SVG")
struct ReplayPlotTests {
    @Test func everyKindOfInputGivesWellFormedXML() throws {
        let documents = [
            ReplayPlot.svg([ReplayRun(label: "A & <B>", ticks: Self.ramp(count: 600, reason: { $0 < 300 ? "x" : "y \"q\" 'a'" }))],
                           title: "Title <with> & \"specials\""),
            ReplayPlot.svg([ReplayRun(label: "OwnCharge", ticks: Self.ramp(count: 600)),
                            ReplayRun(label: "BMSCombine", ticks: Self.ramp(count: 300))], title: "compare"),
            ReplayPlot.svg([ReplayRun(label: "gaps", ticks: Self.withSocGap(count: 40, missing: 10..<20))], title: "gaps"),
            ReplayPlot.svg([ReplayRun(label: "one", ticks: Self.ramp(count: 1))], title: "one tick"),
            ReplayPlot.svg([], title: "no runs"),
            ReplayPlot.svg([ReplayRun(label: "empty", ticks: [])], title: "empty run"),
        ]
        for svg in documents {
            let parsed = try #require(SVGElements(svg))
            #expect(parsed.elements.first?.name == "svg")
            #expect(parsed.elements.first?.attributes["xmlns"] == "http://www.w3.org/2000/svg")
        }
    }

    @Test func runsWithoutTicksSayNoData() throws {
        for runs in [[], [ReplayRun(label: "empty", ticks: [])]] {
            let parsed = try #require(SVGElements(ReplayPlot.svg(runs, title: "nothing")))
            #expect(parsed.elements.contains { $0.name == "text" && $0.text == "no data" })
        }
    }

    @Test func theLegendNamesBothRuns() throws {
        let svg = ReplayPlot.svg([ReplayRun(label: "OwnCharge + OwnSoC", ticks: Self.ramp(count: 100)),
                                  ReplayRun(label: "BMSCombine <raw>", ticks: Self.ramp(count: 100))], title: "compare")
        let legendTexts = try #require(SVGElements(svg)).elements
            .filter { $0.name == "text" && $0.ancestorIDs.contains("legend") }
            .map(\.text)
        #expect(legendTexts.contains("OwnCharge + OwnSoC"))
        #expect(legendTexts.contains("BMSCombine <raw>"))
        #expect(svg.contains("BMSCombine &lt;raw&gt;"))
    }

    @Test func aReasonMarkerCarriesTheEscapedReasonAsHoverText() throws {
        let reason = "CVL < 3.45 V & cells balancing"
        let svg = ReplayPlot.svg([ReplayRun(label: "run", ticks: Self.ramp(count: 600, reason: { $0 < 200 ? "Bulk" : reason }))],
                                 title: "reasons")
        #expect(svg.contains("CVL &lt; 3.45 V &amp; cells balancing</title>"))
        let titles = try #require(SVGElements(svg)).elements
            .filter { $0.name == "title" && $0.ancestorIDs.contains("reasons") }
            .map(\.text)
        #expect(titles.count == 2)   // the first tick's reason, then the change
        #expect(titles.contains { $0.hasSuffix(reason) })
        #expect(titles.contains { $0.hasSuffix("Bulk") })
    }

    @Test func aMissingValueBreaksTheLineIntoTwoSegments() throws {
        let svg = ReplayPlot.svg([ReplayRun(label: "gaps", ticks: Self.withSocGap(count: 40, missing: 10..<20))], title: "gaps")
        let elements = try #require(SVGElements(svg)).elements
        let soc = try #require(elements.first { $0.attributes["id"] == "run0-soc" }?.attributes["d"])
        let cvl = try #require(elements.first { $0.attributes["id"] == "run0-cvl" }?.attributes["d"])
        #expect(soc.filter { $0 == "M" }.count == 2)
        #expect(cvl.filter { $0 == "M" }.count == 1)
    }

    /// A day at 1 s with one tick at 90 % among 50 %: the drawn SoC line must reach as high as in a
    /// three-tick trace with the same time span and values (same axes, so the same y coordinate).
    @Test func decimationKeepsAOneTickSpike() throws {
        let spikeIndex = 43_210
        var day = (0..<86_400).map { Self.tick(Double($0), soc: 50) }
        day[spikeIndex].socPercent = 90
        let sparse = [Self.tick(0, soc: 50), Self.tick(Double(spikeIndex), soc: 90), Self.tick(86_399, soc: 50)]

        let daySVG = ReplayPlot.svg([ReplayRun(label: "day", ticks: day)], title: "spike")
        let sparseSVG = ReplayPlot.svg([ReplayRun(label: "day", ticks: sparse)], title: "spike")
        let dayY = try Self.yCoordinates(of: "run0-soc", in: daySVG)
        let sparseY = try Self.yCoordinates(of: "run0-soc", in: sparseSVG)
        let spikeY = try #require(sparseY.min { Double($0)! < Double($1)! })
        #expect(dayY.contains(spikeY))
        #expect(dayY.count < 3 * 1_200)   // decimated: about two points per pixel column at most
    }

    @Test func aDayOfTwoNoisyRunsStaysUnderTwoMegabytes() throws {
        var noise = Noise()
        func noisyDay(reasonEvery: Int) -> [ReplayTick] {
            (0..<86_400).map { second in
                ReplayTick(timeSeconds: Double(second), chargeVoltageLimit: 55.2 + noise.next() * 0.1,
                           chargeCurrentLimit: 150 + noise.next() * 50, dischargeCurrentLimit: 200 + noise.next() * 10,
                           socPercent: 50 + noise.next() * 40, minCellVoltage: 3.3 + noise.next() * 0.05,
                           maxCellVoltage: 3.4 + noise.next() * 0.05, bankCurrent: noise.next() * 100,
                           limitReason: "phase \(second / reasonEvery)", feedInOff: second > 40_000 && second < 50_000)
            }
        }
        let svg = ReplayPlot.svg([ReplayRun(label: "first", ticks: noisyDay(reasonEvery: 8_640)),
                                  ReplayRun(label: "second", ticks: noisyDay(reasonEvery: 100))], title: "a day")
        #expect(svg.utf8.count < 2_000_000)
        #expect(SVGElements(svg) != nil)
    }

    // MARK: Helpers

    static func tick(_ seconds: Double, soc: Double?, reason: String = "") -> ReplayTick {
        ReplayTick(timeSeconds: seconds, chargeVoltageLimit: 55.2, chargeCurrentLimit: 100, dischargeCurrentLimit: 150,
                   socPercent: soc, minCellVoltage: 3.3, maxCellVoltage: 3.35, bankCurrent: 10, limitReason: reason)
    }

    /// Ticks 1 s apart with SoC rising, the reason given by tick index.
    static func ramp(count: Int, reason: (Int) -> String = { _ in "" }) -> [ReplayTick] {
        (0..<count).map { tick(Double($0), soc: 20 + Double($0) * 0.01, reason: reason($0)) }
    }

    static func withSocGap(count: Int, missing: Range<Int>) -> [ReplayTick] {
        (0..<count).map { tick(Double($0 * 10), soc: missing.contains($0) ? nil : 40 + Double($0)) }
    }

    /// The y coordinates (as written) of a path's points.
    static func yCoordinates(of id: String, in svg: String) throws -> [String] {
        let path = try #require(SVGElements(svg)?.elements.first { $0.attributes["id"] == id }?.attributes["d"])
        return path.split { $0 == "M" || $0 == "L" || $0 == " " || $0 == "m" || $0 == "h" }
            .filter { $0.contains(",") && !$0.hasPrefix("-1.5") }
            .map { String($0.split(separator: ",")[1]) }
    }
}

/// Deterministic noise in -1...1.
private struct Noise {
    var state: UInt64 = 0x2545_F491_4F6C_DD1D
    mutating func next() -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(UInt64(1) << 53) * 2 - 1
    }
}

/// An SVG document parsed with Foundation's XMLParser: every element in document order with its
/// attributes, its own text and the ids of the elements around it. Nil when the XML is not well formed.
private final class SVGElements: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var text = ""
        var ancestorIDs: [String]
    }

    private(set) var elements: [Element] = []
    private var open: [Int] = []

    init?(_ svg: String) {
        super.init()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = self
        guard parser.parse() else { return nil }
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let ancestors = open.compactMap { elements[$0].attributes["id"] }
        elements.append(Element(name: elementName, attributes: attributeDict, ancestorIDs: ancestors))
        open.append(elements.count - 1)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard let current = open.last else { return }
        elements[current].text += string
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        open.removeLast()
    }
}
