//! `enhancer-ingest`: the stateless webhook front door. Verifies each webhook with the tenant's plugin,
//! deduplicates it, publishes it as an `EnhancementJob` with publisher confirms, and answers only after
//! the broker confirmed.

pub mod admission;
pub mod edge;
pub mod error;
pub mod health;
pub mod metrics;
pub mod probe;
pub mod publisher;
pub mod router;
pub mod startup;
pub mod state;
pub mod tenant_cache;
pub mod webhook;

#[cfg(test)]
mod tests;
