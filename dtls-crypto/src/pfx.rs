//! TODO: filled by the pfx work item.
