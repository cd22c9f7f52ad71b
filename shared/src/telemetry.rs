//! telemetry (in progress)
