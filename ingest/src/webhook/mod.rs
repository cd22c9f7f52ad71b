//! `POST /webhooks/{tenant_id}`: body limit -> tenant -> signature -> extract -> policy -> dedup check ->
//! rate limit -> claim -> publish with confirm -> answer. Each step's refusal is one row of the contract table.

mod handler;
mod idempotency;
mod policy;
mod verify_throttle;

pub use handler::receive;
pub use policy::{Policy, decide};
pub use verify_throttle::VerifyThrottle;
