import CSystem
import PluginAPI
import PluginKit

/// Opens plugin libraries and checks their descriptors before anything else touches them.
///
/// Libraries are never closed: a Swift library registers its type metadata with the runtime when
/// loaded and cannot be unloaded safely, and the host keeps its strategies until exit anyway.
public enum PluginLoader {
    /// Most strategies a library may declare (a guard against a garbage count).
    static let maximumStrategyCount: UInt32 = 64

    /// The file for `nameOrPath`: a path (anything with a "/") as given, else "lib<Name>.so" in
    /// the first directory of `searchPath` that has it.
    public static func locate(_ nameOrPath: String, searchPath: [String]) -> Result<String, PluginLoadError> {
        // A byte test, not String.contains(String): that one lives in _StringProcessing, whose
        // pages the daemon would otherwise map for this single call.
        if nameOrPath.utf8.contains(UInt8(ascii: "/")) {
            guard access(nameOrPath, F_OK) == 0 else {
                return .failure(PluginLoadError(path: nameOrPath, "no such file"))
            }
            return .success(nameOrPath)
        }
        let fileName = "lib\(nameOrPath).so"
        for directory in searchPath {
            let candidate = directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
            if access(candidate, F_OK) == 0 { return .success(candidate) }
        }
        return .failure(PluginLoadError(
            path: nameOrPath, "no \(fileName) in \(searchPath.isEmpty ? "(no directories)" : searchPath.joined(separator: ", "))"))
    }

    /// Finds and loads a library by name or path.
    public static func load(_ nameOrPath: String, searchPath: [String]) -> Result<LoadedPluginLibrary, PluginLoadError> {
        locate(nameOrPath, searchPath: searchPath).flatMap { load(path: $0) }
    }

    /// Every "lib*.so" in `searchPath`, loaded; a file name found in an earlier directory hides
    /// later ones. Libraries that fail come back as errors next to the good ones.
    /// With `protectedFolder`, a folder or library that fails `PluginFolderCheck` is not opened.
    public static func loadAll(searchPath: [String],
                               protectedFolder: Bool = false) -> (libraries: [LoadedPluginLibrary], errors: [PluginLoadError]) {
        var libraries: [LoadedPluginLibrary] = []
        var errors: [PluginLoadError] = []
        var seen: Set<String> = []
        for directory in searchPath {
            let names = sharedLibraryNames(in: directory)
            if protectedFolder, !names.isEmpty, let problem = PluginFolderCheck.problem(with: directory, expectDirectory: true) {
                errors.append(PluginLoadError(path: directory, problem))
                continue
            }
            for fileName in names where seen.insert(fileName).inserted {
                let path = directory + "/" + fileName
                if protectedFolder, let problem = PluginFolderCheck.problem(with: path, expectDirectory: false) {
                    errors.append(PluginLoadError(path: path, problem))
                    continue
                }
                switch load(path: path) {
                case .success(let library): libraries.append(library)
                case .failure(let error): errors.append(error)
                }
            }
        }
        return (libraries, errors)
    }

    /// Opens `path`, calls its entry with this host's ABI major and checks everything the host
    /// will read. Never crashes on a bad file; every problem found is in the error.
    public static func load(path: String) -> Result<LoadedPluginLibrary, PluginLoadError> {
        _ = dlerror()
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            return .failure(PluginLoadError(path: path, "cannot be loaded as a shared library: \(reason)"))
        }
        guard let symbol = dlsym(handle, DAB_ENTRY_SYMBOL) else {
            return .failure(PluginLoadError(
                path: path, "has no entry symbol \(DAB_ENTRY_SYMBOL): not a dbus-aggregate-batteries plugin"))
        }
        let entry = unsafeBitCast(symbol, to: dab_entry_fn.self)
        var refusal: UnsafePointer<CChar>?
        guard let library = entry(DAB_ABI_MAJOR, &refusal) else {
            let reason = refusal.map { String(cString: $0) } ?? "no reason given"
            return .failure(PluginLoadError(
                path: path, "refused this host's plugin ABI major \(DAB_ABI_MAJOR): \(reason)"))
        }
        return LibraryDescriptorCheck(path: path, library: library).result()
    }

    private static func sharedLibraryNames(in directory: String) -> [String] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { CText.string(from: $0) }
            if name.hasPrefix("lib"), name.hasSuffix(".so") { names.append(name) }
        }
        return names.sorted()
    }
}

/// The checks of a library descriptor and its strategies: sizes, versions, kinds, functions.
struct LibraryDescriptorCheck {
    let path: String
    let library: UnsafePointer<dab_library>

    /// Bytes of dab_library the host reads: up to and including `strategies`.
    static let librarySizeRead = dab_library_size_read()
    /// Bytes of dab_strategy the host reads: up to and including `destroy`.
    static let strategySizeRead = dab_strategy_size_read()

    func result() -> Result<LoadedPluginLibrary, PluginLoadError> {
        let (descriptor, declaredSize) = DeclaredStruct.read(UnsafeRawPointer(library), empty: dab_library())
        guard declaredSize >= Self.librarySizeRead else {
            return .failure(PluginLoadError(
                path: path, "library descriptor declares \(declaredSize) bytes, the host reads \(Self.librarySizeRead)"))
        }
        guard descriptor.abi_major == DAB_ABI_MAJOR else {
            return .failure(PluginLoadError(
                path: path, "built for plugin ABI \(descriptor.abi_major).\(descriptor.abi_minor), this host speaks \(DAB_ABI_MAJOR).\(DAB_ABI_MINOR)"))
        }
        var problems: [String] = []
        let libraryName = CText.optionalString(descriptor.library_name) ?? ""
        if libraryName.isEmpty { problems.append("library has no name") }
        if descriptor.strategy_count == 0 || descriptor.strategies == nil {
            problems.append("library declares no strategies")
        } else if descriptor.strategy_count > PluginLoader.maximumStrategyCount {
            problems.append("library declares \(descriptor.strategy_count) strategies, at most \(PluginLoader.maximumStrategyCount) are accepted")
        }
        var strategies: [LoadedStrategy] = []
        if problems.isEmpty, let list = descriptor.strategies {
            var names: Set<String> = []
            for index in 0..<Int(descriptor.strategy_count) {
                switch checkStrategy(list[index], index: index) {
                case .success(let strategy):
                    if names.insert(strategy.name).inserted {
                        strategies.append(strategy)
                    } else {
                        problems.append("strategy name \"\(strategy.name)\" appears twice")
                    }
                case .failure(let error): problems.append(contentsOf: error.reasons)
                }
            }
        }
        guard problems.isEmpty else { return .failure(PluginLoadError(path: path, reasons: problems)) }
        return .success(LoadedPluginLibrary(
            path: path, name: libraryName, abiMajor: descriptor.abi_major, abiMinor: descriptor.abi_minor,
            strategies: strategies))
    }

    private func checkStrategy(_ pointer: UnsafePointer<dab_strategy>?, index: Int) -> Result<LoadedStrategy, PluginLoadError> {
        guard let pointer else { return .failure(PluginLoadError(path: path, "strategy \(index) is NULL")) }
        let (strategy, declaredSize) = DeclaredStruct.read(UnsafeRawPointer(pointer), empty: dab_strategy())
        guard declaredSize >= Self.strategySizeRead else {
            return .failure(PluginLoadError(
                path: path, "strategy \(index) descriptor declares \(declaredSize) bytes, the host reads \(Self.strategySizeRead)"))
        }
        let name = CText.optionalString(strategy.name) ?? ""
        let label = name.isEmpty ? "strategy \(index)" : "strategy \"\(name)\""
        var problems: [String] = []
        if name.isEmpty { problems.append("\(label) has no name") }
        let kind = StrategyKind(rawValue: strategy.kind)
        if kind == nil { problems.append("\(label) has unknown kind \(strategy.kind) (1 charge, 2 SoC)") }
        if strategy.create == nil { problems.append("\(label) has no create function") }
        if strategy.destroy == nil { problems.append("\(label) has no destroy function") }
        if kind == .charge, strategy.tick_charge == nil { problems.append("\(label) is a charge strategy without tick_charge") }
        if kind == .soc, strategy.tick_soc == nil { problems.append("\(label) is a SoC strategy without tick_soc") }
        var keys: [ConfigKeySpec] = []
        if strategy.config_key_count > 0 {
            if let list = strategy.config_keys, strategy.config_key_count <= 1024 {
                for keyIndex in 0..<Int(strategy.config_key_count) {
                    let key = list[keyIndex]
                    guard let keyName = CText.optionalString(key.name), !keyName.isEmpty else {
                        problems.append("\(label) config key \(keyIndex) has no name")
                        continue
                    }
                    keys.append(ConfigKeySpec(keyName, default: CText.optionalString(key.default_value) ?? "",
                                              CText.optionalString(key.description) ?? ""))
                }
            } else {
                problems.append("\(label) declares \(strategy.config_key_count) config keys but no usable list")
            }
        }
        guard problems.isEmpty, let kind else { return .failure(PluginLoadError(path: path, reasons: problems)) }
        return .success(LoadedStrategy(
            name: name, version: CText.optionalString(strategy.version) ?? "",
            summary: CText.optionalString(strategy.description) ?? "", kind: kind, configKeys: keys,
            libraryPath: path, descriptor: strategy))
    }
}

/// The library files `run` loads: only those of the chosen strategies, never the whole folder,
/// so that a stray or half-copied library cannot stop the daemon or run code nobody selected.
extension PluginLoader {
    /// Our libraries that hold a strategy of another name.
    static let libraryOfStrategy: [String: String] = ["BMSAverage": "BMSCombine"]

    /// The library that holds strategy `name`: lib<name>.so, except for the strategies of our own
    /// libraries listed in `libraryOfStrategy`. (A third-party library with several strategies
    /// ships a symbolic link lib<Other>.so for each further one.)
    public static func libraryName(forStrategy name: String) -> String {
        libraryOfStrategy[name] ?? name
    }

    /// Loads the libraries of `strategyNames` from `searchPath`, each once. With
    /// `protectedFolder`, a library and the folder it is found in must pass `PluginFolderCheck`.
    public static func loadSelected(strategyNames: [String], searchPath: [String],
                                    protectedFolder: Bool) -> (libraries: [LoadedPluginLibrary], errors: [PluginLoadError]) {
        var libraries: [LoadedPluginLibrary] = []
        var errors: [PluginLoadError] = []
        var loadedPaths: [String] = []
        for name in strategyNames {
            let path: String
            switch locate(libraryName(forStrategy: name), searchPath: searchPath) {
            case .success(let found): path = found
            case .failure(let error):
                errors.append(error)
                continue
            }
            guard !loadedPaths.contains(path) else { continue }
            loadedPaths.append(path)
            if protectedFolder {
                let folder = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
                let problems = [PluginFolderCheck.problem(with: folder.isEmpty ? "/" : folder, expectDirectory: true),
                                PluginFolderCheck.problem(with: path, expectDirectory: false)].compactMap { $0 }
                guard problems.isEmpty else {
                    errors.append(PluginLoadError(path: path, reasons: problems))
                    continue
                }
            }
            switch load(path: path) {
            case .success(let library): libraries.append(library)
            case .failure(let error): errors.append(error)
            }
        }
        return (libraries, errors)
    }
}
