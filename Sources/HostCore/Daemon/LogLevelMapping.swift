import Logging
import PluginKit

extension PluginKit.LogLevel {
    /// LOGGING's level as swift-log names it.
    public var swiftLogLevel: Logger.Level {
        switch self {
        case .error: return .error
        case .warning: return .warning
        case .info: return .info
        case .debug: return .debug
        }
    }
}
