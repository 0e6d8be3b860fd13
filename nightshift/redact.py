"""Secret redaction: every secret-looking value becomes ``[REDACTED:<kind>]``.

One combined pattern, one pass. Every alternative starts with a fixed character (the first letter of
a token prefix such as ``sk-``/``AKIA``, or the ``=``/``:``/quote after a secret-looking name, checked
by a look-behind), so the regex engine skips ahead over every other character in C instead of trying
each alternative at each position. Token shapes are anchored on their fixed prefixes, so ordinary
words, git SHAs and UUIDs never match. Redaction is idempotent: a marker is never matched again.
"""

from __future__ import annotations

import re
from typing import Any

# A value is redacted when the name before ``=`` / ``":`` ENDS with one of these (case-insensitive),
# so ``DB_PASSWORD=x`` and ``"apiKey": "x"`` are caught while ``max_tokens=10`` stays readable.
_SECRET_WORDS = (
    "password", "passwd", "passphrase", "secret", "token", "credential", "credentials",
    "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey",
    "private_key", "private-key", "privatekey", "secret_key", "secret-key", "secretkey",
)  # fmt: skip
_TOKEN_START = r"(?<![A-Za-z0-9_-].)"  # after the first character: the token did not start mid-word
_NOT_A_VALUE = r"(?![\"']?(?:\[REDACTED|\$|\{|<)|\"\"|''|(?i:none|null|true|false|undefined)\b)"
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
_BEARER = r"(?P<keep>earer[ \t]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*"  # a bare "Bearer <token>"


def _name_before(suffix: str) -> str:
    """A look-behind: the text just before this point is a secret word followed by ``suffix``."""
    by_width: dict[int, list[str]] = {}
    for word in _SECRET_WORDS:
        by_width.setdefault(len(word), []).append(re.escape(word + suffix))
    return "(?:" + "|".join(f"(?<=(?i:{'|'.join(words)}))" for words in by_width.values()) + ")"


# (first character, kind, rest of the pattern). ``keep`` marks a leading part kept in front of the
# marker (a scheme, a header name, a user name); ``value`` marks an assigned value.
_ALTERNATIVES = [
    ("-", "private_key", (
        # to the END line; a clipped block without one is redacted to the end of its base64
        r"----BEGIN[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[\s\S]{0,16384}?-----END[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|[A-Za-z0-9+/=\s:,-]*)"
    )),
    ("s", "anthropic", _TOKEN_START + r"k-ant-[A-Za-z0-9_-]{20,}"),
    # OpenAI keys always mix in digits; requiring one keeps long slugs like sk-some-long-name-here out
    ("s", "openai", _TOKEN_START + r"k-(?=[A-Za-z_-]*\d)[A-Za-z0-9_-]{20,}"),
    ("s", "stripe", _TOKEN_START + r"k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("r", "stripe", _TOKEN_START + r"k_(?:live|test)_[A-Za-z0-9]{16,}"),
    ("A", "aws_access_key", _TOKEN_START + r"(?:KIA|SIA)[0-9A-Z]{16}(?![A-Za-z0-9])"),
    ("A", "google_api_key", _TOKEN_START + r"Iza[0-9A-Za-z_-]{35}"),
    ("g", "github", _TOKEN_START + r"(?:h[pousr]_[A-Za-z0-9]{30,}|ithub_pat_[A-Za-z0-9_]{22,})"),
    ("g", "gitlab", _TOKEN_START + r"lpat-[A-Za-z0-9_-]{20,}"),
    ("x", "slack", _TOKEN_START + r"ox[abprs]-[A-Za-z0-9-]{10,}"),
    ("n", "npm", _TOKEN_START + r"pm_[A-Za-z0-9]{36}"),
    ("p", "pypi", _TOKEN_START + r"ypi-AgE[A-Za-z0-9_-]{50,}"),
    ("e", "jwt", _TOKEN_START + r"yJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    # scheme://user:password@host: only the password goes
    (":", "url_password", r"(?P<keep>//[^\s:/@\[]+:)(?!\[REDACTED)[^\s/@]+(?=@)"),
    # Authorization: Bearer|Basic|token xxx (headers, curl -H) and "Authorization": "Bearer xxx"
    (":", "authorization", r"(?<=(?i:authorization):)(?P<keep>[ \t]*[\"']?" + _AUTH_SCHEME + ")" + _AUTH_VALUE),
    ('"', "authorization", r"(?<=(?i:authorization)\")(?P<keep>[ \t]*:[ \t]*\"" + _AUTH_SCHEME + ")" + _AUTH_VALUE),
    ("B", "bearer", _TOKEN_START + _BEARER),
    ("b", "bearer", _TOKEN_START + _BEARER),
    # NAME=value and NAME="value" (shell, .env, arguments); never ==
    ("=", "secret", _name_before("=") + r"(?!=)(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # name = "value" (code), name = value alone on its line (ini, toml); `x = f(y)` is code, not a secret
    ("=", "secret", _name_before(" =") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE
        + r"(?P<value>" + _QUOTED + "|" + _BARE + r"(?=[ \t]*(?:\r?\n|$)))"),
    # "name": "value" (JSON) and 'name': 'value' (Python)
    ('"', "secret", _name_before('"') + r"(?P<keep>[ \t]*:[ \t]*)" + _NOT_A_VALUE + r"(?P<value>\"(?:[^\"\\\n]|\\.){3,}\")"),
    ("'", "secret", _name_before("'") + r"(?P<keep>[ \t]*:[ \t]*)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}')"),
]  # fmt: skip


def _combine() -> re.Pattern[str]:
    parts = []
    for index, (first, _kind, rest) in enumerate(_ALTERNATIVES):
        rest = rest.replace("(?P<keep>", f"(?P<keep{index}>").replace("(?P<value>", f"(?P<value{index}>")
        # the first character stays outside the group so the engine can use the set of first characters
        parts.append(f"{re.escape(first)}(?P<alt{index}>{rest})")
    return re.compile("|".join(parts))


_COMBINED = _combine()
_SECRET_KEY = re.compile(r"(?i:[A-Za-z0-9_.-]*(?:" + "|".join(map(re.escape, _SECRET_WORDS)) + "))")


def redact(text: str) -> str:
    return _COMBINED.sub(_replacement, text)


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


def _replacement(match: re.Match[str]) -> str:
    index = int(match.lastgroup[3:])  # "alt<index>" is the group that closed last
    kind = _ALTERNATIVES[index][1]
    keep_group = f"keep{index}"
    keep = match.string[match.start() : match.end(keep_group)] if keep_group in _COMBINED.groupindex else ""
    if kind != "secret":
        return f"{keep}[REDACTED:{kind}]"
    value = match[f"value{index}"]
    quote = value[0] if value[0] in "\"'" else ""
    inner = value[1:-1] if quote else value
    # a known token shape names its kind (OPENAI_API_KEY=sk-... -> openai); anything else is "secret"
    redacted = redact(inner)
    if redacted == inner:
        name = match.string[max(0, match.start() - 24) : match.start()].rstrip(" \"'").lower()
        redacted = "[REDACTED:aws_secret_key]" if name.endswith("aws_secret_access_key") else "[REDACTED:secret]"
    return f"{keep}{quote}{redacted}{quote}"
