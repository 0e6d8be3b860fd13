"""Citation parsing: Codex's <oai-mem-citation> blocks and our [memory: <id>] lines, in assistant turns only."""

from __future__ import annotations

from nightshift.ingest.citations import parse_citations, short_ids
from nightshift.ingest.transcript import Transcript, Turn, TurnKind

ACME = "01a1edb6-81d4-76a2-807c-afd56071b068"
SHOP = "d4a27783-1132-41b3-a519-aa6bd6b5563f"


def _transcript(*turns: tuple[TurnKind, str]) -> Transcript:
    return Transcript("citing-session", "codex", "/tmp/x.jsonl", turns=[Turn(kind, text) for kind, text in turns])


def _codex_block(ids_tag: str, *ids: str) -> str:
    return (
        "Done: the tests pass now.\n<oai-mem-citation>\n<citation_entries>\n"
        "MEMORY.md:12-14|note=[install the package before pytest]\n"
        "rollout_summaries/2026-11-18-fix-tests-01a1edb6.md:3-9|note=[exact command]\n"
        f"</citation_entries>\n<{ids_tag}>\n" + "\n".join(ids) + f"\n</{ids_tag}>\n</oai-mem-citation>"
    )


def test_codex_blocks_with_rollout_ids_or_thread_ids():
    cited = parse_citations(_transcript(
        (TurnKind.ASSISTANT, _codex_block("rollout_ids", ACME)),
        (TurnKind.ASSISTANT, _codex_block("thread_ids", SHOP, ACME)),
    ))
    assert cited.ids == (ACME, SHOP)  # each id once, in order of first mention; file entries are not ids
    assert cited.malformed == 0


def test_our_format_inline_several_ids_any_case():
    text = f"Used pnpm as remembered. [memory: {SHOP[:8]}]\nAlso [Memory: fix-acme-tests, {ACME}]\n[memory: {SHOP[:8]}]"
    cited = parse_citations(_transcript((TurnKind.ASSISTANT, text)))
    assert cited.ids == (SHOP[:8], "fix-acme-tests", ACME)
    assert cited.malformed == 0


def test_both_formats_in_one_answer():
    text = _codex_block("rollout_ids", ACME) + f"\n[memory: {SHOP[:8]}]"
    assert parse_citations(_transcript((TurnKind.ASSISTANT, text))).ids == (ACME, SHOP[:8])


def test_malformed_citations_are_skipped_and_counted_while_good_ones_count():
    turns = (
        (TurnKind.ASSISTANT, "I cite with [memory: <id>] as asked."),  # a placeholder, not an id
        (TurnKind.ASSISTANT, "[memory: the pnpm rule]"),  # prose instead of an id
        (TurnKind.ASSISTANT, "[memory: d4a27783"),  # never closed on its line
        (TurnKind.ASSISTANT, _codex_block("rollout_ids", "see MEMORY.md lines 3-4")),  # prose in the id list
        (TurnKind.ASSISTANT, "<oai-mem-citation>\n<rollout_ids>\n" + ACME + "\n</oai-mem-citation>"),  # list never closed
        (TurnKind.ASSISTANT, f"fine: [memory: {SHOP}]\n<oai-mem-citation>\n<rollout_ids>\n{ACME}\n"),  # answer cut off
    )
    cited = parse_citations(_transcript(*turns))
    assert cited.ids == (SHOP,)
    assert cited.malformed == 6


def test_a_block_without_an_id_list_cites_nothing_and_is_not_malformed():
    text = "<oai-mem-citation>\n<citation_entries>\nMEMORY.md:1-2|note=[x]\n</citation_entries>\n<rollout_ids>\n</rollout_ids>\n</oai-mem-citation>"
    cited = parse_citations(_transcript((TurnKind.ASSISTANT, text), (TurnKind.ASSISTANT, text.replace("<rollout_ids>\n</rollout_ids>\n", ""))))
    assert (cited.ids, cited.malformed) == ((), 0)


def test_only_assistant_turns_cite():
    cited = parse_citations(_transcript(
        (TurnKind.USER, f"please use what you know, e.g. [memory: {SHOP}]"),
        (TurnKind.TOOL_CALL, f"cat notes.md  # [memory: {SHOP}]"),
        (TurnKind.TOOL_OUTPUT, _codex_block("rollout_ids", ACME)),
        (TurnKind.ASSISTANT, "No memory was needed here."),
    ))
    assert (cited.ids, cited.malformed) == ((), 0)


def test_short_ids_are_unique_prefixes_of_at_least_eight_characters():
    same_minute = ["019c6e27-e55b-73d1-87d8-4e01f1f75043", "019c6e27-f00d-73d1-87d8-4e01f1f75043"]
    short = short_ids([ACME, SHOP, *same_minute, "abc"])
    assert short[ACME] == "01a1edb6" and short[SHOP] == "d4a27783"
    assert short[same_minute[0]] == "019c6e27-e" and short[same_minute[1]] == "019c6e27-f"
    assert short["abc"] == "abc"
