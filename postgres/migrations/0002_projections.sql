-- 0002: everything else the central keeps, beside the exactly-once core of 0001: the conflicts,
-- the signature auditor's state, the members' projections, the change feed, the price lists, the
-- audit trail of the back office, the card blocks and the central's own row. The rules that fill
-- them are package central's, shared with the embedded central; what a column holds as JSON is
-- the type of that package named in its comment, whose JSON is stable.

-- The central's one row: the check value of its key file (central.Keys.Check), so that a
-- database is never opened with another central's key, and the count of card conflicts.
CREATE TABLE central (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    key_check bytea NOT NULL,
    card_conflicts bigint NOT NULL DEFAULT 0
);

-- A push refused because a sequence number came back with other content: both versions (the
-- stored and the sent central.StoredEvent, the payload as text) and when the second one came.
-- The versions are JSON kept as text, not jsonb: a payload that is not JSON may hold a NUL
-- character, which JSON escapes and jsonb refuses, and a conflict must always be recorded.
CREATE TABLE conflicts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    register text NOT NULL,
    seq bigint NOT NULL,
    stored text NOT NULL,
    sent text NOT NULL,
    at timestamptz NOT NULL
);

-- The signature auditor's cursor and findings per register (central.Audit), in a table of their
-- own so that a push never waits for an auditor: an auditor locks its register's row here (FOR
-- UPDATE SKIP LOCKED, so that two central processes never check the same events at once), the
-- push locks the register's row in registers.
CREATE TABLE signature_audit (
    register text PRIMARY KEY,
    state jsonb NOT NULL
);

-- A member's projection (central.Member, without personal data), with the balance and status
-- also as columns, for the queries of whoever runs the database.
CREATE TABLE members (
    id text PRIMARY KEY,
    balance bigint NOT NULL,
    status text NOT NULL,
    state jsonb NOT NULL
);

-- A card's first owner: an enrolment on a card another member owns flags both, never moves it.
CREATE TABLE cards (
    card text PRIMARY KEY,
    member text NOT NULL
);

-- A member's data key wrapped to the central key and their sealed personal data (central.Seal):
-- an erasure deletes the row, which leaves every copy of the sealed data, in the events too,
-- unreadable.
CREATE TABLE member_seals (
    member text PRIMARY KEY,
    key bytea NOT NULL,
    data bytea NOT NULL
);

-- The email index: the keyed hash of a normalized address (central.Keys.EmailHash), never the
-- address.
CREATE TABLE emails (
    hash bytea PRIMARY KEY,
    member text NOT NULL
);

-- The chain-wide hashes of blocked identifiers, and when the central learned each.
CREATE TABLE blocked (
    hash text PRIMARY KEY,
    learned timestamptz NOT NULL
);

-- The change feed (central.FeedEntry). Its order is id's, and a cursor names the last id a
-- register applied: so that no entry ever commits below an id a register has already read past,
-- every transaction inserts its entries last, under a transaction-level advisory lock held until
-- its commit, which makes the ids' order the commits' order.
CREATE TABLE feed (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry jsonb NOT NULL
);

-- The price lists the back office stored, each named by its version, the products' JSON as
-- central.Catalog wrote it.
CREATE TABLE catalogs (
    version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    products bytea NOT NULL
);

-- Who revealed, erased or changed a member's consent at the central, and when (central.AuditEntry).
CREATE TABLE audit_trail (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at timestamptz NOT NULL,
    who text NOT NULL,
    member text NOT NULL,
    action text NOT NULL,
    detail text NOT NULL DEFAULT ''
);

-- Each register's block of card numbers, drawn at its first set-up: first is the block's
-- number (from card_block_numbers) times central.CardBlockSize.
CREATE TABLE card_blocks (
    register text PRIMARY KEY,
    first bigint NOT NULL UNIQUE
);
CREATE SEQUENCE card_block_numbers START 1;
