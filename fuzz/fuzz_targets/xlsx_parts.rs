#![no_main]
// See billrun::fuzzing for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    billrun::fuzzing::abort_on_panics_outside_calamine();
    billrun::fuzzing::xlsx_parts(data)
});
