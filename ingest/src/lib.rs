//! `enhancer-ingest`: the stateless webhook front door. Verifies each webhook with the tenant's plugin,
//! deduplicates it, publishes it as an `EnhancementJob` with publisher confirms, and answers only after
//! the broker confirmed.

pub mod startup;
