// An SVG picture of a strategy replay, written with the standard library alone: the daemon's
// modules are also built as Embedded Swift (no Foundation, no printing of a Double), so numbers
// are written in fixed point by integer arithmetic and the document is one growing String.

import PluginKit

/// One tick of a replay: what a strategy choice gave, plus the bank's inputs, for the plot and replay.csv.
public struct ReplayTick: Equatable {
    /// Since the trace's first tick.
    public var timeSeconds: Double
    /// CVL published, V.
    public var chargeVoltageLimit: Double?
    /// CCL, A.
    public var chargeCurrentLimit: Double?
    /// DCL, A (a magnitude, as published).
    public var dischargeCurrentLimit: Double?
    /// %.
    public var socPercent: Double?
    /// V.
    public var minCellVoltage: Double?
    /// V.
    public var maxCellVoltage: Double?
    /// A, + = charging.
    public var bankCurrent: Double?
    /// Why the limits are what they are.
    public var limitReason: String
    /// The strategy asked DC-coupled PV feed-in to be off.
    public var feedInOff: Bool

    public init(timeSeconds: Double, chargeVoltageLimit: Double?, chargeCurrentLimit: Double?,
                dischargeCurrentLimit: Double?, socPercent: Double?, minCellVoltage: Double?,
                maxCellVoltage: Double?, bankCurrent: Double?, limitReason: String = "", feedInOff: Bool = false) {
        self.timeSeconds = timeSeconds
        self.chargeVoltageLimit = chargeVoltageLimit
        self.chargeCurrentLimit = chargeCurrentLimit
        self.dischargeCurrentLimit = dischargeCurrentLimit
        self.socPercent = socPercent
        self.minCellVoltage = minCellVoltage
        self.maxCellVoltage = maxCellVoltage
        self.bankCurrent = bankCurrent
        self.limitReason = limitReason
        self.feedInOff = feedInOff
    }
}

/// One strategy choice's ticks, labelled for the legend (e.g. "OwnCharge + OwnSoC").
public struct ReplayRun: Equatable {
    public var label: String
    public var ticks: [ReplayTick]

    public init(label: String, ticks: [ReplayTick]) {
        self.label = label
        self.ticks = ticks
    }
}

/// Draws replay runs as one SVG document, so a strategy choice can be judged (and two compared) by eye.
public enum ReplayPlot {
    /// The SVG document: four panels sharing the time axis (hours when the trace spans > 2 h, else minutes):
    /// 1) CVL (V); 2) CCL and DCL (A) with the bank current; 3) SoC (%); 4) min and max cell voltage (V).
    /// The first run solid, further runs dashed in the same colours; the legend names every run.
    /// Where the first run's limit reason changes, a thin vertical marker with the reason as hover text
    /// (and, for the first `labelledMarkerLimit`, a short label); where a run asked feed-in off, that span is
    /// shaded in panel 2. A nil value breaks the line. Each series keeps at most the lowest and the highest
    /// value per pixel column, so a day at 1 s stays small and a one-tick peak still shows.
    /// DCL is drawn below zero (as −DCL), so the bank current reads against both of its limits.
    /// The page is at least 400 × 300 pixels (smaller sizes are raised to that).
    public static func svg(_ runs: [ReplayRun], title: String, width: Int = 1200, height: Int = 900) -> String {
        let widthPixels = max(width, 400)
        let heightPixels = max(height, 300)
        let ordered = runs.map { ReplayRun(label: $0.label, ticks: chronological($0.ticks)) }
        guard let timeAxis = TimeAxis(ordered, plotLeft: PlotLayout.plotLeft,
                                      plotRight: Double(widthPixels) - PlotLayout.rightMargin) else {
            return noDataDocument(title: title, width: widthPixels, height: heightPixels)
        }
        let plotColumns = Int(timeAxis.scale.pixelHigh - timeAxis.scale.pixelLow) + 1
        var out = SVGText(reservingBytes: 64_000 + ordered.count * ReplaySeries.all.count * plotColumns * 2 * 12)
        writeHeader(&out, title: title, width: widthPixels, height: heightPixels)

        let feedInSpans = ordered.map { feedInOffSpans($0.ticks, timeAxis: timeAxis) }
        let markers = ordered.first.map { reasonMarkers($0.ticks, timeAxis: timeAxis) } ?? []
        let legendBottom = writeLegend(&out, runs: ordered, feedInSpans: feedInSpans, hasMarkers: !markers.isEmpty,
                                       width: Double(widthPixels))
        let layout = PlotLayout(width: Double(widthPixels), height: Double(heightPixels), top: legendBottom)
        let timeTicks = timeAxis.scale.tickValues

        var valueAxes: [AxisScale] = []
        for panel in PlotPanel.all {
            let frame = layout.panels[panel.rawValue]
            let range = valueRange(of: panel, in: ordered)
            let axis = AxisScale(from: range?.low ?? 0, to: range?.high ?? 1,
                                 pixelLow: frame.bottom, pixelHigh: frame.top,
                                 targetTicks: min(max(Int((frame.bottom - frame.top) / 34), 2), 8), widenToSteps: true)
            valueAxes.append(axis)
            writePanelBackground(&out, panel: panel, frame: frame, layout: layout, axis: axis,
                                 timeAxis: timeAxis, timeTicks: timeTicks, hasData: range != nil)
        }
        writeFeedInShading(&out, spans: feedInSpans, frame: layout.panels[PlotPanel.currentLimits.rawValue])
        writeMarkerLines(&out, markers: markers, layout: layout)
        for (runIndex, run) in ordered.enumerated() {
            for panel in PlotPanel.all {
                for series in panel.series {
                    writeSeries(&out, series: series, run: run, runIndex: runIndex,
                                timeAxis: timeAxis, valueAxis: valueAxes[panel.rawValue])
                }
            }
        }
        for frame in layout.panels {
            writePlotArea(&out, frame: frame, layout: layout, attributes: "fill=\"none\" stroke=\"#8a8a8a\"")
            out.markup("\n")
        }
        writeMarkerLabels(&out, markers: markers, layout: layout)
        writeTimeLabels(&out, timeAxis: timeAxis, ticks: timeTicks, layout: layout)
        out.markup("</svg>\n")
        return out.text
    }

    /// At most this many reason markers get a drawn label; the rest keep their hover text only.
    static let labelledMarkerLimit = 30
    /// A drawn reason label is cut to this many characters (the hover text keeps all of it).
    static let markerLabelCharacters = 40

    // MARK: Document parts

    private static func writeHeader(_ out: inout SVGText, title: String, width: Int, height: Int) {
        out.markup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        out.markup("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(width)\" height=\"\(height)\" ")
        out.markup("viewBox=\"0 0 \(width) \(height)\" font-family=\"Helvetica, Arial, sans-serif\">\n")
        out.markup("<title>")
        out.escaped(title)
        out.markup("</title>\n<defs><pattern id=\"feedInHatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" ")
        out.markup("patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f5c400\" fill-opacity=\"0.08\"/>")
        out.markup("<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d08c00\" stroke-width=\"2\" stroke-opacity=\"0.45\"/>")
        out.markup("</pattern></defs>\n")
        out.markup("<rect x=\"0\" y=\"0\" width=\"\(width)\" height=\"\(height)\" fill=\"#ffffff\"/>\n")
        out.markup("<text x=\"\(Int(PlotLayout.plotLeft))\" y=\"24\" font-size=\"16\" font-weight=\"bold\" fill=\"#222222\">")
        out.escaped(title)
        out.markup("</text>\n")
    }

    /// A valid document that says there is nothing to draw.
    private static func noDataDocument(title: String, width: Int, height: Int) -> String {
        var out = SVGText(reservingBytes: 2_000)
        writeHeader(&out, title: title, width: width, height: height)
        out.markup("<text x=\"\(width / 2)\" y=\"\(height / 2)\" text-anchor=\"middle\" font-size=\"22\" ")
        out.markup("fill=\"#777777\">no data</text>\n</svg>\n")
        return out.text
    }

    /// The run styles, the feed-in shading and the reason marker, wrapped into rows; returns the bottom of the last row.
    private static func writeLegend(_ out: inout SVGText, runs: [ReplayRun], feedInSpans: [[PixelSpan]],
                                    hasMarkers: Bool, width: Double) -> Double {
        var items: [LegendItem] = []
        for (index, run) in runs.enumerated() {
            items.append(LegendItem(swatch: .line(dash: runDash(index)), label: run.ticks.isEmpty ? run.label + " (no data)" : run.label))
        }
        for (index, run) in runs.enumerated() where !feedInSpans[index].isEmpty {
            items.append(LegendItem(swatch: index == 0 ? .feedInFill : .feedInHatch, label: "feed-in off: " + run.label))
        }
        if hasMarkers, let first = runs.first {
            items.append(LegendItem(swatch: .marker, label: "limit reason changes: " + first.label + " (hover for the reason)"))
        }
        let rowHeight = 17.0
        var x = PlotLayout.plotLeft
        var baseline = 46.0
        out.markup("<g id=\"legend\" font-size=\"11\" fill=\"#222222\">\n")
        for item in items {
            let itemWidth = 26 + textWidth(item.label, fontSize: 11)
            if x > PlotLayout.plotLeft, x + itemWidth > width - PlotLayout.rightMargin {
                x = PlotLayout.plotLeft
                baseline += rowHeight
            }
            writeSwatch(&out, item.swatch, x: x, baseline: baseline)
            out.markup("<text x=\"")
            out.coordinate(x + 26)
            out.markup("\" y=\"")
            out.coordinate(baseline)
            out.markup("\">")
            out.escaped(item.label)
            out.markup("</text>\n")
            x += itemWidth + 18
        }
        out.markup("</g>\n")
        return baseline + 8
    }

    private static func writeSwatch(_ out: inout SVGText, _ swatch: LegendItem.Swatch, x: Double, baseline: Double) {
        switch swatch {
        case .line(let dash), .coloured(let dash, _):
            let colour: String
            if case .coloured(_, let seriesColour) = swatch { colour = seriesColour } else { colour = "#333333" }
            out.markup("<line x1=\"")
            out.coordinate(x)
            out.markup("\" y1=\"")
            out.coordinate(baseline - 4)
            out.markup("\" x2=\"")
            out.coordinate(x + 22)
            out.markup("\" y2=\"")
            out.coordinate(baseline - 4)
            out.markup("\" stroke=\"" + colour + "\" stroke-width=\"2\"")
            if !dash.isEmpty { out.markup(" stroke-dasharray=\"" + dash + "\"") }
            out.markup("/>")
        case .feedInFill, .feedInHatch:
            out.markup("<rect x=\"")
            out.coordinate(x)
            out.markup("\" y=\"")
            out.coordinate(baseline - 10)
            out.markup("\" width=\"22\" height=\"11\" ")
            out.markup(swatch == .feedInFill ? feedInFillAttributes : feedInHatchAttributes)
            out.markup(" stroke=\"#d08c00\" stroke-width=\"0.5\"/>")
        case .marker:
            out.markup("<line x1=\"")
            out.coordinate(x + 11)
            out.markup("\" y1=\"")
            out.coordinate(baseline - 11)
            out.markup("\" x2=\"")
            out.coordinate(x + 11)
            out.markup("\" y2=\"")
            out.coordinate(baseline + 2)
            out.markup("\" " + markerStroke + "/>")
        }
    }

    /// Panel title with its series' colours, the plot area, grid lines and value labels.
    private static func writePanelBackground(_ out: inout SVGText, panel: PlotPanel, frame: PanelFrame, layout: PlotLayout,
                                             axis: AxisScale, timeAxis: TimeAxis, timeTicks: [Double], hasData: Bool) {
        out.markup("<g id=\"panel-" + panel.key + "\">\n<text x=\"")
        out.coordinate(layout.plotLeft)
        out.markup("\" y=\"")
        out.coordinate(frame.top - 6)
        out.markup("\" font-size=\"12\" font-weight=\"bold\" fill=\"#222222\">")
        out.escaped(panel.title)
        out.markup("</text>\n")
        // The series' colours right-aligned in the header, unless a very narrow page leaves no room beside the title.
        let legendWidth = panel.series.reduce(0.0) { $0 + 40 + textWidth($1.legend, fontSize: 11) }
        let fitsBesideTitle = layout.plotLeft + textWidth(panel.title, fontSize: 12) + 12 + legendWidth <= layout.plotRight
        var right = layout.plotRight
        for series in panel.series.reversed() where fitsBesideTitle {
            let itemWidth = 26 + textWidth(series.legend, fontSize: 11)
            right -= itemWidth
            writeSwatch(&out, .coloured(dash: "", colour: series.colour), x: right, baseline: frame.top - 5)
            out.markup("<text x=\"")
            out.coordinate(right + 26)
            out.markup("\" y=\"")
            out.coordinate(frame.top - 5)
            out.markup("\" font-size=\"11\" fill=\"#222222\">")
            out.escaped(series.legend)
            out.markup("</text>\n")
            right -= 14
        }
        writePlotArea(&out, frame: frame, layout: layout, attributes: "fill=\"#fbfbfb\"")
        out.markup("\n<path fill=\"none\" stroke=\"#e2e2e2\" stroke-width=\"1\" d=\"")
        let valueTicks = axis.tickValues
        for value in valueTicks {
            out.markup("M")
            out.coordinate(layout.plotLeft)
            out.markup(",")
            out.coordinate(axis.pixel(value))
            out.markup("H")
            out.coordinate(layout.plotRight)
        }
        for value in timeTicks {
            out.markup("M")
            out.coordinate(timeAxis.scale.pixel(value))
            out.markup(",")
            out.coordinate(frame.top)
            out.markup("V")
            out.coordinate(frame.bottom)
        }
        out.markup("\"/>\n<g font-size=\"10\" fill=\"#444444\" text-anchor=\"end\">")
        let decimals = axis.labelDecimals
        for value in valueTicks {
            out.markup("<text x=\"")
            out.coordinate(layout.plotLeft - 5)
            out.markup("\" y=\"")
            out.coordinate(axis.pixel(value) + 3.5)
            out.markup("\">")
            out.number(value, decimals: decimals)
            out.markup("</text>")
        }
        out.markup("</g>\n")
        if !hasData {
            out.markup("<text x=\"")
            out.coordinate((layout.plotLeft + layout.plotRight) / 2)
            out.markup("\" y=\"")
            out.coordinate((frame.top + frame.bottom) / 2 + 5)
            out.markup("\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888888\">no data</text>\n")
        }
        out.markup("</g>\n")
    }

    private static let feedInFillAttributes = "fill=\"#f5c400\" fill-opacity=\"0.22\""
    private static let feedInHatchAttributes = "fill=\"url(#feedInHatch)\""
    private static let markerStroke = "stroke=\"#7b3294\" stroke-opacity=\"0.55\" stroke-width=\"1\""

    /// Feed-in-off spans across panel 2, under the lines: the first run filled, later runs hatched.
    /// A rectangle over a panel's plot area with `attributes` (its fill and stroke), not closed by a newline.
    private static func writePlotArea(_ out: inout SVGText, frame: PanelFrame, layout: PlotLayout, attributes: String) {
        out.markup("<rect x=\"")
        out.coordinate(layout.plotLeft)
        out.markup("\" y=\"")
        out.coordinate(frame.top)
        out.markup("\" width=\"")
        out.coordinate(layout.plotRight - layout.plotLeft)
        out.markup("\" height=\"")
        out.coordinate(frame.bottom - frame.top)
        out.markup("\" " + attributes + "/>")
    }

    private static func writeFeedInShading(_ out: inout SVGText, spans: [[PixelSpan]], frame: PanelFrame) {
        for (runIndex, runSpans) in spans.enumerated() where !runSpans.isEmpty {
            out.markup("<g id=\"feedInOff-run\(runIndex)\" ")
            out.markup(runIndex == 0 ? feedInFillAttributes : feedInHatchAttributes)
            out.markup(">\n")
            for span in runSpans {
                out.markup("<rect x=\"")
                out.coordinate(span.left)
                out.markup("\" y=\"")
                out.coordinate(frame.top)
                out.markup("\" width=\"")
                out.coordinate(max(span.right - span.left, 1))
                out.markup("\" height=\"")
                out.coordinate(frame.bottom - frame.top)
                out.markup("\"/>\n")
            }
            out.markup("</g>\n")
        }
    }

    /// One thin line per marker through the four panels, with the reason as hover text (a wider
    /// invisible stroke makes it easy to hover).
    private static func writeMarkerLines(_ out: inout SVGText, markers: [ReasonMarker], layout: PlotLayout) {
        guard !markers.isEmpty else { return }
        // Hundreds of markers would paint the panels over: the more there are, the fainter each.
        let opacity = markers.count <= 60 ? 0.55 : max(0.08, 0.55 * 60 / Double(markers.count))
        out.markup("<g id=\"reasons\" fill=\"none\" stroke=\"#7b3294\">\n")
        for marker in markers {
            out.markup("<g><title>")
            writeMarkerTitle(&out, marker)
            out.markup("</title><path stroke-opacity=\"")
            out.number(opacity, decimals: 2)
            out.markup("\" stroke-width=\"1\" d=\"")
            writeMarkerPath(&out, x: marker.x, layout: layout)
            out.markup("\"/><path stroke-opacity=\"0\" stroke-width=\"7\" d=\"")
            writeMarkerPath(&out, x: marker.x, layout: layout)
            out.markup("\"/></g>\n")
        }
        out.markup("</g>\n")
    }

    private static func writeMarkerPath(_ out: inout SVGText, x: Double, layout: PlotLayout) {
        for frame in layout.panels {
            out.markup("M")
            out.coordinate(x)
            out.markup(",")
            out.coordinate(frame.top)
            out.markup("V")
            out.coordinate(frame.bottom)
        }
    }

    /// "+h:mm:ss reason", telling how many changes fell into the marker's pixel column when more than one.
    private static func writeMarkerTitle(_ out: inout SVGText, _ marker: ReasonMarker) {
        out.markup(clockText(marker.timeSeconds))
        out.markup(" ")
        if marker.changes > 1 { out.markup("(\(marker.changes) changes here, the last:) ") }
        out.escaped(marker.reason.isEmpty ? "(no reason)" : marker.reason)
    }

    /// Short labels turned along the markers in the first panel, over the lines with a white halo so
    /// both stay readable. When there are more markers than labels, the labelled ones are spread over
    /// the width (rather than all crowding the start); a label is cut to fit the panel's height.
    private static func writeMarkerLabels(_ out: inout SVGText, markers: [ReasonMarker], layout: PlotLayout) {
        guard let frame = layout.panels.first else { return }
        let fontSize = 9.0
        let characters = min(markerLabelCharacters, max(Int((frame.bottom - frame.top - 8) / (fontSize * 0.6)), 4))
        let spacing = markers.count > labelledMarkerLimit
            ? max(fontSize + 2, (layout.plotRight - layout.plotLeft) / Double(labelledMarkerLimit))
            : fontSize + 2
        var labelled = 0
        var lastLabelX = -Double.infinity
        out.markup("<g id=\"reasonLabels\" font-size=\"9\" fill=\"#5a1f73\">\n")
        for marker in markers where labelled < labelledMarkerLimit {
            guard marker.x - lastLabelX >= spacing else { continue }   // would overprint (or crowd) the previous label
            labelled += 1
            lastLabelX = marker.x
            let label = shortLabel(marker.reason.isEmpty ? "(no reason)" : marker.reason, characters: characters)
            for halo in [true, false] {
                out.markup("<text transform=\"translate(")
                out.coordinate(marker.x + 3)
                out.markup(",")
                out.coordinate(frame.top + 4)
                out.markup(") rotate(90)\"")
                if halo { out.markup(" stroke=\"#ffffff\" stroke-width=\"3\" stroke-opacity=\"0.85\"") }
                out.markup(">")
                if !halo {
                    out.markup("<title>")
                    writeMarkerTitle(&out, marker)
                    out.markup("</title>")
                }
                out.escaped(label)
                out.markup("</text>\n")
            }
        }
        out.markup("</g>\n")
    }

    /// Time values under the last panel and the axis name.
    private static func writeTimeLabels(_ out: inout SVGText, timeAxis: TimeAxis, ticks: [Double], layout: PlotLayout) {
        guard let bottom = layout.panels.last?.bottom else { return }
        let decimals = timeAxis.scale.labelDecimals
        out.markup("<g font-size=\"10\" fill=\"#444444\" text-anchor=\"middle\">")
        for value in ticks {
            out.markup("<text x=\"")
            out.coordinate(timeAxis.scale.pixel(value))
            out.markup("\" y=\"")
            out.coordinate(bottom + 14)
            out.markup("\">")
            out.number(value, decimals: decimals)
            out.markup("</text>")
        }
        out.markup("</g>\n<text x=\"")
        out.coordinate((layout.plotLeft + layout.plotRight) / 2)
        out.markup("\" y=\"")
        out.coordinate(bottom + 32)
        out.markup("\" text-anchor=\"middle\" font-size=\"12\" fill=\"#222222\">time since the first tick (")
        out.markup(timeAxis.unitName)
        out.markup(")</text>\n")
    }

    /// One series of one run as a single path; a nil value starts a new subpath ("M").
    private static func writeSeries(_ out: inout SVGText, series: ReplaySeries, run: ReplayRun, runIndex: Int,
                                    timeAxis: TimeAxis, valueAxis: AxisScale) {
        var path = DecimatedPath(expectedColumns: Int(timeAxis.scale.pixelHigh - timeAxis.scale.pixelLow) + 1)
        for tick in run.ticks {
            guard let value = series.value(of: tick) else {
                path.breakLine()
                continue
            }
            guard value.isFinite else { continue }
            path.add(x: timeAxis.pixel(seconds: tick.timeSeconds), y: valueAxis.pixel(value))
        }
        let d = path.finish()
        guard !d.isEmpty else { return }
        out.markup("<path id=\"run\(runIndex)-" + series.key + "\" fill=\"none\" stroke=\"" + series.colour)
        out.markup("\" stroke-width=\"" + series.strokeWidth + "\" stroke-linejoin=\"round\" stroke-linecap=\"round\"")
        let dash = runDash(runIndex)
        if !dash.isEmpty { out.markup(" stroke-dasharray=\"" + dash + "\"") }
        out.markup(" d=\"")
        out.markup(d)
        out.markup("\"/>\n")
    }

    // MARK: Data preparation

    /// Ticks in time order without non-finite times (a replay is in order already: then no copy is sorted).
    private static func chronological(_ ticks: [ReplayTick]) -> [ReplayTick] {
        var ordered = true
        var previous = -Double.infinity
        for tick in ticks {
            if !tick.timeSeconds.isFinite || tick.timeSeconds < previous {
                ordered = false
                break
            }
            previous = tick.timeSeconds
        }
        if ordered { return ticks }
        return ticks.filter { $0.timeSeconds.isFinite }.sorted { $0.timeSeconds < $1.timeSeconds }
    }

    /// The lowest and highest finite value of a panel's series over all runs; nil when it has none.
    private static func valueRange(of panel: PlotPanel, in runs: [ReplayRun]) -> (low: Double, high: Double)? {
        var low = Double.infinity
        var high = -Double.infinity
        for run in runs {
            for series in panel.series {
                for tick in run.ticks {
                    guard let value = series.value(of: tick), value.isFinite else { continue }
                    if value < low { low = value }
                    if value > high { high = value }
                }
            }
        }
        return low <= high ? (low, high) : nil
    }

    /// Where a run asked feed-in off, in pixels: a tick's request holds until the next tick; spans
    /// less than a pixel apart are joined, so a flickering request cannot produce a rectangle per tick.
    private static func feedInOffSpans(_ ticks: [ReplayTick], timeAxis: TimeAxis) -> [PixelSpan] {
        var spans: [PixelSpan] = []
        var start: Double?
        func close(at right: Double) {
            guard let left = start else { return }
            start = nil
            if let last = spans.last, left - last.right < 1 {
                spans[spans.count - 1].right = right
            } else {
                spans.append(PixelSpan(left: left, right: right))
            }
        }
        for tick in ticks {
            let x = timeAxis.pixel(seconds: tick.timeSeconds)
            if tick.feedInOff {
                if start == nil { start = x }
            } else {
                close(at: x)
            }
        }
        if let last = ticks.last { close(at: timeAxis.pixel(seconds: last.timeSeconds)) }
        return spans
    }

    /// Where the run's limit reason changes (the first tick counts when it has a reason), at most one
    /// marker per pixel column: the column keeps the last reason and how many changes it holds.
    /// Reasons are compared without their digits: "highest cell 3.381 V: CCL 54.2 A" and the same
    /// words with the next second's numbers are one reason, not a marker every tick.
    private static func reasonMarkers(_ ticks: [ReplayTick], timeAxis: TimeAxis) -> [ReasonMarker] {
        var markers: [ReasonMarker] = []
        var previous: [UInt8]?
        for tick in ticks {
            let words = reasonWords(tick.limitReason)
            defer { previous = words }
            if let previous, previous == words { continue }
            if previous == nil, tick.limitReason.isEmpty { continue }
            let x = timeAxis.pixel(seconds: tick.timeSeconds)
            if let last = markers.last, Int(last.x.rounded(.down)) == Int(x.rounded(.down)) {
                markers[markers.count - 1].reason = tick.limitReason
                markers[markers.count - 1].timeSeconds = tick.timeSeconds
                markers[markers.count - 1].changes += 1
            } else {
                markers.append(ReasonMarker(x: x, timeSeconds: tick.timeSeconds, reason: tick.limitReason, changes: 1))
            }
        }
        return markers
    }

    // MARK: Small helpers

    /// A reason's bytes without digits, points and signs: what stays when only the numbers move.
    static func reasonWords(_ reason: String) -> [UInt8] {
        reason.utf8.filter { byte in
            !(byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) && byte != UInt8(ascii: ".")
                && byte != UInt8(ascii: "-")
        }
    }

    /// The first run solid, the second dashed, further runs other dash patterns.
    private static func runDash(_ runIndex: Int) -> String {
        let dashes = ["", "7 4", "2 3", "10 3 2 3"]
        return dashes[runIndex % dashes.count]
    }

    /// A reason cut for a drawn label ("…" marks the cut).
    static func shortLabel(_ reason: String, characters: Int = markerLabelCharacters) -> String {
        guard reason.count > characters else { return reason }
        return String(reason.prefix(max(characters - 1, 1))) + "…"
    }

    /// An estimate of a label's width for the legend layout (no font metrics at hand).
    private static func textWidth(_ text: String, fontSize: Double) -> Double {
        Double(text.unicodeScalars.count) * fontSize * 0.6
    }

    /// "+h:mm:ss" of a time since the first tick.
    static func clockText(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds.magnitude < 1e12 else { return "+?" }
        let total = Int(seconds.rounded())
        let magnitude = total.magnitude
        let minutes = (magnitude / 60) % 60
        let secondsPart = magnitude % 60
        return (total < 0 ? "-" : "+") + String(magnitude / 3600) + ":" + (minutes < 10 ? "0" : "") + String(minutes)
            + ":" + (secondsPart < 10 ? "0" : "") + String(secondsPart)
    }
}

// MARK: - Plot pieces

/// The four panels, top to bottom.
private enum PlotPanel: Int {
    case voltageLimit, currentLimits, stateOfCharge, cellVoltages

    static let all: [PlotPanel] = [.voltageLimit, .currentLimits, .stateOfCharge, .cellVoltages]

    var key: String {
        switch self {
        case .voltageLimit: return "cvl"
        case .currentLimits: return "current"
        case .stateOfCharge: return "soc"
        case .cellVoltages: return "cells"
        }
    }

    var title: String {
        switch self {
        case .voltageLimit: return "Charge voltage limit (V)"
        case .currentLimits: return "Current limits and bank current (A)"
        case .stateOfCharge: return "State of charge (%)"
        case .cellVoltages: return "Cell voltage, lowest and highest (V)"
        }
    }

    var series: [ReplaySeries] {
        switch self {
        case .voltageLimit: return [.chargeVoltageLimit]
        case .currentLimits: return [.chargeCurrentLimit, .dischargeCurrentLimit, .bankCurrent]
        case .stateOfCharge: return [.socPercent]
        case .cellVoltages: return [.minCellVoltage, .maxCellVoltage]
        }
    }
}

/// One plotted quantity: where its value comes from in a tick and how its line looks.
private enum ReplaySeries {
    case chargeVoltageLimit, chargeCurrentLimit, dischargeCurrentLimit, bankCurrent, socPercent, minCellVoltage, maxCellVoltage

    static let all: [ReplaySeries] = [.chargeVoltageLimit, .chargeCurrentLimit, .dischargeCurrentLimit, .bankCurrent,
                                      .socPercent, .minCellVoltage, .maxCellVoltage]

    /// Part of the path's id ("run0-soc").
    var key: String {
        switch self {
        case .chargeVoltageLimit: return "cvl"
        case .chargeCurrentLimit: return "ccl"
        case .dischargeCurrentLimit: return "dcl"
        case .bankCurrent: return "current"
        case .socPercent: return "soc"
        case .minCellVoltage: return "cellMin"
        case .maxCellVoltage: return "cellMax"
        }
    }

    var legend: String {
        switch self {
        case .chargeVoltageLimit: return "CVL"
        case .chargeCurrentLimit: return "CCL"
        case .dischargeCurrentLimit: return "−DCL"
        case .bankCurrent: return "bank current"
        case .socPercent: return "SoC"
        case .minCellVoltage: return "lowest cell"
        case .maxCellVoltage: return "highest cell"
        }
    }

    var colour: String {
        switch self {
        case .chargeVoltageLimit: return "#1f63b4"
        case .chargeCurrentLimit: return "#2a9d2a"
        case .dischargeCurrentLimit: return "#d62728"
        case .bankCurrent: return "#505050"
        case .socPercent: return "#e67300"
        case .minCellVoltage: return "#0e9aa7"
        case .maxCellVoltage: return "#8c564b"
        }
    }

    var strokeWidth: String { self == .bankCurrent ? "1" : "1.6" }

    /// The value to draw; DCL below zero, so it bounds the (negative) discharge current.
    func value(of tick: ReplayTick) -> Double? {
        switch self {
        case .chargeVoltageLimit: return tick.chargeVoltageLimit
        case .chargeCurrentLimit: return tick.chargeCurrentLimit
        case .dischargeCurrentLimit: return tick.dischargeCurrentLimit.map { -$0 }
        case .bankCurrent: return tick.bankCurrent
        case .socPercent: return tick.socPercent
        case .minCellVoltage: return tick.minCellVoltage
        case .maxCellVoltage: return tick.maxCellVoltage
        }
    }
}

/// A legend entry: a small sample of the drawing and its text.
private struct LegendItem {
    enum Swatch: Equatable {
        case line(dash: String)
        case coloured(dash: String, colour: String)
        case feedInFill, feedInHatch, marker
    }

    var swatch: Swatch
    var label: String
}

/// The top and bottom of one panel's plot area, in pixels.
private struct PanelFrame {
    var top: Double
    var bottom: Double
}

/// A horizontal stretch of the plot area, in pixels.
private struct PixelSpan {
    var left: Double
    var right: Double
}

/// A limit-reason change drawn as a marker.
private struct ReasonMarker {
    var x: Double
    var timeSeconds: Double
    var reason: String
    /// How many changes fell into this pixel column (the marker shows the last).
    var changes: Int
}

/// Where the four panels sit below the title and legend, sharing one left and right edge.
private struct PlotLayout {
    /// Room for the value labels left of the panels.
    static let plotLeft = 64.0
    static let rightMargin = 18.0
    /// Room above a panel for its title and series colours.
    static let panelHeaderHeight = 22.0
    static let panelGap = 6.0
    /// Room under the last panel for the time labels and the axis name.
    static let bottomMargin = 42.0

    let plotLeft = PlotLayout.plotLeft
    let plotRight: Double
    let panels: [PanelFrame]

    init(width: Double, height: Double, top: Double) {
        plotRight = width - PlotLayout.rightMargin
        let count = Double(PlotPanel.all.count)
        let available = height - top - PlotLayout.bottomMargin - count * PlotLayout.panelHeaderHeight
            - (count - 1) * PlotLayout.panelGap
        let panelHeight = max(available / count, 24)
        var frames: [PanelFrame] = []
        var y = top
        for _ in PlotPanel.all {
            y += PlotLayout.panelHeaderHeight
            frames.append(PanelFrame(top: y, bottom: y + panelHeight))
            y += panelHeight + PlotLayout.panelGap
        }
        panels = frames
    }
}

/// A linear axis: the shown value range, its round tick step (1, 2 or 5 × 10ⁿ) and where it lies on the page.
private struct AxisScale {
    let low: Double
    let high: Double
    let step: Double
    /// The pixels `low` and `high` map to (for a value axis the bottom and top of the panel).
    let pixelLow: Double
    let pixelHigh: Double
    private let pixelsPerUnit: Double

    /// `widenToSteps` rounds the ends out to whole steps (value axes); the time axis keeps the data's
    /// exact ends. A constant range is opened up around its value by `constantPad` (default 2 % of
    /// it, or 1 around zero), so a flat line sits mid-panel.
    init(from dataLow: Double, to dataHigh: Double, pixelLow: Double, pixelHigh: Double,
         targetTicks: Int, widenToSteps: Bool, constantPad: Double? = nil) {
        var low = dataLow
        var high = dataHigh
        if !(low.isFinite && high.isFinite && (high - low).isFinite) || low > high {
            low = 0
            high = 1
        }
        let middle = low / 2 + high / 2
        if high - low <= middle.magnitude * 1e-9 {
            let pad = constantPad ?? (middle == 0 ? 1 : middle.magnitude * 0.02)
            low = middle - pad
            high = middle + pad
        }
        let step = AxisScale.roundStep((high - low) / Double(max(targetTicks, 1)))
        if widenToSteps {
            low = (low / step).rounded(.down) * step
            high = (high / step).rounded(.up) * step
            if high <= low { high = low + step }
        }
        self.low = low
        self.high = high
        self.step = step
        self.pixelLow = pixelLow
        self.pixelHigh = pixelHigh
        pixelsPerUnit = (pixelHigh - pixelLow) / (high - low)
    }

    func pixel(_ value: Double) -> Double { pixelLow + (value - low) * pixelsPerUnit }

    /// The multiples of `step` inside the axis.
    var tickValues: [Double] {
        let first = (low / step - 1e-9).rounded(.up)
        let last = (high / step + 1e-9).rounded(.down)
        guard first.isFinite, last.isFinite, first <= last, last - first < 200 else { return [] }
        var values: [Double] = []
        var multiple = first
        while multiple <= last {
            values.append(multiple * step)
            multiple += 1
        }
        return values
    }

    /// Enough decimals to tell the ticks apart (0 for a whole step, 1 for 0.5, 2 for 0.05 …).
    var labelDecimals: Int {
        var decimals = 0
        var scaled = step
        while decimals < 9, (scaled - scaled.rounded()).magnitude > scaled * 1e-6 {
            scaled *= 10
            decimals += 1
        }
        return decimals
    }

    /// The round step (1, 2 or 5 × 10ⁿ) at or just above `raw`.
    static func roundStep(_ raw: Double) -> Double {
        guard raw.isFinite, raw > 0 else { return 1 }
        var exponent = 0
        while exponent < 300, powerOfTen(exponent + 1) <= raw { exponent += 1 }
        while exponent > -300, powerOfTen(exponent) > raw { exponent -= 1 }
        let power = powerOfTen(exponent)
        let fraction = raw / power
        let multiple: Double = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
        return multiple * power
    }

    /// 10ⁿ, built so that negative powers are one correctly rounded division (0.1, 0.01 …).
    static func powerOfTen(_ exponent: Int) -> Double {
        var power = 1.0
        for _ in 0..<exponent.magnitude { power *= 10 }
        return exponent < 0 ? 1 / power : power
    }
}

/// The shared time axis: from the earliest to the latest tick of all runs, in hours when that spans
/// more than two hours (a day reads as 0…24), else in minutes.
private struct TimeAxis {
    let scale: AxisScale
    let secondsPerUnit: Double
    let unitName: String

    /// Nil when no run has a tick.
    init?(_ runs: [ReplayRun], plotLeft: Double, plotRight: Double) {
        var first = Double.infinity
        var last = -Double.infinity
        for run in runs {
            guard let start = run.ticks.first?.timeSeconds, let end = run.ticks.last?.timeSeconds else { continue }
            first = min(first, start)
            last = max(last, end)
        }
        guard first <= last else { return nil }
        let hours = last - first > 2 * 3600
        secondsPerUnit = hours ? 3600 : 60
        unitName = hours ? "h" : "min"
        scale = AxisScale(from: first / secondsPerUnit, to: last / secondsPerUnit, pixelLow: plotLeft, pixelHigh: plotRight,
                          targetTicks: max(Int((plotRight - plotLeft) / 90), 2), widenToSteps: false,
                          constantPad: 1)   // a single tick: a minute either side
    }

    func pixel(seconds: Double) -> Double { scale.pixel(seconds / secondsPerUnit) }
}

/// A series' path data with at most two points per pixel column, the lowest and the highest in the
/// order they came, so a day at 1 s stays small and a one-tick spike keeps its height.
private struct DecimatedPath {
    /// The extremes seen so far in one pixel column.
    private struct Column {
        var index: Int
        var topX: Double, topY: Double
        var bottomX: Double, bottomY: Double
    }

    private var d = ""
    private var column: Column?
    private var pointsInSegment = 0

    init(expectedColumns: Int) {
        d.reserveCapacity(max(expectedColumns, 1) * 2 * 12)
    }

    /// A point in page pixels; ticks arrive in time order.
    mutating func add(x: Double, y: Double) {
        let index = Int(x.rounded(.down))
        if var current = column, current.index == index {
            if y < current.topY { current.topX = x; current.topY = y }
            if y > current.bottomY { current.bottomX = x; current.bottomY = y }
            column = current
        } else {
            flushColumn()
            column = Column(index: index, topX: x, topY: y, bottomX: x, bottomY: y)
        }
    }

    /// A missing value: the line stops here and the next point starts a new subpath.
    mutating func breakLine() {
        flushColumn()
        endSegment()
    }

    mutating func finish() -> String {
        breakLine()
        return d
    }

    private mutating func flushColumn() {
        guard let current = column else { return }
        column = nil
        if current.topY == current.bottomY {
            point(current.topX, current.topY)
        } else if current.topX <= current.bottomX {
            point(current.topX, current.topY)
            point(current.bottomX, current.bottomY)
        } else {
            point(current.bottomX, current.bottomY)
            point(current.topX, current.topY)
        }
    }

    private mutating func point(_ x: Double, _ y: Double) {
        guard let xText = fixedPoint(x, decimals: 1), let yText = fixedPoint(y, decimals: 1) else { return }
        switch pointsInSegment {
        case 0: d += "M"
        case 1: d += "L"
        default: d += " "
        }
        d += xText
        d += ","
        d += yText
        pointsInSegment += 1
    }

    /// A lone point (values on both sides missing) is drawn as a short dash through it, so it shows.
    private mutating func endSegment() {
        if pointsInSegment == 1 { d += "m-1.5,0h3" }
        pointsInSegment = 0
    }
}

/// One SVG document growing in a single String: markup verbatim, text escaped for XML, numbers in fixed point.
private struct SVGText {
    private(set) var text = ""

    init(reservingBytes: Int) {
        text.reserveCapacity(reservingBytes)
    }

    /// Markup written as it is (the caller's own tags and attributes).
    mutating func markup(_ fragment: String) {
        text += fragment
    }

    /// Character data or an attribute value: the five XML specials escaped; control characters,
    /// which XML 1.0 does not allow (and a label cannot show), become spaces.
    mutating func escaped(_ content: String) {
        var plain = true
        for byte in content.utf8 where byte < 0x20 || byte == 0x26 || byte == 0x3C || byte == 0x3E
            || byte == 0x22 || byte == 0x27 || byte == 0xEF {
            plain = false
            break
        }
        if plain {
            text += content
            return
        }
        for scalar in content.unicodeScalars {
            switch scalar.value {
            case 0x26: text += "&amp;"
            case 0x3C: text += "&lt;"
            case 0x3E: text += "&gt;"
            case 0x22: text += "&quot;"
            case 0x27: text += "&apos;"
            case 0..<0x20, 0xFFFE, 0xFFFF: text += " "
            default: text.unicodeScalars.append(scalar)
            }
        }
    }

    /// A finite value with `decimals` digits; "0" for what cannot be written (callers pass finite values).
    mutating func number(_ value: Double, decimals: Int) {
        text += fixedPoint(value, decimals: decimals) ?? "0"
    }

    /// A page position, to a tenth of a pixel.
    mutating func coordinate(_ value: Double) {
        number(value, decimals: 1)
    }
}

/// `value` with `decimals` (0…9) digits after the point, rounded half away from zero, by integer
/// arithmetic (Embedded Swift cannot print a Double); nil for NaN, infinity or a value too large.
/// `value` with `decimals` fixed decimals (PluginKit's integer formatting, half away from zero);
/// nil for a value no coordinate or label can be.
private func fixedPoint(_ value: Double, decimals: Int) -> String? {
    guard value.isFinite, value.magnitude < 9.0e12 else { return nil }
    return FixedDecimal.format(value, decimals: decimals, rounding: .halfAwayFromZero)
}
