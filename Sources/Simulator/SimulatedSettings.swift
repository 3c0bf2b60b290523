import VeDbus

/// A localsettings look-alike (`com.victronenergy.settings`): settings are BusItem leaves,
/// groups answer `com.victronenergy.Settings` (AddSetting, AddSettings, RemoveSettings), and
/// every change is signalled with PropertiesChanged only, never ItemsChanged.
public final class SimulatedSettings {
    public static let serviceName = "com.victronenergy.settings"
    public static let settingsInterface = "com.victronenergy.Settings"

    public private(set) var store = SettingsStore()
    public private(set) var service: VeService?
    /// Called after a setting's value changed, from the bus or from `setValue`.
    public var onChange: ((String, DBusValue) -> Void)?

    private let address: BusAddress
    private let loop: EventLoop

    /// Pre-populated with the settings the aggregator and DVCC read.
    public init(address: BusAddress, loop: EventLoop) {
        self.address = address
        self.loop = loop
        for (path, kind, value, low, high) in Self.initialSettings {
            _ = try? store.add(path: path, kind: kind, defaultValue: value, min: low, max: high, silent: false)
        }
    }

    static let initialSettings: [(String, Setting.Kind, DBusValue, DBusValue, DBusValue)] = [
        ("/Settings/CGwacs/OvervoltageFeedIn", .integer, .int32(1), .int32(0), .int32(1)),
        ("/Settings/CGwacs/Hub4Mode", .integer, .int32(1), .int32(0), .int32(3)),
        ("/Settings/CGwacs/BatteryLife/State", .integer, .int32(1), .int32(0), .int32(12)),
        ("/Settings/CGwacs/BatteryLife/MinimumSocLimit", .float, .double(10), .double(0), .double(100)),
        ("/Settings/SystemSetup/MaxChargeVoltage", .float, .double(0), .double(0), .double(80)),
        ("/Settings/SystemSetup/MaxChargeCurrent", .integer, .int32(-1), .int32(-1), .int32(10000)),
        ("/Settings/SystemSetup/BatteryService", .string, .string("default"), .string(""), .string("")),
        ("/Settings/SystemSetup/BmsInstance", .integer, .int32(-1), .int32(-255), .int32(1000)),
        ("/Settings/Services/Bol", .integer, .int32(1), .int32(0), .int32(7)),
    ]

    public var isOnBus: Bool { service?.isRegistered == true }

    public func value(_ path: String) -> DBusValue? { store[path]?.value }

    /// Connects and requests the name, with every setting already a path.
    public func connect() throws(DBusError) {
        guard service == nil else { return }
        let connection = try BusConnection(address)
        loop.attach(connection)
        let service = VeService(connection: connection, serviceName: Self.serviceName)
        for (path, setting) in store.settings.sorted(by: { $0.key < $1.key }) { service.add(path, setting.value) }
        service.customMethodHandler = { [unowned self] message in self.handle(message) }
        self.service = service
        do {
            try service.register()
        } catch {
            self.service = nil
            loop.detach(connection)
            connection.close()
            throw error
        }
    }

    /// Writes a setting as SetValue does (cast, range check, PropertiesChanged); returns its code.
    @discardableResult
    public func setValue(_ path: String, _ value: DBusValue) -> Int32 {
        let (code, changed) = store.write(value, to: path)
        if changed { announce(path) }
        return code
    }

    // MARK: Method calls

    private func handle(_ message: Message) -> Bool {
        guard let path = message.path, let member = message.member else { return false }
        let interface = message.interface
        let busItem = interface == nil || interface == VeService.busItemInterface
        let settingsInterface = interface == nil || interface == Self.settingsInterface
        let arguments = (try? message.arguments()) ?? []

        if let setting = store[path] {
            switch member {
            case "SetValue" where busItem:
                guard arguments.count == 1 else { return invalidArgs(message, "SetValue takes one variant") }
                return reply(message, [.int32(setValue(path, arguments[0]))])
            case "GetMin" where busItem || settingsInterface:
                return reply(message, [.variant(setting.min)])
            case "GetMax" where busItem || settingsInterface:
                return reply(message, [.variant(setting.max)])
            case "GetDefault" where busItem || settingsInterface:
                return reply(message, [.variant(setting.defaultValue)])
            case "SetDefault" where busItem || settingsInterface:
                return reply(message, [.int32(setValue(path, setting.defaultValue))])
            case "GetAttributes" where settingsInterface:
                return reply(message, [.variant(setting.defaultValue), .variant(setting.min), .variant(setting.max),
                                       .int32(setting.silent ? 1 : 0)])
            case "GetSilent" where settingsInterface:
                return reply(message, [.bool(setting.silent)])
            default:
                return false  // GetValue, GetText, Introspect: the BusItem service answers.
            }
        }
        guard store.isGroup(path) else { return false }
        switch member {
        case "AddSetting" where settingsInterface, "AddSilentSetting" where settingsInterface:
            return addSetting(message, group: path, arguments: arguments, silent: member == "AddSilentSetting")
        case "AddSettings" where settingsInterface:
            return addSettings(message, group: path, arguments: arguments)
        case "RemoveSettings" where settingsInterface:
            guard case .array("s", let paths)? = arguments.first else {
                return invalidArgs(message, "RemoveSettings takes as")
            }
            let codes = paths.map { entry -> DBusValue in
                let full = SettingsStore.join(path, entry.string ?? "")
                let code = store.remove(full)
                if code == 0 { forget(full) }
                return .int32(code)
            }
            return reply(message, [.array(elementSignature: "i", codes)])
        case "GetItems" where path == "/" && busItem:
            return reply(message, [itemsWithAttributes()])
        default:
            return false
        }
    }

    /// AddSetting(s group, s name, v default, s type, v min, v max) → i.
    private func addSetting(_ message: Message, group: String, arguments: [DBusValue], silent: Bool) -> Bool {
        guard arguments.count == 6, let subgroup = arguments[0].string, let name = arguments[1].string,
              let type = arguments[3].string else {
            return invalidArgs(message, "AddSetting takes (s group, s name, v default, s type, v min, v max)")
        }
        let full = SettingsStore.join(group, subgroup, name)
        return reply(message, [.int32(add(path: full, kind: Setting.Kind(rawValue: type), defaultValue: arguments[2],
                                          min: arguments[4], max: arguments[5], silent: silent))])
    }

    /// AddSettings(aa{sv}) → aa{sv}: one reply entry per request entry, with `path`, `error`
    /// and on success `value`.
    private func addSettings(_ message: Message, group: String, arguments: [DBusValue]) -> Bool {
        guard case .array(_, let requests)? = arguments.first else { return invalidArgs(message, "AddSettings takes aa{sv}") }
        var replies: [DBusValue] = []
        for request in requests {
            let fields = Dictionary((request.stringKeyedEntries ?? []).map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
            let relative = fields["path"]?.string ?? ""
            let full = SettingsStore.join(group, relative)
            var code = SettingsStore.AddError.badPath.rawValue
            if fields["path"]?.string != nil, let defaultValue = fields["default"] {
                code = add(path: full, kind: Setting.Kind(impliedBy: defaultValue), defaultValue: defaultValue,
                           min: fields["min"], max: fields["max"], silent: (fields["silent"]?.number ?? 0) != 0)
            }
            var entry: [(String, DBusValue)] = [("path", .string(relative)), ("error", .int32(code))]
            if code == 0, let value = store[full]?.value { entry.append(("value", value)) }
            replies.append(.stringVariantDictionary(entry))
        }
        return reply(message, [.array(elementSignature: "a{sv}", replies)])
    }

    private func add(path: String, kind: Setting.Kind?, defaultValue: DBusValue, min: DBusValue?, max: DBusValue?,
                     silent: Bool) -> Int32 {
        // min = max = 0 and strings take no limits; an absent limit is the same.
        do {
            let isNew = try store.add(path: path, kind: kind, defaultValue: defaultValue, min: min, max: max,
                                      silent: silent)
            if isNew, let setting = store[path] { service?.add(path, setting.value) }
            return 0
        } catch {
            return error.rawValue
        }
    }

    /// A removed setting stays a leaf (VeService cannot drop paths) but reads invalid, and its
    /// removal is signalled as localsettings does: Value invalid, Text "".
    private func forget(_ path: String) {
        service?.set(path, .invalid)
        sendPropertiesChanged(path, [("Value", .invalid), ("Text", .string(""))])
        onChange?(path, .invalid)
    }

    private func announce(_ path: String) {
        guard let setting = store[path] else { return }
        service?.set(path, setting.value)
        sendPropertiesChanged(path, attributes(of: setting))
        onChange?(path, setting.value)
    }

    private func attributes(of setting: Setting) -> [(String, DBusValue)] {
        [("Value", setting.value), ("Text", .string(setting.text)), ("Min", setting.min), ("Max", setting.max),
         ("Default", setting.defaultValue)]
    }

    /// GetItems with localsettings' extra Min, Max and Default per setting.
    private func itemsWithAttributes() -> DBusValue {
        let entries = store.settings.sorted { $0.key < $1.key }.map { path, setting in
            DBusValue.DictEntry(.string(path), .stringVariantDictionary(attributes(of: setting)))
        }
        return .dictionary(keySignature: "s", valueSignature: "a{sv}", entries)
    }

    private func sendPropertiesChanged(_ path: String, _ fields: [(String, DBusValue)]) {
        guard let service, service.isRegistered,
              let signal = try? Message.signal(path: path, interface: VeService.busItemInterface,
                                               member: "PropertiesChanged",
                                               arguments: [.stringVariantDictionary(fields)]) else { return }
        service.connection.send(signal)
    }

    private func reply(_ message: Message, _ arguments: [DBusValue]) -> Bool {
        guard let service else { return false }
        if let answer = try? message.makeReply(arguments) { service.connection.send(answer) }
        return true
    }

    private func invalidArgs(_ message: Message, _ text: String) -> Bool {
        guard let service else { return false }
        if let error = message.makeErrorReply(DBusError(name: DBusError.invalidArgs, message: text)) {
            service.connection.send(error)
        }
        return true
    }
}
