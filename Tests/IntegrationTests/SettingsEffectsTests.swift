import BusTestSupport
import HostCore
import PluginKit
import Simulator
import Testing
import VeDbus

/// What the daemon does to com.victronenergy.settings: PV feed-in off while a cell peaks and
/// back to the user's value afterwards; the custom name kept in the settings.
@Suite(.serialized) struct SettingsEffectsTests {
    static let feedIn = "/Settings/CGwacs/OvervoltageFeedIn"

    @Test func feedInIsTurnedOffWhileACellPeaksAndRestoredAfterwards() throws {
        var simulation = SimulationConfig()
        simulation.batteryCount = 2
        simulation.cellsPerBattery = 16
        let harness = try DaemonHarness(config: ["OWN_CHARGE_PARAMETERS": "True", "OWN_SOC": "False"],
                                        simulation: simulation, scenario: .chargeToFullWithPeakingCell)
        #expect(harness.venus.settings.value(Self.feedIn) == .int32(1), "the user has feed-in on")
        // Close to full: the peaking cell (4 % fuller) crosses MAX_CELL_VOLTAGE (3.45 V) first.
        for battery in harness.venus.batteries { battery.setSoc(98.5) }
        var peaked = false
        for _ in 0..<120 where !peaked {
            harness.run(seconds: 1)
            peaked = (harness.number(.maxCellVoltage) ?? 0) >= 3.45
        }
        try #require(peaked, "the peaking cell never reached 3.45 V")
        harness.run(seconds: 1)
        #expect(harness.venus.settings.value(Self.feedIn) == .int32(0), "feed-in must be off while a cell peaks")
        #expect(harness.stateFile("storedvalue_feedin_user_value")?.contains("1") == true,
                "the user's value is kept on disk while forced off")
        // The dynamic CVL is below the normal CVL while the cell peaks.
        let cvl = try #require(harness.number(.maxChargeVoltage))
        #expect(cvl < 16 * 3.40 + 1e-9)
        #expect((harness.published(.limitReason).string ?? "").isEmpty == false)

        // Some hours later (the simulation jumps there): the bank discharged, the cells are back
        // below 3.45 V and within CELL_DIFF_MAX, so the user's value is written back.
        harness.venus.profile = .constant(batteryA: -20, solarA: 0)
        for battery in harness.venus.batteries { battery.setSoc(80) }
        var restored = false
        for _ in 0..<30 where !restored {
            harness.run(seconds: 1)
            restored = harness.venus.settings.value(Self.feedIn) == .int32(1)
        }
        #expect(restored, "feed-in must come back to the user's value")
        #expect((harness.number(.maxCellVoltage) ?? 9) < 3.45)
        #expect(harness.stateFile("storedvalue_feedin_user_value") == nil)
    }

    @Test func customNameRoundTripsThroughTheSettingsService() throws {
        let harness = try DaemonHarness(config: [:])
        harness.run(seconds: 2)
        let path = CustomNameSetting.settingPath
        #expect(harness.venus.settings.value(path) == .string(""), "created with AddSetting at start")
        // A user renames the battery, as the GX's device list does, with dbus-send.
        let set = try harness.tool("dbus-send", harness.fixture.dbusSendAddress, "--print-reply",
                                   "--dest=\(AggregateService.serviceName)", "/CustomName",
                                   "com.victronenergy.BusItem.SetValue", "variant:string:House bank")
        #expect(set.stdout.contains("int32 0"), Comment(rawValue: set.stdout + set.stderr))
        harness.settle()
        #expect(harness.venus.settings.value(path) == .string("House bank"))
        // A wrong type is refused and changes nothing.
        let wrong = try harness.tool("busctl", harness.fixture.busctlAddress, "call", AggregateService.serviceName,
                                     "/CustomName", "com.victronenergy.BusItem", "SetValue", "v", "i", "7")
        #expect(wrong.stdout.contains("i 2"), Comment(rawValue: wrong.stdout))
        // After a restart the name comes back from the settings.
        try harness.restart()
        harness.run(seconds: 1)
        let text = try harness.tool("dbus-send", harness.fixture.dbusSendAddress, "--print-reply",
                                    "--dest=\(AggregateService.serviceName)", "/CustomName", "com.victronenergy.BusItem.GetValue")
        #expect(text.stdout.contains("House bank"), Comment(rawValue: text.stdout + text.stderr))
    }
}
