@testable import HostCore
import PluginAPI
import PluginKit
import Testing

@Suite struct PluginKitBridgeTests {
    static let fullTick = TickContext(
        timeStepSeconds: 1.5, date: CalendarDate(year: 2026, month: 2, day: 28), batteriesExpected: 3,
        bank: BankSnapshot(voltage: 53.1, current: -12.5, power: nil, temperature: 21, installedCapacityAh: 560,
                           bmsSocPercent: 71.5, bmsCapacityAh: 400, bmsConsumedAh: -160, bmsTimeToGoSeconds: nil,
                           maxCellVoltage: 3.34, minCellVoltage: 3.30, maxCellId: "B1: C7", minCellId: nil,
                           blockingCharge: 0, blockingDischarge: nil, systemLowSoc: false),
        batteries: [
            BatterySnapshot(name: "B1", service: "com.victronenergy.battery.ttyUSB0", voltage: 53.2, current: -6,
                            socPercent: 70, installedCapacityAh: 280, maxChargeVoltage: 55.2, maxChargeCurrent: 100,
                            maxDischargeCurrent: 150, chargeMode: "Bulk", minCellId: "C3", maxCellId: "C7",
                            blockingCharge: 0, blockingDischarge: 1, cellVoltages: [3.31, nil, 3.34]),
            BatterySnapshot(name: "Zweite Bank ü€", socPercent: 73, cellVoltages: []),
        ],
        charge: ChargeResult(chargeVoltageLimit: 55.2, chargeCurrentLimit: nil, dischargeCurrentLimit: 300,
                             feedInMustBeOff: true, bankFull: .yes, bankEmpty: .no,
                             limitReason: "why", strategyState: "state"))

    /// Host marshalling then plugin bridging gives back the same context (nil <-> NaN / NULL / -1).
    @Test func tickContextRoundTripsThroughC() {
        let buffers = TickInputBuffers()
        let input = buffers.fill(Self.fullTick)
        #expect(TickContext(cInput: input) == Self.fullTick)
        #expect(input.pointee.bank.pointee.power_w.isNaN)
        #expect(input.pointee.bank.pointee.nr_blocking_discharge == -1)
        #expect(input.pointee.bank.pointee.min_cell_id == nil)
        #expect(input.pointee.charge!.pointee.hint_bank_full == 1)

        // Buffers are reused and shrink in content; without a charge result there is none.
        var smaller = Self.fullTick
        smaller.batteries.removeLast()
        smaller.batteriesOnline = smaller.batteries.count
        smaller.charge = nil
        let second = buffers.fill(smaller)
        #expect(TickContext(cInput: second) == smaller)
        #expect(second == input)  // same buffer, no reallocation
        // The SoC strategy's turn: the charge result is added to the same input.
        buffers.setCharge(Self.fullTick.charge)
        var withCharge = smaller
        withCharge.charge = Self.fullTick.charge
        #expect(TickContext(cInput: second) == withCharge)
    }

    /// A strategy that reads only the bank gets everything but the batteries, and a context
    /// that had batteries loses them rather than keeping last tick's.
    @Test func aBankOnlyUpdateLeavesTheBatteriesOut() {
        let buffers = TickInputBuffers()  // owns the input: kept to the end of the test
        let input = buffers.fill(Self.fullTick)
        defer { withExtendedLifetime(buffers) {} }
        var context = TickContext(cInput: input)
        #expect(context.batteries.count == 2)
        context.update(cInput: input, withBatteries: false)
        var expected = Self.fullTick
        expected.batteries = []
        #expect(context == expected)
    }

    /// A writer that knows fewer fields: those beyond its struct_size read as unknown.
    @Test func fieldsBeyondStructSizeAreUnknown() {
        var bank = dab_bank_input.allUnknown
        bank.voltage_v = 52
        bank.current_a = 3
        bank.installed_capacity_ah = 200
        bank.bms_soc_percent = 55          // beyond the declared size below
        bank.system_low_soc = 1            // beyond as well
        bank.struct_size = UInt32(MemoryLayout<dab_bank_input>.offset(of: \dab_bank_input.bms_soc_percent)!)
        let snapshot = withUnsafePointer(to: bank) { BankSnapshot(cBank: $0) }
        #expect(snapshot.voltage == 52)
        #expect(snapshot.installedCapacityAh == 200)
        #expect(snapshot.bmsSocPercent == nil)
        #expect(snapshot.systemLowSoc == nil)

        var output = dab_charge_output.allUnknown
        output.charge_voltage_limit_v = 55
        output.hint_bank_full = 1
        output.struct_size = UInt32(MemoryLayout<dab_charge_output>.offset(of: \dab_charge_output.request_feed_in_off)!)
        let result = withUnsafePointer(to: output) { ChargeResult(cOutput: $0) }
        #expect(result.chargeVoltageLimit == 55)
        #expect(result.bankFull == .notGiven)
    }

    /// An older host's smaller output struct is written no further than its struct_size.
    @Test func writesStopAtTheReadersStructSize() {
        var output = dab_charge_output.allUnknown
        output.struct_size = UInt32(MemoryLayout<dab_charge_output>.offset(of: \dab_charge_output.hint_bank_full)!)
        ChargeResult(chargeVoltageLimit: 54, chargeCurrentLimit: 10, dischargeCurrentLimit: 20,
                     feedInMustBeOff: true, bankFull: .yes, limitReason: "x").write(to: &output)
        #expect(output.charge_voltage_limit_v == 54)
        #expect(output.request_feed_in_off == 1)
        #expect(output.hint_bank_full == -1)          // beyond: untouched
        #expect(CText.string(fromField: output.limit_reason) == "")
        #expect(output.struct_size == UInt32(MemoryLayout<dab_charge_output>.offset(of: \dab_charge_output.hint_bank_full)!))
    }

    @Test(arguments: [
        (BankHint.yes, Int32(1)), (.no, 0), (.notGiven, -1),
    ])
    func hintsBothWays(hint: BankHint, code: Int32) {
        #expect(CValue.hint(hint) == code)
        #expect(CValue.bankHint(code) == hint)
        let output = ChargeResult(bankFull: hint, bankEmpty: hint).cOutput
        #expect(output.hint_bank_full == code && output.hint_bank_empty == code)
        #expect(output.charge_voltage_limit_v.isNaN)
    }

    @Test func socResultBothWays() {
        let result = SocResult(socPercent: 50, capacityAh: 100, consumedAh: -100, timeToGoSeconds: nil,
                               strategyState: "counter 100.000 Ah")
        var output = result.cOutput
        #expect(output.time_to_go_s.isNaN)
        #expect(withUnsafePointer(to: &output) { SocResult(cOutput: $0) } == result)
    }

    /// Texts are cut to 127 bytes at a UTF-8 boundary and always NUL-terminated.
    @Test(arguments: [
        (String(repeating: "a", count: 300), 127),
        (String(repeating: "é", count: 100), 126),            // 2-byte characters
        ("x" + String(repeating: "€", count: 60), 127),       // 1 + 42 x 3 bytes
        (String(repeating: "€", count: 60), 126),
        ("short", 5),
    ])
    func textsAreCutAtCharacterBoundaries(text: String, expectedBytes: Int) {
        var output = dab_charge_output.allUnknown
        CText.copy(text, intoField: &output.limit_reason)
        let read = CText.string(fromField: output.limit_reason)
        #expect(read.utf8.count == expectedBytes)
        #expect(text.hasPrefix(read))
        withUnsafeBytes(of: output.limit_reason) { #expect($0[expectedBytes] == 0) }
    }

    @Test func errorBufferIsNeverOverrun() {
        var storage = [CChar](repeating: 0x7F, count: 8)
        storage.withUnsafeMutableBufferPointer { buffer in
            CText.write("a long message", to: dab_error_buffer(text: buffer.baseAddress, capacity: 4))
        }
        #expect(storage[0..<4] == [97, 32, 108, 0])   // "a l" + NUL
        #expect(storage[4] == 0x7F)
        CText.write("ignored", to: dab_error_buffer(text: nil, capacity: 10))  // no crash
    }
}
