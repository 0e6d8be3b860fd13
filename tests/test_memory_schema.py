"""The JSON Schema in schemas/ and the pydantic model describe the same RawMemory."""

from __future__ import annotations

import pytest

from nightshift.memory import InvalidMemory, RawMemory, parse_raw_memory
from nightshift.resources import load_schema

TASK = {
    "title": "Fix failing tests", "outcome": "success", "scope": "project", "cwd": "/home/dev/api",
    "keywords": ["pytest"], "preferences": ["Always run pytest -x"], "knowledge": [],
    "failures": [{"symptom": "`pytest` failed: ModuleNotFoundError", "fix": "`pip install -e .`"}], "evidence": ["user turn 1"],
}
MEMORY = {"decision": "remember", "rollout_summary": "Fixed tests.", "slug": "fix-failing-tests", "tasks": [TASK]}


def _objects(schema: dict, defs: dict) -> list[dict]:
    """Every object schema reachable from ``schema`` (resolving local $refs)."""
    if "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[1]]
    found = [schema] if schema.get("type") == "object" else []
    for sub in list(schema.get("properties", {}).values()) + ([schema["items"]] if "items" in schema else []):
        found += _objects(sub, defs)
    return found


def test_schema_and_model_have_the_same_fields_required_and_enums():
    ours = load_schema("raw_memory")
    theirs = RawMemory.model_json_schema()
    ours_objs = _objects(ours, ours.get("$defs", {}))
    theirs_objs = _objects(theirs, theirs.get("$defs", {}))
    assert [sorted(o["properties"]) for o in ours_objs] == [sorted(o["properties"]) for o in theirs_objs]
    for o in ours_objs:
        assert sorted(o["required"]) == sorted(o["properties"]), "strict mode needs every property required"
        assert o["additionalProperties"] is False
    for o, t in zip(ours_objs, theirs_objs):
        assert sorted(o["required"]) == sorted(t.get("required", []))
    assert ours["properties"]["decision"]["enum"] == ["remember", "no_op"]
    outcome_enum = theirs["$defs"]["Outcome"]["enum"]
    assert ours["$defs"]["task"]["properties"]["outcome"]["enum"] == outcome_enum


def test_valid_memory_and_no_op_parse():
    assert parse_raw_memory(MEMORY).tasks[0].outcome.value == "success"
    assert parse_raw_memory({"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": []}).is_no_op


@pytest.mark.parametrize(
    "bad, needle",
    [
        ("{not json", "not valid JSON"),
        ({**MEMORY, "extra": 1}, "Additional properties"),
        ({**MEMORY, "tasks": [{**TASK, "outcome": "great"}]}, "is not one of"),
        ({"decision": "no_op", "rollout_summary": "", "slug": "", "tasks": [TASK]}, "no_op decision must have an empty tasks"),
        ({**MEMORY, "slug": "Not A Slug"}, "does not match"),
    ],
)
def test_invalid_outputs_are_rejected_with_readable_errors(bad, needle):
    with pytest.raises(InvalidMemory) as err:
        parse_raw_memory(bad)
    assert needle in str(err.value)
