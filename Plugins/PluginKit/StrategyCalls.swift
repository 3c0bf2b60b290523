import PluginAPI

// The C functions behind every Swift strategy: create boxes the logic object (Unmanaged), the
// ticks bridge C <-> Swift, destroy saves and releases. A thrown StrategyError becomes a
// return code plus a message in the error buffer; nothing is allowed to escape as a crash.

/// What a strategy instance pointer handed to the host refers to.
final class StrategyInstanceBox {
    enum Logic {
        case charge(ChargeStrategyLogic)
        case soc(SocStrategyLogic)
    }

    let name: String
    let logic: Logic
    /// Kept alive with the logic: it wraps the host table the logic logs and stores through.
    let host: CHostServices
    /// The last tick's input in Swift form, updated in place by the next (no allocations when
    /// the batteries and their texts stay the same).
    var context: TickContext?

    init(name: String, logic: Logic, host: CHostServices) {
        self.name = name
        self.logic = logic
        self.host = host
    }

    var readsBatteries: Bool {
        switch logic {
        case .charge: true
        case .soc(let logic): logic.readsBatteries
        }
    }
}

extension StrategyDescriptor {
    /// The body of this strategy's C `create`; each Entry wraps it in a `@convention(c)` closure,
    /// because C's create carries no pointer that could say which strategy is meant.
    public func create(_ host: UnsafePointer<dab_host_services>?,
                       _ instance: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ error: dab_error_buffer) -> Int32 {
        guard let host, let instance else {
            CText.write("\(name): create needs host services and an instance pointer", to: error)
            return Int32(DAB_ERR_INTERNAL)
        }
        let services = CHostServices(host)
        let logic: StrategyInstanceBox.Logic
        do throws(StrategyError) {
            switch factory {
            case .charge(let make): logic = .charge(try make(services))
            case .soc(let make): logic = .soc(try make(services))
            }
        } catch let failure {
            CText.write(failure.message, to: error)
            return failure.kind.rawValue
        }
        let box = StrategyInstanceBox(name: name, logic: logic, host: services)
        instance.pointee = Unmanaged.passRetained(box).toOpaque()
        return Int32(DAB_OK)
    }
}

/// C `tick_charge` shared by every Swift charge strategy.
func strategyTickCharge(_ instance: UnsafeMutableRawPointer?, _ input: UnsafePointer<dab_tick_input>?,
                        _ output: UnsafeMutablePointer<dab_charge_output>?, _ error: dab_error_buffer) -> Int32 {
    strategyTick("tick_charge", instance, input, output, error) { box, context, output throws(StrategyError) in
        guard case .charge(let logic) = box.logic else {
            throw StrategyError(.internal, "\(box.name) is not a charge strategy")
        }
        try logic.tick(context).write(to: output)
    }
}

/// C `tick_soc` shared by every Swift SoC strategy.
func strategyTickSoc(_ instance: UnsafeMutableRawPointer?, _ input: UnsafePointer<dab_tick_input>?,
                     _ output: UnsafeMutablePointer<dab_soc_output>?, _ error: dab_error_buffer) -> Int32 {
    strategyTick("tick_soc", instance, input, output, error) { box, context, output throws(StrategyError) in
        guard case .soc(let logic) = box.logic else {
            throw StrategyError(.internal, "\(box.name) is not a SoC strategy")
        }
        try logic.tick(context).write(to: output)
    }
}

/// What both ticks share: the pointer checks and turning a thrown error into code plus message,
/// so each C function says only how its kind of strategy ticks.
private func strategyTick<Output>(
    _ call: String, _ instance: UnsafeMutableRawPointer?, _ input: UnsafePointer<dab_tick_input>?,
    _ output: UnsafeMutablePointer<Output>?, _ error: dab_error_buffer,
    _ tick: (StrategyInstanceBox, TickContext, UnsafeMutablePointer<Output>) throws(StrategyError) -> Void
) -> Int32 {
    guard let instance, let input, let output else {
        CText.write("\(call) needs an instance, an input and an output", to: error)
        return Int32(DAB_ERR_INTERNAL)
    }
    let box = Unmanaged<StrategyInstanceBox>.fromOpaque(instance).takeUnretainedValue()
    var context: TickContext
    if let previous = box.context {
        // Taken out of the box first, so that its arrays are uniquely referenced when updated.
        context = previous
        box.context = nil
    } else {
        context = TickContext()
    }
    context.update(cInput: input, withBatteries: box.readsBatteries)
    defer { box.context = context }
    do throws(StrategyError) {
        try tick(box, context, output)
        return Int32(DAB_OK)
    } catch let failure {
        CText.write(failure.message, to: error)
        return failure.kind.rawValue
    }
}

/// C `destroy`: lets the logic persist its state, then releases the box.
func strategyDestroy(_ instance: UnsafeMutableRawPointer?) {
    guard let instance else { return }
    let box = Unmanaged<StrategyInstanceBox>.fromOpaque(instance).takeRetainedValue()
    switch box.logic {
    case .charge(let logic): logic.shutdown()
    case .soc(let logic): logic.shutdown()
    }
}
