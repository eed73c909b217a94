//! TODO: filled by the prf work item.
