//! Shared test harness for the `dtls` workspace (filled by the engine and
//! server work items).
