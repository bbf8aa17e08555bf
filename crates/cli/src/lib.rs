//! The library half of the `finishline` binary: what tests of other crates reuse (the demo
//! workspace, built exactly as `finishline demo` builds it).
#![forbid(unsafe_code)]

pub mod demo;
