"""The RE2 pass split in two halves for speed finds exactly what the whole pattern finds."""

from __future__ import annotations

import random

import pytest
import re2

from nightshift.ingest.redact import prose

_PIECES = ["password", "token", "secret", "passwort", " ", "  ", ":", "=", "\n", "abc123XYZ!", "Zq8vR2mN9bT4kLw8",
           "openssl rand -hex 32\n", "set DB_PASSWORD to ", "Client(", "'", "|", "echo hunter2hunter | docker login --password-stdin",
           "sk-proj-", "ghp_", "is ", "as the password", "cookie: a=", "user@example.com:", "root / ", "db_password ", "2fa", "é", "密码", "：", "🔑"]


WHOLE_PATTERN = re2.compile("(?i)(?:" + prose._WORD_THEN_VALUE + "|" + prose._RE2_OTHERS + ")", prose._RE2_OPTIONS)


def whole_pattern_spans(text: str) -> list[tuple[int, int]]:
    return [found.span() for found in WHOLE_PATTERN.finditer(text)]


@pytest.mark.parametrize("text, halves", [
    ("token  abc123XYZ!", "both halves match at the same start: the first half's alternative comes first"),
    ("echo hunter2hunter | docker login --password-stdin token: Zq8vR2mN9bT4kLw8", "the first half's match starts inside the other's"),
    ("set DB_PASSWORD to Zq8vR2mN9bT4kLw8 then password is abc123XYZ!", "one of each, apart"),
    ("password abc123XYZ! password abc123XYZ!", "the first half only"),
    ("passwört: geheim123! und das token ist Zq8vR2mN9bT4", "text that is not ASCII: offsets in characters"),
    ("密码是 Zq8vR2mN9bT4kLw8，token：abc123XYZ! ✓", "characters of three and four bytes"),
])
def test_the_halves_give_the_whole_patterns_matches(text, halves):
    assert whole_pattern_spans(text), halves
    assert [found.span() for found in prose.re2_matches(text)] == whole_pattern_spans(text)


def test_the_halves_agree_with_the_whole_pattern_on_jumbled_secrets_and_words():
    rnd = random.Random(7)
    texts = ["".join(rnd.choice(_PIECES) for _ in range(rnd.randrange(1, 25))) for _ in range(2_000)]
    found = 0
    for text in texts:
        spans = whole_pattern_spans(text)
        assert [match.span() for match in prose.re2_matches(text)] == spans, text
        found += len(spans)
    assert found > 2_000  # the texts do exercise the pass
