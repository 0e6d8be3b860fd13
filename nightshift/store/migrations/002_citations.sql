-- nightshift state, version 2: which later sessions cited which memory.

-- One row per (citing session, cited memory): a transcript read again, or one that cites the same
-- memory by id and by slug, still counts once. raw_memories.usage_count is the number of these rows
-- per memory, kept up to date by nightshift.store.usage when citations are recorded.
CREATE TABLE citations (
    citing_session VARCHAR NOT NULL,    -- session id of the transcript whose assistant turns cited
    rollout_id     VARCHAR NOT NULL,    -- the raw memory the cited id resolved to
    cited_at       TIMESTAMP NOT NULL,  -- the citing transcript's last activity: when the memory was used
    PRIMARY KEY (citing_session, rollout_id)
);
