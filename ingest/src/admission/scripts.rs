//! The Lua scripts admission runs in Redis, all in one place, each hashed once: Redis runs them by hash
//! (EVALSHA) after the first call. Scripts rather than `SET ... NX GET`, which needs Redis 7.
//!
//! Both keys of the admission script live on one Redis server (the connection is not cluster-aware), so one
//! script may touch both; a Redis Cluster would need them in one hash slot.

use redis::Script;

/// The GCRA step as a Lua function. Arguments: the tenant's key, the emission interval (µs per request) and
/// the burst tolerance (µs). A request is allowed when the theoretical arrival time is no more than the
/// tolerance ahead of now. Redis's own clock is used so that replicas with skewed clocks share one
/// timeline. Returns the wait in µs (0 = allowed, and the request is counted).
const GCRA_FN: &str = r"
local function gcra(key, interval, tolerance)
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  interval = tonumber(interval)
  tolerance = tonumber(tolerance)
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  local allow_at = tat - tolerance
  if now < allow_at then return allow_at - now end
  local new_tat = tat + interval
  redis.call('SET', key, new_tat, 'PX', math.ceil((new_tat - now) / 1000) + 1000)
  return 0
end
";

/// Sets the pending marker unless the key exists, and returns the existing value if it does (`false`
/// when the key was free). For a delivery that waits on another one's pending marker and tries again.
const CLAIM_FN: &str = r"
local function claim(key, marker, ttl_ms)
  local existing = redis.call('GET', key)
  if existing then return existing end
  redis.call('SET', key, marker, 'PX', ttl_ms)
  return false
end
";

/// KEYS: the rate-limit key, the dedup key. ARGV: interval µs, tolerance µs, pending marker, pending TTL
/// ms. Answers `{1, value}` when the dedup key is taken, `{0, wait µs}` over the limit (nothing claimed),
/// `{2, ''}` when this delivery now owns it.
///
/// Dedup is checked first: a duplicate is answered without spending the tenant's rate budget, so a captured
/// delivery replayed in a loop cannot starve the tool's real deliveries into 429s. A request over the limit
/// still claims nothing, so the tool's retry is judged afresh. The whole script is atomic, so the key found
/// free before the rate check is still free when it is claimed.
const ADMIT_BODY: &str = r"
local existing = redis.call('GET', KEYS[2])
if existing then return {1, existing} end
local wait = gcra(KEYS[1], ARGV[1], ARGV[2])
if wait > 0 then return {0, tostring(wait)} end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return {2, ''}";

/// KEYS: the dedup key. ARGV: pending marker, pending TTL ms. The claim alone, for a delivery that waits on
/// another one's pending marker and tries again.
const CLAIM_BODY: &str = " return claim(KEYS[1], ARGV[1], ARGV[2])";

/// Deletes the key only if it still holds our pending marker (never someone else's claim).
const RELEASE: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0";

/// KEYS: dedup keys. ARGV: pending marker and done value for each key in turn, then the TTL in ms. A key is
/// moved to done only if it still holds our pending marker (never someone else's claim).
const CONFIRM_MANY: &str = r"
local ttl = ARGV[#ARGV]
local moved = 0
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[2 * i - 1] then
    redis.call('SET', key, ARGV[2 * i], 'PX', ttl)
    moved = moved + 1
  end
end
return moved";

/// Every script, built (and hashed) once per process.
pub(super) struct Scripts {
    /// The dedup check, the rate limit, then the claim: one round trip per webhook.
    pub admit: Script,
    pub claim: Script,
    pub release: Script,
    pub confirm_many: Script,
}

impl Scripts {
    pub fn new() -> Self {
        Self {
            admit: Script::new(&format!("{GCRA_FN}{ADMIT_BODY}")),
            claim: Script::new(&format!("{CLAIM_FN}{CLAIM_BODY}")),
            release: Script::new(RELEASE),
            confirm_many: Script::new(CONFIRM_MANY),
        }
    }
}
