//! TODO: filled by the random work item.
