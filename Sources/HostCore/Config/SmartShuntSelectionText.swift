/// USE_SMARTSHUNTS as a person wrote it, for the start-up log and check-config. Written out by
/// hand: Embedded Swift cannot print an enum by reflection ("(cannot print value ...)").
extension SmartShuntSelection: CustomStringConvertible {
    public var description: String {
        switch self {
        case .none: return "none"
        case .all: return "all"
        case .listed(let selectors): return "[" + selectors.map { $0.description }.joined(separator: ", ") + "]"
        }
    }
}

extension SmartShuntSelector: CustomStringConvertible {
    public var description: String {
        switch self {
        case .vrmInstance(let instance): return "\(instance)"
        case .name(let name): return "\"\(name)\""
        }
    }
}
