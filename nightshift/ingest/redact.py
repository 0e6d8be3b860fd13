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
seeds, recovery codes).

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
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import re2

# A value is redacted when the name before it ENDS with one of these (case-insensitive), so
# ``DB_PASSWORD=x`` and ``"apiKey": "x"`` are caught while ``max_tokens=10`` stays readable.
_SECRET_WORDS = (
    "password", "passwd", "passphrase", "secret", "token", "credential", "credentials",
    "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey", "accountkey",
    "private_key", "private-key", "privatekey", "secret_key", "secret-key", "secretkey", "pass_phrase", "pass-phrase",
    "_pass", "-pass", "psk", "_pat", "authkey", "auth_key", "auth-key", "authtok", "secret_id", "secretid",
)  # fmt: skip
# Names that hold secrets only sometimes (``sort_key=name``, ``auth=basic``): their value must also look
# random. A name that merely contains a secret word (``SECRET_KEY_BASE``, ``token_v2``) counts too...
_WEAK_ENDINGS = ("key", "auth", "salt", "signature", "sig", "sessionid", "session", "cookie", "-api", "_api")
# ...unless the name says the value is public or only points at the secret (a path, a name, an id)
_NOT_SECRET_NAME = re.compile(
    r"publi[cs]|publishable|(?:^|[_.-])(?:path|file|dir|name|id|url|uri|ref|type|len|length|size|ttl|count|header|prefix|version|format|region)$"
)
_NAME_WORDS = re.compile("|".join(map(re.escape, _SECRET_WORDS)) + r"|passwd|pwd|secret|token", re.IGNORECASE)

_TOKEN_CHAR = "A-Za-z0-9_-"
# the end of a line, also as JSON shows it inside a string (a tool call's arguments)
_EOL = r"(?:\r?\n|\\r\\n|\\n|$)"
# A quoted version or version range (``"@solana/spl-token": "^0.4.0"``, ``">=0.7,<1"``) is a package
# pin under a name that merely contains a secret word, not a secret.
_VERSION = r"[\"'][\^~<>=! ]*v?\d+(?:\.[\w*+-]+)+(?:[ ,|]+[<>=!~^]*\d+(?:\.[\w*+-]+)*)*[\"']"
_NOT_A_VALUE = (
    r"(?![\"']?(?:\[REDACTED|\$|\{|<|%\()|\"\"|''|(?i:none|null|nil|true|false|undefined)\b"
    r"|[\"']?(?:~|\.\.?)?/[\w.-]+/"  # a path to the secret, not the secret
    r"|[\"']?[a-z][a-z0-9+.-]{1,15}://"  # a reference (op://vault/item) or a URL, whose password has its own rule
    r"|[\"']?(?:[A-Za-z0-9]{1,12}_(?:(?:live|test)_)?)?(?:\*{3,}|•{3,}|(?i:x{4,})[\"'`]?(?![^\s\"',;}`]))"  # masked
    r"|[\"']?[^\s\"']*(?:\.\.\.|…)[\"']?(?:[\s,;}]|$)"  # elided: sk_test_...
    r"|[\"']?(?:[A-Za-z0-9]{1,12}_(?:(?:live|test)_)?)?(?i:todo|tbd|fixme|changeme|change[_-]me|replace[_-]?me|placeholder|redacted|your[_-][\w-]*)[\"'`]?(?:[\s,;}`]|$)"
    r"|[\"']?(?:ENC\[|ENC\(|\$ANSIBLE_VAULT|![A-Za-z][\w-]*(?:\s|$))"  # encrypted (sops, ansible), a YAML tag (!vault)
    r"|[\"']?[\^~>=<]*v?\d+(?:\.[\dx*]+)+(?:-[\w.]+)?[\"']?(?:[\s,;}\]]|$)"  # a version: "@solana/spl-token": "^0.4.0"
    rf"|{_VERSION})"  # or a quoted range: ">=0.7,<1"
)
_QUOTED = r"\"(?:[^\"\\\n]|\\.){3,}\"|'[^'\n]{3,}'"
# An unquoted value. Code on the right of `=` is not a secret: a call f(x), an attribute path a.b,
# or a variable named like the secret (token=token, api_key=self_api_key).
_BARE_CHAR = r"[^\s\"'`,;&|()\[\]{}\\]"
_BARE = (
    rf"(?!{_BARE_CHAR}*\()"
    rf"(?![A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?!{_BARE_CHAR}))"
    rf"(?![a-z_]*(?:token|key|secret|password|credentials?)(?!{_BARE_CHAR}))"
    rf"{_BARE_CHAR}{{3,}}"
)
# any scheme word: Basic, Bearer, token, SSWS, GenieKey, Klaviyo-API-Key...
_AUTH_SCHEME = r"(?:[A-Za-z][A-Za-z0-9_-]{1,23}[ \t]+)?"
_AUTH_VALUE = r"(?!\[REDACTED|\$)[A-Za-z0-9._~+/%-]{8,}=*"  # % of a URL-encoded token (Twitter's %3D)
# type annotations look like YAML: `password: str` is code, not a secret
_TYPE_NAME = r"(?i:str|bytes|int|bool|float|none|any|string|number|boolean|secretstr|secretbytes|optional)\b"
_RANDOM_VALUE = r"(?:base64:)?[A-Za-z0-9+/_.~-]{16,}={0,2}(?![A-Za-z0-9+/_.~=-])"
_HEX = re.compile(r"[0-9a-fA-F]+")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_NAME_REVERSED = re.compile(r"[\w.-]+")

Check = Callable[[str, int, str], bool]  # (text, match start, value) -> is it a secret


@dataclass(frozen=True)
class _Rule:
    kind: str
    anchor: str  # the literal character the match is found by
    rest: str  # the pattern after the anchor
    back: int = 0  # characters before the anchor that belong to the match (checked by a look-behind)
    check: Check | None = None  # a last word on the value, for rules whose pattern alone over-matches


def _name_before(suffix: str) -> str:
    """A look-behind: the text just before this point is a secret word followed by ``suffix``."""
    by_width: dict[int, list[str]] = {}
    for word in _SECRET_WORDS:
        by_width.setdefault(len(word), []).append(re.escape(word + suffix))
    last = "".join(sorted({w[-1] for w in _SECRET_WORDS} | {w[-1].upper() for w in _SECRET_WORDS}))
    # one character first: most separators do not follow a secret word, and this rejects them cheaply
    quick = f"(?<=[{re.escape(last)}]{re.escape(suffix)})"
    return quick + "(?:" + "|".join(f"(?<=(?i:{'|'.join(words)}))" for words in by_width.values()) + ")"


def _after(*prefixes: str) -> str:
    """A look-behind: one of ``prefixes`` (all of one length) ends here and did not start mid-token."""
    return f"(?<=(?<![{_TOKEN_CHAR}])(?:{'|'.join(map(re.escape, prefixes))}))"


# ---- checks: the few rules whose pattern cannot decide alone --------------------------------------


def looks_random(value: str) -> bool:
    """Long, mixed letters and digits, high Shannon entropy, and not a UUID: a key, not a word or an id."""
    if len(value) < 16 or _UUID.fullmatch(value) or not any(c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return False
    counts = Counter(value)
    entropy = -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())
    # sixteen symbols cannot reach the entropy of sixty-four: a random hex key of 32 scores about 3.6
    return entropy >= (3.0 if _HEX.fullmatch(value) else 3.5)


def _name_at(text: str, at: int) -> str:
    """The name (``X-Auth-Key``, ``signing_key``) just before ``at``, lowercased; read backwards: cheap."""
    found = _NAME_REVERSED.match(text[max(0, at - 64) : at].rstrip(" \t\"'")[::-1])
    return found[0][::-1].lower() if found else ""


_PATH = re.compile(r"(?:[\w.-]+/)+[\w.-]*\.[A-Za-z0-9]{1,5}|[a-z0-9._-]*(?:/[a-z0-9._-]+)+/?")


def _looks_like_path(value: str) -> bool:
    """``reports/2026/11/summary.pdf``, ``a/b/c``: a path or an object key, not base64 (which mixes cases)."""
    return _PATH.fullmatch(value) is not None


# what public keys and non-values start with: a publishable key, an age or nostr recipient, a path, an option
_PUBLIC_PREFIXES = ("pk_", "age1", "npub", "ssh-", "/", "~/", "./", "-")


def _random_under_weak_name(text: str, at: int, value: str) -> bool:
    """A random-looking value under a weaker name, or any value whose base64 decodes to a secret."""
    name = _name_at(text, at)
    value = value.removeprefix("base64:")
    if name.endswith(_WEAK_ENDINGS) or _NAME_WORDS.search(name):
        # "Public key: age1...", "Cache restored from key: Linux-pip-<hash>"
        public = value.startswith(_PUBLIC_PREFIXES) or _SAID_NOT_SECRET.search(text, max(0, at - len(name) - 24), at) is not None
        if _NOT_SECRET_NAME.search(name) is None and looks_random(value) and not public and not _looks_like_path(value):
            return True
    if _SECRET_BLOCK.search(text, max(0, at - 400), at) and (looks_random(value) or _UUID.fullmatch(value)):
        return True  # tokens { agent = "<uuid>" } (HCL): every value of a block named for secrets
    return _decodes_to_secret(value) or (_in_kubernetes_secret(text, at) and _decodes_to_password(value) and not _PUBLIC_DATA.search(name))


_SECRET_BLOCK = re.compile(r"(?i)\b(?:tokens?|secrets?|credentials?|passwords?)[\"']?[ \t]*=?[ \t]*\{[^{}]*$")
_SAID_NOT_SECRET = re.compile(r"(?i)publi|cache|checksum|digest|fingerprint")
_PUBLIC_DATA = re.compile(r"user|name|login|email|host|port|url|uri|crt|cert|ca|pem|pub|id$|region|database|db$")


def _in_kubernetes_secret(text: str, at: int) -> bool:
    """A value under ``data:`` of a ``kind: Secret``: every such value is a secret but the user name."""
    around = text[max(0, at - 2000) : at + 2000]
    return re.search(r"kind\"?:\s*\"?Secret\b", around) is not None and re.search(r"\bdata\"?:", text[max(0, at - 2000) : at]) is not None


def _decodes_to_password(value: str) -> bool:
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    return decoded.strip() != "" and not any(c.isspace() for c in decoded.strip()) and (_looks_like_password(decoded.strip()) or looks_random(decoded.strip()))


_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


def _decodes_to_secret(value: str) -> bool:
    """Base64 of a private key or of text with a secret in it (a Kubernetes Secret, kubeconfig ``*-data``)."""
    if len(value) % 4 or not _B64.fullmatch(value):
        return False
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return False
    if not all(c.isprintable() or c in "\r\n\t" for c in decoded):
        return False
    return "PRIVATE KEY" in decoded or redact(decoded) != decoded


_NAME_FIELD = re.compile(r"(?:[Nn]ame|[Kk]ey|ParameterKey|[Vv]ariable)[\"']?[ \t]*[:=][ \t]*[\"']?([A-Za-z_][\w.-]*)")


_SENSITIVE = re.compile(r"\"?sensitive\"?[ \t]*[:=][ \t]*true\b")


def _named_by_field(text: str, at: int, value: str) -> bool:
    """The value of a ``value`` field whose ``name``/``key`` field, just before, names a secret."""
    if _SENSITIVE.search(text, max(0, at - 160), at):
        return True
    names = _NAME_FIELD.findall(text, max(0, at - 160), at)
    if not names:
        return False
    name = names[-1].lower()
    if _NOT_SECRET_NAME.search(name):
        return False
    return _SECRET_KEY.fullmatch(name) is not None or (name.endswith(_WEAK_ENDINGS) and looks_random(value))


_PUBLIC_PREFIX = re.compile(r"(?:pk|pub|public|sha\d*|md5|id|uuid|commit|test|file|img|build|v\d*)", re.IGNORECASE)


def _prefixed_token(text: str, at: int, value: str) -> bool:
    """``rubygems_<48 hex>``: a short lowercase prefix that starts a token, then a random body."""
    prefix = re.search(r"(?<![\w.-])[a-z]{2,12}_$", text[max(0, at - 13) : at + 1])
    if prefix is None or _PUBLIC_PREFIX.fullmatch(prefix[0][:-1]) or not looks_random(value):
        return False
    return "publi" not in text[max(0, at - 48) : at].lower()  # PUBLISHABLE_KEY=..., public_key: ...


_EXCEPTION_NAME = re.compile(r"(?:invalid|missing|expired|bad|unknown|wrong|no)[a-z]*(?:token|secret|password|key)|\w*(?:error|exception)")


def _not_an_exception(text: str, at: int, value: str) -> bool:
    """``InvalidToken: 7f3e2a1b`` is a traceback's last line, not a YAML secret."""
    return _EXCEPTION_NAME.fullmatch(_name_at(text, at)) is None


_PUNCT_END = ".,;:?)"
_ASSIGNMENT = re.compile(r"(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*|[a-z]+(?:[A-Z][a-z0-9]*)+)=[^=]")  # VAR=, var_name=, camelCase=


def _looks_like_password(value: str) -> bool:
    """A typed password: letters with digits or symbols, not a word, a path, a variable or code."""
    value = value.rstrip(_PUNCT_END)
    if len(value) < 6 or value[0] in "$%{<[(/~.\\-" or any(c.isspace() or c in "()[]{}/" for c in value):
        return False  # a variable, a placeholder, code or a path
    if value[0] == "!" and value[1:].isalpha():
        return False  # a YAML tag (!vault, !secret): what follows names the secret
    if re.fullmatch(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+://.*|[\w.-]+:\d+|\d{4}-\d\d-\d\d\S*|v?\d+(?:\.\d+)+(?:[-+][\w.]+)?", value):
        return False  # an email address, a URL, a host and port, a date, a version
    if _ASSIGNMENT.match(value):
        return False  # the next assignment on the line (password VAR=...), not a password
    if looks_random(value):
        return True
    if not any(c.isalpha() for c in value) or not any(c.isdigit() or not c.isalnum() for c in value):
        return False
    if re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|\w+\(.*|[\w-]+\.(?:md|txt|json|ya?ml|toml|py|sh|env|cfg|ini|conf)", value):
        return False  # an attribute path, a call, a file name
    return True


# command -> the flag that gives it a password, and whether the value is glued to the flag (mysql -pX)
_PASSWORD_FLAGS: dict[str, tuple[tuple[str, bool], ...]] = {
    **dict.fromkeys(("mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mariadb",
                     "mariadb-dump", "mariadb-admin", "7z", "7za", "7zz", "rar", "unrar"), (("p", True),)),
    **dict.fromkeys(("sshpass", "az", "mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport",
                     "twine", "cqlsh", "psexec", "rabbitmqadmin"), (("p", False),)),
    **dict.fromkeys(("docker", "podman", "buildah", "skopeo", "helm", "nerdctl", "oras", "crane", "oc", "cf"), (("p", False),)),
    **dict.fromkeys(("zip", "unzip", "sqlcmd", "bcp", "osql", "ipmitool", "mosquitto_pub", "mosquitto_sub"), (("P", False),)),
    "redis-cli": (("a", False),),
    **dict.fromkeys(("ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapwhoami", "ldappasswd", "ldapcompare", "security"), (("w", False),)),
    **dict.fromkeys(("openssl", "dotnet", "nuget"), (("k", False),)),
    **dict.fromkeys(("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpgetnext", "snmptrap"), (("A", False), ("X", False))),
    "doctl": (("t", False),),
    "gh": (("b", False),),
    **dict.fromkeys(("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpgetnext", "snmptrap", "snmpbulkget", "onesixtyone"),
                    (("A", False), ("X", False), ("c", False))),
}
# where a command starts: a new line (also as JSON shows it), ; | & ( ` the next item of a JSON argv, or
# a JSON string value ({"command":"docker login ..."}, a tool call's arguments)
_COMMAND_START = re.compile(r'.*(?:\n|\\n|;|\||&|\(|`|",?"|"[ \t]*:[ \t]*")', re.DOTALL)
_PREFIX_WORD = re.compile(r"\$|\d+|sudo|env|time|nohup|exec|command|[A-Za-z_][A-Za-z0-9_]*=\S*")


def _command_of(text: str, at: int) -> tuple[str, list[str]]:
    """The command whose arguments include position ``at``, and its words before ``at``."""
    line = text[max(0, at - 300) : at]
    found = _COMMAND_START.match(line)
    words = [w.strip("'\"") for w in line[found.end() if found else 0 :].split()]
    while words and _PREFIX_WORD.fullmatch(words[0]):
        words = words[1:]
    return (words[0].rsplit("/", 1)[-1] if words else ""), words


def _cli_password(text: str, at: int, value: str) -> bool:
    """``-p``, ``-P``, ``-a``, ``-w``, ``-b``... give a password only to some commands (``mkdir -p`` does not)."""
    flag, glued = ("b", False) if text.startswith("--body", at) else (text[at + 1], text[at + 2] not in " \t")
    command, words = _command_of(text, at)
    if (flag, glued) not in _PASSWORD_FLAGS.get(command, ()) or value.startswith("-"):
        return False
    if command in ("docker", "podman", "buildah", "skopeo", "helm", "nerdctl", "oras", "crane", "oc", "cf", "az"):
        return "login" in words
    if command == "gh":
        return "secret" in words
    return True


def _user_password(text: str, at: int, value: str) -> bool:
    """``-u user:pass`` and ``--user user:pass`` (curl, wget): not ``docker run -u 1000:1000``."""
    return not value.isdigit() and _command_of(text, at)[0] not in ("docker", "podman", "kubectl", "chown", "nerdctl")


_PGPASS = re.compile(r"(?:^|[\s\"'])[^\s:#\"']+:(?:\d+|\*):[^\s:]+:[^\s:]+:$")


def _pgpass_line(text: str, at: int, value: str) -> bool:
    """``host:port:database:user:password``, one to a line (``~/.pgpass``)."""
    lo = max(0, at - 400)
    newline, escaped = text.rfind("\n", lo, at), text.rfind("\\n", lo, at)
    start = max(newline + 1, escaped + 2 if escaped >= 0 else 0, lo)
    return _PGPASS.search(text[start : at + 1]) is not None and not value.startswith("[REDACTED")


_T = _TOKEN_CHAR
_A = "A-Za-z0-9"
# Each token is anchored on a rarely used character of its documented prefix (``J`` of ``eyJ``, ``k`` of
# ``sk-``); ``back`` is how much of the prefix lies before the anchor.
_RULES: list[_Rule] = [
    # ---- token shapes, from the providers' documented prefixes and lengths ----
    _Rule("private_key", "-", (
        # to the END line; a clipped block without one is redacted to the end of its base64
        r"----BEGIN[A-Za-z0-9 ]{0,40}(?:PRIVATE KEY(?: BLOCK)?|Static key V\d)-----"
        r"(?:[\s\S]{0,16384}?-----END[A-Za-z0-9 ]{0,40}(?:PRIVATE KEY(?: BLOCK)?|Static key V\d)-----|[A-Za-z0-9+/=\s:,\\-]*)"
    )),
    _Rule("pypi", "-", _after("pypi-") + rf"AgE[{_T}]{{50,}}", back=4),
    _Rule("age", "-", _after("AGE-SECRET-KEY-") + r"1[0-9A-Z]{50,}", back=14),
    _Rule("private_key", "c", _after("nsec") + r"1[02-9ac-hj-np-z]{58}(?![a-z0-9])", back=3),  # a nostr secret key (bech32)
    _Rule("postman", "-", _after("PMAK-") + r"[0-9a-f]{24}-[0-9a-f]{34}", back=4),
    *[_Rule("tailscale", "-", _after(f"tskey-{what}-") + rf"[{_A}]{{8,}}-[{_A}]{{20,}}", back=len(what) + 6)
      for what in ("auth", "api", "client", "scim")],
    _Rule("newrelic", "-", _after("NRAK-") + r"[A-Z0-9]{27}", back=4),
    _Rule("pulumi", "-", _after("pul-") + r"[0-9a-f]{40}", back=3),
    _Rule("perplexity", "-", _after("pplx-") + rf"[{_A}]{{40,}}", back=4),
    _Rule("xai", "-", _after("xai-") + rf"[{_A}]{{60,}}", back=3),
    _Rule("contentful", "-", _after("CFPAT-") + rf"[{_T}]{{40,}}", back=5),
    _Rule("square", "-", rf"(?<=(?<![{_T}])sq0(?:csp|atp)-)[{_T}]{{22,}}", back=6),
    _Rule("launchdarkly", "-", _after("sdk-") + r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![\w-])", back=3),
    _Rule("mailgun", "-", _after("key-") + r"[0-9a-f]{32}(?![0-9a-zA-Z])", back=3),
    _Rule("mailchimp", "-", r"(?<=(?<![\w-])[0-9a-f]{32}-)us\d{1,2}(?![\w-])", back=32),
    _Rule("anthropic", "k", _after("sk") + rf"-ant-[{_T}]{{20,}}", back=1),
    # OpenAI keys (sk-, sk-proj-, sk-svcacct-, sk-admin-) always mix in digits; that keeps slugs out
    _Rule("openai", "k", _after("sk") + rf"-(?!ant-)(?=[A-Za-z_-]*\d)[{_T}]{{20,}}", back=1),
    _Rule("stripe", "k", _after("sk") + r"_(?:live|test)_[A-Za-z0-9]{16,}", back=1),
    _Rule("stripe", "k", _after("rk") + r"_(?:live|test)_[A-Za-z0-9]{16,}", back=1),
    _Rule("stripe", "_", _after("whsec_") + r"[A-Za-z0-9+/=]{24,}", back=5),
    _Rule("npm", "_", _after("npm_") + r"[A-Za-z0-9]{36}", back=3),
    _Rule("huggingface", "_", _after("hf_") + r"[A-Za-z]{30,}(?![A-Za-z0-9])", back=2),
    _Rule("linear", "_", _after("lin_api_") + rf"[{_A}]{{32,}}", back=7),
    _Rule("notion", "_", _after("ntn_") + rf"[{_A}]{{40,}}", back=3),
    _Rule("notion", "_", _after("secret_") + rf"(?=[A-Za-z]*\d)[{_A}]{{43}}(?![{_T}])", back=6),
    _Rule("digitalocean", "_", rf"(?<=(?<![{_T}])do[opr]_v1_)[0-9a-f]{{64}}", back=6),
    _Rule("grafana", "_", _after("glsa_") + rf"[{_A}]{{32}}_[0-9a-f]{{8}}", back=4),
    _Rule("grafana", "_", _after("glc_") + r"[A-Za-z0-9+/]{32,}={0,2}", back=3),
    _Rule("shopify", "_", rf"(?<=(?<![{_T}])shp(?:at|ss|ca|pa)_)[0-9a-fA-F]{{32}}", back=5),
    _Rule("sentry", "_", rf"(?<=(?<![{_T}])sntry[su]_)[A-Za-z0-9+/=_-]{{40,}}", back=6),
    _Rule("netlify", "_", _after("nfp_") + rf"[{_A}]{{36,}}", back=3),
    _Rule("supabase", "_", _after("sbp_") + r"[0-9a-f]{40}", back=3),
    _Rule("planetscale", "_", _after("pscale_tkn_") + rf"[{_T}]{{32,}}", back=10),
    _Rule("replicate", "_", _after("r8_") + rf"[{_A}]{{37,}}", back=2),
    _Rule("groq", "_", _after("gsk_") + rf"[{_A}]{{48,}}", back=3),
    _Rule("dockerhub", "_", _after("dckr_pat_") + rf"[{_T}]{{24,}}", back=8),
    _Rule("circleci", "_", _after("CCIPAT_") + rf"[{_A}]{{20,}}_[0-9a-f]{{40}}", back=6),
    _Rule("buildkite", "_", _after("bkua_") + r"[0-9a-f]{40}", back=4),
    _Rule("flyio", "_", _after("fm2_") + r"[A-Za-z0-9+/_=-]{50,}", back=3),
    # any other vendor's prefix_ then a long random body (rubygems_, squ_, pcsk_...): not pk_ (public), not ids
    _Rule("secret", "_", r"(?P<keep>)(?P<value>[A-Za-z0-9]{32,})(?![\w-])", check=_prefixed_token),
    # ngrok config add-authtoken TOKEN, ngrok authtoken TOKEN
    _Rule("secret", "k", r"(?<=authtok)(?P<keep>en[ \t]+)(?P<value>[A-Za-z0-9_-]{20,})", check=lambda t, a, v: looks_random(v)),
    _Rule("figma", "_", _after("figd_") + rf"[{_T}]{{40,}}", back=4),
    *[_Rule("clickup", "_", rf"(?<=(?<![{_T}])pk_\d{{{n}}}_)[A-Z0-9]{{32}}(?![{_T}])", back=n + 3) for n in range(5, 11)],  # pk_<user id>_
    _Rule("aws_access_key", "A", r"(?:KIA|SIA)[0-9A-Z]{16}(?![A-Za-z0-9])"),
    _Rule("google_api_key", "A", rf"Iza[{_T}]{{35}}"),
    _Rule("firebase", "A", rf"(?<=AAAA[{_T}]{{7}}:A)PA91b[{_T}]{{100,}}", back=12),
    _Rule("google_oauth", "X", _after("GOCSPX") + rf"-[{_T}]{{24,}}", back=5),
    _Rule("google_oauth", "y", rf"a29\.[{_T}]{{20,}}"),
    _Rule("github", "g", r"h[pousr]_[A-Za-z0-9]{30,}"),
    _Rule("github", "g", r"ithub_pat_[A-Za-z0-9_]{22,}"),
    _Rule("gitlab", "g", rf"l(?:pat|dt|rt|ptt|ft|soat|cbt)-[{_T}]{{20,}}"),
    _Rule("slack", "x", r"(?:ox[abprse]|app)-[A-Za-z0-9-]{10,}"),
    _Rule("atlassian", "x", _after("ATATT3x") + rf"[{_T}]{{100,}}=?[0-9A-F]{{0,8}}", back=6),
    _Rule("twilio", "S", r"K[0-9a-f]{32}(?![A-Za-z0-9])"),
    _Rule("sendgrid", "S", rf"G\.[{_T}]{{16,}}\.[{_T}]{{20,}}"),
    _Rule("access_token", "E", rf"AA[A-Za-z][{_T}]{{60,}}"),  # Square (EAAA...) and Meta (EAAG..., EAAB...) access tokens
    _Rule("databricks", "p", rf"i[0-9a-f]{{32}}(?:-\d+)?(?![{_T}])", back=2),
    _Rule("jwt", "J", _after("eyJ") + rf"[{_T}]{{8,}}\.eyJ[{_T}]{{8,}}\.[{_T}]*", back=2),
    _Rule("vault", ".", rf"(?<=(?<![.{_T}])hv[sbr]\.)[{_T}]{{24,}}", back=3),
    _Rule("dropbox", ".", rf"(?<=(?<![.{_T}])sl\.)[{_T}]{{100,}}", back=2),
    _Rule("doppler", ".", rf"(?<=(?<![.{_T}])dp\.)(?:st|ct|sa|scim|audit|pt)\.(?:[\w-]{{1,40}}\.)?[{_A}]{{40,}}", back=2),
    _Rule("terraform_cloud", ".", rf"(?<=(?<![{_T}])[{_A}]{{14}}\.)atlasv1\.[={_T}]{{60,}}", back=14),
    _Rule("telegram", ":", rf"(?<=[0-9]{{8}}:)(?P<keep>)AA[{_T}]{{32,}}"),
    # Azure AD client secrets: three characters, a version digit, "Q~", then 31-34 more
    _Rule("azure_client_secret", "~", rf"(?<=(?<![~.{_T}])[~.{_T}]{{3}}[78]Q~)[~.{_T}]{{31,34}}", back=5),
    # ---- key blocks that are not PEM ----
    # PuTTY .ppk: the lines after "Private-Lines: N" (to the MAC, or to the end of a clipped block)
    _Rule("private_key", ":", r"(?<=Private-Lines:)(?P<keep>[ \t]*\d+)(?P<value>(?:(?:\r?\n|(?:\\r)?\\n)[A-Za-z0-9+/=]{4,})+)"),
    # the bare content of a key file shown by cat (config/master.key)
    _Rule("secret", "y", r"(?<=\.key)(?P<keep>\r?\n|\\n)(?P<value>[A-Za-z0-9+/=_-]{32,})(?=\s|\\n|$)"),
    # ---- credentials in URLs and headers ----
    # scheme://user:password@host: only the password goes (it may itself hold an @)
    _Rule("url_password", ":", r"(?P<keep>//[^\s:/@\[]*:)(?!\[REDACTED|[{$<%]|\*+@)[^\s/]+(?=@[^\s/@]*(?:[/?#\s]|$))"),
    _Rule("slack_webhook", ":", r"(?P<keep>//hooks\.slack\.com/services/)T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{16,}"),
    # a webhook URL carries its secret in the path, after the host or the segment that names it
    # (hooks.example.com/..., /api/webhooks/ID/TOKEN, /with/key/KEY)
    _Rule("secret", ":", r"(?P<keep>//(?:[^\s/\"'<>]*[Hh]ook[^\s/\"'<>]*/|[^\s/\"'<>]+(?:/[^\s/\"'<>?#]+)*?/(?:[\w.-]*[Hh]ook[\w.-]*|key|token|secret|apikey)/))"
          r"(?P<value>[^\s\"'<>?#\\]+)",
          check=lambda t, a, v: any(looks_random(part) for part in re.split(r"[/@]", v))),
    # a token given as a URL's user name: https://TOKEN@github.com/..., a Sentry DSN's key
    _Rule("secret", ":", r"(?P<keep>//)(?P<value>[A-Za-z0-9_.~+-]{16,})(?=@[^\s/@]+(?:[/?#\s]|$))", check=lambda t, a, v: looks_random(v)),
    # Windows options: xfreerdp /p:secret, cmdkey /pass:secret, msdeploy ...,password=... is the `=` rule's
    _Rule("secret", ":", r"(?:(?<=/p:)|(?<=/P:)|(?<=/pwd:)|(?<=/pass:)|(?<=/password:)|(?<=/passwd:))(?P<keep>)(?!\[REDACTED)(?P<value>\"[^\"\n]{3,}\"|[^\s\"'`|;&]{3,})"),
    # openssl -passout pass:secret
    _Rule("secret", ":", r"(?<=(?<![\w-])pass:)(?P<keep>)(?!\[REDACTED)(?P<value>[^\s'\"]{3,})"),
    # Azure SAS signatures in a URL query
    _Rule("azure_sas", "=", r"(?<=[?&]sig=)(?P<keep>)[A-Za-z0-9%+/=]{20,}"),
    # Authorization: Bearer|Basic|token xxx (headers, curl -H) and "Authorization": "Bearer xxx"
    *[_Rule("authorization", z, rf"(?<=[Aa]{u}{z})(?P<keep>{a}(?:[\"']?[ \t]*[:=][ \t]*[\"']?|[ \t]+[\"'])" + _AUTH_SCHEME + ")" + _AUTH_VALUE, back=8)
      for u, z, a in (("uthori", "z", "ation"), ("UTHORI", "Z", "ATION"))],
    # a bare "Bearer <token>" with a digit in it (prose like "Bearer authentication" stays)
    *[_Rule("bearer", b, r"(?P<keep>earer[ \t]+)(?=[A-Za-z._~+/-]*\d)[A-Za-z0-9._~+/%-]{16,}=*") for b in "Bb"],
    # .netrc: machine host login user password secret
    _Rule("secret", "l", r"(?P<keep>ogin\s+\S+\s+password[ \t]+)(?P<value>\S+)"),
    # ---- values under secret-looking names ----
    # NAME=value and NAME="value" (shell, .env, arguments, query strings); never ==
    _Rule("secret", "=", _name_before("=") + r"(?!=)(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # DB_PWD=x and Pwd=x; in connection strings; PWD=/home/dev is the working directory
    _Rule("secret", "=", r"(?<=(?i:pwd)=)(?![/~.])(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # name = "value" (code), name = value alone on its line (ini, toml); `x = f(y)` is code, not a secret
    _Rule("secret", "=", _name_before(" =") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _BARE + rf"(?=[ \t]*{_EOL}))"),
    # Go's apiToken := "value"
    _Rule("secret", "=", _name_before(" :=") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + ")"),
    # "name": "value" (JSON), 'name': 'value' (Python), \"name\": \"value\" (JSON inside a JSON string)
    # ENV["TOKEN"] = "value" (Ruby, PHP); then define('DB_PASSWORD', 'value'), setenv("TOKEN", "value"), where
    # the value must look typed: a list of names ("password", "token") is no secret
    _Rule("secret", '"', _name_before('"') + r"(?P<keep>[ \t]*(?::|\][ \t]*=)[ \t]*)" + _NOT_A_VALUE + r"(?P<value>\"(?:[^\"\\\n]|\\.){3,}\")"),
    _Rule("secret", "'", _name_before("'") + r"(?P<keep>[ \t]*(?::|\][ \t]*=)[ \t]*)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}')"),
    *[_Rule("secret", q, _name_before(q) + r"(?P<keep>[ \t]*,[ \t]*)" + _NOT_A_VALUE + rf"(?P<value>[\"'][^\"'\n]{{3,}}[\"'])(?=[ \t]*\))",
            check=lambda t, a, v: _looks_like_password(v) or looks_random(v)) for q in "\"'"],
    # the private members of a JSON Web Key ({"kty": "EC", ..., "d": "..."}); the public ones (n, e, x, y) stay
    _Rule("private_key", '"', r"(?<=[{,\s]\")(?:d|p|q|dp|dq|qi)\"(?P<keep>[ \t]*:[ \t]*\")(?P<value>[A-Za-z0-9_-]{20,})(?=\")",
          check=lambda t, a, v: '"kty"' in t[max(0, a - 2000) : a + 2000] and looks_random(v)),
    # {"name": "DB_PASSWORD", "value": "..."} (JSON), - name: API_TOKEN / value: ... (Kubernetes env),
    # <add key="StorageKey" value="..."/> (.NET): the name and the value in two fields
    _Rule("secret", '"', r"(?<=[Vv]alue\")(?P<keep>[ \t]*:[ \t]*)" + _NOT_A_VALUE + r"(?P<value>\"(?:[^\"\\\n]|\\.){3,}\")", check=_named_by_field),
    _Rule("secret", ":", r"(?<=[Vv]alue:)(?P<keep>[ \t]+)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + rf"|[^\s\"'#\\]{{3,}})(?=[ \t]*{_EOL})",
          check=_named_by_field),
    _Rule("secret", "=", r"(?<=[Vv]alue=)(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>\"[^\"\n]{3,}\"|'[^'\n]{3,}')", check=_named_by_field),
    _Rule("secret", "\\", _name_before("\\") + r'(?P<keep>"[ \t]*:[ \t]*\\")' + _NOT_A_VALUE + r'(?P<value>[^"\\\n]{3,})(?=\\")'),
    # <password>value</password> (Maven settings.xml, .NET config)
    _Rule("secret", ">", _name_before(">") + r"(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>[^<\s]{3,})(?=</)"),
    # a typed declaration: const SIGNING_SECRET: &str = "...", val apiKey: String = "..." (Rust, TypeScript, Kotlin, Swift)
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][\w.<>\[\]]*\??[ \t]*=[ \t]*)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + ")"),
    # name: value (YAML, HTTP headers such as api-key: ...): one token, then the end of the line
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + rf"(?!{_TYPE_NAME}|(?i:basic|bearer|token)[ \t])"
          + r"(?P<value>" + _QUOTED + rf"|[^\s\"'#\\]{{3,}})(?=[ \t]*(?:#[^\n]*)?{_EOL})", check=_not_an_exception),
    # --password value, -storepass value, --authkey value (command lines); --password=value is the `=` rule's
    _Rule("secret", "-", r"-?[A-Za-z0-9-]*?(?i:password|passwd|passphrase|secret|token|api-key|apikey|access-key|private-key|secret-key|authkey|auth-key|pass(?![\w-]))"
          r"(?P<keep>[ \t]+)(?!-[A-Za-z-]*(?:[\s=\"]|$)|(?:env|file|fd|stdin):)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + r"|[^\s\"'`\\]{3,})"),
    # -p secret, -pSECRET, -a secret, -w secret: only for the commands that take a password so (see _PASSWORD_FLAGS)
    _Rule("secret", "-", r"(?<![\w-]-)(?:[pPawbtAXkc]|-body)(?P<keep>[ \t]*)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}'|\"[^\"\n]{3,}\"|[^\s\"'`|;&\\]{3,})",
          check=_cli_password),
    # htpasswd -b [-c] FILE USER PASSWORD, htpasswd -nb USER PASSWORD
    _Rule("secret", "-", r"(?<![\w-]-)[a-zA-Z]*b[a-zA-Z]*(?P<keep>(?:[ \t]+-[a-zA-Z]+)*[ \t]+(?![-'\"])\S+[ \t]+(?:(?![-'\"])\S+[ \t]+)?)"
          r"(?P<value>'[^'\n]{3,}'|\"[^\"\n]{3,}\"|[^\s\"'`|;&]{3,})", check=lambda t, a, v: _command_of(t, a)[0] == "htpasswd"),
    # curl -u user:password, --user=user:password, smbclient -U user%password, lftp -u user,password
    _Rule("secret", "-", r"(?<![\w-]-)(?:[uU]|-user|-proxy-user)(?P<keep>[ \t=]+[\"']?[^\s:%,\"']+[:%,])(?!\[REDACTED|\$|//)(?P<value>[^\s\"'@]{3,})",
          check=_user_password),
    # a random-looking value under a weaker name (signing_key=..., _auth=..., SECRET_KEY_BASE: ...), or
    # base64 that decodes to a secret (Kubernetes Secret data:, kubeconfig client-key-data:)
    _Rule("secret", "=", r"[ \t]*[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", check=_random_under_weak_name),
    _Rule("secret", ":", r"(?!//)[ \t]*[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", check=_random_under_weak_name),
    # ~/.pgpass: host:port:database:user:password
    _Rule("secret", ":", r"(?P<keep>)(?P<value>[^\s:'\"\\]{3,128})(?=[ \t]*" + _EOL + ")", check=_pgpass_line),
]  # fmt: skip

# ---- prose: a secret written in a sentence, in any of several languages -------------------------------
# A word that names a secret, a short clause ("for the db", "de la base", "they showed me"), a separator
# (":", "=", a verb such as "is", "est", "ist", "是", "は") and the value. Words of the password family take
# a value that looks typed (letters with digits or symbols); key, token and secret take only a random one.
_PASSWORD_WORDS = (
    "password", "passwords", "passwd", "pass", "pwd", "pw", "p/w", "passphrase", "passcode", "creds", "credentials",
    "login", "mdp", "requirepass", "masterauth", "identified by",
)  # fmt: skip
# the same in other languages; these may take an ending ("Lösenordet", "şifresi", "sandinya", "hasła")
_PASSWORD_STEMS = (
    "passwort", "kennwort", "mot de passe", "contraseña", "contrasena", "contrasenya", "clave", "senha",
    "wachtwoord", "hasło", "hasła", "haslo", "heslo", "geslo", "lozinka", "лозинка", "парол", "lösenord",
    "losenord", "passord", "adgangskode", "kodeord", "salasana", "şifre", "sifre", "parola", "parolă", "parole",
    "parool", "slaptažodis", "jelszó", "jelszav", "jelszo", "κωδικ", "mật khẩu", "kata sandi", "kata laluan",
    "पासवर्ड", "كلمة المرور", "كلمة السر", "סיסמ", "รหัสผ่าน", "密码", "密碼", "口令", "パスワード",
    "暗証番号", "비밀번호", "암호", "패스워드", "رمز عبور",
)  # fmt: skip
_KEY_WORDS = (
    "key", "keys", "token", "tokens", "secret", "secrets", "apikey", "seed",
    "токен", "ключ", "トークン", "토큰", "令牌", "密钥", "密鑰", "秘密鍵", "clé", "chiave", "schlüssel", "sleutel", "klucz", "anahtar",
    "nyckel", "chave", "llave", "キー", "키",
)  # fmt: skip
# the verb that gives the value, in the same languages; a clause must end on one of these or on : = / -
_PROSE_VERBS = frozenset((
    "is", "was", "are", "be", "to", "as", "->", "=>", "—", "–", "ist", "lautet", "war", "est", "était", "es",
    "era", "è", "é", "e", "luidt", "jest", "je", "on", "oli", "är", "var", "er", "это", "είναι", "là",
    "adalah", "ialah", "है", "هي", "هو", "היא", "הוא", "คือ", "yra", "ir", "е", "glasi", "este", "és", "ay", "ni",
    "brzmi", "wynosi", "zní", "des", "della", "del",
))  # fmt: skip
_CJK_SEPARATORS = "是为為は는은이가："
_UNSPACED_VERBS = ("คือ", "เป็น", "là")  # Thai writes the verb against the word


# commands that take a password or token as a plain argument: which argument, counting those that are
# not options (-x, /x), drive letters (Z:) or network paths (\\\\host\\share); 0: the argument after one
# that names a secret (setx GITHUB_TOKEN value); sqlplus takes user/password@database
_POSITIONAL = {
    "net use": 1, "net user": 2, "snyk auth": 1, "vault login": 1, "rabbitmqctl add_user": 2, "rabbitmqctl change_password": 2,
    "setx": 0, "set -x": 0, "set -gx": 0, "set -ux": 0, "aws configure set": 0, "sqlplus": 1, "setenv": 0,
    "rocommunity": 1, "rwcommunity": 1, "rocommunity6": 1, "rwcommunity6": 1, ": psk": 1,  # snmpd.conf, ipsec.secrets
    "b2 authorize-account": 2, "b2 account authorize": 2, "convertto-securestring": 1,
}  # fmt: skip
_POSITIONAL_COMMAND = re.compile("(?<![\\w-])(?:" + "|".join(cmd.replace(" ", r"[ \t]+") for cmd in _POSITIONAL) + r")(?![\w-])", re.IGNORECASE)
_ARGUMENT = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|(?:[^\s;|&\"'\\]|\\(?!n|\"))+|\\\\[^\s;|&\"']+")
_ARGUMENTS_END = re.compile(r"\r|\n|\\n|[;|&]|(?<!\\)\"(?=[,}\s]|$)")


def _positional_secret(text: str, command: re.Match[str]) -> tuple[int, int, str] | None:
    """``net use Z: \\\\fs\\share PASSWORD``, ``snyk auth TOKEN``: the argument that is the password."""
    wanted = _POSITIONAL[" ".join(command[0].lower().split())]
    stop = _ARGUMENTS_END.search(text, command.end(), command.end() + 400)
    end = stop.start() if stop else min(len(text), command.end() + 400)
    for argument in _ARGUMENT.finditer(text, command.end(), end):
        arg = argument[0]
        if arg.startswith(("-", "/", "\\")) or re.fullmatch(r"[A-Za-z]:", arg):
            continue
        if wanted == 0:  # NAME VALUE: wait for a name that says secret
            wanted = 1 if _SECRET_KEY.fullmatch(arg.strip("'\"")) else 0
            continue
        wanted -= 1
        if wanted == 0:
            inner = arg.strip("'\"")
            if (login := re.fullmatch(r"[^/@]+/([^/@]+)@.*", inner)) is not None:  # sqlplus user/password@db
                inner = login[1]
            if len(inner) < 3 or inner.startswith(("$", "%", "<", "[REDACTED")) or not (_looks_like_password(inner) or looks_random(inner)):
                return None
            start = argument.start() + arg.index(inner)
            return start, start + len(inner), "secret"
    return None


# cohere.Client("KEY"), HTTPBasicAuth("user", "PASSWORD"): a string literal given to a client or an auth object
_CALL = re.compile(r"(?:Client|Auth|Credentials|Token|Key|Secret|Login|login|API|Api)\([ \t]*(?:[\w.]+\([ \t]*)?(?:(?P<first>\"[^\"\n]*\"|'[^'\n]*')[ \t]*,[ \t]*)?"
                   r"(?P<value>\"[^\"\n]{6,}\"|'[^'\n]{6,}')")


_COOKIE = re.compile(r"(?i)cookie[\"']?[ \t]*:")
_COOKIE_PAIR = re.compile(r"([\w.$-]+)=([^;,\s\"']{16,})")


def _cookie_values(text: str, found: Any) -> list[tuple[int, int, str]]:
    """``Cookie: sid=...``, ``Set-Cookie: connect.sid=...``: a cookie's random value is a session."""
    if _COOKIE.match(text, found.start()) is None:
        return []
    line_end = text.find("\n", found.start())
    return [(pair.start(2), pair.end(2), "secret") for pair in _COOKIE_PAIR.finditer(text, found.start(), line_end if line_end >= 0 else len(text))
            if looks_random(pair[2].replace("%", ""))]


_LOGIN_PASSWORD = re.compile(r"(?<=[\w.+-])@[\w-]+(?:\.[\w-]+)+:([^\s:/@'\"]{6,})(?=[\s'\"]|$)")


def _public_cell(value: str) -> bool:
    """A fingerprint, a public key, a path, or a digest the length of a git SHA or a SHA-256: not a secret."""
    return _PUBLIC_VALUE.match(value) is not None or _looks_like_path(value) or (len(value) in (40, 64) and _HEX.fullmatch(value) is not None)


_TABLE_SECRET_COLUMN = re.compile(r"(?i)[\w .-]*\b(?:token|password|passwd|pwd|secret|api[ _-]?key|key|credential)s?")


def _table_cells(text: str, found: Any) -> list[tuple[int, int, str]]:
    """The cells of a markdown table's column headed token, password, key...: random or typed values."""
    if not text.startswith("|", found.start()):
        return []
    header_end = text.index("\n", found.start())
    header = text[found.start() : header_end].split("|")
    columns = {n for n, name in enumerate(header) if _TABLE_SECRET_COLUMN.fullmatch(name.strip()) and not _NOT_SECRET_NAME.search(name.strip().lower())}
    hits, row = [], text.find("\n", header_end + 1) + 1  # the first row after the |---| line
    for _ in range(200 if columns else 0):
        if row <= 0 or not text.startswith("|", row):
            break
        end = text.find("\n", row) % (len(text) + 1)  # no newline: the end of the text
        at = row
        for n, cell in enumerate(text[row:end].split("|")):
            value = cell.strip().strip("`")
            if n in columns and value and (looks_random(value) or _typed_password(value)) and not _public_cell(value):
                hits.append((at + cell.index(value), at + cell.index(value) + len(value), "secret"))
            at += len(cell) + 1
        row = end + 1
    return hits


def _dsn_password(text: str, found: Any) -> tuple[int, int, str] | None:
    """``user:password@tcp(host)`` (Go), ``thin:user/password@host`` (Oracle JDBC), ``user@example.com:password``."""
    if text.startswith("thin:", found.start()):
        login = re.match(r"thin:[\w.-]+/([^\s/@]{3,})@", text[found.start() : found.end()])
        return (found.start() + login.start(1), found.start() + login.end(1), "secret") if login else None
    if not text.startswith("@", found.start()):
        return None
    if (login := _LOGIN_PASSWORD.match(text, found.start())) is not None:
        return (login.start(1), login.end(1), "secret") if _typed_password(login[1]) else None
    login = re.search(r"(?<![\w.-])[\w.-]+:([^\s:@'\"\\/]{3,128})$", text[max(0, found.start() - 160) : found.start()])
    return (found.start() - len(login[1]), found.start(), "secret") if login else None


def _cookie_jar_value(text: str, found: Any) -> tuple[int, int, str] | None:
    """domain, flag, path, secure, expiry, name, VALUE: the last field of a cookie jar line, if random."""
    if not text.startswith("\t", found.start()):
        return None
    value = re.match(r"[^\s]{16,}", text[found.end() : found.end() + 4096])
    return (found.end(), found.end() + value.end(), "secret") if value and looks_random(value[0]) else None


def _call_secret(text: str, at: int) -> tuple[int, int, str] | None:
    if (call := _CALL.match(text, at)) is None:
        return None
    value = call["value"][1:-1]
    if looks_random(value) or (call["first"] is not None and call[0].startswith("Auth") and _looks_like_password(value)):
        return call.start("value") + 1, call.end("value") - 1, "secret"
    return None


def _word_pattern(words: tuple[str, ...], stems: tuple[str, ...], before: str, after: str, ending: str = "") -> str:
    """Whole words, and stems with an ending (not in ASCII after a stem in another script: パスワードはX);
    word boundaries (``before``, ``after``) where the word has an ASCII letter (RE2's ``\\b`` knows no other)."""
    return "|".join(
        (before if w[0].isascii() else "") + re.escape(w)
        + (ending.replace("_]", "_A-Za-z]") if w in stems and not w[-1].isascii() else ending if w in stems else after if w[-1].isascii() else "")
        for w in sorted(words + stems, key=len, reverse=True)
    )


# a value a word may introduce: six characters or more, with a letter and a digit or symbol five apart
_CANDIDATE = r"[\x21-\x7e]*(?:[A-Za-z][\x21-\x7e]{4,}[0-9!#$%&*+=?@^~_|]|[0-9!#$%&*+=?@^~_|][\x21-\x7e]{4,}[A-Za-z])"
# a passphrase of words: quoted ("nectar kettle velvet glacier", "marble-oyster-dolphin-nectar"), or an app
# password's four groups of four letters (abcd efgh ijkl mnop)
_PASSPHRASE = re.compile(r"\(?[\"'“](?P<quoted>[a-z]{3,10}(?:[ -][a-z]{3,10}){3,})[\"'”]|(?P<groups>[a-z]{4}(?: [a-z]{4}){3})(?![\w-])")
# Token rules anchored on a common letter (g of ghp_, . of hvs.) would stop at every occurrence of it;
# instead the RE2 pass finds them by these literals of their prefix, and their anchor's pattern is tried
# only where one occurs.
_BY_LITERAL = {
    ".": r"hv[sbr]\.|dp\.|\.atlasv1\.|sl\.", "y": r"ya29\.|\.key", "g": r"gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft|soat|cbt)-",
    "x": r"xox[abprse]-|xapp-|ATATT3x", "p": r"dapi", "l": r"login", "J": r"eyJ", "X": r"GOCSPX", "E": r"EAA",
    "S": r"SK[0-9a-f]|SG\.", "A": r"AKIA|ASIA|AIza|:APA91b", "k": r"sk-|sk_|rk_|authtoken", "B": r"Bearer", "b": r"bearer",
    "z": r"uthoriz", "Z": r"UTHORIZ", "~": r"[78]Q~", "c": r"nsec1",
}  # fmt: skip
_LITERAL = re.compile("|".join(_BY_LITERAL.values()))
_OTP_WORDS = r"\b(?:2fa|totp|mfa|otp|authenticator|(?:recovery|backup)[ \t]+codes?|(?:seed|recovery|secret)[ \t]+phrase|mnemonic)\b"
# One RE2 pass finds what has no rare character to anchor on: a secret word of any language with a
# candidate value after it on its line, a command that prints a credential or takes one as an argument,
# a client given a literal, a cookie header, a DSN, and the literals of _BY_LITERAL. A DFA checks all of
# them at once, in linear time, so the pass costs the same however many words and languages are listed
# (Python's re would try such an alternation at every position, ten times slower). What it finds is read
# further in Python, per hit: hits are rare.
# commands that print a new secret on the next line (openssl rand -hex 32, wg genkey, rails secret)
# or print one kept in a file (cat ~/.vault_pass, a key file, minisign's "untrusted comment: ... secret key")
_GENERATORS = (
    r"(?:openssl[ \t]+rand|/dev/urandom|pwgen|token_(?:hex|urlsafe|bytes)|gen\.secret|rails[ \t]+secret|wg[ \t]+genkey|key:generate"
    r"|\bcat[ \t]+[^\n\r|;]*(?:pass|secret|token|credential|private)[^\n\r|;/]*|untrusted[ \t]+comment:[^\n\r]*secret[ \t]+key)"
)
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20  # room for the DFA of every word at once
_RE2_PASS = re2.compile(
    "(?i)(?:(?:" + _word_pattern(_PASSWORD_WORDS + _KEY_WORDS, (), r"\b", r"\b") + ")"
    + r"[ \t:=：'\"`,\x{80}-\x{10FFFF}][^\n\r]{0,60}?" + _CANDIDATE  # a space or separator first: not "token.py:12"
    + "|(?:" + _word_pattern((), _PASSWORD_STEMS, r"\b", "") + r")[^\n\r]{0,64}?" + _CANDIDATE  # the stem's ending is in the gap
    + "|(?:" + _word_pattern(_PASSWORD_WORDS, (), r"\b", r"\b") + r")[^\n\r]{0,64}?(?:[\"'“][a-z]{3,10}(?:[ -][a-z]{3,10}){3,}[\"'”]|\b[a-z]{4}(?: [a-z]{4}){3}\b)"  # a passphrase
    + r"|(?:[:-](?:token|password|secret|key)(?: [^\n\r]{0,40})?|" + _GENERATORS + r"[^\n\r]{0,60})\r?\n[ \t]*[A-Za-z0-9+/=._~-]{16,}(?:\s|$)"  # printed
    + r"|[ \t]as[ \t]+(?:[\w-]+[ \t]+){0,2}(?:password|passphrase|key|token|secret)\b"  # "use X as the password"
    + "|" + _OTP_WORDS
    + r"|\b" + "|".join(cmd.replace(" ", r"[ \t]+") for cmd in _POSITIONAL) + r"[ \t]+[^\n\r]{3,}"  # given as an argument
    + r"|(?-i:(?:Client|Auth|Credentials|Token|Key|Secret|Login|login|API|Api)\([ \t]*)[^)\n]{8,}"  # or to a client
    + r"|cookie[\"']?[ \t]*:[^\n\r]*=[^\n\r]{16}"  # a Cookie or Set-Cookie header
    + r"|\|[^\n\r]*\b(?:token|password|passwd|pwd|secret|api[ _-]?key|key|credential)s?\b[^\n\r]*\|[ \t]*\r?\n[ \t]*\|[ \t:|]*-"  # a table
    + r"|@[\w-]+(?:\.[\w-]+)+:[^\s:/@'\"]{6,}"  # a login and its password: user@example.com:PASSWORD (postfix sasl_passwd)
    + r"|@(?:tcp|unix)\(|thin:[\w.-]+/[^\s/@]{3,}@"  # Go's MySQL DSN user:password@tcp(...), Oracle's thin:user/password@
    + r"|\t(?:TRUE|FALSE)\t[^\t\n]*\t(?:TRUE|FALSE)\t\d+\t[^\t\n]+\t"  # a line of a cookie jar (curl -c, wget)
    + r"|(?-i:\b[MNO][A-Za-z0-9]{23,27}\.[\w-]{6}\.[\w-]{27,40})"  # a Discord bot token: base64 id . time . HMAC
    + "|(?-i:" + _LITERAL.pattern + "))",
    _RE2_OPTIONS,
)
_PROSE_WORD = re.compile(r"(?P<otp>(?i:" + _OTP_WORDS.replace(r"\b", r"(?<![A-Za-z0-9_])", 1) + "))|(?i:"
                         + _word_pattern(_PASSWORD_WORDS + _KEY_WORDS, _PASSWORD_STEMS, r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])", r"[^\W\d_]{0,4}") + ")")
_PROSE_VALUE = re.compile(r"[:=]*(?P<value>[\x21-\x7e]+)")  # "key=X" and "key:X" give X
_PROSE_STOP = re.compile(r"\r|\n|\\n|[.!?;。！？](?:\s|$)")  # the end of the line or of the sentence
# the sentence says the value is public or only names the secret (an id, a hash, a path, a cache key)
_NOT_SECRET_CONTEXT = re.compile(
    r"(?i)\b(?:publi[cs]\w*|fingerprints?|ids?|hash(?:es)?|digests?|checksums?|sha\d*|commits?|versions?|names?"
    r"|paths?|files?|urls?|prefix(?:es)?|length|size|types?|formats?|idempotency|cache|primary|foreign|partition|sort"
    r"|kid|host|gpg|pgp|ssh|recipients?|example|placeholder)\b"
)
_PUBLIC_VALUE = re.compile(r"(?:pk_|age1|npub|ssh-|ecdsa-|sha\d+[:-]|SHA\d+:|AAAA|https?://)")
_LONE_VALUE = re.compile(r"[ \t]*([A-Za-z0-9+/=._~-]{16,})[ \t]*(?:\r?\n|$)")
_SHELL_PROMPT = re.compile(r"[ \t]*(?:\$|%|#|>|❯|PS [^>\n]*>)[ \t]")


def _literal_hits(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    """The token rules of ``_BY_LITERAL``, tried at their anchors inside each literal found in a hit's span."""
    hits = []
    for literal in _LITERAL.finditer(text, start, min(len(text), end + 16)):
        for at in range(literal.start(), literal.end()):
            if (passes := _LITERAL_PASSES.get(text[at])) and (found := passes[1].match(text, at)):
                if hit := _first_hit(passes[0], passes[2], found, text):
                    hits.append(hit)
    return hits


def _re2_hits(text: str) -> list[tuple[int, int, str]]:
    """The hits, as (start, end, replacement), of everything the RE2 pass finds."""
    hits = []
    for found in _RE2_PASS.finditer(text):
        # the command may sit inside a hit that began earlier ($pw = ConvertTo-SecureString "...")
        command = _POSITIONAL_COMMAND.search(text, found.start(), found.end())
        found_here = [_positional_secret(text, command) if command else None,
                      _call_secret(text, found.start()) or _dsn_password(text, found) or _cookie_jar_value(text, found) or _generated(text, found)
                      or _discord_token(text, found)]
        found_here += _cookie_values(text, found) + _table_cells(text, found)
        hits += _literal_hits(text, found.start(), found.end())  # these name their kind already
        for word in _PROSE_WORD.finditer(text, found.start(), found.end()):
            found_here += _prose_value(text, word)
        for hit in found_here:
            if hit is not None:
                start, end, kind = hit
                value = text[start:end]
                # a known token shape names its kind (not when the value is all there is: no recursion)
                named = redact(value) if len(value) >= 16 and kind in ("secret", "password") and value != text else value
                hits.append((start, end, named if named.startswith("[REDACTED:") and named.endswith("]") else f"[REDACTED:{kind}]"))
    return hits


def _prose_value(text: str, word: re.Match[str]) -> list[tuple[int, int, str]]:
    """The values a secret word introduces, as (start, end, kind)."""
    if word["otp"]:
        return _one_time_secrets(text, word)
    keyword = word[0].lower()
    family = "secret" if keyword in _KEY_WORDS else "password"
    line_start = max(text.rfind("\n", 0, word.start()) + 1, 0)
    before = text[max(line_start, word.start() - 32) : word.start()]
    if (family == "secret" and _NOT_SECRET_CONTEXT.search(before)) or before.endswith(("${", "$")):
        return []  # said to be public, or a shell variable (${KEY:-default})
    if (named := _NAMED_AFTER.search(text, max(line_start, word.start() - 80), word.start())) is not None:
        value = named["value"].strip("\"'`").rstrip(_PUNCT_END)  # "use X as the password": the value came first
        if looks_random(value) if family == "secret" else _typed_password(value):
            start = named.start("value") + named["value"].index(value[:1])
            return [(start, start + len(value), family)]
    return [hit] if (hit := _value_after(text, word, keyword, family, line_start)) else []


def _value_after(text: str, word: re.Match[str], keyword: str, family: str, line_start: int) -> tuple[int, int, str] | None:
    stop = _PROSE_STOP.search(text, word.end(), word.end() + 160)
    end = stop.start() if stop else min(len(text), word.end() + 160)
    if stop and stop[0] in "\r\n" and family == "secret" and _SHELL_PROMPT.match(text, line_start):
        return _printed_secret(text, stop.end())
    for n, value in enumerate(_PROSE_VALUE.finditer(text, word.end(), end)):
        glue = text[word.end() : value.start("value")]
        if n >= 8 or len(glue.split()) > 7:
            return None
        if family == "password" and (phrase := _PASSPHRASE.match(text, value.start("value"))):
            group = "quoted" if phrase["quoted"] else "groups"
            return phrase.start(group), phrase.end(group), "password"
        if (candidate := _prose_candidate(text, value, glue, family, keyword)) is not None:
            return candidate
    return None


def _prose_candidate(text: str, value: re.Match[str], glue: str, family: str, keyword: str) -> tuple[int, int, str] | None:
    start, raw = value.start("value"), value["value"]
    if raw.endswith(":") or raw.startswith(("$", "%", "{", "<", "[REDACTED")) or raw.startswith(("\":", "':")):
        return None  # a label, a variable, a placeholder, done already, or a JSON key ("token":null)
    inner = raw[1:] if raw[0] == "(" and raw.rstrip(".,;:?").endswith(")") else raw  # "(X)"
    inner = inner.strip("\"'`")
    start += raw.index(inner[:1]) if inner else 0
    inner = inner.rstrip(_PUNCT_END).strip("\"'`")
    if not inner:
        return None
    clause = glue.strip().strip("\"'`「『（(")
    if any(c in clause for c in "\"[]{}<>"):
        return None  # structured data (JSON, a list), which the rules for names and values read
    # the clause ends on a separator or a verb ("for the db:", "de la base est", "密码是")
    explicit = clause != "" and (clause[-1] in ":=：/-→" or clause[-1] in _CJK_SEPARATORS or clause.split()[-1].lower() in _PROSE_VERBS
                                 or text[: value.start("value")].rstrip(" \t\"'`「『（(").endswith(_UNSPACED_VERBS))
    if family == "secret":
        if _NOT_SECRET_CONTEXT.search(glue) or _PUBLIC_VALUE.match(inner) or inner.startswith(_PUBLIC_PREFIXES) or _ASSIGNMENT.match(inner):
            return None
        random = looks_random(inner) and not _looks_like_path(inner)
        # "token: X", "the secret is X": right after the word, a typed-looking value will do
        typed = keyword not in ("key", "keys") and len(clause.split()) == 1 and _looks_like_password(inner)
        if (clause and not explicit) or not (random or typed or (explicit and _UUID.fullmatch(inner))):
            return None
        return start, start + len(inner), "secret"
    if not clause:  # "pass Willow^Copper5679": no separator, so the value itself must look typed
        if not _typed_password(inner):
            return None
    elif not explicit:
        return None
    elif (pair := re.fullmatch(r"[\w.@-]{2,32}[:/]([^:/]{6,})", inner)) and keyword in ("creds", "credentials", "login"):
        start, inner = start + pair.start(1), pair[1]  # "creds: admin/X": the user name may stay
    if not _looks_like_password(inner):
        return None
    return start, start + len(inner), "password"


def _typed_password(value: str) -> bool:
    """Without a separator to say so, a password must show it: digits with symbols, or random."""
    return _looks_like_password(value) and any(c.isdigit() for c in value) and (looks_random(value) or any(c in "!@#$%^&*+=?~|" for c in value))


_NAMED_AFTER = re.compile(r"(?<![^\s\"'`])(?P<value>[\x21-\x7e]{6,})[ \t]+as[ \t]+(?:[\w-]+[ \t]+){0,2}$")
_OTP_SEED = re.compile(r"(?<![\w-])(?:(?:[A-Z2-7]{4}[ \t]){3,}[A-Z2-7]{4}|(?:[a-z2-7]{4}[ \t]){3,}[a-z2-7]{4}|[A-Z2-7]{16,}|[a-z2-7]{16,})(?![\w-])")
_RECOVERY_CODE = re.compile(r"(?m:^[ \t]*[a-z]{4,6}-[a-z]{4,6}[ \t]*$)|(?<![\w-])(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{4,6}-?[a-z0-9]{4,6}(?![\w-])|(?<![\w-])\d{4}[ -]?\d{4}(?![\w-])", re.IGNORECASE)
_SEED_PHRASE = re.compile(r"(?:[a-z]{3,8}[ \t]+){11,23}[a-z]{3,8}(?![\w-])")


def _one_time_secrets(text: str, word: re.Match[str]) -> list[tuple[int, int, str]]:
    """A TOTP seed after "2fa"/"totp" on its line, the recovery codes listed after "recovery codes", the
    words of a wallet's seed phrase."""
    name = word[0].lower()
    if "phrase" in name or name == "mnemonic":
        found = _SEED_PHRASE.search(text, word.end(), word.end() + 400)
        return [(found.start(), found.end(), "secret")] if found and found.start() - word.end() <= 40 else []
    if "code" in name:
        return [(code.start(), code.end(), "secret") for code in _RECOVERY_CODE.finditer(text, word.end(), word.end() + 600)]
    line_end = text.find("\n", word.end(), word.end() + 200)
    return [(seed.start(), seed.end(), "secret") for seed in _OTP_SEED.finditer(text, word.end(), line_end if line_end >= 0 else word.end() + 200)
            if any(c in "234567" for c in seed[0])]


_DISCORD = re.compile(r"[MNO][A-Za-z0-9]{23,27}\.[\w-]{6}\.[\w-]{27,40}(?![\w-])")


def _discord_token(text: str, found: Any) -> tuple[int, int, str] | None:
    token = _DISCORD.match(text, found.start())
    return (token.start(), token.end(), "discord") if token and looks_random(token[0]) else None


def _generated(text: str, found: Any) -> tuple[int, int, str] | None:
    """The value printed on the line after ``openssl rand -hex 32``, ``wg genkey`` and the like."""
    if re.match("(?i)" + _GENERATORS, text[found.start() : found.end()]) is None:
        return None
    return _printed_secret(text, text.index("\n", found.start()) + 1)


def _printed_secret(text: str, at: int) -> tuple[int, int, str] | None:
    """The line after a command that prints a credential (``$ heroku auth:token``): one random value alone."""
    found = _LONE_VALUE.match(text, at)
    if found and (looks_random(found[1]) or _UUID.fullmatch(found[1])):
        return found.start(1), found.end(1), "secret"
    return None


# A cheap check right after an anchor that every rule of the anchor needs, so that the many occurrences
# of a common anchor that start nothing are rejected before any alternative is tried.
_GUARDS = {
    "-": r"(?:(?=----BEGIN)|(?<![\w-]-)(?=-|[A-Za-z])|(?<=[A-Za-z0-9]-)(?=[A-Za-z0-9_]{16}|us\d)|(?<=sdk-)(?=[0-9a-f]{8}-))",
    "k": r"(?:(?<=(?<![A-Za-z0-9_-])[sr]k)|(?<=authtok))",
    "_": r"(?<=[A-Za-z0-9]_)(?=[A-Za-z0-9+/_-]{16})",
    "A": r"(?:(?<![A-Za-z0-9_-]A)|(?<=:A)(?=PA91b))",
    "X": r"(?<=SPX)",
    "y": r"(?:(?<![A-Za-z0-9_-]y)|(?<=\.key))",
    "g": r"(?<![A-Za-z0-9_-]g)",
    "x": r"(?:(?<![A-Za-z0-9_-]x)|(?<=ATATT3x))",
    "S": r"(?<![A-Za-z0-9_-]S)",
    "E": r"(?<![A-Za-z0-9_-]E)(?=AA[A-Za-z])",
    "p": r"(?<=(?<![A-Za-z0-9_-])dap)(?=i)",
    ".": r"(?:(?<=[A-Za-z0-9]\.)(?=[A-Za-z0-9_-]{16})|(?<=dp\.)|(?=atlasv1\.))",
    "~": r"(?<=Q~)",
    "B": r"(?<![A-Za-z0-9_-]B)(?=earer)",
    "b": r"(?<![A-Za-z0-9_-]b)(?=earer)",
    "l": r"(?<![\w-]l)(?=ogin)",
    "=": r"(?<=[\w\"' :]=)",
    ">": r"(?<=[A-Za-z]>)",
    ":": r"(?:(?=//)|(?<=[\w\"']:)(?=[ \t]|[\"']?[A-Za-z0-9+/_.~-]{16}|[^\s:'\"\\]{3,128}[ \t]*(?:\r?\n|\\n|$)|AA)"
         r"|(?<=pass:)|(?<=[pdsPDS]:)(?:(?<=/p:)|(?<=/P:)|(?<=/pwd:)|(?<=/pass:)|(?<=/password:)|(?<=/passwd:))(?=\S))",
}


def _compile(rules: list[_Rule], guards: dict[str, str]) -> list[tuple[list[_Rule], re.Pattern[str], list[re.Pattern[str]]]]:
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
        passes.append((same, combined, [re.compile(re.escape(anchor) + alt) for alt in alts]))
    return passes


# A pattern that starts with one literal character is searched for in C at memchr speed; a single pattern
# with many first characters is tried at every position and is several times slower. Hence one pass per
# anchor, each skipping straight from one occurrence of its anchor to the next.
_PASSES = _compile([rule for rule in _RULES if rule.anchor not in _BY_LITERAL], _GUARDS)
# the anchors that the RE2 pass finds by their literals, each tried only inside the literal's match
_LITERAL_PASSES = {rules[0].anchor: (rules, pattern, singles) for rules, pattern, singles in _compile(
    [rule for rule in _RULES if rule.anchor in _BY_LITERAL], _GUARDS)}


def redact(text: str) -> str:
    hits = _re2_hits(text)
    for rules, pattern, singles in _PASSES:
        pos = 0
        while (found := pattern.search(text, pos)) is not None:
            hit = _first_hit(rules, singles, found, text)
            pos = hit[1] if hit else found.start() + 1
            if hit:
                hits.append(hit)
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


def _first_hit(rules: list[_Rule], singles: list[re.Pattern[str]], found: re.Match[str], text: str) -> tuple[int, int, str] | None:
    """The hit of the first rule that matched at ``found`` and whose check agrees, if any."""
    n, match = int(found.lastgroup[1:]), found  # "r<n>" is the group that closed last
    while match is not None:
        start = match.start() - rules[n].back
        if (replacement := _replacement(rules[n], n, match, start)) is not None:
            return start, match.end(), replacement
        # turned down by its check: the later rules may still match here, and anything inside the
        # span (a token in a value that was not a password) is searched again
        n, match = _next_match(rules, singles, n, match.start(), text)
    return None


def _next_match(rules: list[_Rule], singles: list[re.Pattern[str]], after: int, at: int, text: str) -> tuple[int, re.Match[str] | None]:
    for n in range(after + 1, len(rules)):
        if (match := singles[n].match(text, at)) is not None:
            return n, match
    return len(rules), None


def _replacement(rule: _Rule, n: int, match: re.Match[str], start: int) -> str | None:
    text = match.string
    groups = match.re.groupindex
    keep = text[start : match.end(f"k{n}")] if f"k{n}" in groups else ""
    if f"v{n}" not in groups:
        return f"{keep}[REDACTED:{rule.kind}]"
    value = match[f"v{n}"]
    quote = value[0] if value[0] in "\"'" and value[-1] == value[0] and len(value) > 1 else ""
    inner = value[1:-1] if quote else value
    if rule.check is not None:
        if not rule.check(text, start, inner):
            return None  # not a secret by this rule; a token shape inside is still caught by its own
    # a known token shape names its kind (OPENAI_API_KEY=sk-... -> openai); anything else is "secret"
    redacted = redact(inner) if len(inner) >= 16 else inner  # no token shape is shorter
    if _MARKER.fullmatch(redacted) is None:  # no shape, or one that covers only part of the value
        name = text[max(0, start - 24) : start].rstrip(" \"'").lower()
        redacted = "[REDACTED:aws_secret_key]" if name.endswith("aws_secret_access_key") else "[REDACTED:secret]"
    return f"{keep}{quote}{redacted}{quote}"


_MARKER = re.compile(r"\[REDACTED:\w+\]")
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
