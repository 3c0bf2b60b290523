import Testing
import VeDbus
@testable import HostCore

@Suite("Current from Victron devices (reference §3.2)")
struct VictronCurrentTests {
    let multi = "com.victronenergy.vebus.ttyS3"
    let mppt = "com.victronenergy.solarcharger.ttyS1"
    let batteryShunt = "com.victronenergy.battery.ttyS5"
    let meterShunt = "com.victronenergy.dcload.ttyS6"

    private func view(multiConnected: Int32 = 1, multiAmps: Double = -20, mpptAmps: Double = 8,
                      batteryShuntAmps: Double? = 5, meterShuntAmps: Double? = 2) -> FakeMonitorView {
        var view = FakeMonitorView()
        view.set(multi, "/Connected", .int32(multiConnected))
        view.set(multi, "/Dc/0/Current", .double(multiAmps))
        view.set(mppt, "/Dc/0/Current", .double(mpptAmps))
        view.set(batteryShunt, "/Dc/0/Current", batteryShuntAmps.map { .double($0) } ?? .invalid)
        view.set(meterShunt, "/Dc/0/Current", meterShuntAmps.map { .double($0) } ?? .invalid)
        return view
    }

    private func inventory(shunts: Bool = true, unmatched: [SmartShuntSelector] = []) -> Inventory {
        let selection = shunts
            ? SmartShuntDiscovery.Selection(batteryMonitors: [SmartShunt(service: batteryShunt, mode: .batteryMonitor)],
                                            dcMeters: [SmartShunt(service: meterShunt, mode: .dcMeter)],
                                            unmatched: unmatched)
            : SmartShuntDiscovery.Selection(unmatched: unmatched)
        return Inventory(smartShunts: selection, multi: multi, mppts: [mppt])
    }

    @Test func offWhenNotConfigured() {
        var current = VictronCurrent()
        let outcome = current.evaluate(view(), inventory: inventory(), rules: VictronCurrentRules(enabled: false),
                                       bankVoltage: 50)
        #expect(outcome.decision == .notConfigured)
    }

    @Test(arguments: [
        // (asBattery, invert, expected amps): Multi -20, MPPT 8, battery shunt 5, DC meter 2 -> shunts 3
        (false, false, -9.0), (false, true, -15.0), (true, false, 3.0), (true, true, 3.0),
    ])
    func theCombinationRules(asBattery: Bool, invert: Bool, expected: Double) {
        var current = VictronCurrent()
        let rules = VictronCurrentRules(enabled: true, shuntsAsBatteryCurrent: asBattery, invertShunts: invert)
        let outcome = current.evaluate(view(), inventory: inventory(), rules: rules, bankVoltage: 50)
        #expect(outcome.decision == .use(amps: expected, watts: 50 * expected))
    }

    @Test func shuntsAsBatteryCurrentNeedsABatteryModeShunt() {
        var current = VictronCurrent()
        let rules = VictronCurrentRules(enabled: true, shuntsAsBatteryCurrent: true)
        let outcome = current.evaluate(view(), inventory: inventory(shunts: false), rules: rules, bankVoltage: nil)
        #expect(outcome.decision == .use(amps: -12, watts: nil))
    }

    @Test func aDisconnectedMultiCountsAsZeroAndTransitionsAreReportedOnce() {
        var current = VictronCurrent()
        let rules = VictronCurrentRules(enabled: true)
        let inventory = inventory(shunts: false)
        var outcome = current.evaluate(view(), inventory: inventory, rules: rules, bankVoltage: 50)
        #expect(outcome.events == [.multiConnected])
        #expect(outcome.decision == .use(amps: -12, watts: -600))
        outcome = current.evaluate(view(), inventory: inventory, rules: rules, bankVoltage: 50)
        #expect(outcome.events.isEmpty)
        outcome = current.evaluate(view(multiConnected: 0), inventory: inventory, rules: rules, bankVoltage: 50)
        #expect(outcome.events == [.multiDisconnected])
        #expect(outcome.decision == .use(amps: 8, watts: 400))
        outcome = current.evaluate(view(multiConnected: 0), inventory: inventory, rules: rules, bankVoltage: 50)
        #expect(outcome.events.isEmpty)
        outcome = current.evaluate(view(), inventory: inventory, rules: rules, bankVoltage: 50)
        #expect(outcome.events == [.multiConnected])
    }

    @Test func aMissingShuntIsAFaultUnlessIgnored() {
        var current = VictronCurrent()
        let data = view(batteryShuntAmps: nil)
        let strict = current.evaluate(data, inventory: inventory(), rules: VictronCurrentRules(enabled: true),
                                      bankVoltage: 50)
        guard case .keepBmsCurrent(let reason, let isFault) = strict.decision else {
            Issue.record("expected the BMS current")
            return
        }
        #expect(isFault)
        #expect(reason.contains(batteryShunt))
        let lenient = current.evaluate(data, inventory: inventory(),
                                       rules: VictronCurrentRules(enabled: true, ignoreShuntAbsence: true),
                                       bankVoltage: 50)
        guard case .keepBmsCurrent(_, let lenientFault) = lenient.decision else {
            Issue.record("expected the BMS current")
            return
        }
        #expect(!lenientFault)
    }

    @Test func aConfiguredShuntThatWasNotFoundKeepsTheBmsCurrent() {
        var current = VictronCurrent()
        let outcome = current.evaluate(view(), inventory: inventory(unmatched: [.name("FrontShunt")]),
                                       rules: VictronCurrentRules(enabled: true), bankVoltage: 50)
        #expect(outcome.decision == .keepBmsCurrent(reason: "configured SmartShunt named \"FrontShunt\" not found",
                                                    isFault: true))
    }

    @Test(arguments: ["/Dc/0/Current", "/Connected"])
    func aFailedMultiReadKeepsTheBmsCurrent(path: String) {
        var data = view()
        data.set(multi, path, .invalid)
        var current = VictronCurrent()
        let outcome = current.evaluate(data, inventory: inventory(), rules: VictronCurrentRules(enabled: true),
                                       bankVoltage: 50)
        #expect(outcome.decision == .keepBmsCurrent(reason: "Multi \(multi) has no valid \(path)", isFault: true))
    }

    @Test func aFailedMpptReadKeepsTheBmsCurrent() {
        var data = view()
        data.set(mppt, "/Dc/0/Current", .string("8"))
        var current = VictronCurrent()
        let outcome = current.evaluate(data, inventory: inventory(), rules: VictronCurrentRules(enabled: true),
                                       bankVoltage: 50)
        #expect(outcome.decision == .keepBmsCurrent(reason: "MPPT \(mppt) has no valid /Dc/0/Current", isFault: true))
    }
}
