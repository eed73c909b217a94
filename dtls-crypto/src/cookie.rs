//! TODO: filled by the cookie work item.
