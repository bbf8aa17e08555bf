//! finishline-store
