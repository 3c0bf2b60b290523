import CSystem
import PluginAPI
import PluginKit

/// The C `dab_host_services` table over the host's Swift `StrategyHost`, for one strategy
/// instance. Config strings handed out stay valid until this table goes (the header's promise).
final class HostServicesTable {
    let host: StrategyHost
    let strategyName: String
    let table: UnsafeMutablePointer<dab_host_services>
    private var configTexts: [String: UnsafeMutablePointer<CChar>] = [:]

    /// Longest value a strategy may store, bytes (the header's limit).
    static let maximumStateBytes = 255

    init(host: StrategyHost, strategyName: String) {
        self.host = host
        self.strategyName = strategyName
        table = .allocate(capacity: 1)
        table.initialize(to: dab_host_services(
            struct_size: UInt32(MemoryLayout<dab_host_services>.size),
            host_context: nil,
            log: hostServiceLog,
            config_get: hostServiceConfigGet,
            state_read: hostServiceStateRead,
            state_write: hostServiceStateWrite,
            state_corrupt: hostServiceStateCorrupt,
            local_date: hostServiceLocalDate,
            config_error: hostServiceConfigError))
        // Unretained: the instance owning this table outlives every call through it.
        table.pointee.host_context = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        for text in configTexts.values { free(text) }
        table.deallocate()
    }

    func configText(_ key: String) -> UnsafePointer<CChar>? {
        if let cached = configTexts[key] { return UnsafePointer(cached) }
        guard let value = host.configValue(key), let copy = strdup(value) else { return nil }
        configTexts[key] = copy
        return UnsafePointer(copy)
    }

    /// State keys are [a-z0-9_] (they become file names).
    static func isValidStateKey(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> HostServicesTable? {
        context.map { Unmanaged<HostServicesTable>.fromOpaque($0).takeUnretainedValue() }
    }
}

private func hostServiceLog(_ context: UnsafeMutableRawPointer?, _ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let table = HostServicesTable.from(context), let message else { return }
    table.host.log(LogLevel(rawValue: level) ?? .info, String(cString: message))
}

private func hostServiceConfigGet(_ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?) -> UnsafePointer<CChar>? {
    guard let table = HostServicesTable.from(context), let key else { return nil }
    return table.configText(String(cString: key))
}

private func hostServiceStateRead(_ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                  _ buffer: UnsafeMutablePointer<CChar>?, _ capacity: UInt32) -> Int32 {
    guard let table = HostServicesTable.from(context), let key else { return -2 }
    let name = String(cString: key)
    guard HostServicesTable.isValidStateKey(name) else { return -2 }
    switch table.host.readState(name) {
    case .absent: return -1
    case .unreadable: return -2
    case .text(let text):
        let length = text.utf8.count
        guard let buffer, length + 1 <= Int(capacity) else { return -3 }
        CText.copy(text, into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(capacity)))
        return Int32(length)
    }
}

private func hostServiceStateWrite(_ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                   _ value: UnsafePointer<CChar>?) -> Int32 {
    guard let table = HostServicesTable.from(context), let key, let value else { return Int32(DAB_ERR_INPUT) }
    let name = String(cString: key)
    let text = String(cString: value)
    guard HostServicesTable.isValidStateKey(name), text.utf8.count <= HostServicesTable.maximumStateBytes else {
        table.host.log(.error, "\(table.strategyName): refused to store \"\(name)\": keys are [a-z0-9_], values at most 255 bytes")
        return Int32(DAB_ERR_INPUT)
    }
    return table.host.writeState(name, text) ? Int32(DAB_OK) : Int32(DAB_ERR_INTERNAL)
}

private func hostServiceStateCorrupt(_ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                     _ reason: UnsafePointer<CChar>?) {
    guard let table = HostServicesTable.from(context), let key else { return }
    let name = String(cString: key)
    guard HostServicesTable.isValidStateKey(name) else { return }
    table.host.reportCorruptState(name, reason: reason.map { String(cString: $0) } ?? "no reason given")
}

private func hostServiceLocalDate(_ context: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<dab_date>?) {
    guard let table = HostServicesTable.from(context), let out else { return }
    let today = table.host.today()
    out.pointee = dab_date(year: Int32(clamping: today.year), month: Int32(clamping: today.month),
                           day: Int32(clamping: today.day))
}

private func hostServiceConfigError(_ context: UnsafeMutableRawPointer?, _ key: UnsafePointer<CChar>?,
                                    _ problem: UnsafePointer<CChar>?) {
    guard let table = HostServicesTable.from(context), let key else { return }
    table.host.reportConfigError(key: String(cString: key), problem: problem.map { String(cString: $0) } ?? "unusable value")
}
