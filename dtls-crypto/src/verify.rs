//! TODO: filled by the verify work item.
