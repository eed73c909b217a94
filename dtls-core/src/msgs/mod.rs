//! The DTLS 1.2 wire codec (filled by the codec work item).
