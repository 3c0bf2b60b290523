import BusTestSupport
import HostCore
import Simulator
import Testing
import VeDbus

/// Reference §3.1 and §5: every cell of every battery on request, and the periodic log line.
@Suite(.serialized) struct PublishedExtrasTests {
    @Test func sendCellVoltagesPublishesEveryCellUnderTheBatteryName() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 2
        simulation.cellsPerBattery = 8
        let harness = try DaemonHarness(config: ["SEND_CELL_VOLTAGES": "1"], simulation: simulation)
        harness.run(seconds: 2)
        // "SIM-BAT-2" stripped to [A-Za-z0-9_]; read with busctl, a client we did not write.
        let battery = harness.venus.batteries[1]
        let expected = try #require(battery.service?["/Voltages/Cell8"]?.number)
        let output = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName,
                                      "/Voltages/SIMBAT2_Cell8", "com.victronenergy.BusItem", "GetValue")
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "v d \(expected)",
                Comment(rawValue: output.stdout + output.stderr))
        let text = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName,
                                    "/Voltages/SIMBAT1_Cell1", "com.victronenergy.BusItem", "GetText")
        #expect(text.stdout.hasPrefix("s \"3.") && text.stdout.contains("V\""), Comment(rawValue: text.stdout))
        // §4: cell values "%.3fV", three decimals (a voltage's "%.2fV" would show two).
        let shown = text.stdout.split(separator: "\"").dropFirst().first.map(String.init) ?? ""
        #expect(shown.hasSuffix("V") && shown.split(separator: ".").last?.count == 4, Comment(rawValue: shown))
    }

    @Test func withoutSendCellVoltagesNoCellPathsAppear() throws {
        let harness = try DaemonHarness(config: [:])
        harness.run(seconds: 2)
        #expect(harness.daemon.service.service["/Voltages/SIMBAT1_Cell1"] == nil)
    }

    @Test func logPeriodWritesTheSummaryLineEveryPeriod() throws {
        let harness = try DaemonHarness(config: ["LOG_PERIOD": "5"])
        harness.run(seconds: 11)
        let summaries = harness.logs.lines.filter { $0.text.contains("CVL") && $0.text.contains("SoC") && $0.text.contains("diff") }
        #expect(summaries.count == 2, "\(summaries.map(\.text))")
    }
}
