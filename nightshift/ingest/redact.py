"""Secret redaction: every secret-looking value becomes ``[REDACTED:<kind>]``.

One combined pattern, one pass. Every rule is anchored on one literal character, chosen among the
rare ones (``J`` of ``eyJ``, ``k`` of ``sk-``, ``z`` of ``Authorization``; the ``=``, ``:`` or quote after a
secret-looking name), and the characters of its prefix before the anchor are checked by a look-behind.
That set of anchors is the cheap prefilter: the regex engine skips in C over every character that is
not one of them, and at an anchor tries only the few rules that share it. Token shapes need their fixed
prefixes, so git SHAs, UUIDs and hashes never match; a value under a secret-looking name is taken whole,
and under a weaker name (``signing_key``, ``_auth``) only when it looks random. Redaction is idempotent:
a marker never matches again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

# A value is redacted when the name before it ENDS with one of these (case-insensitive), so
# ``DB_PASSWORD=x`` and ``"apiKey": "x"`` are caught while ``max_tokens=10`` stays readable.
_SECRET_WORDS = (
    "password", "passwd", "passphrase", "secret", "token", "credential", "credentials",
    "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey", "accountkey",
    "private_key", "private-key", "privatekey", "secret_key", "secret-key", "secretkey",
)  # fmt: skip
# Names that hold secrets only sometimes (``sort_key=name``, ``auth=basic``): their value must also look
# random. A name that merely contains a secret word (``SECRET_KEY_BASE``, ``token_v2``) counts too.
_WEAK_ENDINGS = ("key", "auth", "salt", "signature", "sig")
_NAME_WORDS = re.compile("|".join(map(re.escape, _SECRET_WORDS)) + r"|passwd|pwd|secret|token", re.IGNORECASE)

_TOKEN_CHAR = "A-Za-z0-9_-"
_NOT_A_VALUE = r"(?![\"']?(?:\[REDACTED|\$|\{|<|%\()|\"\"|''|(?i:none|null|nil|true|false|undefined)\b)"
_QUOTED = r"\"(?:[^\"\\\n]|\\.){3,}\"|'[^'\n]{3,}'"
# An unquoted value. Code on the right of `=` is not a secret: a call f(x), an attribute path a.b,
# or a variable named like the secret (token=token, api_key=self_api_key).
_BARE_CHAR = r"[^\s\"',;&|()\[\]{}]"
_BARE = (
    rf"(?!{_BARE_CHAR}*\()"
    rf"(?![A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?!{_BARE_CHAR}))"
    rf"(?![a-z_]*(?:token|key|secret|password|credentials?)(?!{_BARE_CHAR}))"
    rf"{_BARE_CHAR}{{3,}}"
)
_AUTH_SCHEME = r"(?:(?i:basic|bearer|token)[ \t]+)?"
_AUTH_VALUE = r"(?!\[REDACTED|\$)[A-Za-z0-9._~+/-]{8,}=*"
# type annotations look like YAML: `password: str` is code, not a secret
_TYPE_NAME = r"(?i:str|bytes|int|bool|float|none|any|string|number|boolean|secretstr|secretbytes|optional)\b"
_RANDOM_VALUE = r"(?=[A-Za-z+/_.~-]*\d)[A-Za-z0-9+/_.~-]{16,}={0,2}(?![A-Za-z0-9+/_.~=-])"
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NAME_REVERSED = re.compile(r"[\w.-]+")


@dataclass(frozen=True)
class _Rule:
    kind: str
    anchor: str  # the literal character the match is found by
    rest: str  # the pattern after the anchor
    back: int = 0  # characters before the anchor that belong to the match (checked by a look-behind)
    random_only: bool = False  # redact the value only when its name and its randomness say so


def _name_before(suffix: str) -> str:
    """A look-behind: the text just before this point is a secret word followed by ``suffix``."""
    by_width: dict[int, list[str]] = {}
    for word in _SECRET_WORDS:
        by_width.setdefault(len(word), []).append(re.escape(word + suffix))
    last = "".join(sorted({w[-1] for w in _SECRET_WORDS} | {w[-1].upper() for w in _SECRET_WORDS}))
    # one character first: most separators do not follow a secret word, and this rejects them cheaply
    quick = f"(?<=[{last}]{re.escape(suffix)})"
    return quick + "(?:" + "|".join(f"(?<=(?i:{'|'.join(words)}))" for words in by_width.values()) + ")"


def _after(prefix: str) -> str:
    """A look-behind: ``prefix`` ends here and did not start mid-token."""
    return f"(?<=(?<![{_TOKEN_CHAR}]){re.escape(prefix)})"


_T = _TOKEN_CHAR
# Each token is anchored on a rarely used character of its documented prefix (``J`` of ``eyJ``, ``k`` of
# ``sk-``); ``back`` is how much of the prefix lies before the anchor.
_RULES: list[_Rule] = [
    # ---- token shapes, from the providers' documented prefixes and lengths ----
    _Rule("private_key", "-", (
        # to the END line; a clipped block without one is redacted to the end of its base64
        r"----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[\s\S]{0,16384}?-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*)"
    )),
    _Rule("pypi", "-", _after("pypi-") + rf"AgE[{_T}]{{50,}}", back=4),
    _Rule("anthropic", "k", _after("sk") + rf"-ant-[{_T}]{{20,}}", back=1),
    # OpenAI keys (sk-, sk-proj-, sk-svcacct-, sk-admin-) always mix in digits; that keeps slugs out
    _Rule("openai", "k", _after("sk") + rf"-(?!ant-)(?=[A-Za-z_-]*\d)[{_T}]{{20,}}", back=1),
    _Rule("stripe", "k", _after("sk") + r"_(?:live|test)_[A-Za-z0-9]{16,}", back=1),
    _Rule("stripe", "k", _after("rk") + r"_(?:live|test)_[A-Za-z0-9]{16,}", back=1),
    _Rule("stripe", "_", _after("whsec_") + r"[A-Za-z0-9+/=]{24,}", back=5),
    _Rule("npm", "_", _after("npm_") + r"[A-Za-z0-9]{36}", back=3),
    _Rule("huggingface", "_", _after("hf_") + r"[A-Za-z]{30,}(?![A-Za-z0-9])", back=2),
    _Rule("aws_access_key", "A", r"(?:KIA|SIA)[0-9A-Z]{16}(?![A-Za-z0-9])"),
    _Rule("google_api_key", "A", rf"Iza[{_T}]{{35}}"),
    _Rule("google_oauth", "X", _after("GOCSPX") + rf"-[{_T}]{{24,}}", back=5),
    _Rule("google_oauth", "y", rf"a29\.[{_T}]{{20,}}"),
    _Rule("github", "g", r"h[pousr]_[A-Za-z0-9]{30,}"),
    _Rule("github", "g", r"ithub_pat_[A-Za-z0-9_]{22,}"),
    _Rule("gitlab", "g", rf"l(?:pat|dt|rt|ptt|ft|soat|cbt)-[{_T}]{{20,}}"),
    _Rule("slack", "x", r"(?:ox[abprse]|app)-[A-Za-z0-9-]{10,}"),
    _Rule("twilio", "S", r"K[0-9a-f]{32}(?![A-Za-z0-9])"),
    _Rule("sendgrid", "S", rf"G\.[{_T}]{{16,}}\.[{_T}]{{20,}}"),
    _Rule("jwt", "J", _after("eyJ") + rf"[{_T}]{{8,}}\.eyJ[{_T}]{{8,}}\.[{_T}]*", back=2),
    # Azure AD client secrets: three characters, a version digit, "Q~", then 31-34 more
    _Rule("azure_client_secret", "~", rf"(?<=(?<![{_T}~.])[{_T}~.]{{3}}[78]Q~)[{_T}~.]{{31,34}}", back=5),
    # ---- credentials in URLs and headers ----
    # scheme://user:password@host: only the password goes (it may itself hold an @)
    _Rule("url_password", ":", r"(?P<keep>//[^\s:/@\[]*:)(?!\[REDACTED)[^\s/]+(?=@[^\s/@]*(?:[/?#\s]|$))"),
    _Rule("slack_webhook", ":", r"(?P<keep>//hooks\.slack\.com/services/)T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    # Azure SAS signatures in a URL query
    _Rule("azure_sas", "=", r"(?<=[?&]sig=)(?P<keep>)[A-Za-z0-9%+/=]{20,}"),
    # Authorization: Bearer|Basic|token xxx (headers, curl -H) and "Authorization": "Bearer xxx"
    *[_Rule("authorization", z, rf"(?<=[Aa]{u}{z})(?P<keep>{a}[\"']?[ \t]*[:=][ \t]*[\"']?" + _AUTH_SCHEME + ")" + _AUTH_VALUE, back=8)
      for u, z, a in (("uthori", "z", "ation"), ("UTHORI", "Z", "ATION"))],
    # a bare "Bearer <token>" with a digit in it (prose like "Bearer authentication" stays)
    *[_Rule("bearer", b, r"(?P<keep>earer[ \t]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*") for b in "Bb"],
    # .netrc: machine host login user password secret
    _Rule("secret", "l", r"(?P<keep>ogin\s+\S+\s+password[ \t]+)(?P<value>\S+)"),
    # ---- values under secret-looking names ----
    # NAME=value and NAME="value" (shell, .env, arguments, query strings); never ==
    _Rule("secret", "=", _name_before("=") + r"(?!=)(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # DB_PWD=x and Pwd=x; in connection strings; PWD=/home/dev is the working directory
    _Rule("secret", "=", r"(?<=(?i:pwd)=)(?![/~.])(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # name = "value" (code), name = value alone on its line (ini, toml); `x = f(y)` is code, not a secret
    _Rule("secret", "=", _name_before(" =") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _BARE + r"(?=[ \t]*(?:\r?\n|$)))"),
    # "name": "value" (JSON), 'name': 'value' (Python), \"name\": \"value\" (JSON inside a JSON string)
    _Rule("secret", '"', _name_before('"') + r"(?P<keep>[ \t]*:[ \t]*)" + _NOT_A_VALUE + r"(?P<value>\"(?:[^\"\\\n]|\\.){3,}\")"),
    _Rule("secret", "'", _name_before("'") + r"(?P<keep>[ \t]*:[ \t]*)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}')"),
    _Rule("secret", "\\", _name_before("\\") + r'(?P<keep>"[ \t]*:[ \t]*\\")' + _NOT_A_VALUE + r'(?P<value>[^"\\\n]{3,})(?=\\")'),
    # name: value (YAML, HTTP headers such as api-key: ...): one token, then the end of the line
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + rf"(?!{_TYPE_NAME}|(?i:basic|bearer|token)[ \t])"
          + r"(?P<value>" + _QUOTED + r"|[^\s\"'#]{3,})(?=[ \t]*(?:#[^\n]*)?(?:\r?\n|$))"),
    # --password value (command lines); --password=value is the `=` rule's
    _Rule("secret", "-", r"-[A-Za-z0-9-]*?(?i:password|passwd|passphrase|secret|token|api-key|apikey|access-key|private-key|secret-key)"
          r"(?P<keep>[ \t]+)(?!-)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + r"|[^\s\"'`]{3,})"),
    # a random-looking value under a weaker name: signing_key=..., _auth=..., SECRET_KEY_BASE: ...
    _Rule("secret", "=", r"[ \t]*[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", random_only=True),
    _Rule("secret", ":", r"(?!//)[ \t]*[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", random_only=True),
]  # fmt: skip

# A cheap check right after an anchor that every rule of the anchor needs, so that the many occurrences
# of a common anchor that start nothing are rejected before any alternative is tried.
_GUARDS = {
    "-": r"(?:(?=----BEGIN)|(?<=pypi-)|(?<![\w-]-)(?=-))",
    "k": r"(?<=(?<![A-Za-z0-9_-])[sr]k)",
    "_": r"(?<=[mfc]_)",
    "A": r"(?<![A-Za-z0-9_-]A)",
    "X": r"(?<=SPX)",
    "y": r"(?<![A-Za-z0-9_-]y)",
    "g": r"(?<![A-Za-z0-9_-]g)",
    "x": r"(?<![A-Za-z0-9_-]x)",
    "S": r"(?<![A-Za-z0-9_-]S)",
    "~": r"(?<=Q~)",
    "B": r"(?<![A-Za-z0-9_-]B)(?=earer)",
    "b": r"(?<![A-Za-z0-9_-]b)(?=earer)",
    "l": r"(?<![\w-]l)(?=ogin)",
    "=": r"(?<=[\w\"' ]=)",
    ":": r"(?:(?=//)|(?<=[\w\"']:)(?=[ \t]|[\"']?[A-Za-z0-9+/_.~-]{16}))",
}


def _compile() -> list[tuple[list[_Rule], re.Pattern[str]]]:
    """One pattern per anchor; the rules that share an anchor are alternatives after its guard."""
    by_anchor: dict[str, list[_Rule]] = {}
    for rule in _RULES:
        by_anchor.setdefault(rule.anchor, []).append(rule)
    passes = []
    for anchor, rules in by_anchor.items():
        alts = []
        for n, rule in enumerate(rules):
            rest = rule.rest.replace("(?P<keep>", f"(?P<k{n}>").replace("(?P<value>", f"(?P<v{n}>")
            alts.append(f"(?P<r{n}>{rest})")
        guard = _GUARDS.get(anchor, "")
        passes.append((rules, re.compile(re.escape(anchor) + guard + "(?:" + "|".join(alts) + ")")))
    return passes


# A pattern that starts with one literal character is searched for in C at memchr speed; a single pattern
# with many first characters is tried at every position and is several times slower. Hence one pass per
# anchor, each skipping straight from one occurrence of its anchor to the next.
_PASSES = _compile()


def redact(text: str) -> str:
    hits: list[tuple[int, int, str]] = []
    for rules, pattern in _PASSES:
        for match in pattern.finditer(text):
            n = int(match.lastgroup[1:])  # "r<n>" is the group that closed last
            start = match.start() - rules[n].back
            if (replacement := _replacement(rules[n], n, match, start)) is not None:
                hits.append((start, match.end(), replacement))
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
    return "".join(out)


def _replacement(rule: _Rule, n: int, match: re.Match[str], start: int) -> str | None:
    text = match.string
    groups = match.re.groupindex
    keep = text[start : match.end(f"k{n}")] if f"k{n}" in groups else ""
    if f"v{n}" not in groups:
        return f"{keep}[REDACTED:{rule.kind}]"
    value = match[f"v{n}"]
    quote = value[0] if value[0] in "\"'" and value[-1] == value[0] and len(value) > 1 else ""
    inner = value[1:-1] if quote else value
    if rule.random_only and not (looks_random(inner) and _weak_name(text, start)):
        return None  # not a secret by this rule; a token shape inside is still caught by its own
    # a known token shape names its kind (OPENAI_API_KEY=sk-... -> openai); anything else is "secret"
    redacted = redact(inner)
    if redacted == inner:
        name = text[max(0, start - 24) : start].rstrip(" \"'").lower()
        redacted = "[REDACTED:aws_secret_key]" if name.endswith("aws_secret_access_key") else "[REDACTED:secret]"
    return f"{keep}{quote}{redacted}{quote}"


def _weak_name(text: str, at: int) -> bool:
    """The name before ``at`` ends with a weak word or contains a secret word (read backwards: cheap)."""
    found = _NAME_REVERSED.match(text[max(0, at - 64) : at].rstrip(" \t\"'")[::-1])
    if found is None:
        return False
    name = found[0][::-1].lower()
    return name.endswith(_WEAK_ENDINGS) or _NAME_WORDS.search(name) is not None


def looks_random(value: str) -> bool:
    """Long, mixed letters and digits, high Shannon entropy, and not a UUID: a key, not a word or an id."""
    if len(value) < 16 or _UUID.fullmatch(value) or not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    return entropy >= 3.5


_SECRET_KEY = re.compile(r"(?i:[A-Za-z0-9_.-]*(?:" + "|".join(map(re.escape, _SECRET_WORDS)) + "))")


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

