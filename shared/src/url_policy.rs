//! url policy (in progress)
