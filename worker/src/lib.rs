//! `enhancer-worker`: the enhancement worker (`run`) and the operator commands (migrate, tenant, ...).
//! The binary in `main.rs` only parses arguments and hands over to [`cli::execute`], so tests drive every
//! command in process with their own configuration, stdin and stdout.

pub mod cli;
