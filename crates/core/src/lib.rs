//! finishline-core
