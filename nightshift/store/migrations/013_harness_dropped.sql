-- nightshift state, version 13: what the readers dropped as harness text, per run and kind.

-- JSON object {kind: count}: task notifications, IDE context, inherited or compacted turns, tool and
-- model configuration items, other sessions' summaries, turns on abandoned branches. `nightshift status`
-- shows it per run, so "the user never said that" can be checked against what was left out.
ALTER TABLE runs ADD COLUMN harness_dropped VARCHAR;
