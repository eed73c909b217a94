//! TODO: filled by the selfsigned work item.
