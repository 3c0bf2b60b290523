import OwnChargeLogic
import PluginAPI
import PluginKit

/// Built on first call (a Swift global initialises once, thread-safely) and immutable afterwards.
private let library = ExportedLibrary(name: "OwnCharge", strategies: [
    ExportedStrategy(OwnChargeDescriptors.ownCharge) { OwnChargeDescriptors.ownCharge.create($0, $1, $2) },
])

@_cdecl("dab_plugin_entry")
public func dabPluginEntry(_ hostAbiMajor: UInt32,
                           _ refusal: UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> UnsafePointer<dab_library>? {
    library.entry(hostAbiMajor: hostAbiMajor, refusal: refusal)
}
