import PluginAPI

// Swift <-> C for strategy outputs. A plugin writes its result this way; the host reads it back
// the other way, and passes a charge result on to the SoC strategy in C form.

extension ChargeResult {
    /// The C form (unknown limits as NaN, hints as -1/0/1, texts cut to fit 127 bytes).
    public var cOutput: dab_charge_output {
        var output = dab_charge_output.allUnknown
        output.charge_voltage_limit_v = CValue.double(chargeVoltageLimit)
        output.charge_current_limit_a = CValue.double(chargeCurrentLimit)
        output.discharge_current_limit_a = CValue.double(dischargeCurrentLimit)
        output.request_feed_in_off = feedInMustBeOff ? 1 : 0
        output.hint_bank_full = CValue.hint(bankFull)
        output.hint_bank_empty = CValue.hint(bankEmpty)
        CText.copy(limitReason, intoField: &output.limit_reason)
        CText.copy(strategyState, intoField: &output.strategy_state)
        return output
    }

    /// Writes into the host's output struct, no further than its struct_size.
    public func write(to output: UnsafeMutablePointer<dab_charge_output>) {
        writeSizePrefixed(cOutput, to: output)
    }

    /// Reads a C charge output; fields beyond its struct_size are unknown.
    public init(cOutput pointer: UnsafePointer<dab_charge_output>) {
        let output = readSizePrefixed(pointer, over: .allUnknown)
        self.init(
            chargeVoltageLimit: CValue.optional(output.charge_voltage_limit_v),
            chargeCurrentLimit: CValue.optional(output.charge_current_limit_a),
            dischargeCurrentLimit: CValue.optional(output.discharge_current_limit_a),
            feedInMustBeOff: output.request_feed_in_off > 0,
            bankFull: CValue.bankHint(output.hint_bank_full),
            bankEmpty: CValue.bankHint(output.hint_bank_empty),
            limitReason: CText.string(fromField: output.limit_reason),
            strategyState: CText.string(fromField: output.strategy_state))
    }
}

extension SocResult {
    public var cOutput: dab_soc_output {
        var output = dab_soc_output.allUnknown
        output.soc_percent = CValue.double(socPercent)
        output.capacity_ah = CValue.double(capacityAh)
        output.consumed_ah = CValue.double(consumedAh)
        output.time_to_go_s = CValue.double(timeToGoSeconds)
        CText.copy(strategyState, intoField: &output.strategy_state)
        return output
    }

    public func write(to output: UnsafeMutablePointer<dab_soc_output>) {
        writeSizePrefixed(cOutput, to: output)
    }

    public init(cOutput pointer: UnsafePointer<dab_soc_output>) {
        let output = readSizePrefixed(pointer, over: .allUnknown)
        self.init(
            socPercent: CValue.optional(output.soc_percent),
            capacityAh: CValue.optional(output.capacity_ah),
            consumedAh: CValue.optional(output.consumed_ah),
            timeToGoSeconds: CValue.optional(output.time_to_go_s),
            strategyState: CText.string(fromField: output.strategy_state))
    }
}
