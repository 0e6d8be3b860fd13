-- nightshift state, version 1. Times are naive UTC TIMESTAMPs.

-- Every transcript file discovery has seen, with the size+mtime watermark of its last successful extraction.
CREATE TABLE rollouts (
    path            VARCHAR PRIMARY KEY,
    rollout_id      VARCHAR,            -- session/thread id, known once the file has been read
    format          VARCHAR,            -- codex | claude; NULL until read
    size            BIGINT NOT NULL,    -- at the last stat
    mtime           DOUBLE NOT NULL,    -- epoch seconds, at the last stat
    project_key     VARCHAR,
    extracted_size  BIGINT,             -- watermark: unchanged size+mtime means nothing to do
    extracted_mtime DOUBLE,
    outcome         VARCHAR,            -- memory | no_op | skipped | failed
    note            VARCHAR,            -- why it was skipped, or what the reader dropped
    first_seen      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);

-- Units of work with an owner token and a lease, so a crashed run never leaves a job stuck.
CREATE TABLE jobs (
    kind          VARCHAR NOT NULL,     -- extract | consolidate
    key           VARCHAR NOT NULL,     -- rollout path, or 'global'
    status        VARCHAR NOT NULL,     -- pending | running | done | failed
    owner         VARCHAR,
    lease_until   TIMESTAMP,
    attempts_left INTEGER NOT NULL,     -- 1 + retries; a changed input gets a fresh set
    failures      INTEGER NOT NULL DEFAULT 0,
    retry_at      TIMESTAMP,
    last_error    VARCHAR,
    source_size   BIGINT,               -- the input version the retries were counted against
    source_mtime  DOUBLE,
    tokens_in     BIGINT NOT NULL DEFAULT 0,
    tokens_out    BIGINT NOT NULL DEFAULT 0,
    updated_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, key)
);

-- Phase 1 output: at most one raw memory per rollout (a no-op removes it).
CREATE TABLE raw_memories (
    rollout_id        VARCHAR PRIMARY KEY,
    source_path       VARCHAR NOT NULL,
    source_format     VARCHAR NOT NULL,
    project_key       VARCHAR NOT NULL,
    scope             VARCHAR NOT NULL,  -- project | global | mixed (from the tasks)
    slug              VARCHAR NOT NULL,
    summary           VARCHAR NOT NULL,
    body_json         VARCHAR NOT NULL,  -- the validated RawMemory
    body_md           VARCHAR NOT NULL,  -- the same, rendered for people
    source_updated_at TIMESTAMP NOT NULL,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    usage_count       INTEGER NOT NULL DEFAULT 0,
    last_usage        TIMESTAMP
);

CREATE TABLE runs (
    run_id      VARCHAR PRIMARY KEY,
    started_at  TIMESTAMP NOT NULL,
    ended_at    TIMESTAMP,
    status      VARCHAR NOT NULL,       -- running | ok | failed
    provider    VARCHAR,
    discovered  INTEGER NOT NULL DEFAULT 0,
    memories    INTEGER NOT NULL DEFAULT 0,
    no_ops      INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    model_calls INTEGER NOT NULL DEFAULT 0,
    tokens_in   BIGINT NOT NULL DEFAULT 0,
    tokens_out  BIGINT NOT NULL DEFAULT 0,
    commit_sha  VARCHAR,
    message     VARCHAR
);
