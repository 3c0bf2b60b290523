/*
 * abi_golden.c - the layout of plugin ABI major 1, written down as plain numbers.
 *
 * Why golden numbers: every plugin already built has these offsets compiled into it. A change
 * to dab_plugin.h that moves a field (a field inserted, reordered or retyped) silently breaks
 * every one of them, while the header, the host and freshly built plugins still agree with each
 * other. So this file does not trust the header's own layout: each offset and size below was
 * worked out by hand from the C layout rules, and the build fails when the compiler disagrees.
 * A legitimate change of ABI 1 only appends fields (DAB_ABI_MINOR + 1): add lines, never edit one.
 *
 * Two tables: LP64 (x86_64 and aarch64 Linux) and ILP32 as on armv7 hard-float Linux
 * (arm-linux-gnueabihf), where a double is 8-byte aligned inside structs. i386 aligns doubles to
 * 4 in structs and is not a target; the probe below says so instead of failing field by field.
 *
 * Check: cc -std=c11 -Wall -Werror -I Sources/PluginAPI/include Tests/ABI/abi_golden.c
 *        arm-linux-gnueabihf-gcc -std=c11 -fsyntax-only -I Sources/PluginAPI/include Tests/ABI/abi_golden.c
 * The program prints nothing and returns 0; all checks happen at compile time.
 */
#include <dab_plugin.h>

#include <stddef.h>
#include <stdint.h>

#define DAB_GOLDEN_OFFSET(type, field, expected) \
    _Static_assert(offsetof(type, field) == (expected), #type "." #field " must be at offset " #expected)
#define DAB_GOLDEN_SIZE(type, expected) \
    _Static_assert(sizeof(type) == (expected), "sizeof(" #type ") must be " #expected)

/* The tables assume these; a platform that breaks them needs its own table. */
_Static_assert(sizeof(double) == 8, "double must be 8 bytes");
_Static_assert(sizeof(void (*)(void)) == sizeof(void *), "function pointers must be data-pointer sized");
struct dab_golden_double_probe {
    int32_t first;
    double second;
};
_Static_assert(offsetof(struct dab_golden_double_probe, second) == 8,
               "doubles must be 8-byte aligned in structs (true on x86_64, aarch64, armhf; not on i386)");

/* Constants of ABI 1: values compiled into every plugin, as fixed as the layout. */
_Static_assert(DAB_ABI_MAJOR == 1, "DAB_ABI_MAJOR");
_Static_assert(DAB_UNKNOWN_INT == -1, "DAB_UNKNOWN_INT");
_Static_assert(DAB_OK == 0 && DAB_ERR_INPUT == 1 && DAB_ERR_CONFIG == 2 && DAB_ERR_INTERNAL == 3,
               "return codes");
_Static_assert(DAB_KIND_CHARGE == 1 && DAB_KIND_SOC == 2, "strategy kinds");
_Static_assert(DAB_LOG_ERROR == 0 && DAB_LOG_WARNING == 1 && DAB_LOG_INFO == 2 && DAB_LOG_DEBUG == 3,
               "log levels");

/* dab_date: three int32_t, the same everywhere. */
DAB_GOLDEN_OFFSET(dab_date, year, 0);
DAB_GOLDEN_OFFSET(dab_date, month, 4);
DAB_GOLDEN_OFFSET(dab_date, day, 8);
DAB_GOLDEN_SIZE(dab_date, 12);

/* Fields laid out without pointers or with only 8-byte doubles: the same in both tables. */
DAB_GOLDEN_OFFSET(dab_charge_output, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_charge_output, charge_voltage_limit_v, 8);
DAB_GOLDEN_OFFSET(dab_charge_output, charge_current_limit_a, 16);
DAB_GOLDEN_OFFSET(dab_charge_output, discharge_current_limit_a, 24);
DAB_GOLDEN_OFFSET(dab_charge_output, request_feed_in_off, 32);
DAB_GOLDEN_OFFSET(dab_charge_output, hint_bank_full, 36);
DAB_GOLDEN_OFFSET(dab_charge_output, hint_bank_empty, 40);
DAB_GOLDEN_OFFSET(dab_charge_output, limit_reason, 44);
DAB_GOLDEN_OFFSET(dab_charge_output, strategy_state, 172);
DAB_GOLDEN_SIZE(dab_charge_output, 304); /* 300 rounded up to the double's 8 */

DAB_GOLDEN_OFFSET(dab_soc_output, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_soc_output, soc_percent, 8);
DAB_GOLDEN_OFFSET(dab_soc_output, capacity_ah, 16);
DAB_GOLDEN_OFFSET(dab_soc_output, consumed_ah, 24);
DAB_GOLDEN_OFFSET(dab_soc_output, time_to_go_s, 32);
DAB_GOLDEN_OFFSET(dab_soc_output, strategy_state, 40);
DAB_GOLDEN_SIZE(dab_soc_output, 168);

#if UINTPTR_MAX == UINT64_MAX
/* ---- LP64: pointers 8 bytes, 8-byte aligned ---- */

DAB_GOLDEN_OFFSET(dab_config_key, name, 0);
DAB_GOLDEN_OFFSET(dab_config_key, default_value, 8);
DAB_GOLDEN_OFFSET(dab_config_key, description, 16);
DAB_GOLDEN_SIZE(dab_config_key, 24);

DAB_GOLDEN_OFFSET(dab_host_services, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_host_services, host_context, 8);
DAB_GOLDEN_OFFSET(dab_host_services, log, 16);
DAB_GOLDEN_OFFSET(dab_host_services, config_get, 24);
DAB_GOLDEN_OFFSET(dab_host_services, state_read, 32);
DAB_GOLDEN_OFFSET(dab_host_services, state_write, 40);
DAB_GOLDEN_OFFSET(dab_host_services, state_corrupt, 48);
DAB_GOLDEN_OFFSET(dab_host_services, local_date, 56);
DAB_GOLDEN_OFFSET(dab_host_services, config_error, 64);
DAB_GOLDEN_SIZE(dab_host_services, 72);

DAB_GOLDEN_OFFSET(dab_battery_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_battery_input, name, 8);
DAB_GOLDEN_OFFSET(dab_battery_input, service, 16);
DAB_GOLDEN_OFFSET(dab_battery_input, voltage_v, 24);
DAB_GOLDEN_OFFSET(dab_battery_input, current_a, 32);
DAB_GOLDEN_OFFSET(dab_battery_input, power_w, 40);
DAB_GOLDEN_OFFSET(dab_battery_input, temperature_c, 48);
DAB_GOLDEN_OFFSET(dab_battery_input, soc_percent, 56);
DAB_GOLDEN_OFFSET(dab_battery_input, capacity_ah, 64);
DAB_GOLDEN_OFFSET(dab_battery_input, installed_capacity_ah, 72);
DAB_GOLDEN_OFFSET(dab_battery_input, consumed_ah, 80);
DAB_GOLDEN_OFFSET(dab_battery_input, time_to_go_s, 88);
DAB_GOLDEN_OFFSET(dab_battery_input, max_charge_voltage_v, 96);
DAB_GOLDEN_OFFSET(dab_battery_input, max_charge_current_a, 104);
DAB_GOLDEN_OFFSET(dab_battery_input, max_discharge_current_a, 112);
DAB_GOLDEN_OFFSET(dab_battery_input, charge_mode, 120);
DAB_GOLDEN_OFFSET(dab_battery_input, voltages_sum_v, 128);
DAB_GOLDEN_OFFSET(dab_battery_input, min_cell_voltage_v, 136);
DAB_GOLDEN_OFFSET(dab_battery_input, max_cell_voltage_v, 144);
DAB_GOLDEN_OFFSET(dab_battery_input, min_cell_id, 152);
DAB_GOLDEN_OFFSET(dab_battery_input, max_cell_id, 160);
DAB_GOLDEN_OFFSET(dab_battery_input, nr_blocking_charge, 168);
DAB_GOLDEN_OFFSET(dab_battery_input, nr_blocking_discharge, 172);
DAB_GOLDEN_OFFSET(dab_battery_input, cell_count, 176);
DAB_GOLDEN_OFFSET(dab_battery_input, cell_voltages_v, 184); /* 180 padded to 8 */
DAB_GOLDEN_SIZE(dab_battery_input, 192);

DAB_GOLDEN_OFFSET(dab_bank_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_bank_input, voltage_v, 8);
DAB_GOLDEN_OFFSET(dab_bank_input, current_a, 16);
DAB_GOLDEN_OFFSET(dab_bank_input, power_w, 24);
DAB_GOLDEN_OFFSET(dab_bank_input, temperature_c, 32);
DAB_GOLDEN_OFFSET(dab_bank_input, installed_capacity_ah, 40);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_soc_percent, 48);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_capacity_ah, 56);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_consumed_ah, 64);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_time_to_go_s, 72);
DAB_GOLDEN_OFFSET(dab_bank_input, max_cell_voltage_v, 80);
DAB_GOLDEN_OFFSET(dab_bank_input, min_cell_voltage_v, 88);
DAB_GOLDEN_OFFSET(dab_bank_input, max_cell_id, 96);
DAB_GOLDEN_OFFSET(dab_bank_input, min_cell_id, 104);
DAB_GOLDEN_OFFSET(dab_bank_input, nr_blocking_charge, 112);
DAB_GOLDEN_OFFSET(dab_bank_input, nr_blocking_discharge, 116);
DAB_GOLDEN_OFFSET(dab_bank_input, system_low_soc, 120);
DAB_GOLDEN_SIZE(dab_bank_input, 128); /* 124 rounded up to 8 */

DAB_GOLDEN_OFFSET(dab_tick_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_tick_input, time_step_s, 8);
DAB_GOLDEN_OFFSET(dab_tick_input, date, 16);
DAB_GOLDEN_OFFSET(dab_tick_input, batteries_expected, 28);
DAB_GOLDEN_OFFSET(dab_tick_input, batteries_online, 32);
DAB_GOLDEN_OFFSET(dab_tick_input, bank, 40); /* 36 padded to 8 */
DAB_GOLDEN_OFFSET(dab_tick_input, batteries, 48);
DAB_GOLDEN_OFFSET(dab_tick_input, charge, 56);
DAB_GOLDEN_SIZE(dab_tick_input, 64);

DAB_GOLDEN_OFFSET(dab_error_buffer, text, 0);
DAB_GOLDEN_OFFSET(dab_error_buffer, capacity, 8);
DAB_GOLDEN_SIZE(dab_error_buffer, 16);

DAB_GOLDEN_OFFSET(dab_strategy, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_strategy, kind, 4);
DAB_GOLDEN_OFFSET(dab_strategy, name, 8);
DAB_GOLDEN_OFFSET(dab_strategy, version, 16);
DAB_GOLDEN_OFFSET(dab_strategy, description, 24);
DAB_GOLDEN_OFFSET(dab_strategy, config_key_count, 32);
DAB_GOLDEN_OFFSET(dab_strategy, config_keys, 40);
DAB_GOLDEN_OFFSET(dab_strategy, create, 48);
DAB_GOLDEN_OFFSET(dab_strategy, tick_charge, 56);
DAB_GOLDEN_OFFSET(dab_strategy, tick_soc, 64);
DAB_GOLDEN_OFFSET(dab_strategy, destroy, 72);
DAB_GOLDEN_SIZE(dab_strategy, 80);

DAB_GOLDEN_OFFSET(dab_library, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_library, abi_major, 4);
DAB_GOLDEN_OFFSET(dab_library, abi_minor, 8);
DAB_GOLDEN_OFFSET(dab_library, library_name, 16);
DAB_GOLDEN_OFFSET(dab_library, strategy_count, 24);
DAB_GOLDEN_OFFSET(dab_library, strategies, 32);
DAB_GOLDEN_SIZE(dab_library, 40);

#elif UINTPTR_MAX == UINT32_MAX
/* ---- ILP32 (armv7 hard-float): pointers 4 bytes, doubles 8-byte aligned ---- */

DAB_GOLDEN_OFFSET(dab_config_key, name, 0);
DAB_GOLDEN_OFFSET(dab_config_key, default_value, 4);
DAB_GOLDEN_OFFSET(dab_config_key, description, 8);
DAB_GOLDEN_SIZE(dab_config_key, 12);

DAB_GOLDEN_OFFSET(dab_host_services, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_host_services, host_context, 4);
DAB_GOLDEN_OFFSET(dab_host_services, log, 8);
DAB_GOLDEN_OFFSET(dab_host_services, config_get, 12);
DAB_GOLDEN_OFFSET(dab_host_services, state_read, 16);
DAB_GOLDEN_OFFSET(dab_host_services, state_write, 20);
DAB_GOLDEN_OFFSET(dab_host_services, state_corrupt, 24);
DAB_GOLDEN_OFFSET(dab_host_services, local_date, 28);
DAB_GOLDEN_OFFSET(dab_host_services, config_error, 32);
DAB_GOLDEN_SIZE(dab_host_services, 36);

DAB_GOLDEN_OFFSET(dab_battery_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_battery_input, name, 4);
DAB_GOLDEN_OFFSET(dab_battery_input, service, 8);
DAB_GOLDEN_OFFSET(dab_battery_input, voltage_v, 16); /* 12 padded to 8 */
DAB_GOLDEN_OFFSET(dab_battery_input, current_a, 24);
DAB_GOLDEN_OFFSET(dab_battery_input, power_w, 32);
DAB_GOLDEN_OFFSET(dab_battery_input, temperature_c, 40);
DAB_GOLDEN_OFFSET(dab_battery_input, soc_percent, 48);
DAB_GOLDEN_OFFSET(dab_battery_input, capacity_ah, 56);
DAB_GOLDEN_OFFSET(dab_battery_input, installed_capacity_ah, 64);
DAB_GOLDEN_OFFSET(dab_battery_input, consumed_ah, 72);
DAB_GOLDEN_OFFSET(dab_battery_input, time_to_go_s, 80);
DAB_GOLDEN_OFFSET(dab_battery_input, max_charge_voltage_v, 88);
DAB_GOLDEN_OFFSET(dab_battery_input, max_charge_current_a, 96);
DAB_GOLDEN_OFFSET(dab_battery_input, max_discharge_current_a, 104);
DAB_GOLDEN_OFFSET(dab_battery_input, charge_mode, 112);
DAB_GOLDEN_OFFSET(dab_battery_input, voltages_sum_v, 120); /* 116 padded to 8 */
DAB_GOLDEN_OFFSET(dab_battery_input, min_cell_voltage_v, 128);
DAB_GOLDEN_OFFSET(dab_battery_input, max_cell_voltage_v, 136);
DAB_GOLDEN_OFFSET(dab_battery_input, min_cell_id, 144);
DAB_GOLDEN_OFFSET(dab_battery_input, max_cell_id, 148);
DAB_GOLDEN_OFFSET(dab_battery_input, nr_blocking_charge, 152);
DAB_GOLDEN_OFFSET(dab_battery_input, nr_blocking_discharge, 156);
DAB_GOLDEN_OFFSET(dab_battery_input, cell_count, 160);
DAB_GOLDEN_OFFSET(dab_battery_input, cell_voltages_v, 164);
DAB_GOLDEN_SIZE(dab_battery_input, 168);

DAB_GOLDEN_OFFSET(dab_bank_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_bank_input, voltage_v, 8);
DAB_GOLDEN_OFFSET(dab_bank_input, current_a, 16);
DAB_GOLDEN_OFFSET(dab_bank_input, power_w, 24);
DAB_GOLDEN_OFFSET(dab_bank_input, temperature_c, 32);
DAB_GOLDEN_OFFSET(dab_bank_input, installed_capacity_ah, 40);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_soc_percent, 48);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_capacity_ah, 56);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_consumed_ah, 64);
DAB_GOLDEN_OFFSET(dab_bank_input, bms_time_to_go_s, 72);
DAB_GOLDEN_OFFSET(dab_bank_input, max_cell_voltage_v, 80);
DAB_GOLDEN_OFFSET(dab_bank_input, min_cell_voltage_v, 88);
DAB_GOLDEN_OFFSET(dab_bank_input, max_cell_id, 96);
DAB_GOLDEN_OFFSET(dab_bank_input, min_cell_id, 100);
DAB_GOLDEN_OFFSET(dab_bank_input, nr_blocking_charge, 104);
DAB_GOLDEN_OFFSET(dab_bank_input, nr_blocking_discharge, 108);
DAB_GOLDEN_OFFSET(dab_bank_input, system_low_soc, 112);
DAB_GOLDEN_SIZE(dab_bank_input, 120); /* 116 rounded up to 8 */

DAB_GOLDEN_OFFSET(dab_tick_input, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_tick_input, time_step_s, 8);
DAB_GOLDEN_OFFSET(dab_tick_input, date, 16);
DAB_GOLDEN_OFFSET(dab_tick_input, batteries_expected, 28);
DAB_GOLDEN_OFFSET(dab_tick_input, batteries_online, 32);
DAB_GOLDEN_OFFSET(dab_tick_input, bank, 36);
DAB_GOLDEN_OFFSET(dab_tick_input, batteries, 40);
DAB_GOLDEN_OFFSET(dab_tick_input, charge, 44);
DAB_GOLDEN_SIZE(dab_tick_input, 48);

DAB_GOLDEN_OFFSET(dab_error_buffer, text, 0);
DAB_GOLDEN_OFFSET(dab_error_buffer, capacity, 4);
DAB_GOLDEN_SIZE(dab_error_buffer, 8);

DAB_GOLDEN_OFFSET(dab_strategy, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_strategy, kind, 4);
DAB_GOLDEN_OFFSET(dab_strategy, name, 8);
DAB_GOLDEN_OFFSET(dab_strategy, version, 12);
DAB_GOLDEN_OFFSET(dab_strategy, description, 16);
DAB_GOLDEN_OFFSET(dab_strategy, config_key_count, 20);
DAB_GOLDEN_OFFSET(dab_strategy, config_keys, 24);
DAB_GOLDEN_OFFSET(dab_strategy, create, 28);
DAB_GOLDEN_OFFSET(dab_strategy, tick_charge, 32);
DAB_GOLDEN_OFFSET(dab_strategy, tick_soc, 36);
DAB_GOLDEN_OFFSET(dab_strategy, destroy, 40);
DAB_GOLDEN_SIZE(dab_strategy, 44);

DAB_GOLDEN_OFFSET(dab_library, struct_size, 0);
DAB_GOLDEN_OFFSET(dab_library, abi_major, 4);
DAB_GOLDEN_OFFSET(dab_library, abi_minor, 8);
DAB_GOLDEN_OFFSET(dab_library, library_name, 12);
DAB_GOLDEN_OFFSET(dab_library, strategy_count, 16);
DAB_GOLDEN_OFFSET(dab_library, strategies, 20);
DAB_GOLDEN_SIZE(dab_library, 24);

#else
#error "no golden ABI table for this pointer size: add one worked out by hand"
#endif

int main(void) { return 0; }
