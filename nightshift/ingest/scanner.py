"""Injection scanner: finds instruction-like payloads and invisible Unicode in memory text.

Memories and the handbook are read by the next agent session as trusted guidance, so a transcript
that smuggled "ignore previous instructions" or a ``curl ... -d @~/.ssh/id_rsa`` into them would
turn nightshift into a persistence channel. ``find_injections`` returns human-readable reasons; an
empty list means clean. It is one compiled regex pass plus one character-class pass, so it is cheap
enough to run on every raw memory and on every render of the handbook.

The patterns look for *payload shapes* (a verb aimed at the agent's instructions, a secret file
next to a reader or uploader, a decode piped into a shell), not for words: ordinary handbook rules
such as "Never push directly to main" or "Run `curl localhost:8000/health`" stay clean.
"""

from __future__ import annotations

import re
import unicodedata

_SHELL = r"(?:sudo\s+)?(?:ba|z|da|k)?sh\b"
_SECRET_FILES = (
    r"(?:~|\$home|/root|/home/[\w.-]+)/\.ssh\b"
    r"|\.ssh/id_(?:rsa|dsa|ecdsa|ed25519)\b(?!\.pub)"
    r"|\.aws/credentials\b|\.git-credentials\b|\.netrc\b|/etc/shadow\b|\.docker/config\.json\b"
    r"|\.kube/config\b|\.npmrc\b|\.pypirc\b|\.config/gh/hosts\.yml\b"
    r"|(?<![\w.])\.env(?:\.local|\.production)?\b(?!\.(?:example|sample|template|dist))"
)
_READ_OR_SEND = r"(?:cat|less|more|head|tail|base64|xxd|od|strings|tar|zip|cp|scp|rsync|curl|wget|nc|upload|exfiltrate|send|post|leak)"

# (reason, alternatives), written in lowercase: the text is lowercased once before matching.
_RULES = [
    ("instruction override", [
        r"\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|the|of)\s+)*"
        r"(?:(?:previous|prior|above|earlier|preceding|former|original|your|system|developer|safety)\s+)+"
        r"(?:instructions?|prompts?|rules|directions|directives|guidelines|guardrails|context|messages?)\b",
        r"\bignore\s+all\s+instructions\b",
        r"\b(?:new|updated|revised|real|actual|hidden)\s+(?:system\s+)?instructions?\s*:",
    ]),
    ("role hijack", [
        r"\byou\s+are\s+now\b",
        r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b",
        r"\b(?:pretend|act)\s+(?:to\s+be|as)\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|dan)\b",
        r"\bjailbreak(?:en|ed)?\b|\bdan\s+mode\b|\bdeveloper\s+mode\s+(?:enabled|on)\b",
    ]),
    ("system prompt", [
        r"\b(?:reveal|print|show|output|repeat|leak|dump|ignore|override|replace|disregard|new|your)\s+"
        r"(?:the\s+|your\s+|my\s+)?system\s+prompt\b",
        r"\bsystem\s+prompt\s*:",
    ]),
    ("chat role marker", [r"<\|(?:im_start|im_end|system|assistant|user|endoftext)\|>", r"\[/?inst\]", r"<</?sys>>", r"</?system>"]),
    ("exfiltration", [
        # a pipe into a network client, a file upload or command output sent by curl/wget
        r"\|\s*(?:curl|wget|nc|ncat|netcat|socat)\b",
        r"\b(?:curl|wget)\b[^\n]{0,300}?(?:\s(?:-d|--data(?:-binary|-raw|-urlencode)?|-f|--form|--post-data)"
        r"[\s=]+['\"]?(?:[^\s'\"]*=)?(?:@|[^\s'\"]*\$\(|[^\s'\"]*`)|\s(?:-t|--upload-file|--post-file)[\s=])",
        r"\bhttps?://[^\s'\"`]*(?:\$\(|`(?=\w))",
        r"\b(?:nc|ncat|netcat)\b[^\n]{0,100}?\s-[a-z]*[ec]\s",
        r"/dev/tcp/",
    ]),
    ("secret access", [
        rf"\b{_READ_OR_SEND}\b[^\n]{{0,120}}?(?:{_SECRET_FILES})",
        rf"(?:{_SECRET_FILES})[^\n]{{0,60}}?\|\s*(?:curl|wget|nc|base64)\b",
    ]),
    ("ssh backdoor", [
        r">>?\s*\S*authorized_keys\b",
        r"\b(?:echo|printf|tee|append|add|write|copy)\b[^\n]{0,160}?authorized_keys\b",
    ]),
    ("concealment", [
        r"\b(?:do\s+not|don't|never)\s+(?:tell|inform|notify|alert|warn|mention\s+(?:this|it)\s+to)\s+the\s+user\b",
        r"\bwithout\s+(?:telling|informing|notifying|alerting)\s+the\s+user\b",
        r"\b(?:hide|conceal|keep)\s+(?:this|it)\s+(?:secret\s+|hidden\s+)?from\s+the\s+user\b",
    ]),
    ("decode and run", [
        rf"\bbase64\s+(?:-d|--decode)\b[^\n]{{0,120}}?\|\s*{_SHELL}",
        rf"\b(?:xxd\s+-r|openssl\s+(?:enc\s+)?-d)\b[^\n]{{0,120}}?\|\s*{_SHELL}",
        r"\b(?:exec|eval)\s*\(\s*(?:base64\.b64decode|atob|buffer\.from|codecs\.decode|bytes\.fromhex)",
    ]),
]  # fmt: skip


def _compile(rules: list[tuple[str, list[str]]]) -> re.Pattern[str]:
    """One pattern over lowercased text (no IGNORECASE, no named groups: both halve the speed)."""
    at_word = [alt for _, alts in rules for alt in alts if alt.startswith(r"\b")]
    anywhere = [alt for _, alts in rules for alt in alts if not alt.startswith(r"\b")]
    # Most positions are inside a word or on a letter no symbol rule starts with: a one-character
    # look-behind or look-ahead rejects them before any alternative is tried.
    parts = []
    if at_word:
        parts.append("(?<!\\w)(?:" + "|".join(at_word) + ")")
    if anywhere:
        parts.append("(?=[<\\[|>/~$.])(?:" + "|".join(anywhere) + ")")
    pattern = "|".join(parts)
    return re.compile(pattern)


_PATTERN = _compile(_RULES)
_BY_RULE = [(label, _compile([(label, alts)])) for label, alts in _RULES]  # names a hit; hits are rare

# Characters a reader cannot see but a model reads: zero-width characters, bidi embeddings,
# overrides and isolates (reorder what is displayed), and Unicode tags (ASCII smuggled as U+E00xx).
_INVISIBLE = re.compile(
    "[\u200b-\u200d\u2060-\u2064\ufeff\u180e\u202a-\u202e\u2066-\u2069\U000e0000-\U000e007f]"
)
_ZWJ = "\u200d"


def find_injections(text: str) -> list[str]:
    reasons: dict[str, None] = {}  # ordered and de-duplicated
    lowered = text.lower()
    # lower() can change the length of a few non-ASCII letters; then the snippet comes from lowered
    shown = text if len(lowered) == len(text) else lowered
    for match in _PATTERN.finditer(lowered):
        label = next(label for label, rule in _BY_RULE if rule.match(lowered, match.start()))
        reasons[f"{label}: {_snippet(shown[match.start() : match.end()])!r}"] = None
    counts: dict[str, int] = {}
    for match in _INVISIBLE.finditer(text):
        if _harmless(text, match.start()):
            continue
        char = match.group()
        counts[_describe(char)] = counts.get(_describe(char), 0) + 1
    for name, count in counts.items():
        reasons[f"invisible unicode: {name} x{count}"] = None
    return list(reasons)


def _harmless(text: str, at: int) -> bool:
    """A byte-order mark opening the text, or a zero-width joiner inside an emoji sequence."""
    char = text[at]
    if char == "\ufeff":
        return at == 0
    if char == _ZWJ and 0 < at < len(text) - 1:
        return _is_emoji(text[at - 1]) and _is_emoji(text[at + 1])
    return False


def _is_emoji(char: str) -> bool:
    return ord(char) >= 0x1F000 or 0x2600 <= ord(char) <= 0x27BF or char == "\ufe0f"


def _describe(char: str) -> str:
    if 0xE0000 <= ord(char) <= 0xE007F:
        return "tag characters (U+E0000..U+E007F)"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed').lower()}"


def _snippet(matched: str, limit: int = 80) -> str:
    flat = " ".join(_INVISIBLE.sub("", matched).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
