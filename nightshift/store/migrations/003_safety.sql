-- nightshift state, version 3: safety.

-- Text the injection scanner flagged: kept out of the memory home, never silently dropped, listed by
-- `nightshift status` so a user can judge it. One row per finding (same text, same place).
CREATE TABLE quarantine (
    id          VARCHAR PRIMARY KEY,    -- hash of source, place and content
    source      VARCHAR NOT NULL,       -- raw_memory (phase 1 output) | handbook (a consolidation's new line)
    rollout_id  VARCHAR,
    source_path VARCHAR,                -- the transcript, or the handbook file
    reasons     VARCHAR NOT NULL,       -- the scanner's reasons, one per line
    content     VARCHAR NOT NULL,       -- the flagged text, redacted
    run_id      VARCHAR,                -- the run that last saw it
    created_at  TIMESTAMP NOT NULL,
    last_seen   TIMESTAMP NOT NULL
);

-- The memory came from a session that pulled in outside content (web search, fetched pages, MCP tools).
ALTER TABLE raw_memories ADD COLUMN external_context BOOLEAN DEFAULT false;
