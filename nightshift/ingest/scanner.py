"""Injection scanner: finds instruction-like payloads and invisible Unicode in memory text.

Memories and the handbook are read by the next agent session as trusted guidance, so a transcript
that smuggled "ignore previous instructions" or a ``curl ... -d @~/.ssh/id_rsa`` into them would
turn nightshift into a persistence channel. ``find_injections`` returns human-readable reasons; an
empty list means clean. It is one compiled regex pass plus one character-class pass, so it is cheap
enough to run on every raw memory and on every render of the handbook.

Text is read in several views, so that a disguise does not hide an order: as written; normalised
(invisible characters dropped, NFKC folding full-width and mathematical letters, Cyrillic and Greek
look-alikes mapped to Latin); with letters spaced or dotted apart joined and digits read as letters in
words that mix them (``1gn0r3``); and any base64 run or percent-encoded text decoded. Orders hidden in
markdown link titles, HTML comments, code fences or hidden HTML are plain text to a regex, so they are read
like any other line. Orders are matched in the languages a user is likely to write in too.

The patterns look for *payload shapes* (a verb aimed at the agent's instructions, a secret file
next to a reader or uploader, a decode piped into a shell), not for words: ordinary handbook rules
such as "Never push directly to main" or "Run `curl localhost:8000/health`" stay clean.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from urllib.parse import unquote

from nightshift.ingest.redact import redact

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
        r"\byou\s+are\s+now\s+(?:dan\b|(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|free\s+of|no\s+longer)\b"
        r"|an?\s+(?:\w+\s+){0,2}(?:ai|assistant|model|agent|bot|hacker)\b|in\s+\w+\s+mode\b"
        r"|the\s+(?:\w+\s+)?(?:owner|admin|administrator|maintainer|system|root)\b)",
        r"\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must)\b",
        r"\b(?:pretend|act)\s+(?:to\s+be|as)\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|evil|dan)\b",
        r"\bjailbreak(?:en|ed)?\b|\bdan\s+mode\b|\bdeveloper\s+mode\s+(?:enabled|on)\b",
    ]),
    ("instruction override", [
        # the same order in other languages (German, French, Spanish, Portuguese, Italian, Russian)
        r"\b(?:ignoriere|ignorier|vergiss|missachte|übergehe)\s+(?:\w+\s+){0,3}?(?:vorherigen|bisherigen|obigen|früheren|vorigen)\s+"
        r"(?:anweisungen|regeln|instruktionen|vorgaben|befehle)\b",
        r"\b(?:ignore[zr]?|oublie[zr]?|ne\s+tiens\s+pas\s+compte\s+des)\s+(?:\w+\s+){0,3}?(?:instructions|consignes|règles|directives)\s+"
        r"(?:précédentes|antérieures|ci-dessus|initiales)",
        r"\b(?:ignora|ignore|olvida|esqueça|esquece|dimentica|ignorate)\s+(?:\w+\s+){0,3}?(?:instrucciones|instruções|istruzioni|reglas|regras|regole)\s+"
        r"(?:anteriores|previas|prévias|precedentes|precedenti|previe)",
        r"\b(?:игнорируй|проигнорируй|игнорируйте|забудь|забудьте|отбрось)\s+(?:\w+\s+){0,3}?(?:предыдущие|прежние|прошлые|все)\s+"
        r"(?:\w+\s+)?(?:инструкции|указания|правила|команды)",
    ]),
    ("instruction override", [
        # Chinese, Japanese, Korean: ignore ... earlier ... instructions, in either order
        r"(?:忽略|无视|忘记|忽视|無視)[^\n]{0,12}(?:之前|以上|先前|上面|前面|以前|此前|所有)[^\n]{0,8}(?:指令|指示|规则|说明|提示|命令)",
        r"(?:以前|これまで|上記|前)の(?:すべての)?(?:指示|命令|ルール|指令)[^\n]{0,12}無視",
        r"(?:이전|앞의|위의)[^\n]{0,12}(?:지시|명령|규칙|지침)[^\n]{0,12}무시",
    ]),
    ("standing order to run remote code", [
        # a pipe into a shell or interpreter made a habit ("always", "before every task", "the user prefers that you")
        r"\b(?:always|every\s+time|each\s+time|whenever|every\s+session|each\s+session|before\s+(?:any|every|each)|"
        r"at\s+the\s+start\s+of\s+(?:every|each|any)|prefers?\s+that\s+you|wants?\s+you\s+to)\b[^\n]{0,160}?"
        r"(?:\b(?:curl|wget|iwr|irm|invoke-webrequest)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:(?:ba|z|da|k|c|tc|fi)?sh|python[0-9.]*|node|perl|ruby|iex|pwsh|powershell)\b"
        r"|\bpipe\b[^\n]{0,120}?\binto\s+(?:ba|z)?sh\b)",
        r"\b(?:curl|wget)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:(?:ba|z|da|k)?sh|python[0-9.]*|node)\b[^\n]{0,80}?"
        r"\b(?:always|every\s+(?:time|session|task|run|commit)|each\s+(?:time|session|task|run|commit)|before\s+(?:any|every|each)\s+\w+)\b",
    ]),
    ("safety bypass", [
        r"--dangerously-(?:skip-permissions|bypass-approvals-and-sandbox)\b|--yolo\b",
        r"\bapproval_policy\s*=\s*[\"']?never\b|\bsandbox_mode\s*=\s*[\"']?danger-full-access\b",
        r"\b(?:disable|turn\s+off|bypass|skip)\s+(?:the\s+)?(?:sandbox|approvals?|permission\s+(?:checks?|prompts?))\b",
    ]),
    ("addressed to the agent", [
        r"\b(?:attention|note\s+to|message\s+(?:to|for)|instructions?\s+for|important(?:\s+instructions?)?\s+for|hey)\s+"
        r"(?:all\s+)?(?:the\s+)?(?:ai|llms?|language\s+models?|assistants?|agents?|ai\s+(?:agents?|assistants?|models?)|chatbots?|models?)"
        r"(?:\s+reading\s+this[^\n:]{0,40})?\s*[:,]",
        r"\b(?:ai|llm)\s+(?:agents?|assistants?)?\s*:\s*(?:ignore|disregard|you\s+must|always|never|from\s+now)",
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
        # a markdown image or link whose URL carries an environment variable: rendering it sends the value
        r"!\[[^\]\n]*\]\([^)\s]*[?&][^)\s=]*=[^)\s]*(?:\$\{?[a-z_][a-z0-9_]*|\{\{)",
    ]),
    ("hidden markup", [r"<(?:div|span|p|section)\b[^>\n]*(?:display\s*:\s*none|visibility\s*:\s*hidden|\shidden\b)[^>\n]*>"]),
    ("secret access", [
        rf"\b{_READ_OR_SEND}\b[^\n]{{0,120}}?(?:{_SECRET_FILES})",
        rf"(?:{_SECRET_FILES})[^\n]{{0,60}}?\|\s*(?:curl|wget|nc|base64)\b",
    ]),
    ("ssh backdoor", [
        r">>?\s*\S*authorized_keys\b",
        r"\b(?:echo|printf|tee|append|add|write|copy)\b[^\n]{0,160}?\b(?:to|into|in)\s+\S*authorized_keys\b",
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
    at_symbol = [alt for _, alts in rules for alt in alts if not alt.startswith(r"\b") and alt.isascii()]
    cjk = [alt for _, alts in rules for alt in alts if not alt.startswith(r"\b") and not alt.isascii()]
    # Most positions are inside a word or on a letter no symbol rule starts with: a one-character
    # look-behind or look-ahead rejects them before any alternative is tried.
    parts = []
    if at_word:
        parts.append("(?<!\\w)(?:" + "|".join(at_word) + ")")
    if at_symbol:
        parts.append("(?=[<\\[|>/~$.!-])(?:" + "|".join(at_symbol) + ")")
    if cjk:  # scripts without spaces between words: no word start to anchor on
        parts.append("(?=[\u3000-\u9fff\uac00-\ud7af])(?:" + "|".join(cjk) + ")")
    return re.compile("|".join(parts))


_PATTERN = _compile(_RULES)
_BY_RULE = [(label, _compile([(label, alts)])) for label, alts in _RULES]  # names a hit; hits are rare

# Characters a reader cannot see but a model reads: the soft hyphen, zero-width characters, the Mongolian
# vowel separator, every bidi control (marks, embeddings, overrides, isolates: they reorder what is
# displayed), variation selectors (both blocks), the combining grapheme joiner, Hangul fillers, and the
# whole Unicode tag block (ASCII smuggled as U+E00xx).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
_ZWJ = "\u200d"
_TEXT_STYLE, _EMOJI_STYLE = "\ufe0e", "\ufe0f"

# Latin look-alikes from Cyrillic and Greek (lowercase; the text is lowercased first). NFKC already folds
# full-width and mathematical letters to ASCII.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ї": "i", "ј": "j", "к": "k", "м": "m", "н": "h",
    "о": "o", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u",
    "χ": "x", "ϲ": "c", "ј": "j", "ӏ": "l", "ı": "i",
})  # fmt: skip
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_LEET_WORD = re.compile(r"\b(?=[a-z]*[0-9@$])(?=[0-9@$]*[a-z])[a-z0-9@$]{3,}\b")
_SPACED = re.compile(r"(?<![\w.])\w(?:(?: \w){2,}|(?:\.\w){2,})(?![\w.])")  # "i g n o r e", "i.g.n.o.r.e"
_BASE64_RUN = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")
_PERCENT = re.compile(r"%[0-9a-fA-F]{2}")
_BASE64 = " (base64-decoded)"
_REMOTE_CODE = re.compile(r"\b(?:curl|wget)\b[^\n|]{0,200}\|\s*(?:sudo\s+)?(?:(?:ba|z|da|k)?sh|python[0-9.]*|node|perl)\b")


def find_injections(text: str) -> list[str]:
    reasons: dict[str, None] = {}  # ordered and de-duplicated
    # the reasons quote the text, and they are shown and stored (status, quarantine): never a secret
    for view, how in _views(redact(text)):
        lowered = view.lower()
        # lower() can change the length of a few non-ASCII letters; then the snippet comes from lowered
        shown = view if len(lowered) == len(view) else lowered
        for match in _PATTERN.finditer(lowered):
            label = next(label for label, rule in _BY_RULE if rule.match(lowered, match.start()))
            reasons[f"{label}: {_snippet(shown[match.start() : match.end()])!r}{how}"] = None
        if how == _BASE64 and (match := _REMOTE_CODE.search(lowered)):  # nobody encodes an honest install line
            reasons[f"encoded command: {_snippet(match[0])!r}{how}"] = None
    counts: dict[str, int] = {}
    for match in _INVISIBLE.finditer(text):
        if _harmless(text, match.start()):
            continue
        char = match.group()
        counts[_describe(char)] = counts.get(_describe(char), 0) + 1
    for name, count in counts.items():
        reasons[f"invisible unicode: {name} x{count}"] = None
    return list(reasons)


def _views(text: str) -> list[tuple[str, str]]:
    """The text as written, then each disguise taken off that changes it (only the lines it changes),
    with a note saying which."""
    views = [(text, "")]
    plain = _INVISIBLE.sub("", text) if not text.isascii() else text
    if not plain.isascii():
        plain = unicodedata.normalize("NFKC", plain).lower().translate(_LOOKALIKES)
    if plain != text:
        views.append((_changed_lines(text, plain), " (after removing invisible and look-alike characters)"))
    lowered = plain.lower()
    unspaced = _SPACED.sub(lambda m: m[0].replace(" ", "").replace(".", ""), _LEET_WORD.sub(lambda m: m[0].translate(_LEET), lowered))
    if unspaced != lowered:
        views.append((_changed_lines(lowered, unspaced), " (after joining spaced letters and reading digits as letters)"))
    if len(_PERCENT.findall(text)) >= 3:
        views.append((unquote(text), " (percent-decoded)"))
    decoded = [d for run in _BASE64_RUN.findall(text) if (d := _decode_base64(run))]
    if decoded:
        views.append(("\n".join(decoded), _BASE64))
    return views


def _changed_lines(before: str, after: str) -> str:
    """The lines of ``after`` that differ from ``before`` (no view adds or removes a line break)."""
    old, new = before.split("\n"), after.split("\n")
    if len(old) != len(new):
        return after
    return "\n".join(n for o, n in zip(old, new, strict=True) if n != o.lower())


def _decode_base64(run: str) -> str | None:
    """The text a base64 run stands for, when it is printable text (an order, a command), else None."""
    try:
        decoded = base64.b64decode(run + "=" * (-len(run) % 4), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isprintable() and any(c.isspace() for c in decoded) else None


def _harmless(text: str, at: int) -> bool:
    """A byte-order mark opening the text, a zero-width joiner inside an emoji sequence, or a variation
    selector choosing how an emoji (or a keycap digit) is drawn."""
    char = text[at]
    if char == "\ufeff":
        return at == 0
    if char == _ZWJ and 0 < at < len(text) - 1:
        return _is_emoji(text[at - 1]) and _is_emoji(text[at + 1])
    if char in (_TEXT_STYLE, _EMOJI_STYLE) and at > 0:
        return _is_emoji(text[at - 1]) or text[at - 1] in "0123456789#*"
    return False


def _is_emoji(char: str) -> bool:
    return ord(char) >= 0x1F000 or 0x2190 <= ord(char) <= 0x2BFF or char == _EMOJI_STYLE


def _describe(char: str) -> str:
    if 0xE0000 <= ord(char) <= 0xE007F:
        return "tag characters (U+E0000..U+E007F)"
    if 0xE0100 <= ord(char) <= 0xE01EF:
        return "variation selectors (U+E0100..U+E01EF)"
    return f"U+{ord(char):04X} {unicodedata.name(char, 'unnamed').lower()}"


def _snippet(matched: str, limit: int = 80) -> str:
    flat = " ".join(_INVISIBLE.sub("", matched).split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
