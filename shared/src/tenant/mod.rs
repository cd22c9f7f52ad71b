//! tenant (in progress)
