//! finishline-web
