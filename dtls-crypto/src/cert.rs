//! TODO: filled by the cert work item.
