import PluginAPI

/// The type of a strategy's C `create`.
public typealias StrategyCreateFunction = @convention(c) (
    UnsafePointer<dab_host_services>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, dab_error_buffer
) -> Int32

/// A strategy as a library exports it: its description plus its own C create function.
public struct ExportedStrategy {
    public var descriptor: StrategyDescriptor
    public var create: StrategyCreateFunction

    /// `create` must be a closure that only calls `descriptor.create(host, instance, error)` on a
    /// global descriptor (a C function pointer cannot capture it).
    public init(_ descriptor: StrategyDescriptor, create: StrategyCreateFunction) {
        self.descriptor = descriptor
        self.create = create
    }
}

/// A plugin library's C descriptors, built from Swift descriptions. Each Entry target keeps one
/// in a global constant and returns `entry(...)` from its `dab_plugin_entry`.
///
/// `@unchecked Sendable`: all C data is allocated and filled in `init`, never changed or freed
/// afterwards (the host may read it until exit), so concurrent reads are safe.
public final class ExportedLibrary: @unchecked Sendable {
    public let name: String
    private let library: UnsafeMutablePointer<dab_library>
    /// Static-lifetime text for `*refusal` (the header asks for a static message).
    private let refusalMessage: UnsafePointer<CChar>

    public init(name: String, strategies: [ExportedStrategy]) {
        self.name = name
        refusalMessage = CText.permanent(
            "\(name) is built for plugin ABI major \(DAB_ABI_MAJOR) only; rebuild it for this host")
        let strategyPointers = UnsafeMutablePointer<UnsafePointer<dab_strategy>?>.allocate(capacity: max(strategies.count, 1))
        for (index, strategy) in strategies.enumerated() {
            strategyPointers[index] = UnsafePointer(Self.makeCStrategy(strategy))
        }
        library = .allocate(capacity: 1)
        library.initialize(to: dab_library(
            struct_size: UInt32(MemoryLayout<dab_library>.size),
            abi_major: DAB_ABI_MAJOR,
            abi_minor: DAB_ABI_MINOR,
            library_name: CText.permanent(name),
            strategy_count: UInt32(strategies.count),
            strategies: UnsafePointer(strategyPointers)))
    }

    /// What `dab_plugin_entry` returns: the descriptor, or NULL plus a refusal for another ABI major.
    public func entry(hostAbiMajor: UInt32,
                      refusal: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> UnsafePointer<dab_library>? {
        guard hostAbiMajor == DAB_ABI_MAJOR else {
            refusal?.pointee = refusalMessage
            return nil
        }
        return UnsafePointer(library)
    }

    private static func makeCStrategy(_ strategy: ExportedStrategy) -> UnsafeMutablePointer<dab_strategy> {
        let descriptor = strategy.descriptor
        let keys = UnsafeMutablePointer<dab_config_key>.allocate(capacity: max(descriptor.configKeys.count, 1))
        for (index, key) in descriptor.configKeys.enumerated() {
            keys[index] = dab_config_key(
                name: CText.permanent(key.name),
                default_value: CText.permanent(key.defaultValue),
                description: CText.permanent(key.description))
        }
        let isCharge = descriptor.kind == .charge
        let cStrategy = UnsafeMutablePointer<dab_strategy>.allocate(capacity: 1)
        cStrategy.initialize(to: dab_strategy(
            struct_size: UInt32(MemoryLayout<dab_strategy>.size),
            kind: descriptor.kind.rawValue,
            name: CText.permanent(descriptor.name),
            version: CText.permanent(descriptor.version),
            description: CText.permanent(descriptor.summary),
            config_key_count: UInt32(descriptor.configKeys.count),
            config_keys: UnsafePointer(keys),
            create: strategy.create,
            tick_charge: isCharge ? strategyTickCharge : nil,
            tick_soc: isCharge ? nil : strategyTickSoc,
            destroy: strategyDestroy))
        return cStrategy
    }
}
