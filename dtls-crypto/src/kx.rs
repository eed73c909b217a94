//! TODO: filled by the kx work item.
