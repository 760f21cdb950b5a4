-- 0001: the central's exactly-once core, and only what is certain of it: one row per register
-- with the last sequence number the central applied, and the events themselves, each stored once.
-- The projections (member balances, consent, per-register totals and chain state), the change
-- feed and the signature audit come with the next increments, each in a migration of its own.

-- A register's row is what a push locks (SELECT ... FOR UPDATE): a batch is applied in one
-- transaction together with the new acked_seq, so that two central processes receiving the same
-- register's retries at once apply it once, the second finding the sequence already acknowledged.
CREATE TABLE registers (
    name text PRIMARY KEY,
    -- acked_seq is the last sequence number applied; 0 before the register's first event.
    acked_seq bigint NOT NULL CHECK (acked_seq >= 0),
    -- state is the rest of what the central knows of the register (its last closing, its
    -- counts of rejected events and conflicts), kept as the embedded central keeps it, in JSON.
    state jsonb NOT NULL
);

-- Exactly once in the database, not only in the process: a register's sequence number is the
-- primary key and the event ID is unique, so that an event applied twice fails its transaction.
--
-- No foreign key to registers: the register's row is locked in the very transaction that inserts
-- its events, and a foreign key would add a check per row to the bulk inserts of a push.
CREATE TABLE events (
    register text NOT NULL,
    seq bigint NOT NULL CHECK (seq > 0),
    id text NOT NULL UNIQUE,
    type text NOT NULL,
    -- at is when the register recorded the event; received when the central stored it. A
    -- timestamptz keeps microseconds where a register's clock gives nanoseconds: the check that a
    -- replayed event is the one stored must compare at to the microsecond, not exactly.
    at timestamptz NOT NULL,
    received timestamptz NOT NULL,
    -- The payload is kept byte for byte as the register sent it: it carries signed records, and
    -- jsonb would reorder its keys and drop its spacing, so that the bytes the change feed sends
    -- again would no longer be those the register sent.
    payload bytea NOT NULL,
    -- rejected is why the event can never be applied; NULL for an applied event.
    rejected text,
    PRIMARY KEY (register, seq)
);
