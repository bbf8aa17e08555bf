//! finishline-data
