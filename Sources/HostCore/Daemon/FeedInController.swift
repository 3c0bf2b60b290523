import VeDbus

/// Carries out a charge strategy's "PV feed-in must be off" request on
/// `/Settings/CGwacs/OvervoltageFeedIn`: remembers the user's value, writes 0 while the request
/// holds, writes the user's value back afterwards. It writes only on a change, never every tick.
///
/// The user's value is also kept in the state store while feed-in is forced off, so that a
/// restart in that window still gives the user's setting back.
public final class FeedInController {
    public static let settingsService = "com.victronenergy.settings"
    public static let feedInPath = "/Settings/CGwacs/OvervoltageFeedIn"
    static let stateKey = "feedin_user_value"

    /// What the controller is doing, for tests and the status line.
    public enum Phase: Equatable {
        case userControlled
        case forcingOff(userValue: Int)
        case restoring(userValue: Int)
    }

    public private(set) var phase: Phase = .userControlled
    private var requestInFlight = false
    /// The current bus session's monitor; replaced after a reconnect, the phase stays.
    public var monitor: VeMonitor
    private let stateStore: StateStore
    private let logger: DaemonLogger

    public init(monitor: VeMonitor, stateStore: StateStore, logger: DaemonLogger) {
        self.monitor = monitor
        self.stateStore = stateStore
        self.logger = logger
        // A value left by a previous run means feed-in may still be off by our hand.
        if case .text(let text)? = try? stateStore.read(Self.stateKey), let userValue = Int(text) {
            phase = .restoring(userValue: userValue)
        }
    }

    /// Called every tick with the strategy's request; acts only when something must change.
    public func update(feedInMustBeOff: Bool) {
        guard !requestInFlight, monitor.services[Self.settingsService]?.isReady == true else { return }
        switch (phase, feedInMustBeOff) {
        case (.userControlled, true):
            guard let current = monitor.value(Self.settingsService, Self.feedInPath)?.integer else {
                logger.warning("PV feed-in should be off, but \(Self.feedInPath) is unknown; not changed")
                return
            }
            guard current != 0 else { return }  // already off by the user: nothing to restore later
            try? stateStore.write(Self.stateKey, String(current))
            write(0, then: .forcingOff(userValue: current), message: "PV feed-in off (user value \(current) remembered)")
        case (.forcingOff(let userValue), false), (.restoring(let userValue), false):
            write(userValue, then: .userControlled, message: "PV feed-in restored to \(userValue)")
        case (.restoring(let userValue), true):
            phase = .forcingOff(userValue: userValue)
            if monitor.value(Self.settingsService, Self.feedInPath)?.integer != 0 {
                write(0, then: .forcingOff(userValue: userValue), message: "PV feed-in off (user value \(userValue) kept)")
            }
        case (.forcingOff(let userValue), true):
            // Someone turned it back on while a cell peaks: turn it off again, once.
            if let current = monitor.value(Self.settingsService, Self.feedInPath)?.integer, current != 0 {
                write(0, then: .forcingOff(userValue: userValue), message: "PV feed-in was switched on during a peak; off again")
            }
        case (.userControlled, false):
            break
        }
    }

    private func write(_ value: Int, then next: Phase, message: String) {
        requestInFlight = true
        monitor.setValue(Self.settingsService, Self.feedInPath, .int32(Int32(value))) { result in
            self.requestInFlight = false
            switch result {
            case .success(0):
                self.phase = next
                self.logger.info("\(message)")
                if next == .userControlled { _ = self.stateStore.remove(Self.stateKey) }
            case .success(let code):
                self.logger.warning("settings refused \(Self.feedInPath) = \(value) (code \(code)); will retry")
            case .failure(let error):
                self.logger.warning("cannot write \(Self.feedInPath) = \(value): \(error); will retry")
            }
        }
    }
}
