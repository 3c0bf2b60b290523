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
        #expect(policy.notAllOnlineSince == nil)
        // A new outage counts from its own start.
        #expect(policy.evaluate(expected: 2, online: 1, now: 100) == .degraded(notOnlineForSeconds: 0))
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
