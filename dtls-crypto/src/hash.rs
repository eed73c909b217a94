//! TODO: filled by the hash work item.
