/*
 * broken_strategy.c - a plugin that misbehaves on purpose, for the tests of plugin-check.
 *
 * plugin-check runs a library's strategies over edge cases in a child process and must report
 * each fault below without crashing or hanging itself. Every fault is one a real plugin could
 * have; each is tied to one edge case so a test can tell them apart.
 *
 * Library "Broken", charge strategy "BrokenCharge":
 *   (i)   no battery online: reads input->batteries[0] without checking batteries_online. The
 *         host passes NULL then, so this is a SIGSEGV (read through a volatile pointer, so the
 *         compiler cannot drop the read as undefined or unused).
 *   (v)   time step 0: loops forever (a volatile counter keeps the loop), a hung plugin.
 *   (ii)  any cell voltage NaN (a cell, a pack's or the bank's lowest or highest): CVL NaN.
 *   (iii) 64 or more batteries online: a negative CCL.
 *   (iv)  time step of 3600 s or more: CCL of 1e6 A, above any MAX_CHARGE_CURRENT.
 *   Otherwise it gives plain limits (CVL 55.2 V, CCL 50 A, DCL 100 A) and no hints.
 *
 * SoC strategy "BrokenSoC":
 *   - soc_percent 150 on every tick: out of 0..100.
 *   - writes state key "broken_soc" on every tick: a plugin that would wear out the flash.
 *
 * Build: cc -shared -fPIC -Wall -I Sources/PluginAPI/include -o libBroken.so \
 *            Tests/Fixtures/plugins/broken_strategy.c
 */
#include <dab_plugin.h>

#include <stdio.h>

static void write_error(dab_error_buffer error, const char *message) {
    if (error.text != NULL && error.capacity > 0) {
        snprintf(error.text, error.capacity, "%s", message);
    }
}

static int32_t broken_create(const dab_host_services *host, void **instance, dab_error_buffer error) {
    if (host == NULL || instance == NULL) {
        write_error(error, "Broken: create needs host services");
        return DAB_ERR_INTERNAL;
    }
    *instance = (void *)host; /* the instance is just the host services */
    return DAB_OK;
}

static void broken_destroy(void *instance) { (void)instance; }

/* Reads the first battery's voltage with no check: a NULL `batteries` makes this a SIGSEGV. */
static double first_battery_voltage(const dab_tick_input *input) {
    const dab_battery_input *const *volatile list = input->batteries;
    const dab_battery_input *volatile first = list[0];
    volatile double voltage = first->voltage_v;
    return voltage;
}

static void hang(void) {
    volatile unsigned long spins = 0;
    for (;;) {
        spins++;
    }
}

static int any_cell_unknown(const dab_tick_input *input) {
    if (input->bank != NULL && (!dab_is_known(input->bank->min_cell_voltage_v) ||
                                !dab_is_known(input->bank->max_cell_voltage_v))) {
        return 1;
    }
    for (uint32_t i = 0; i < input->batteries_online && input->batteries != NULL; i++) {
        const dab_battery_input *battery = input->batteries[i];
        if (battery == NULL) {
            continue;
        }
        if (!dab_is_known(battery->min_cell_voltage_v) || !dab_is_known(battery->max_cell_voltage_v)) {
            return 1;
        }
        for (uint32_t cell = 0; cell < battery->cell_count && battery->cell_voltages_v != NULL; cell++) {
            if (!dab_is_known(battery->cell_voltages_v[cell])) {
                return 1;
            }
        }
    }
    return 0;
}

static int32_t broken_tick_charge(void *instance, const dab_tick_input *input, dab_charge_output *output,
                                  dab_error_buffer error) {
    (void)instance;
    (void)error;
    if (input->batteries_online == 0) {
        output->charge_voltage_limit_v = first_battery_voltage(input); /* (i) */
    }
    if (input->time_step_s == 0) {
        hang(); /* (v) */
    }
    output->charge_voltage_limit_v = 55.2;
    output->charge_current_limit_a = 50;
    output->discharge_current_limit_a = 100;
    output->request_feed_in_off = 0;
    output->hint_bank_full = -1;
    output->hint_bank_empty = -1;
    snprintf(output->limit_reason, sizeof output->limit_reason, "broken on purpose");
    snprintf(output->strategy_state, sizeof output->strategy_state, "broken");
    if (any_cell_unknown(input)) {
        output->charge_voltage_limit_v = DAB_UNKNOWN; /* (ii) */
    }
    if (input->batteries_online >= 64) {
        output->charge_current_limit_a = -10; /* (iii) */
    }
    if (input->time_step_s >= 3600) {
        output->charge_current_limit_a = 1e6; /* (iv) */
    }
    return DAB_OK;
}

static int32_t broken_tick_soc(void *instance, const dab_tick_input *input, dab_soc_output *output,
                               dab_error_buffer error) {
    (void)input;
    (void)error;
    const dab_host_services *host = instance;
    output->soc_percent = 150;
    output->capacity_ah = 100;
    output->consumed_ah = 0;
    output->time_to_go_s = DAB_UNKNOWN;
    snprintf(output->strategy_state, sizeof output->strategy_state, "soc 150 %%, saved every tick");
    if (host->state_write != NULL) {
        host->state_write(host->host_context, "broken_soc", "150");
    }
    return DAB_OK;
}

static const dab_strategy broken_charge = {
    .struct_size = sizeof(dab_strategy),
    .kind = DAB_KIND_CHARGE,
    .name = "BrokenCharge",
    .version = "0.0.1",
    .description = "a charge strategy that crashes, hangs and gives impossible limits (tests only)",
    .config_key_count = 0,
    .config_keys = NULL,
    .create = broken_create,
    .tick_charge = broken_tick_charge,
    .tick_soc = NULL,
    .destroy = broken_destroy,
};

static const dab_strategy broken_soc = {
    .struct_size = sizeof(dab_strategy),
    .kind = DAB_KIND_SOC,
    .name = "BrokenSoC",
    .version = "0.0.1",
    .description = "a SoC strategy that gives 150 % and saves every tick (tests only)",
    .config_key_count = 0,
    .config_keys = NULL,
    .create = broken_create,
    .tick_charge = NULL,
    .tick_soc = broken_tick_soc,
    .destroy = broken_destroy,
};

static const dab_strategy *const broken_strategies[] = {&broken_charge, &broken_soc};

static const dab_library broken_library = {
    .struct_size = sizeof(dab_library),
    .abi_major = DAB_ABI_MAJOR,
    .abi_minor = DAB_ABI_MINOR,
    .library_name = "Broken",
    .strategy_count = 2,
    .strategies = broken_strategies,
};

const dab_library *dab_plugin_entry(uint32_t host_abi_major, const char **refusal) {
    if (host_abi_major != DAB_ABI_MAJOR) {
        if (refusal != NULL) {
            *refusal = "Broken is built for plugin ABI major 1 only";
        }
        return NULL;
    }
    return &broken_library;
}
