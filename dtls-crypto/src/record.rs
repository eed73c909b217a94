//! TODO: filled by the record work item.
