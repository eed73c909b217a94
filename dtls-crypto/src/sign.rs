//! TODO: filled by the sign work item.
