-- nightshift state, version 5: model use per run, phase and model, so cost can be priced per model.

-- runs.tokens_in/out stay the run's totals; this splits them. One row per (run, phase, model) that
-- made at least one call; `nightshift status` prices them with the model_prices setting.
CREATE TABLE run_model_usage (
    run_id     VARCHAR NOT NULL,
    phase      VARCHAR NOT NULL,  -- extract | consolidate
    model      VARCHAR NOT NULL,
    calls      INTEGER NOT NULL,
    tokens_in  BIGINT NOT NULL,
    tokens_out BIGINT NOT NULL,
    PRIMARY KEY (run_id, phase, model)
);
