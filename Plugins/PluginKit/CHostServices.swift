import PluginAPI

/// `StrategyHost` over the C host services table a plugin gets in create(). A service the host
/// does not offer (NULL, or beyond its struct_size) behaves as "nothing there": no log line, no
/// config value, nothing stored.
public final class CHostServices: StrategyHost {
    private let services: dab_host_services

    /// `pointer` must stay valid until the strategy is destroyed (the header promises that).
    public init(_ pointer: UnsafePointer<dab_host_services>) {
        services = readSizePrefixed(pointer, over: dab_host_services())
    }

    public func log(_ level: LogLevel, _ message: String) {
        guard let log = services.log else { return }
        message.withCString { log(services.host_context, level.rawValue, $0) }
    }

    public func configValue(_ key: String) -> String? {
        guard let configGet = services.config_get else { return nil }
        return key.withCString { CText.optionalString(configGet(services.host_context, $0)) }
    }

    public func readState(_ key: String) -> StoredValue {
        guard let stateRead = services.state_read else { return .absent }
        // Values are at most 255 bytes when written through this ABI; grow for older files.
        var capacity = 256
        while capacity <= 65_536 {
            var buffer = [CChar](repeating: 0, count: capacity)
            let result = key.withCString { cKey in
                buffer.withUnsafeMutableBufferPointer {
                    stateRead(services.host_context, cKey, $0.baseAddress, UInt32($0.count))
                }
            }
            switch result {
            case -1: return .absent
            case -3: capacity *= 4
            case 0...: return .text(buffer.withUnsafeBytes { CText.string(from: $0) })
            default: return .unreadable
            }
        }
        return .unreadable
    }

    @discardableResult
    public func writeState(_ key: String, _ value: String) -> Bool {
        guard let stateWrite = services.state_write else { return false }
        let result = key.withCString { cKey in
            value.withCString { stateWrite(services.host_context, cKey, $0) }
        }
        return result == Int32(DAB_OK)
    }

    public func reportCorruptState(_ key: String, reason: String) {
        guard let stateCorrupt = services.state_corrupt else { return }
        key.withCString { cKey in reason.withCString { stateCorrupt(services.host_context, cKey, $0) } }
    }

    public func reportConfigError(key: String, problem: String) {
        guard let configError = services.config_error else { return }
        key.withCString { cKey in problem.withCString { configError(services.host_context, cKey, $0) } }
    }

    /// The host's date; 0-0-0 when the host offers no clock.
    public func today() -> CalendarDate {
        var date = dab_date()
        services.local_date?(services.host_context, &date)
        return CalendarDate(year: Int(date.year), month: Int(date.month), day: Int(date.day))
    }
}
