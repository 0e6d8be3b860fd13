"""Secret redaction: every secret-looking value becomes ``[REDACTED:<kind>]``.

Rules follow the shapes secrets take rather than a list of vendors alone: documented token prefixes (and
any short lowercase prefix before a long random body), key blocks of every kind (PEM, OpenSSH, PGP, PuTTY,
age), credentials in URLs of any scheme (a password, or a token given as the user name) and in headers,
values under secret-looking names in every config syntax (env, shell, YAML, TOML, ini, JSON, XML,
properties), a name and its value in two fields (``{"name": "DB_PASSWORD", "value": ...}``), credentials
given to command-line tools as an option (``mysql -pX``, ``sshpass -p X``, ``curl -u user:pass``,
``/p:X``) or as a plain argument (``net use ... PASSWORD``, ``setx TOKEN value``), ``.pgpass`` lines,
base64 values that decode to a secret (Kubernetes ``data:``, kubeconfig ``client-key-data``), cookies,
webhook URLs, a string literal given to a client (``cohere.Client("...")``), long random values next to a
weaker name (``signing_key``, ``X-Auth-Key``), and secrets written in prose in many languages ("the db
password is X", "Le mot de passe est X", "密码是 X", "the API key for the pipeline: X", one-time-password
seeds, recovery codes), and a password typed with no word for it, by its shape alone ("try it with X").

One pass per anchor. Every rule is anchored on one literal character, chosen among the rare ones (``J``
of ``eyJ``, ``k`` of ``sk-``, ``z`` of ``Authorization``; the ``=``, ``:`` or quote after a secret-looking
name), and the characters of its prefix before the anchor are checked by a look-behind. The regex engine
skips in C over every character that is not the anchor, and at an anchor a cheap guard rejects most
occurrences before any rule is tried. Prose has no rare character to anchor on: its words, in every
language, are found together by one RE2 pass (a DFA: linear time, whatever the number of words), and only
its rare hits are read further in Python. Token shapes need their fixed prefixes, so git SHAs, UUIDs and
hashes never match; a value under a secret-looking name is taken whole, and under a weaker name or in
prose only when it looks random. Tool calls are rendered as compact JSON, so a file the agent wrote shows
its line ends as the two characters ``\\n``: rules that read to the end of a line accept those too.
Redaction is idempotent: a marker never matches again.

One place per family: ``checks`` (the secret words, what a value is not, the checks patterns cannot make
alone), ``rules`` (token shapes, key blocks, URLs and headers, names and values, each anchor's guard),
``commands`` (credentials given to command-line tools), ``prose`` (the RE2 pass: prose in many languages,
one-time secrets, passphrases, clients, cookies, DSNs, tables, printed values), ``entropy`` (long random
tokens that nothing names, found by their shape alone); this module runs them.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from nightshift.ingest.redact import checks, prose
from nightshift.ingest.redact.checks import _Rule, _SECRET_KEY
from nightshift.ingest.redact.commands import _POSITIONAL_COMMAND, _positional_secret
from nightshift.ingest.redact.entropy import random_token_hits
from nightshift.ingest.redact.rules import _BY_LITERAL, _GUARDS, _LITERAL, _RULES
from nightshift.ingest.redact.prose import (
    _PROSE_WORD, _call_secret, _cookie_jar_value, _cookie_values, _discord_token, _dsn_password,
    _auth_pair, _generated, _listed_secrets, _said_below, _inserted_secrets, _piped_secret, _prose_value, _said_where_it_goes, _slash_pair, _spaced_value, _table_cells,
)


def _literal_hits(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The token rules of ``_BY_LITERAL``, tried at their anchors inside each literal found in a hit's span."""
    hits = []
    for literal in _LITERAL.finditer(text, start, min(len(text), end + 16)):
        for at in range(literal.start(), literal.end()):
            if (passes := _passes()[1].get(text[at])) and (found := passes[1].match(text, at)):
                if hit := _first_hit(passes[0], passes[2], found, text):
                    hits.append(hit)
    return hits


def _re2_hits(text: str) -> list[tuple[int, int, str]]:
    """The hits, as (start, end, replacement), of everything the RE2 pass finds."""
    hits = []
    for found in prose.re2_matches(text):
        # the command may sit inside a hit that began earlier ($pw = ConvertTo-SecureString "..."); one character
        # past the hit, so that the command's own end is checked against what follows (connect, not connection)
        command = _POSITIONAL_COMMAND.search(text, found.start(), found.end() + 1)
        found_here = [
            _positional_secret(text, command) if command else None,
            _call_secret(text, found.start()) or _dsn_password(text, found) or _cookie_jar_value(text, found)
            or _generated(text, found) or _discord_token(text, found) or _said_where_it_goes(text, found) or _piped_secret(text, found) or _spaced_value(text, found)
            or _slash_pair(text, found) or _auth_pair(text, found) or _said_below(text, found),
        ]
        found_here += _cookie_values(text, found) + _table_cells(text, found) + _inserted_secrets(text, found) + _listed_secrets(text, found)
        hits += _literal_hits(text, found.start(), found.end())  # these name their kind already
        for word in _PROSE_WORD.finditer(text, found.start(), found.end()):
            found_here += _prose_value(text, word)
        for hit in found_here:
            if hit is not None:
                start, end, kind = hit
                value = text[start:end]
                # a known token shape names its kind (not when the value is all there is: no recursion)
                named = redact(value) if len(value) >= 16 and kind in ("secret", "password") and value != text else value
                hits.append((start, end, named if _MARKER.fullmatch(named) and named not in _UNNAMED else f"[REDACTED:{kind}]"))
    return hits


def _compile(rules: list[_Rule], guards: dict[str, str]) -> list[tuple[list[_Rule], re.Pattern[str], list[str]]]:
    """One pattern per anchor; the rules that share an anchor are alternatives after its guard.

    Each rule also gets a pattern of its own: when a rule's check turns a match down, the rules after
    it are tried at the same place (the combined pattern only ever reports the first that matched).
    """
    by_anchor: dict[str, list[_Rule]] = {}
    for rule in rules:
        by_anchor.setdefault(rule.anchor, []).append(rule)
    passes = []
    for anchor, same in by_anchor.items():
        alts = []
        for n, rule in enumerate(same):
            rest = rule.rest.replace("(?P<keep>", f"(?P<k{n}>").replace("(?P<value>", f"(?P<v{n}>")
            alts.append(f"(?P<r{n}>{rest})")
        combined = re.compile(re.escape(anchor) + guards.get(anchor, "") + "(?:" + "|".join(alts) + ")")
        passes.append((same, combined, [re.escape(anchor) + alt for alt in alts]))  # compiled when first needed
    return passes


_single = functools.cache(re.compile)  # a rule's own pattern: needed only after a check turned its match down


# A pattern that starts with one literal character is searched for in C at memchr speed; a single pattern
# with many first characters is tried at every position and is several times slower. Hence one pass per
# anchor, each skipping straight from one occurrence of its anchor to the next.
@functools.cache
def _passes() -> tuple[list, dict]:
    """The anchored rules, compiled: the passes searched over the whole text, and those tried only where the RE2
    pass found their literal. Built on first use: every command imports the redactor (through the store), and a
    tenth of a second of compiling is wasted on those that never redact."""
    searched = _compile([rule for rule in _RULES if rule.anchor not in _BY_LITERAL], _GUARDS)
    by_literal = {rules[0].anchor: (rules, pattern, singles) for rules, pattern, singles in _compile(
        [rule for rule in _RULES if rule.anchor in _BY_LITERAL], _GUARDS)}
    return searched, by_literal


def compile_rules() -> None:
    """Compile every pattern now (a night does it while Prefect's server starts, instead of at its first redaction)."""
    _passes()
    prose.re2_passes()
    prose.bare_passes()


def redact(text: str) -> str:
    hits = _re2_hits(text) + random_token_hits(text)
    for rules, pattern, singles in _passes()[0]:
        pos = 0
        while (found := pattern.search(text, pos)) is not None:
            hit = _first_hit(rules, singles, found, text)
            pos = hit[1] if hit else found.start() + 1
            if hit:
                hits.append(hit)
    # a password known by its shape alone (key=sk-ant-..., -pSECRET) gives way to the rule that knows its context
    hits += [alone for alone in prose.bare_password_hits(text) if not any(hit[0] < alone[1] and alone[0] < hit[1] for hit in hits)]
    if not hits:
        return text
    hits.sort(key=lambda hit: (hit[0], -hit[1]))
    out, done = [], 0
    for start, end, replacement in hits:
        if start < done:  # inside a longer or earlier secret that is already redacted
            continue
        out += [text[done:start], replacement]
        done = end
    out.append(text[done:])
    return _continued("".join(out))


def _continued(out: str) -> str:
    """The rest of a secret split over string literals (``"first" + "rest"``, ``"first"\\`` then ``"rest"`` on
    the next line, Python's adjacent literals): each literal joined straight onto a redacted one goes too."""
    for _ in range(8):  # one literal per round: a key split in more parts than that is left as it is
        joined = _CONTINUATION.sub(r"\1[REDACTED:secret]", out)
        if joined == out:
            break
        out = joined
    return out


def _first_hit(rules: list[_Rule], singles: list[str], found: re.Match[str], text: str) -> tuple[int, int, str] | None:
    """The hit of the first rule that matched at ``found`` and whose check agrees, if any."""
    n, match = int(found.lastgroup[1:]), found  # "r<n>" is the group that closed last
    while match is not None:
        start = max(0, match.start() - rules[n].back)  # a header at the very start of the text (Authorization: ...)
        if (replacement := _replacement(rules[n], n, match, start)) is not None:
            return start, match.end(), replacement
        # turned down by its check: the later rules may still match here, and anything inside the
        # span (a token in a value that was not a password) is searched again
        n, match = _next_match(rules, singles, n, match.start(), text)
    return None


def _next_match(rules: list[_Rule], singles: list[str], after: int, at: int, text: str) -> tuple[int, re.Match[str] | None]:
    for n in range(after + 1, len(rules)):
        if (match := _single(singles[n]).match(text, at)) is not None:
            return n, match
    return len(rules), None


def _replacement(rule: _Rule, n: int, match: re.Match[str], start: int) -> str | None:
    text = match.string
    groups = match.re.groupindex
    keep = text[start : match.end(f"k{n}")] if f"k{n}" in groups else ""
    if f"v{n}" not in groups:
        # the name before NAME=token or "name": "token", read backwards (a regex anchored at the end would retry
        # from every character before it)
        name = checks._NAME_REVERSED.match(text[max(0, start - 80) : start].rstrip(" \t\"':=")[::-1])
        if _PLACEHOLDER_TOKEN.search(text, start, match.end()) or (name and _PUBLIC_NAME.search(name[0][::-1].lower())):
            return None  # sk_test_XXXXXXXX..., or a key its name says the browser sees (NEXT_PUBLIC_..., anon_key)
        return f"{keep}[REDACTED:{rule.kind}]"
    value = match[f"v{n}"]
    if _PAGING_NAME.search(text, max(0, match.start(f"v{n}") - 48), match.start(f"v{n}")):
        return None  # NextToken, nextPageToken, --starting-token, Idempotency-Key: a place in a listing or a request's id
    quote = value[0] if value[0] in "\"'" and value[-1] == value[0] and len(value) > 1 else ""
    inner = value[1:-1] if quote else value
    if rule.check is not None:
        if not rule.check(text, start, inner):
            return None  # not a secret by this rule; a token shape inside is still caught by its own
    # a known token shape names its kind (OPENAI_API_KEY=sk-... -> openai); anything else is "secret"
    redacted = redact(inner) if len(inner) >= 16 else inner  # no token shape is shorter
    if _MARKER.fullmatch(redacted) is None or redacted in _UNNAMED:  # no vendor shape, or one that covers only part
        name = text[max(0, start - 24) : start].rstrip(" \"'").lower()
        redacted = "[REDACTED:aws_secret_key]" if name.endswith("aws_secret_access_key") else "[REDACTED:secret]"
    return f"{keep}{quote}{redacted}{quote}"


_MARKER = re.compile(r"\[REDACTED:\w+\]")
# a marker that closed a string literal, then only a join (+, a shell's \ at the line end, a PHP .) and white
# space, then another literal of token characters with a digit: the next part of the same secret
_CONTINUATION = re.compile(
    r"(\[REDACTED:\w+\][\"'][ \t]*(?:[+.][ \t]*|\\)?(?:\r?\n|\\n)?[ \t]*(?:[+.][ \t]*)?[\"'])(?=[^\"'\s]*\d)[A-Za-z0-9+/=_~-]{6,}(?=[\"'])"
)
_PLACEHOLDER_TOKEN = re.compile(r"(?i)x{8}|\*{8}|0{12}|\.\.\.")
_PUBLIC_NAME = re.compile(r"public|publishable|(?:^|[_-])anon(?:[_-]|$)")
_PAGING_NAME = re.compile(
    r"(?i)(?:(?:next|page|continuation|starting|pagination|paging|cursor|resume|sync)[_-]?token|idempotency[_-]?key|"
    r"(?:request|trace|correlation)[_-]?id)[\"'\]]?[ \t]*(?:[:=][ \t]*)?[\"']?$"
)
# what the token scan and a password's shape say: the name before the value may say more (aws_secret_key)
_UNNAMED = ("[REDACTED:secret]", "[REDACTED:password]")




def redact_obj(obj: Any) -> Any:
    """Redact every string in nested dicts and lists; a value under a secret-looking key is redacted whole."""
    if isinstance(obj, str):
        return redact(obj)
    if isinstance(obj, dict):
        return {
            key: "[REDACTED:secret]"
            if isinstance(key, str) and isinstance(value, str) and value and _SECRET_KEY.fullmatch(key)
            else redact_obj(value)
            for key, value in obj.items()
        }
    if isinstance(obj, (list, tuple)):
        return [redact_obj(item) for item in obj]
    return obj


checks.redact_decoded = redact  # base64 that decodes to text is redacted like any text (see checks)
