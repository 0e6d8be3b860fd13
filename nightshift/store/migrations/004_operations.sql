-- nightshift state, version 4: scheduling and rollback.

-- Which schedule started a run (nightly | fresh) and when its phase 2 completed (NULL: skipped or
-- failed). The fresh schedule's cooldown is measured from the latest consolidated_at.
ALTER TABLE runs ADD COLUMN mode VARCHAR;
ALTER TABLE runs ADD COLUMN consolidated_at TIMESTAMP;

-- Raw memories whose consolidation a user rolled back (`nightshift rollback`). A mark holds back
-- exactly one version of a memory, named by raw_memories.updated_at: only a re-extraction (which
-- happens when the transcript changed) writes a new version, and that version is selected again.
CREATE TABLE rollbacks (
    rollout_id        VARCHAR NOT NULL,
    memory_updated_at TIMESTAMP NOT NULL,  -- raw_memories.updated_at of the version held back
    reverted_commit   VARCHAR NOT NULL,    -- the consolidation commit that was reverted
    revert_commit     VARCHAR NOT NULL,    -- the commit that reverted it
    rolled_back_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (rollout_id, reverted_commit)
);
