#![no_main]
// See billrun::fuzzing for what this target checks.
libfuzzer_sys::fuzz_target!(|data: &[u8]| billrun::fuzzing::tables(data));
