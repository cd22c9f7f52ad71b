-- The reads of a note's context that PostgreSQL planned at every call, as functions that run on generic
-- plans: the two address lookups (worker/src/corpus/search/assets.rs) and the texts of what a note shows
-- (worker/src/corpus/search/texts.rs); and a side table that answers "the newest tickets naming this
-- address" directly.
--
-- Sent as prepared statements, PostgreSQL planned the lookups again at every call: their parameters (an
-- array of addresses, a limit) make its estimate of a generic plan look worse than a custom one, so it
-- never switches, and planning was 0.2 ms of each call's 0.3 to 0.6 ms at 100,000 tickets
-- (docs/BENCHMARKS.md). `plan_cache_mode` can be set per function and nowhere narrower: setting it for the
-- worker's whole connection gave other statements slower plans. PL/pgSQL keeps each connection's plans of
-- these queries between calls.
--
-- Tickets by address had no plan that served every address: for an address a few tickets name, the GIN
-- index on `ip_addresses` and a sort; for one that thousands name (a mail server in an incident), walking
-- the newest tickets backwards until five match. Each plan was slow for the other case (a generic plan
-- 4 ms for the busiest address of the generated corpus, a custom one 2 ms where it guessed wrong).
-- `ticket_addresses` holds one row per (ticket, address) with the ticket's `indexed_at`, kept by triggers
-- on `tickets`, so each address of a ticket reads at most the limit's rows of an index, however many
-- tickets name it.
--
-- These repeat columns of `tickets` and `assets`: a migration that changes either must check them.

CREATE TABLE ticket_addresses (
    tenant_id  text NOT NULL,
    ticket_id  text NOT NULL,
    address    inet NOT NULL,
    -- The ticket's `indexed_at`, kept equal by the triggers below: the order of the lookup.
    indexed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, ticket_id, address),
    FOREIGN KEY (tenant_id, ticket_id) REFERENCES tickets (tenant_id, ticket_id) ON DELETE CASCADE
);

-- The lookup: for one address, the newest first.
CREATE INDEX ticket_addresses_newest_idx ON ticket_addresses (tenant_id, address, indexed_at DESC, ticket_id);

INSERT INTO ticket_addresses (tenant_id, ticket_id, address, indexed_at)
SELECT DISTINCT t.tenant_id, t.ticket_id, a.address, t.indexed_at
FROM tickets t, unnest(t.ip_addresses) AS a(address);

-- The lookup no longer reads it; every ticket write paid for it.
DROP INDEX tickets_ip_addresses_idx;

CREATE FUNCTION tickets_sync_addresses() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.ip_addresses = OLD.ip_addresses AND NEW.tenant_id = OLD.tenant_id
           AND NEW.ticket_id = OLD.ticket_id THEN
            IF NEW.indexed_at IS DISTINCT FROM OLD.indexed_at THEN
                UPDATE ticket_addresses SET indexed_at = NEW.indexed_at
                WHERE tenant_id = NEW.tenant_id AND ticket_id = NEW.ticket_id;
            END IF;
            RETURN NULL;
        END IF;
        DELETE FROM ticket_addresses WHERE tenant_id = OLD.tenant_id AND ticket_id = OLD.ticket_id;
    END IF;
    INSERT INTO ticket_addresses (tenant_id, ticket_id, address, indexed_at)
    SELECT DISTINCT NEW.tenant_id, NEW.ticket_id, a.address, NEW.indexed_at
    FROM unnest(NEW.ip_addresses) AS a(address);
    RETURN NULL;
END
$$;

-- Most tickets name no address: the conditions spare them the call.
CREATE TRIGGER tickets_addresses_insert AFTER INSERT ON tickets
FOR EACH ROW WHEN (cardinality(NEW.ip_addresses) > 0)
EXECUTE FUNCTION tickets_sync_addresses();

CREATE TRIGGER tickets_addresses_update AFTER UPDATE ON tickets
FOR EACH ROW WHEN (cardinality(OLD.ip_addresses) > 0 OR cardinality(NEW.ip_addresses) > 0)
EXECUTE FUNCTION tickets_sync_addresses();

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

-- Other tickets than `p_exclude` that mention an address of `p_addresses` (valid `inet` text, in the
-- ticket's order), most recently indexed first, at most `p_limit`, each with the first of the addresses it
-- mentions. Each address contributes its newest `p_limit` tickets: a ticket among the newest `p_limit` of
-- the union is among the newest `p_limit` of every address it names, so the union's best are exact.
CREATE FUNCTION tickets_mentioning(p_tenant text, p_addresses text[], p_exclude text, p_limit bigint)
RETURNS TABLE (ticket_id text, subject text, status text, address text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    SELECT t.ticket_id, t.subject, t.status, p_addresses[best.ord]
    FROM (
        SELECT DISTINCT ON (hit.ticket_id) hit.ticket_id, hit.indexed_at, m.ord
        FROM unnest(p_addresses) WITH ORDINALITY AS m(raw, ord)
        CROSS JOIN LATERAL (
            SELECT ta.ticket_id, ta.indexed_at FROM ticket_addresses ta
            WHERE ta.tenant_id = p_tenant AND ta.address = m.raw::inet AND ta.ticket_id <> p_exclude
            ORDER BY ta.indexed_at DESC, ta.ticket_id
            LIMIT p_limit
        ) hit
        ORDER BY hit.ticket_id, m.ord
    ) best
    JOIN tickets t ON t.tenant_id = p_tenant AND t.ticket_id = best.ticket_id
    ORDER BY best.indexed_at DESC, best.ticket_id
    LIMIT p_limit;
END
$$;

-- The texts of what a note shows (worker/src/corpus/search/texts.rs): tickets `p_tickets` (the body is the
-- resolution) and articles `p_articles` of the tenant, by primary key. A function for the same reason as the
-- lookups above: as a statement it was planned at every call, two thirds of its cost.
CREATE FUNCTION note_texts(p_tenant text, p_tickets text[], p_articles text[])
RETURNS TABLE (ticket boolean, id text, title text, body text, status text, url text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
BEGIN
    RETURN QUERY
    SELECT true, t.ticket_id, t.subject, t.resolution, t.status, t.url
    FROM tickets t WHERE t.tenant_id = p_tenant AND t.ticket_id = ANY (p_tickets)
    UNION ALL
    SELECT false, a.article_id, a.title, a.body, NULL::text, a.url
    FROM kb_articles a WHERE a.tenant_id = p_tenant AND a.article_id = ANY (p_articles);
END
$$;
