import Testing
@testable import HostCore

@Suite("Degraded policy: faults are states")
struct DegradedPolicyTests {
    @Test func blockedAfterOfflineBlockAfterAndRecoveryIsAutomatic() {
        var policy = DegradedPolicy(offlineBlockAfterSeconds: 60)
        #expect(policy.evaluate(expected: 2, online: 2, now: 0) == .allOnline)
        #expect(policy.evaluate(expected: 2, online: 1, now: 10) == .degraded(notOnlineForSeconds: 0))
        #expect(policy.evaluate(expected: 2, online: 1, now: 69.5) == .degraded(notOnlineForSeconds: 59.5))
        #expect(policy.evaluate(expected: 2, online: 1, now: 70) == .blocked(notOnlineForSeconds: 60))
        #expect(policy.evaluate(expected: 2, online: 2, now: 71) == .allOnline)
        // The outage is forgotten once every battery stayed online for the hold time.
        #expect(policy.evaluate(expected: 2, online: 2, now: 71 + DegradedPolicy.recoveryHoldSeconds) == .allOnline)
        #expect(policy.notAllOnlineSince == nil)
        // A new outage counts from its own start.
        #expect(policy.evaluate(expected: 2, online: 1, now: 120) == .degraded(notOnlineForSeconds: 0))
    }

    /// A pack that drops out again and again, back for a tick each time, is blocked after
    /// OFFLINE_BLOCK_AFTER of outage instead of starting a fresh minute each time.
    @Test func aFlappingPackIsBlockedNotForgiven() {
        var policy = DegradedPolicy(offlineBlockAfterSeconds: 60)
        var now = 0.0
        var last = DegradedPolicy.Status.allOnline
        while now < 80 {
            last = policy.evaluate(expected: 2, online: 1, now: now)
            _ = policy.evaluate(expected: 2, online: 2, now: now + 1)
            now += 5
        }
        #expect(last == .blocked(notOnlineForSeconds: 75))
    }

    @Test func noBatteryOnlineIsItsOwnStateAndKeepsTheOutageClock() {
        var policy = DegradedPolicy(offlineBlockAfterSeconds: 60)
        _ = policy.evaluate(expected: 2, online: 1, now: 0)
        #expect(policy.evaluate(expected: 2, online: 0, now: 5) == .noBatteryOnline)
        #expect(policy.evaluate(expected: 2, online: 1, now: 61) == .blocked(notOnlineForSeconds: 61))
    }

    @Test(arguments: [
        (DegradedPolicy.Status.allOnline, 0, false), (.degraded(notOnlineForSeconds: 1), 1, false),
        (.blocked(notOnlineForSeconds: 60), 2, true), (.noBatteryOnline, 2, true),
    ])
    func alarmAndBlockingPerStatus(status: DegradedPolicy.Status, alarm: Int, blocks: Bool) {
        #expect(status.bmsCableAlarm == alarm)
        #expect(status.blocksCurrent == blocks)
    }
}
