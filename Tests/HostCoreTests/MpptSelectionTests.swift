import Testing
import VeDbus
@testable import HostCore

@Suite("NR_OF_MPPTS: which solar chargers count (reference §1.5, §3.2)")
struct MpptSelectionTests {
    let multi = "com.victronenergy.vebus.ttyS3"
    let mpptA = "com.victronenergy.solarcharger.ttyS1"
    let mpptB = "com.victronenergy.solarcharger.ttyS2"

    /// Multi -20 A, first charger 8 A, second 3 A; no shunts.
    private func view() -> FakeMonitorView {
        var view = FakeMonitorView()
        view.set(multi, "/Connected", .int32(1))
        view.set(multi, "/Dc/0/Current", .double(-20))
        view.set(mpptA, "/Dc/0/Current", .double(8))
        view.set(mpptB, "/Dc/0/Current", .double(3))
        return view
    }

    private func evaluate(_ current: inout VictronCurrent, count: Int, mppts: [String]? = nil,
                          shunts: SmartShuntDiscovery.Selection = .init(),
                          asBattery: Bool = false) -> VictronCurrent.Outcome {
        let inventory = Inventory(smartShunts: shunts, multi: multi, mppts: mppts ?? [mpptA, mpptB])
        let rules = VictronCurrentRules(enabled: true, shuntsAsBatteryCurrent: asBattery, mpptCount: count)
        return current.evaluate(view(), inventory: inventory, rules: rules, bankVoltage: 50)
    }

    @Test(arguments: [
        // (NR_OF_MPPTS, expected amps): -1 every charger, N the first N by name, 0 none.
        (-1, -9.0), (2, -9.0), (1, -12.0), (0, -20.0),
    ])
    func theFirstNChargersCount(count: Int, expected: Double) {
        var current = VictronCurrent()
        #expect(evaluate(&current, count: count).decision == .use(amps: expected, watts: 50 * expected))
    }

    @Test func fewerChargersThanConfiguredKeepTheBmsCurrentAsAFailedRead() {
        var current = VictronCurrent()
        let outcome = evaluate(&current, count: 3)
        #expect(outcome.decision == .keepBmsCurrent(
            reason: "NR_OF_MPPTS = 3 but 2 solar chargers found (\(mpptA), \(mpptB))", isFault: true))
        let none = evaluate(&current, count: 1, mppts: [])
        #expect(none.decision == .keepBmsCurrent(reason: "NR_OF_MPPTS = 1 but 0 solar chargers found", isFault: true))
    }

    @Test func chargersBeyondTheCountAreLeftOutAndSaidOnce() {
        var current = VictronCurrent()
        let first = evaluate(&current, count: 1)
        #expect(first.notices == ["NR_OF_MPPTS = 1 but 2 solar chargers found: using the first 1 by name, \(mpptB) left out"])
        #expect(evaluate(&current, count: 1).notices.isEmpty)
        // Back to the expected count, then a surplus again: said again.
        #expect(evaluate(&current, count: 1, mppts: [mpptA]).notices.isEmpty)
        #expect(evaluate(&current, count: 1).notices.count == 1)
    }

    @Test func zeroChargersSaysTheirCurrentIsNotCounted() {
        var current = VictronCurrent()
        let outcome = evaluate(&current, count: 0)
        #expect(outcome.decision == .use(amps: -20, watts: -1000))
        #expect(outcome.notices == ["NR_OF_MPPTS = 0: the current of the solar chargers is not counted (\(mpptA), \(mpptB) left out)"])
        #expect(evaluate(&current, count: -1).notices.isEmpty)
    }

    @Test func shuntsAsBatteryCurrentDoNotNeedTheChargers() {
        var current = VictronCurrent()
        let shunt = "com.victronenergy.battery.ttyS5"
        var data = view()
        data.set(shunt, "/Dc/0/Current", .double(4))
        let inventory = Inventory(
            smartShunts: .init(batteryMonitors: [SmartShunt(service: shunt, mode: .batteryMonitor)]),
            multi: multi, mppts: [mpptA])
        let rules = VictronCurrentRules(enabled: true, shuntsAsBatteryCurrent: true, mpptCount: 3)
        #expect(current.evaluate(data, inventory: inventory, rules: rules, bankVoltage: nil).decision
                == .use(amps: 4, watts: nil))
    }

    @Test func theRulesTakeTheCountFromTheConfig() throws {
        let unset = try CoreTestSupport.settings("CURRENT_FROM_VICTRON = True\n")
        #expect(VictronCurrentRules(settings: unset).mpptCount == MpptSelection.everyCharger)
        let two = try CoreTestSupport.settings("CURRENT_FROM_VICTRON = True\nNR_OF_MPPTS = 2\n")
        #expect(VictronCurrentRules(settings: two).mpptCount == 2)
    }

    @Test func chargersAreTakenInBusNameOrder() throws {
        var data = view()
        data.set("com.victronenergy.solarcharger.ttyS0", "/Dc/0/Current", .double(100))
        let settings = try CoreTestSupport.settings("CURRENT_FROM_VICTRON = True\nNR_OF_MPPTS = 1\n")
        let inventory = Inventory.classify(data, settings: settings)
        var current = VictronCurrent()
        let outcome = current.evaluate(data, inventory: inventory, rules: VictronCurrentRules(settings: settings),
                                       bankVoltage: nil)
        #expect(outcome.decision == .use(amps: 80, watts: nil))
    }
}
