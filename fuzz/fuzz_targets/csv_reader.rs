//! Fuzz target: see `finishline_data::fuzzing::csv_reader` (small budgets; a refusal is fine, a panic
//! or a result past the budgets is a bug). The committed seeds are in `fuzz/corpus/csv_reader/`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    finishline_data::fuzzing::csv_reader(data);
});
