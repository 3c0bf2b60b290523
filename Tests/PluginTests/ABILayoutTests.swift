import Foundation
import PluginAPI
import PluginKit
import Testing

/// The C structs as Swift sees them must be the structs the C compiler lays out, and keep the
/// header's promises (struct_size first, 128-byte texts, constants).
@Suite struct ABILayoutTests {
    /// Offsets and sizes as Swift imports them, keyed like the C program's output.
    static let swiftLayout: [String: Int] = {
        var layout: [String: Int] = [:]
        func field<T>(_ type: String, _ name: String, _ path: PartialKeyPath<T>) {
            layout["\(type).\(name)"] = MemoryLayout<T>.offset(of: path)!
        }
        func size<T>(_ type: String, _ of: T.Type) { layout["sizeof(\(type))"] = MemoryLayout<T>.size }
        size("dab_date", dab_date.self)
        size("dab_config_key", dab_config_key.self)
        size("dab_host_services", dab_host_services.self)
        size("dab_battery_input", dab_battery_input.self)
        size("dab_bank_input", dab_bank_input.self)
        size("dab_charge_output", dab_charge_output.self)
        size("dab_soc_output", dab_soc_output.self)
        size("dab_tick_input", dab_tick_input.self)
        size("dab_error_buffer", dab_error_buffer.self)
        size("dab_strategy", dab_strategy.self)
        size("dab_library", dab_library.self)
        field("dab_date", "month", \dab_date.month)
        field("dab_date", "day", \dab_date.day)
        field("dab_config_key", "default_value", \dab_config_key.default_value)
        field("dab_config_key", "description", \dab_config_key.description)
        field("dab_host_services", "host_context", \dab_host_services.host_context)
        field("dab_host_services", "log", \dab_host_services.log)
        field("dab_host_services", "config_get", \dab_host_services.config_get)
        field("dab_host_services", "state_read", \dab_host_services.state_read)
        field("dab_host_services", "state_write", \dab_host_services.state_write)
        field("dab_host_services", "state_corrupt", \dab_host_services.state_corrupt)
        field("dab_host_services", "local_date", \dab_host_services.local_date)
        field("dab_host_services", "config_error", \dab_host_services.config_error)
        field("dab_battery_input", "name", \dab_battery_input.name)
        field("dab_battery_input", "voltage_v", \dab_battery_input.voltage_v)
        field("dab_battery_input", "time_to_go_s", \dab_battery_input.time_to_go_s)
        field("dab_battery_input", "charge_mode", \dab_battery_input.charge_mode)
        field("dab_battery_input", "max_cell_id", \dab_battery_input.max_cell_id)
        field("dab_battery_input", "nr_blocking_charge", \dab_battery_input.nr_blocking_charge)
        field("dab_battery_input", "nr_blocking_discharge", \dab_battery_input.nr_blocking_discharge)
        field("dab_battery_input", "cell_count", \dab_battery_input.cell_count)
        field("dab_battery_input", "cell_voltages_v", \dab_battery_input.cell_voltages_v)
        field("dab_bank_input", "voltage_v", \dab_bank_input.voltage_v)
        field("dab_bank_input", "min_cell_voltage_v", \dab_bank_input.min_cell_voltage_v)
        field("dab_bank_input", "max_cell_id", \dab_bank_input.max_cell_id)
        field("dab_bank_input", "nr_blocking_charge", \dab_bank_input.nr_blocking_charge)
        field("dab_bank_input", "system_low_soc", \dab_bank_input.system_low_soc)
        field("dab_charge_output", "charge_voltage_limit_v", \dab_charge_output.charge_voltage_limit_v)
        field("dab_charge_output", "request_feed_in_off", \dab_charge_output.request_feed_in_off)
        field("dab_charge_output", "hint_bank_full", \dab_charge_output.hint_bank_full)
        field("dab_charge_output", "hint_bank_empty", \dab_charge_output.hint_bank_empty)
        field("dab_charge_output", "limit_reason", \dab_charge_output.limit_reason)
        field("dab_charge_output", "strategy_state", \dab_charge_output.strategy_state)
        field("dab_soc_output", "soc_percent", \dab_soc_output.soc_percent)
        field("dab_soc_output", "time_to_go_s", \dab_soc_output.time_to_go_s)
        field("dab_soc_output", "strategy_state", \dab_soc_output.strategy_state)
        field("dab_tick_input", "time_step_s", \dab_tick_input.time_step_s)
        field("dab_tick_input", "date", \dab_tick_input.date)
        field("dab_tick_input", "batteries_expected", \dab_tick_input.batteries_expected)
        field("dab_tick_input", "batteries_online", \dab_tick_input.batteries_online)
        field("dab_tick_input", "bank", \dab_tick_input.bank)
        field("dab_tick_input", "batteries", \dab_tick_input.batteries)
        field("dab_tick_input", "charge", \dab_tick_input.charge)
        field("dab_error_buffer", "capacity", \dab_error_buffer.capacity)
        field("dab_strategy", "kind", \dab_strategy.kind)
        field("dab_strategy", "name", \dab_strategy.name)
        field("dab_strategy", "config_key_count", \dab_strategy.config_key_count)
        field("dab_strategy", "config_keys", \dab_strategy.config_keys)
        field("dab_strategy", "create", \dab_strategy.create)
        field("dab_strategy", "tick_charge", \dab_strategy.tick_charge)
        field("dab_strategy", "tick_soc", \dab_strategy.tick_soc)
        field("dab_strategy", "destroy", \dab_strategy.destroy)
        field("dab_library", "abi_major", \dab_library.abi_major)
        field("dab_library", "abi_minor", \dab_library.abi_minor)
        field("dab_library", "library_name", \dab_library.library_name)
        field("dab_library", "strategy_count", \dab_library.strategy_count)
        field("dab_library", "strategies", \dab_library.strategies)
        return layout
    }()

    /// Compiles a C program that prints every offset and size above, and compares.
    @Test func swiftLayoutMatchesTheCCompiler() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        var program = "#include <stdio.h>\n#include <dab_plugin.h>\nint main(void) {\n"
        for key in Self.swiftLayout.keys.sorted() {
            if key.hasPrefix("sizeof(") {
                program += "    printf(\"%s %zu\\n\", \"\(key)\", \(key));\n"
            } else {
                let parts = key.split(separator: ".")
                program += "    printf(\"%s %zu\\n\", \"\(key)\", offsetof(\(parts[0]), \(parts[1])));\n"
            }
        }
        program += "    return 0;\n}\n"
        let source = directory + "/layout.c"
        try program.write(toFile: source, atomically: true, encoding: .utf8)
        let output = try run(["cc", "-std=c11", "-I", LoaderFixtures.repositoryRoot + "/Sources/PluginAPI/include",
                              "-o", directory + "/layout", source])
        #expect(output.isEmpty)
        var cLayout: [String: Int] = [:]
        for line in try run([directory + "/layout"]).split(separator: "\n") {
            let parts = line.split(separator: " ")
            cLayout[String(parts[0])] = Int(parts[1])
        }
        #expect(cLayout == Self.swiftLayout)
    }

    @Test func headerPromises() {
        #expect(MemoryLayout<dab_tick_input>.offset(of: \dab_tick_input.struct_size) == 0)
        #expect(MemoryLayout<dab_bank_input>.offset(of: \dab_bank_input.struct_size) == 0)
        #expect(MemoryLayout<dab_battery_input>.offset(of: \dab_battery_input.struct_size) == 0)
        #expect(MemoryLayout<dab_charge_output>.offset(of: \dab_charge_output.struct_size) == 0)
        #expect(MemoryLayout<dab_soc_output>.offset(of: \dab_soc_output.struct_size) == 0)
        #expect(MemoryLayout<dab_host_services>.offset(of: \dab_host_services.struct_size) == 0)
        #expect(MemoryLayout<dab_strategy>.offset(of: \dab_strategy.struct_size) == 0)
        #expect(MemoryLayout<dab_library>.offset(of: \dab_library.struct_size) == 0)
        #expect(MemoryLayout.size(ofValue: dab_tick_input().struct_size) == 4)
        #expect(MemoryLayout.size(ofValue: dab_charge_output().limit_reason) == 128)
        #expect(MemoryLayout.size(ofValue: dab_charge_output().strategy_state) == 128)
        #expect(MemoryLayout.size(ofValue: dab_soc_output().strategy_state) == 128)
        #expect(DAB_ABI_MAJOR == 1)
        #expect(DAB_UNKNOWN_INT == -1)
        #expect(DAB_ENTRY_SYMBOL == "dab_plugin_entry")
    }

    /// The Swift enums mirror the C constants, so raw values can cross the boundary as they are.
    @Test func swiftEnumsMatchCConstants() {
        #expect(StrategyKind.charge.rawValue == Int32(DAB_KIND_CHARGE.rawValue))
        #expect(StrategyKind.soc.rawValue == Int32(DAB_KIND_SOC.rawValue))
        #expect(StrategyError.Kind.input.rawValue == Int32(DAB_ERR_INPUT))
        #expect(StrategyError.Kind.config.rawValue == Int32(DAB_ERR_CONFIG))
        #expect(StrategyError.Kind.internal.rawValue == Int32(DAB_ERR_INTERNAL))
        #expect(LogLevel.error.rawValue == Int32(DAB_LOG_ERROR.rawValue))
        #expect(LogLevel.warning.rawValue == Int32(DAB_LOG_WARNING.rawValue))
        #expect(LogLevel.info.rawValue == Int32(DAB_LOG_INFO.rawValue))
        #expect(LogLevel.debug.rawValue == Int32(DAB_LOG_DEBUG.rawValue))
    }

    /// Runs a command, returns its standard output; throws with standard error when it fails.
    private func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw FixtureError("\(arguments[0]) failed: " + String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
        return text
    }
}
