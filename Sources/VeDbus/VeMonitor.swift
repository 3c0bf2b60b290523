import CSystem

/// Watches Venus OS services whose names start with given prefixes and keeps a cache of their
/// values, as velib's DbusMonitor does: one GetItems per new service, then signals only.
///
/// Values are kept unwrapped; Victron's invalid (an empty array) stays as it came, so readers
/// can tell "invalid" from "never published" (nil).
public final class VeMonitor {
    /// A path interned by the monitor: the same number in every service, so a reader that
    /// resolves its paths once reads each value by array index instead of hashing a string.
    public struct PathID: Hashable, Sendable {
        public let index: Int
        /// The table that issued it: an ID is meaningless in another monitor.
        let table: ObjectIdentifier
    }

    /// What the monitor knows of one service.
    public struct ServiceState {
        public var name: String
        /// The owner's unique name: signals are matched by it, never by the well-known name.
        public var uniqueName: String
        /// Values by `PathID.index`: arrays, not a dictionary keyed by path, because every
        /// battery's values are read every tick.
        public internal(set) var columns = ValueColumns()
        /// Monotonic seconds of the last GetItems reply or signal from this service.
        public var lastUpdate: Double
        /// True once its initial values arrived.
        public var isReady = false
        /// Changes with every changed value: a reader that saw this generation has seen them all.
        public internal(set) var generation: UInt64 = 0
        let paths: PathTable

        init(name: String, uniqueName: String, lastUpdate: Double, paths: PathTable) {
            self.name = name
            self.uniqueName = uniqueName
            self.lastUpdate = lastUpdate
            self.paths = paths
        }

        /// Every value by path (built on demand: for status views and tests, not for ticks).
        public var values: [String: DBusValue] {
            var result: [String: DBusValue] = [:]
            for index in 0..<columns.count {
                if let value = columns[index] { result[paths.names[index]] = value }
            }
            return result
        }

        public subscript(id: PathID) -> DBusValue? {
            precondition(id.table == ObjectIdentifier(paths), "a PathID of another monitor")
            return columns[id.index]
        }

        /// The number at `id` (any numeric type, as `DBusValue.number` reads it), nil otherwise.
        public func number(_ id: PathID) -> Double? {
            precondition(id.table == ObjectIdentifier(paths), "a PathID of another monitor")
            return columns.number(at: id.index)
        }

        /// Stores `value`; returns whether it differs from what was there.
        mutating func store(_ value: DBusValue, at index: Int) -> Bool {
            guard columns.store(value, at: index) else { return false }
            noteChange()
            return true
        }

        /// Stores a number (most values) without a `DBusValue` around it; returns whether it changed.
        mutating func store(number: Double, at index: Int) -> Bool {
            guard columns.store(number: number, at: index) else { return false }
            noteChange()
            return true
        }

        private mutating func noteChange() {
            paths.changes &+= 1
            generation = paths.changes
        }
    }

    /// Problems with what other services sent; for rate-limited logging by the owner.
    public enum Problem {
        case scanFailed(service: String, DBusError)
        case malformedSignal(service: String, member: String, detail: String)
        /// A value on a kept path took more than `maximumItemBytes` on the wire: stored as
        /// invalid, never decoded.
        case valueTooLarge(service: String, path: String, bytes: Int)
        /// Every path is kept and the table is full: `service` brought paths that were skipped.
        case tooManyPaths(service: String)
    }

    public let connection: BusConnection
    public let prefixes: [String]
    /// Names never treated as watched services (our own, for example).
    public var excludedNames: Set<String>
    public var onServiceAppeared: ((String) -> Void)?
    public var onServiceRemoved: ((String) -> Void)?
    /// Service name and the paths whose values changed (`path(_:)` names them): IDs, so that a
    /// signal does not cost a String per changed path. Only `reportedPaths`, when set.
    public var onValuesChanged: ((String, [PathID]) -> Void)?
    /// The paths `onValuesChanged` reports; nil (the default): every path. A reader that cares
    /// about a few paths (the daemon: those that name a service) sets them, so that the values
    /// that change every second (cells, currents) are stored without being listed and reported.
    public var reportedPaths: [PathID]? {
        didSet {
            isReportedIndex = reportedPaths.map { ids in
                var flags = [Bool](repeating: false, count: (ids.map { $0.index }.max() ?? -1) + 1)
                for id in ids {
                    precondition(id.table == ObjectIdentifier(pathTable), "a PathID of another monitor")
                    flags[id.index] = true
                }
                return flags
            }
        }
    }
    /// `reportedPaths` by index.
    private var isReportedIndex: [Bool]?
    public var onProblem: ((Problem) -> Void)?
    public var callTimeout: Double = 5
    /// When true (the daemon), only the paths readers asked for (`pathID`, `value`) are kept:
    /// values on other paths are skipped unread, so a service sending junk paths costs no
    /// memory, and nothing it brought stays after it leaves. A path first asked for after the
    /// services were read is fetched from each of them once (GetValue). When false (tools that
    /// show every value), every path is kept, up to `maximumPathCount`.
    public var keepsOnlyRequestedPaths = false
    /// The most bytes one item (its value and text) may take on the wire, and a GetValue reply
    /// or a PropertiesChanged body: Venus values are numbers and short texts. A larger one is
    /// stored as invalid and reported, without being decoded into memory.
    public var maximumItemBytes = 4096
    /// The most distinct paths kept when every path is kept.
    public static let maximumPathCount = 50_000

    /// Every watched service's state. Services are added and removed only through
    /// `insertService`, `removeService` and `removeAllServices`, which forget `lastSender`;
    /// a state changes in place through `services.values[position]`, which keeps every
    /// position valid (a MutableCollection's element writes do not move its indices).
    public private(set) var services: [String: ServiceState] = [:]
    private let pathTable = PathTable()
    private var nameByUniqueName: [String: String] = [:] {
        didSet { lastSender = nil }
    }
    /// The last signal sender matched, as bytes, with its service's name and position in
    /// `services`: a battery's PropertiesChanged come in runs (one per changed path), so most
    /// find their service here without making a String of the sender or hashing its name
    /// (callgrind at 32x24: the hash was about 400 instructions a signal). Cleared whenever the
    /// owners change or a service is added or removed.
    private var lastSender: (uniqueName: [UInt8], name: String, position: Dictionary<String, ServiceState>.Index)?
    /// Bumped on every (re)scan so that a late reply for an older owner is dropped.
    private var scanGeneration: [String: Int] = [:]
    private var signalToken: Int?
    private var hasListedNames = false
    private var scanning: Set<String> = []
    /// The reported paths one signal changed; kept so that its buffer is reused.
    private var changedPaths: [PathID] = []

    /// True once the services on the bus at start have each been read or have failed: a
    /// one-shot reader (`status`) waits for this instead of guessing a delay.
    public var isSettled: Bool { hasListedNames && scanning.isEmpty }
    private let clock: () -> Double

    public init(connection: BusConnection, prefixes: [String], excluding excludedNames: Set<String> = [],
                clock: @escaping () -> Double = MonotonicClock.now) {
        self.connection = connection
        self.prefixes = prefixes
        self.excludedNames = excludedNames
        self.clock = clock
    }

    /// Subscribes to the signals and scans the services already on the bus.
    public func start() {
        connection.addMatch("type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0namespace='com.victronenergy'")
        connection.addMatch("type='signal',interface='com.victronenergy.BusItem',member='PropertiesChanged'")
        connection.addMatch("type='signal',path='/',interface='com.victronenergy.BusItem',member='ItemsChanged'")
        if signalToken == nil {
            signalToken = connection.addSignalHandler { message in self.handleSignal(message) }
            connection.rawSignalReader = { raw in self.takePropertiesChanged(raw) }
        }
        rescanAll()
    }

    /// Stops listening and drops the callbacks, which usually hold the monitor's owner: without
    /// weak references (Embedded Swift has none) this ends those cycles. The cache stays readable.
    public func stop() {
        if let signalToken { connection.removeSignalHandler(signalToken) }
        signalToken = nil
        connection.rawSignalReader = nil
        onServiceAppeared = nil
        onServiceRemoved = nil
        onValuesChanged = nil
        onProblem = nil
    }

    /// Forgets everything and scans the bus again (after a reconnect, or to recover).
    public func rescanAll() {
        let previous = services.keys.sorted()
        removeAllServices()
        nameByUniqueName.removeAll()
        for name in previous { onServiceRemoved?(name) }
        connection.call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                        interface: "org.freedesktop.DBus", member: "ListNames", timeout: callTimeout) { result in
            defer { self.hasListedNames = true }
            switch result {
            case .success(let arguments):
                guard case .array("s", let names)? = arguments.first else { return }
                for case .string(let name) in names where self.isWatched(name) { self.scan(name) }
            case .failure(let error):
                self.scanFailed("org.freedesktop.DBus", error)
            }
        }
    }

    public func isWatched(_ name: String) -> Bool {
        !name.hasPrefix(":") && !excludedNames.contains(name) && prefixes.contains { name.hasPrefix($0) }
    }

    // MARK: Reading the cache

    /// The cached value. With `keepsOnlyRequestedPaths`, asking for a path requests it: nil
    /// this time, fetched from the services on the bus.
    public func value(_ service: String, _ path: String) -> DBusValue? {
        if let index = pathTable.index(of: path) { return services[service]?.columns[index] }
        if keepsOnlyRequestedPaths { _ = pathID(path) }
        return nil
    }

    /// The `PathID` of `path`, interned on first use; valid for the life of this monitor. With
    /// `keepsOnlyRequestedPaths`, a path new after the services were read is fetched from them.
    public func pathID(_ path: String) -> PathID {
        if let index = pathTable.index(of: path) { return id(index) }
        let index = pathTable.intern(path)
        if keepsOnlyRequestedPaths { fetchFromReadyServices(path) }
        return id(index)
    }

    /// The index where a value received on `path` is kept; nil when it is not kept (not
    /// requested, or the table of every path is full).
    @inline(__always)
    private func keptIndex(bytes path: UnsafeRawBufferPointer, lookup: inout PathLookup) -> Int? {
        if let index = lookup.index(of: path) { return index }
        guard !keepsOnlyRequestedPaths, pathTable.names.count < Self.maximumPathCount else { return nil }
        return pathTable.intern(bytes: path, lookup: &lookup)
    }

    private func keptIndex(_ path: String) -> Int? {
        var path = path
        return path.withUTF8 { keptIndex(bytes: UnsafeRawBufferPointer($0), lookup: &pathTable.lookup) }
    }

    /// A path first requested now: each service already read is asked for its value once.
    private func fetchFromReadyServices(_ path: String) {
        for (name, state) in services where state.isReady {
            connection.callForReply(destination: name, path: path, interface: VeService.busItemInterface,
                            member: "GetValue", timeout: callTimeout, completion: { result in
                guard case .success(let reply) = result, self.services[name]?.uniqueName == state.uniqueName,
                      let value = self.boundedValue(reply, service: name, path: path) else { return }
                if self.store(value, at: path, in: name) { self.reportChange(name, self.pathID(path)) }
            })
        }
    }

    /// The unwrapped first argument of a GetValue reply; invalid when it is larger than
    /// `maximumItemBytes` (reported, not decoded); nil when it does not read.
    private func boundedValue(_ reply: Message, service: String, path: String) -> DBusValue? {
        guard reply.bodyLength <= maximumItemBytes else {
            onProblem?(.valueTooLarge(service: service, path: path, bytes: reply.bodyLength))
            return .invalid
        }
        return (try? reply.arguments())?.first?.unwrapped
    }

    /// The path a `PathID` of this monitor stands for.
    public func path(_ id: PathID) -> String {
        precondition(id.table == ObjectIdentifier(pathTable), "a PathID of another monitor")
        return pathTable.names[id.index]
    }

    private func id(_ index: Int) -> PathID {
        PathID(index: index, table: ObjectIdentifier(pathTable))
    }

    public func lastUpdate(_ service: String) -> Double? {
        services[service]?.lastUpdate
    }

    /// Names of the ready services with a prefix, sorted (as the Python program sorts them).
    public func readyServices(withPrefix prefix: String) -> [String] {
        services.values.filter { $0.isReady && $0.name.hasPrefix(prefix) }.map { $0.name }.sorted()
    }

    // MARK: Calls to other services

    /// GetValue on any service; the result comes on the loop thread, never blocking it.
    public func getValue(_ service: String, _ path: String,
                         completion: @escaping (Result<DBusValue, DBusError>) -> Void) {
        connection.call(destination: service, path: path, interface: VeService.busItemInterface,
                        member: "GetValue", timeout: callTimeout) { result in
            completion(result.flatMap { arguments in
                guard let first = arguments.first else {
                    return .failure(DBusError(name: DBusError.invalidArgs, message: "empty GetValue reply"))
                }
                return .success(first.unwrapped)
            })
        }
    }

    /// SetValue on any service; success carries the service's return code (0 = accepted).
    public func setValue(_ service: String, _ path: String, _ value: DBusValue,
                         completion: @escaping (Result<Int32, DBusError>) -> Void) {
        connection.call(destination: service, path: path, interface: VeService.busItemInterface,
                        member: "SetValue", arguments: [value.asVariant], timeout: callTimeout) { result in
            completion(result.flatMap { arguments in
                guard let code = arguments.first?.integer else {
                    return .failure(DBusError(name: DBusError.invalidArgs, message: "SetValue reply is not a number"))
                }
                return .success(Int32(truncatingIfNeeded: code))
            })
        }
    }

    /// Asks a watched service for one value: a sign of life from a driver that sends nothing
    /// while its values stay the same (dbus-serialbattery at rest sends nothing for minutes).
    /// Any answer refreshes the service's last-update time; a value that differs from the cache
    /// is stored too (a signal was lost). A driver that lost its BMS but still answers says so
    /// in its values, not by silence. Completes with true when the service answered in time.
    public func probe(_ service: String, path: String, timeout: Double? = nil, completion: @escaping (Bool) -> Void) {
        _ = pathID(path)
        connection.callForReply(destination: service, path: path, interface: VeService.busItemInterface,
                        member: "GetValue", timeout: timeout ?? callTimeout, completion: { result in
            guard case .success(let reply) = result, self.services[service] != nil,
                  let value = self.boundedValue(reply, service: service, path: path) else {
                completion(false)
                return
            }
            if self.store(value, at: path, in: service) { self.reportChange(service, self.pathID(path)) }
            self.touch(service)
            completion(true)
        })
    }

    // MARK: Discovery

    private func scan(_ name: String) {
        let generation = (scanGeneration[name] ?? 0) + 1
        scanGeneration[name] = generation
        scanning.insert(name)
        connection.call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                        interface: "org.freedesktop.DBus", member: "GetNameOwner",
                        arguments: [.string(name)], timeout: callTimeout) { result in
            guard self.scanGeneration[name] == generation else { return }
            switch result {
            case .success(let arguments):
                guard let owner = arguments.first?.string else {
                    self.scanning.remove(name)
                    return
                }
                self.insertService(ServiceState(name: name, uniqueName: owner, lastUpdate: self.clock(),
                                                paths: self.pathTable))
                self.nameByUniqueName[owner] = name
                self.loadItems(name, generation: generation)
            case .failure(let error):
                self.scanning.remove(name)
                self.scanFailed(name, error)
            }
        }
    }

    private func loadItems(_ name: String, generation: Int) {
        connection.callForReply(destination: name, path: "/", interface: VeService.busItemInterface,
                        member: "GetItems", timeout: callTimeout, completion: { result in
            guard self.scanGeneration[name] == generation, self.services[name] != nil else { return }
            switch result {
            case .success(let reply):
                // Read item by item, as ItemsChanged is: only kept paths, sizes checked first.
                var values: [(Int, DBusValue)] = []
                var failure: DBusCodingError?
                if reply.hasSignature(ItemsDecoding.signature) {
                    do throws(DBusCodingError) {
                        try self.forEachKeptItem(in: reply, from: name) { index, value in values.append((index, value)) }
                    } catch {
                        failure = error
                    }
                }
                guard reply.hasSignature(ItemsDecoding.signature), failure == nil else {
                    let detail = failure?.description ?? "reply is not a{sa{sv}} but \(reply.signature)"
                    self.onProblem?(.malformedSignal(service: name, member: "GetItems", detail: detail))
                    self.loadItemsLegacy(name, generation: generation)
                    return
                }
                self.finishScan(name, values: values)
            case .failure(let error) where error.name == DBusError.unknownMethod || error.name == DBusError.unknownObject:
                self.loadItemsLegacy(name, generation: generation)
            case .failure(let error):
                self.scanning.remove(name)
                self.scanFailed(name, error)
            }
        })
    }

    /// Old services without GetItems: GetValue on "/" gives every value, keyed without the slash.
    private func loadItemsLegacy(_ name: String, generation: Int) {
        connection.callForReply(destination: name, path: "/", interface: VeService.busItemInterface,
                        member: "GetValue", timeout: callTimeout, completion: { result in
            guard self.scanGeneration[name] == generation, self.services[name] != nil else { return }
            switch result {
            case .success(let reply):
                // Decoded as a whole: bounded first (old services have a few dozen values).
                guard reply.bodyLength <= Self.maximumLegacyTreeBytes,
                      let entries = (try? reply.arguments())?.first?.unwrapped.stringKeyedEntries else {
                    self.scanning.remove(name)
                    self.onProblem?(.malformedSignal(service: name, member: "GetValue", detail: "root value is not a{sv}"))
                    return
                }
                self.finishScan(name, values: entries.compactMap { entry in
                    self.keptIndex("/" + entry.0).map { ($0, entry.1) }
                })
            case .failure(let error):
                self.scanning.remove(name)
                self.scanFailed(name, error)
            }
        })
    }

    /// The largest root value of an old service read whole.
    static let maximumLegacyTreeBytes = Message.maximumDecodedBodyBytes

    /// A call for `service` failed. One that failed because our own connection ended says
    /// nothing about the service, so it is not reported.
    private func scanFailed(_ service: String, _ error: DBusError) {
        guard error.name != DBusError.disconnected else { return }
        onProblem?(.scanFailed(service: service, error))
    }

    /// `values` by path index (kept paths only).
    private func finishScan(_ name: String, values: [(Int, DBusValue)]) {
        scanning.remove(name)
        guard let position = services.index(forKey: name) else { return }
        // Signals may have arrived since the scan began; they are newer than nothing, but the
        // reply is newer than them, so the reply wins and keeps paths it does not mention.
        for (index, value) in values { _ = services.values[position].store(value, at: index) }
        services.values[position].isReady = true
        services.values[position].lastUpdate = clock()
        onServiceAppeared?(name)
    }

    private func drop(_ name: String) {
        scanGeneration[name] = (scanGeneration[name] ?? 0) + 1
        scanning.remove(name)
        guard let state = removeService(name) else { return }
        if nameByUniqueName[state.uniqueName] == name { nameByUniqueName[state.uniqueName] = nil }
        if state.isReady { onServiceRemoved?(name) }
    }

    // MARK: Signals

    /// The interfaces of the signals read here, as compile-time bytes (`VeService.busItemInterface`).
    private static let busItem: StaticString = "com.victronenergy.BusItem"
    private static let busDaemon: StaticString = "org.freedesktop.DBus"

    private func handleSignal(_ message: Message) {
        if message.isSignal(Self.busItem, "ItemsChanged") {
            guard let sender = message.sender, let name = nameByUniqueName[sender] else { return }
            if message.hasSignature(ItemsDecoding.signature) {
                itemsChanged(message, from: name)
                return
            }
            // Another signature: decoded whole, when small enough to be a real one.
            guard message.bodyLength <= Self.maximumLegacyTreeBytes, let entries = Self.items((try? message.arguments())?.first),
                  let position = services.index(forKey: name) else {
                onProblem?(.malformedSignal(service: name, member: "ItemsChanged", detail: "signature \(message.signature)"))
                return
            }
            // One look-up of the service, one of each path, then array stores in place.
            changedPaths.removeAll(keepingCapacity: true)
            for entry in entries {
                guard case .string(let path) = entry.key, let value = Self.itemValue(entry.value),
                      let index = keptIndex(path) else { continue }
                if services.values[position].store(value, at: index), isReported(index) { changedPaths.append(id(index)) }
            }
            services.values[position].lastUpdate = clock()
            if !changedPaths.isEmpty { onValuesChanged?(name, changedPaths) }
        } else if message.isSignal(Self.busItem, "PropertiesChanged") {
            propertiesChanged(message)
        } else if message.isSignal(Self.busDaemon, "NameOwnerChanged") {
            guard let arguments = try? message.arguments(), arguments.count == 3,
                  let name = arguments[0].string, let newOwner = arguments[2].string, isWatched(name) else { return }
            drop(name)
            if !newOwner.isEmpty { scan(name) }
        }
    }

    /// PropertiesChanged: one path's new value. dbus-serialbattery sends one per changed path
    /// (some 700 a second at 32 batteries of 24 cells). Nearly all are taken earlier, in the
    /// read buffer (`takePropertiesChanged`); this reads the rest: other layouts and types,
    /// bodies too large, messages that arrived during a blocking call.
    private func propertiesChanged(_ message: Message) {
        guard let target = message.withSenderAndPathBytes({ propertyTarget(sender: $0, path: $1) }) ?? nil,
              let index = noteUpdate(of: target) else { return }
        // A body too large for a value is not decoded: the reading is invalid.
        guard !message.bodyWasSkipped, message.bodyLength <= maximumItemBytes else {
            onProblem?(.valueTooLarge(service: target.name, path: pathTable.names[index], bytes: message.bodyLength))
            if services.values[target.position].store(.invalid, at: index) { reportChange(target.name, id(index)) }
            return
        }
        let value: ItemsDecoding.PropertyValue
        do throws(DBusCodingError) {
            guard message.hasSignature(ItemsDecoding.propertiesSignature) else {
                throw DBusCodingError("signature \(message.signature)")
            }
            value = try ItemsDecoding.propertyValue(in: message)
        } catch {
            onProblem?(.malformedSignal(service: target.name, member: "PropertiesChanged", detail: error.description))
            return
        }
        let changed: Bool
        switch value {
        case .none: return
        case .number(let number): changed = services.values[target.position].store(number: number, at: index)
        case .other(let other): changed = services.values[target.position].store(other, at: index)
        }
        if changed { reportChange(target.name, id(index)) }
    }

    /// The connection's raw reader: a PropertiesChanged whose header reads and whose body is the
    /// usual `{Value: <double>, Text: <string>}` within `maximumItemBytes` is taken where it lies
    /// in the read buffer, with the same checks and the same effect as `propertiesChanged`, but
    /// without copying it out or making a `Message` (callgrind at 32x24: about 1,000 fewer
    /// instructions per signal, two allocations and frees fewer). Anything else is left (false),
    /// before anything was changed, for the usual path.
    private func takePropertiesChanged(_ raw: UnsafeRawBufferPointer) -> Bool {
        // Only signals: the kind byte is read before the header.
        guard raw.count > MessageHeader.fixedLength, raw[1] == 4,
              let header = try? MessageHeader(raw: raw, frame: nil),
              header.isSignal(in: raw, Self.busItem, "PropertiesChanged"),
              header.hasSignature(in: raw, "a{sv}"),
              raw.count - header.bodyStart <= maximumItemBytes,
              let number = ItemsDecoding.plainPropertyNumber(in: raw, bigEndian: header.bigEndian,
                                                             bodyStart: header.bodyStart),
              let sender = header.sender, let path = header.path else { return false }
        guard let target = propertyTarget(sender: UnsafeRawBufferPointer(rebasing: raw[sender]),
                                          path: UnsafeRawBufferPointer(rebasing: raw[path])) else { return true }
        // No callback runs from here: one could use the connection, whose read buffer `raw` lies
        // in. A path not kept (reported when the table is full) or one a reader asked to hear
        // of goes the usual way.
        guard let index = target.index, !isReported(index) else { return false }
        _ = noteUpdate(of: target)
        _ = services.values[target.position].store(number: number, at: index)
        return true
    }

    /// Where a PropertiesChanged goes: its service (found by the sender) and the path's slot
    /// (nil when the path is not kept).
    private struct PropertyTarget {
        let name: String
        let position: Dictionary<String, ServiceState>.Index
        let index: Int?
    }

    /// The target of a PropertiesChanged from `sender` on `path`; nil when no watched service sent it.
    private func propertyTarget(sender: UnsafeRawBufferPointer, path: UnsafeRawBufferPointer) -> PropertyTarget? {
        guard let service = service(ofSender: sender) else { return nil }
        return PropertyTarget(name: service.name, position: service.position,
                              index: keptIndex(bytes: path, lookup: &pathTable.lookup))
    }

    /// The service was heard from; returns the path's slot, nil (and reported when every
    /// path is kept: the table is full) when the value is not kept.
    private func noteUpdate(of target: PropertyTarget) -> Int? {
        services.values[target.position].lastUpdate = clock()
        guard let index = target.index else {
            if !keepsOnlyRequestedPaths { onProblem?(.tooManyPaths(service: target.name)) }
            return nil
        }
        return index
    }

    /// The service whose owner is `sender` (a unique name's bytes), nil when none is watched.
    private func service(ofSender sender: UnsafeRawBufferPointer) -> (name: String, position: Dictionary<String, ServiceState>.Index)? {
        guard sender.count > 0 else { return nil }
        if let last = lastSender, last.uniqueName.count == sender.count,
           last.uniqueName.withUnsafeBytes({ memcmp($0.baseAddress!, sender.baseAddress!, sender.count) == 0 }) {
            assert(services.keys[last.position] == last.name, "a service was added or removed without forgetting lastSender")
            return (last.name, last.position)
        }
        guard let name = nameByUniqueName[String(decoding: sender, as: UTF8.self)],
              let position = services.index(forKey: name) else { return nil }
        lastSender = (Array(sender), name, position)
        return (name, position)
    }

    /// Set by `newPathIndex` when a path was skipped because the table of every path is full.
    private var tableWasFull = false

    /// The index of a path not in the table: nil (skipped unread) unless every path is kept
    /// and the table has room.
    @inline(never)
    private func newPathIndex(_ path: UnsafeRawBufferPointer, lookup: inout PathLookup) -> Int? {
        guard !keepsOnlyRequestedPaths else { return nil }
        guard pathTable.names.count < Self.maximumPathCount else {
            tableWasFull = true
            return nil
        }
        return pathTable.intern(bytes: path, lookup: &lookup)
    }

    /// The kept items of an `a{sa{sv}}` message (a GetItems reply): `body` gets each kept path's
    /// index and value; an item too large is invalid and reported.
    private func forEachKeptItem(in message: Message, from name: String,
                                 _ body: (Int, DBusValue) -> Void) throws(DBusCodingError) {
        var tooLarge: [(index: Int, bytes: Int)] = []
        var tableFull = false
        try ItemsDecoding.forEachItem(in: message, maximumItemBytes: maximumItemBytes, slot: { path in
            let index = keptIndex(bytes: path, lookup: &pathTable.lookup)
            if index == nil && !keepsOnlyRequestedPaths { tableFull = true }
            return index
        }, number: { body($0, .double($1)) }, other: body, tooLarge: { index, bytes in
            body(index, .invalid)
            tooLarge.append((index, bytes))
        })
        reportSkipped(tooLarge: tooLarge, tableFull: tableFull, service: name)
    }

    /// Reports what a message brought that was not kept.
    private func reportSkipped(tooLarge: [(index: Int, bytes: Int)], tableFull: Bool, service: String) {
        for item in tooLarge {
            onProblem?(.valueTooLarge(service: service, path: pathTable.names[item.index], bytes: item.bytes))
        }
        if tableFull { onProblem?(.tooManyPaths(service: service)) }
    }

    /// ItemsChanged with the usual signature, decoded straight into the service's slots.
    private func itemsChanged(_ message: Message, from name: String) {
        guard let position = services.index(forKey: name) else { return }
        // The service's state, the path lookup and the list of changes are taken out of this
        // class for the message and put back after it: each item is then a probe and a store
        // in locals, without a look-up, a uniqueness or an exclusivity check per item.
        var state = ServiceState(name: "", uniqueName: "", lastUpdate: 0, paths: pathTable)
        swap(&state, &services.values[position])
        var lookup = PathLookup()
        swap(&lookup, &pathTable.lookup)
        var changed: [PathID] = []
        swap(&changed, &changedPaths)
        changed.removeAll(keepingCapacity: true)
        let table = ObjectIdentifier(pathTable)
        let reported = isReportedIndex
        var changeCount = 0
        /// Counts a change and lists it when it is reported.
        func noteChange(_ index: Int) {
            changeCount += 1
            if Self.isReported(index, in: reported) { changed.append(PathID(index: index, table: table)) }
        }
        var failure: DBusCodingError?
        var tooLarge: [(index: Int, bytes: Int)] = []
        tableWasFull = false
        do {
            // A known path is a probe of the table, inlined here (measured: as a call, this
            // closure was 9 % of the daemon's instructions at 32 x 24); a new one is out of line.
            try ItemsDecoding.forEachItem(in: message, maximumItemBytes: maximumItemBytes, slot: { path in
                if let index = lookup.index(of: path) { return index }
                return newPathIndex(path, lookup: &lookup)
            }, number: { index, number in
                if state.columns.store(number: number, at: index) { noteChange(index) }
            }, other: { index, value in
                if state.columns.store(value, at: index) { noteChange(index) }
            }, tooLarge: { index, bytes in
                if state.columns.store(.invalid, at: index) { noteChange(index) }
                tooLarge.append((index, bytes))
            })
            state.lastUpdate = clock()
        } catch {
            failure = error
        }
        if changeCount > 0 {
            pathTable.changes &+= UInt64(changeCount)
            state.generation = pathTable.changes
        }
        swap(&lookup, &pathTable.lookup)
        swap(&state, &services.values[position])
        defer { swap(&changed, &changedPaths) }
        if !tooLarge.isEmpty || tableWasFull { reportSkipped(tooLarge: tooLarge, tableFull: tableWasFull, service: name) }
        if let failure {
            let detail = message.bodyWasSkipped ? "a message too large to read" : failure.description
            onProblem?(.malformedSignal(service: name, member: "ItemsChanged", detail: detail))
            return
        }
        if !changed.isEmpty { onValuesChanged?(name, changed) }
    }

    private func isReported(_ index: Int) -> Bool { Self.isReported(index, in: isReportedIndex) }

    /// Whether `flags` (`isReportedIndex`, nil: every path) report the path at `index`.
    @inline(__always)
    private static func isReported(_ index: Int, in flags: [Bool]?) -> Bool {
        guard let flags else { return true }
        return index < flags.count && flags[index]
    }

    /// One changed path, from a probe or a PropertiesChanged: to `onValuesChanged` if reported.
    private func reportChange(_ service: String, _ id: PathID) {
        if isReported(id.index) { onValuesChanged?(service, [id]) }
    }

    private func store(_ value: DBusValue, at path: String, in name: String) -> Bool {
        store(value, atIndex: pathID(path).index, in: name)
    }

    private func store(_ value: DBusValue, atIndex index: Int, in name: String) -> Bool {
        guard let position = services.index(forKey: name) else { return false }
        return services.values[position].store(value, at: index)
    }

    /// The entries of an `a{sa{sv}}` (GetItems, ItemsChanged), without copying them into pairs.
    private static func items(_ argument: DBusValue?) -> [DBusValue.DictEntry]? {
        guard case .dictionary("s", _, let entries)? = argument?.unwrapped else { return nil }
        return entries
    }

    /// The unwrapped "Value" of one item's `a{sv}`; nil when it has none.
    private static func itemValue(_ item: DBusValue) -> DBusValue? {
        guard case .dictionary("s", _, let fields) = item.unwrapped else { return nil }
        for field in fields {
            if case .string("Value") = field.key { return field.value.unwrapped }
        }
        return nil
    }

    private func touch(_ name: String) {
        guard let position = services.index(forKey: name) else { return }
        services.values[position].lastUpdate = clock()
    }

    // MARK: Adding and removing services (see `services`)

    private func insertService(_ state: ServiceState) {
        lastSender = nil
        services[state.name] = state
    }

    private func removeService(_ name: String) -> ServiceState? {
        lastSender = nil
        return services.removeValue(forKey: name)
    }

    private func removeAllServices() {
        lastSender = nil
        services.removeAll()
    }
}
