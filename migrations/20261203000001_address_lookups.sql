-- The two address lookups of a note's context (worker/src/corpus/search/assets.rs) as functions that run
-- on generic plans. Sent as prepared statements, PostgreSQL planned them again at every call: their
-- parameters (an array of addresses, a limit) make its estimate of a generic plan look worse than a custom
-- one, so it never switches, and planning was 0.19 ms of each call's 0.3 to 0.65 ms at 100,000 tickets
-- (docs/BENCHMARKS.md). The generic plans are the ones the custom plans already were (the GIN index on
-- `ip_addresses`, the GiST index on `assets.address`), as fast for an ordinary address and faster for a
-- mass incident's. `plan_cache_mode` can be set per function and nowhere narrower: setting it for the
-- worker's whole connection gave other statements plans that were slower. PL/pgSQL keeps each
-- connection's plans of these queries between calls.
--
-- These repeat the columns of `tickets` and `assets`: a migration that changes either must check them.

-- Assets whose address or network contains an address of `p_addresses` (valid `inet` text, in the
-- ticket's order), or lies inside a network it names; each asset once, with the first address that matched;
-- for each address the most specific asset first; at most `p_limit`.
CREATE FUNCTION related_assets(p_tenant text, p_addresses text[], p_limit bigint)
RETURNS TABLE (matched text, address text, hostname text, owner text, location text, criticality text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    -- `abbrev` prints a host without `/32`, as the rest of the system writes it.
    RETURN QUERY
    SELECT found.matched, found.address, found.hostname, found.owner, found.location, found.criticality
    FROM (
        SELECT DISTINCT ON (a.asset_id) m.raw AS matched, abbrev(a.address) AS address, a.hostname,
               a.owner, a.location, a.criticality, m.ord, masklen(a.address) AS len
        FROM unnest(p_addresses) WITH ORDINALITY AS m(raw, ord)
        JOIN assets a ON a.tenant_id = p_tenant
            AND (m.raw::inet <<= a.address OR a.address <<= m.raw::inet)
        ORDER BY a.asset_id, m.ord
    ) found
    ORDER BY found.ord, found.len DESC, found.address, found.hostname
    LIMIT p_limit;
END
$$;

-- Other tickets than `p_exclude` that mention an address of `p_addresses` (valid `inet` text), most
-- recently indexed first, at most `p_limit`, each with the first of the addresses it mentions.
CREATE FUNCTION tickets_mentioning(p_tenant text, p_addresses text[], p_exclude text, p_limit bigint)
RETURNS TABLE (ticket_id text, subject text, status text, address text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT t.ticket_id, t.subject, t.status,
           (SELECT m.raw FROM unnest(p_addresses) WITH ORDINALITY AS m(raw, ord)
            WHERE m.raw::inet = ANY (t.ip_addresses) ORDER BY m.ord LIMIT 1)
    FROM tickets t
    -- `&&` over `inet[]` is what the GIN index on `tickets.ip_addresses` serves.
    WHERE t.tenant_id = p_tenant AND t.ticket_id <> p_exclude AND t.ip_addresses && p_addresses::inet[]
    ORDER BY t.indexed_at DESC, t.ticket_id
    LIMIT p_limit;
END
$$;
