import PluginAPI
import PluginKit

/// A created strategy: ticks cross the C ABI with output buffers reused from tick to tick; the
/// input is the caller's (`TickInputBuffers`, filled once per tick for both strategies).
/// Not thread-safe: the host calls one instance from one thread (as the header requires).
public final class StrategyInstance {
    public let strategy: LoadedStrategy
    private let services: HostServicesTable
    private var instance: UnsafeMutableRawPointer?
    /// Why create() failed, for an instance that stands in for a strategy that could not start.
    public private(set) var creationFailure: String?
    private let chargeOutput: UnsafeMutablePointer<dab_charge_output>
    private let socOutput: UnsafeMutablePointer<dab_soc_output>
    private let errorText: UnsafeMutablePointer<CChar>
    private static let errorCapacity = 512

    private init(strategy: LoadedStrategy, services: HostServicesTable) {
        self.strategy = strategy
        self.services = services
        chargeOutput = .allocate(capacity: 1)
        chargeOutput.initialize(to: .allUnknown)
        socOutput = .allocate(capacity: 1)
        socOutput.initialize(to: .allUnknown)
        errorText = .allocate(capacity: Self.errorCapacity)
    }

    deinit {
        destroy()
        chargeOutput.deallocate()
        socOutput.deallocate()
        errorText.deallocate()
    }

    static func create(_ strategy: LoadedStrategy, services host: StrategyHost) -> Result<StrategyInstance, StrategyFailure> {
        let made = StrategyInstance(strategy: strategy, services: HostServicesTable(host: host, strategyName: strategy.name))
        guard let create = strategy.descriptor.create else {
            return .failure(StrategyFailure(strategy: strategy.name, code: Int32(DAB_ERR_INTERNAL), message: "no create function"))
        }
        var instance: UnsafeMutableRawPointer?
        let code = create(UnsafePointer(made.services.table), &instance, made.clearedErrorBuffer())
        guard code == Int32(DAB_OK) else {
            return .failure(StrategyFailure(strategy: strategy.name, code: code, message: made.errorMessage()))
        }
        made.instance = instance
        return .success(made)
    }

    /// Stands in for a strategy whose create() failed for a reason other than its config: every
    /// tick fails with that reason, so the guard publishes safe limits while the daemon runs on.
    static func failed(_ strategy: LoadedStrategy, services host: StrategyHost, reason: String) -> StrategyInstance {
        let stand = StrategyInstance(strategy: strategy, services: HostServicesTable(host: host, strategyName: strategy.name))
        stand.creationFailure = reason
        return stand
    }

    /// One tick of a charge strategy, on a context of its own (tests); a charge strategy gets
    /// no charge result. A SoC strategy's instance answers with an internal failure.
    public func tickCharge(_ context: TickContext) -> Result<ChargeResult, StrategyFailure> {
        var context = context
        context.charge = nil
        let buffers = TickInputBuffers()
        return withExtendedLifetime(buffers) { tickCharge(buffers.fill(context)) }
    }

    /// One tick of a SoC strategy on a context of its own; `context.charge` is passed on.
    public func tickSoc(_ context: TickContext) -> Result<SocResult, StrategyFailure> {
        let buffers = TickInputBuffers()
        return withExtendedLifetime(buffers) { tickSoc(buffers.fill(context)) }
    }

    /// One tick of a charge strategy on the tick's C input.
    public func tickCharge(_ input: UnsafePointer<dab_tick_input>) -> Result<ChargeResult, StrategyFailure> {
        guard let instance, let tick = strategy.descriptor.tick_charge else {
            return .failure(notCallable("tick_charge"))
        }
        chargeOutput.pointee = .allUnknown
        let code = tick(instance, input, chargeOutput, clearedErrorBuffer())
        guard code == Int32(DAB_OK) else {
            return .failure(StrategyFailure(strategy: strategy.name, code: code, message: errorMessage()))
        }
        return .success(ChargeResult(cOutput: chargeOutput))
    }

    /// One tick of a SoC strategy on the tick's C input (with the charge result, if any).
    public func tickSoc(_ input: UnsafePointer<dab_tick_input>) -> Result<SocResult, StrategyFailure> {
        guard let instance, let tick = strategy.descriptor.tick_soc else {
            return .failure(notCallable("tick_soc"))
        }
        socOutput.pointee = .allUnknown
        let code = tick(instance, input, socOutput, clearedErrorBuffer())
        guard code == Int32(DAB_OK) else {
            return .failure(StrategyFailure(strategy: strategy.name, code: code, message: errorMessage()))
        }
        return .success(SocResult(cOutput: socOutput))
    }

    /// Lets the strategy save its state and free itself; later ticks fail. Safe to call twice.
    public func destroy() {
        guard let instance else { return }
        self.instance = nil
        strategy.descriptor.destroy?(instance)
    }

    private func notCallable(_ function: String) -> StrategyFailure {
        let why = creationFailure.map { "create() failed: \($0)" }
            ?? (instance == nil ? "the instance was destroyed" : "it has no \(function) (a \(kindName(strategy.kind)) strategy)")
        return StrategyFailure(strategy: strategy.name, code: Int32(DAB_ERR_INTERNAL), message: "cannot call \(function): \(why)")
    }

    private func clearedErrorBuffer() -> dab_error_buffer {
        errorText[0] = 0
        return dab_error_buffer(text: errorText, capacity: UInt32(Self.errorCapacity))
    }

    /// The plugin's message, read no further than the buffer even if it forgot the NUL.
    private func errorMessage() -> String {
        errorText[Self.errorCapacity - 1] = 0
        return CText.string(from: UnsafeRawBufferPointer(start: errorText, count: Self.errorCapacity))
    }
}
