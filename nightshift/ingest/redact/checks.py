"""What the rules share: the names that say secret, what a value is not, the look-behinds every rule is built
from, and the checks that decide what a pattern alone cannot (a random value, a typed password, a public name)."""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

# A value is redacted when the name before it ENDS with one of these (case-insensitive), so
# ``DB_PASSWORD=x`` and ``"apiKey": "x"`` are caught while ``max_tokens=10`` stays readable.
_SECRET_WORDS = (
    "password", "passwd", "passphrase", "secret", "token", "credential", "credentials",
    "api_key", "api-key", "apikey", "access_key", "access-key", "accesskey", "accountkey",
    "private_key", "private-key", "privatekey", "secret_key", "secret-key", "secretkey", "pass_phrase", "pass-phrase",
    "_pass", "-pass", "_pw", "-pw", "_cred", "_creds", "-creds", "psk", "_pat", "authkey", "auth_key", "auth-key", "authtok", "secret_id", "secretid",
)  # fmt: skip
# Names that hold secrets only sometimes (``sort_key=name``, ``auth=basic``): their value must also look
# random. A name that merely contains a secret word (``SECRET_KEY_BASE``, ``token_v2``) counts too...
_WEAK_ENDINGS = (
    "key", "auth", "salt", "signature", "sig", "signing", "sessionid", "session", "cookie", "api", "bearer", "webhook", "jwt", "hmac",
    "license", "licence", "access",
)  # fmt: skip
# ...unless the name says the value is public or only points at the secret (a path, a name, an id)
_NOT_SECRET_NAME = re.compile(
    r"publi[cs]|publishable|pub_?key|(?:^|[_.-])existing|site_?key|verif|(?:gpg|pgp)[_-]?key|idempotency|correlation|(?:^|[_.-])anon[_-]|(?:next|page|continuation|starting|pagination|paging|cursor|resume|sync)[_-]?token$|(?:^|[_.-])(?:path|file|dir|name|id|url|uri|ref|type|len|length|size|ttl|count|header|prefix|version|format|region|hash|digest|checksum)$"
)
_NAME_WORDS = re.compile("|".join(map(re.escape, _SECRET_WORDS)) + r"|passwd|pwd|secret|token", re.IGNORECASE)

_TOKEN_CHAR = "A-Za-z0-9_-"
# the end of a line, also as JSON shows it inside a string (a tool call's arguments)
_EOL = r"(?:\r?\n|\\r\\n|\\n|$)"
# A quoted version or version range (``"@solana/spl-token": "^0.4.0"``, ``">=0.7,<1"``) is a package
# pin under a name that merely contains a secret word, not a secret.
_VERSION = r"[\"'][\^~<>=! ]*v?\d+(?:\.[\w*+-]+)+(?:[ ,|]+[<>=!~^]*\d+(?:\.[\w*+-]+)*)*[\"']"
_STORES = ("vault", "ssm", "file", "env", "keychain", "secretsmanager", "awssm", "gcp-sm", "azurekeyvault", "akv", "sops", "kms", "arn")
_NOT_A_VALUE = (
    r"(?![\"']?(?:(?i:\[redacted)|\$|\{|<|%\(|#\{|%[A-Za-z_]\w*%|@Microsoft\.KeyVault\()|\"\"|''|(?i:none|null|nil|true|false|undefined)\b|(?i:yes|no)[\"']?(?:[\s,;)}]|$)"
    # a reference to where the value lives (process.env.API_KEY, os.environ[...], var.db_password), or a hash of it
    r"|[\"']?(?:process\.env|import\.meta\.env|os\.environ|System\.getenv|Deno\.env|ENV\[|env\.|vars?\.|secrets\.|settings\.)"
    r"|[\"']?(?:(?i:sha\d*|md5|bcrypt|pbkdf2[\w-]*|scrypt):|\$2[aby]?\$\d\d\$|\$argon2)"
    r"|[\"'](?:\^|[^\"'\n]*%[sd][^\"'\n]*[\"'])"  # a regular expression or a format string ("^(%s|%s)$")
    # a placeholder anywhere in the value: please-change-me, my-example-token, your_key_here
    r"|[\"']?[\w.-]*(?i:change[_-]?me|replace[_-]?me|placeholder|your[_-]\w+|example|dummy)[\w.-]*[\"']?(?:[\s,;})]|$)"
    r"|[\"']?(?:~|\.\.?)?/[\w.-]+/|[\"']?\.\.?/"  # a path to the secret, not the secret
    # a key file's name (keys/deploy.pem, id_ed25519), or a reference to a store (vault:..., ssm:/..., file:...)
    r"|[\"']?[\w./-]*\.(?:pem|key|crt|cer|p12|pfx|jks|keystore|kdbx|gpg|asc|ppk|pub)[\"']?(?:[\s,;}]|$)|[\"']?id_(?:rsa|dsa|ecdsa|ed25519)\b"
    r"|[\"']?(?i:" + "|".join(_STORES) + "):"
    r"|[\"']?[a-z][a-z0-9+.-]{1,15}://"  # a reference (op://vault/item) or a URL, whose password has its own rule
    r"|[\"']?(?:[A-Za-z0-9]{1,12}_(?:(?:live|test)_)?)?(?:\*{3,}|•{3,}|(?i:x{4,})[\"'`]?(?![^\s\"',;}`]))"  # masked
    r"|[\"']?[^\s\"']*(?:\.\.\.|…)[\"'`]?(?:[\s,;}`]|$)"  # elided: sk_test_...
    # a sentence: a label that names the secret ("Forgot your password?"), or a message with a placeholder in it
    r"|[\"'](?=[^\"'\n]*[ ][^\"'\n]*[\"'])(?=[^\"'\n]*(?:(?i:passw|passphrase|token|secret|api key)|\{\w*\}))"
    r"|[\"']?(?:[A-Za-z0-9]{1,12}_(?:(?:live|test)_)?)?(?i:todo|tbd|fixme|changeme|change[_-]me|replace[_-]?me|placeholder|redacted|your[_-][\w-]*)[\"'`]?(?:[\s,;}`]|$)"
    r"|[\"']?\((?i:hidden|none|not set|unset|empty|redacted|masked|sensitive)\)"  # what a tool prints instead
    r"|[\"']?(?:ENC\[|ENC\(|\$ANSIBLE_VAULT|![A-Za-z][\w-]*(?:\s|$))"  # encrypted (sops, ansible), a YAML tag (!vault)
    r"|[\"']?[\^~>=<]*v?\d+(?:\.[\dx*]+)+(?:-[\w.]+)?[\"']?(?:[\s,;}\]]|$)"  # a version: "@solana/spl-token": "^0.4.0"
    rf"|{_VERSION})"  # or a quoted range: ">=0.7,<1"
)
_QUOTED = r"\"(?:[^\"\\\n]|\\.){3,}\"|'[^'\n]{3,}'"
# the same inside a JSON string (a file written by a tool call): \"value\"
_ESCAPED_QUOTED = r"\\" + _NOT_A_VALUE + r"\"[^\"\\\n]{3,}\\\""
# an identifier's segment: at most 16 characters, or longer without a digit or with CamelCase words in it (a token's
# segments are long and mixed:
# tidewave_token = twv1.QAPF...)
_IDENT_SEGMENT = r"[A-Za-z_](?:\w{0,15}(?!\w)|[A-Za-z_]*(?!\w)|\w*(?:[A-Z][a-z]{2,}){2}\w*)"  # or CamelCase words
# An unquoted value. Code on the right of `=` is not a secret: a call f(x), an attribute path a.b,
# or a variable named like the secret (token=token, api_key=self_api_key).
_BARE_CHAR = r"[^\s\"'`,;&|()\[\]{}\\]"
_BARE = (
    rf"(?!{_BARE_CHAR}*\()"
    rf"(?!{_IDENT_SEGMENT}(?:\.{_IDENT_SEGMENT})+(?!{_BARE_CHAR}))"
    rf"(?![a-z_]*(?:token|key|secret|password|credentials?)(?!{_BARE_CHAR}))"
    rf"{_BARE_CHAR}{{3,}}"
)
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
    # ENV['X'] = v, os.environ["X"] = v and \"x\": v (JSON in a JSON string): the brackets and escapes are not the name's
    # and Make's NAME := value, NAME ?= value
    found = _NAME_REVERSED.match(text[max(0, at - 64) : at].rstrip(" \t\"'\\]").removesuffix(":").removesuffix("?").rstrip()[::-1])
    return found[0][::-1].lower() if found else ""


# a file's path, a lowercase path, or an object key whose leading segments are words or numbers (uploads/2026/01/<id>)
_PATH = re.compile(r"(?:[\w.-]+/)+[\w.-]*\.[A-Za-z0-9]{1,5}|[a-z0-9._-]*(?:/[a-z0-9._-]+)+/?|[a-z][a-z0-9_-]{2,}/(?:(?:[a-z][a-z0-9_-]{2,}|\d+)/)+[\w.-]+")


def _looks_like_path(value: str) -> bool:
    """``reports/2026/11/summary.pdf``, ``a/b/c``: a path or an object key, not base64 (which mixes cases)."""
    return _PATH.fullmatch(value) is not None


# what public keys and non-values start with: a publishable key, an age or nostr recipient, a path, an option
_PUBLIC_PREFIXES = ("pk_", "age1", "npub", "ssh-", "/", "~/", "./", "-")


def credential_key(name: str) -> bool:
    """A key named for what it does (ORBIT_ADMIN_KEY, licenseKey, X_AUTH), whose value may be a UUID or typed as
    well as random; not a key that orders, caches, looks up or names something (sort_key, cache_key, kms_key)."""
    qualified = len(_CREDENTIAL_KEY_NAME.sub("", name).strip("_.-")) >= 2  # a bare "key" or "auth" says nothing
    return qualified and _CREDENTIAL_KEY_NAME.search(name) is not None and _NOT_A_CREDENTIAL_KEY.search(name) is None


def _typed_key(value: str) -> bool:
    """A typed value: letters, a digit and a symbol people type into passwords (not an identifier's _ . - or
    base64's padding); no placeholder (YOUR_API_KEY_HERE), no format string (VS%0.f0TOOLS)."""
    symbols = _TYPED_SYMBOL.search(value.rstrip("=")) is not None
    return symbols and any(c.isdigit() for c in value) and _PLACEHOLDER_WORD.search(value) is None and not _FORMAT.search(value) and _looks_like_password(value)


_TYPED_SYMBOL = re.compile(r"[!@#$^&*+=?~|:]")
_FORMAT = re.compile(r"%[-+0-9.]*[sdfrxi]|\{\w*\}")


_PLACEHOLDER_WORD = re.compile(r"(?i)change[_-]?me|replace[_-]?me|placeholder|your[_-]|example|dummy|todo|tbd|fixme|_here\b|-here\b")
# lowercased: orbit_admin_key, orbitadminkey, orbitauth, dbpass, orbitpat (camelCase names lose their capitals)
_CREDENTIAL_KEY_NAME = re.compile(r"(?:^|[_.-])(?:key|auth)$|[a-z](?:key|auth|pass|pwd|pat)$")
_NOT_A_CREDENTIAL_KEY = re.compile(
    r"(?:cache|sort|partition|primary|foreign|row|hash|lookup|idempotency|dedupe?|object|s3|file|kms|i18n|translation|"
    r"map|index|search|group|routing|queue|topic|event|shard|bucket|cursor|sequence|unique|composite|redis|config|"
    r"registry|secondary|range|hot|shortcut|keyboard|list|dict|item|node|cert|ssh|host|tls|ca|pub|public|gpg|pgp|"
    r"site|recaptcha|browser|frontend|license_plate|monkey|turkey|whiskey|jockey|hockey)[_.-]?key$|(?:^|[_.-])(?:basic|none|oauth2?)[_.-]?auth$"
    r"|(?:by|com|sur|over|under|first|second|multi|single|one|two|tres|im)pass$|(?:com|ex|re|ex)pat$|^o?auth$"
)


def typed_under_credential_key(text: str, at: int, value: str) -> bool:
    """A typed value (letters, a digit, symbols) under a key named for what it does; not a placeholder."""
    name = _name_at(text, at)
    return credential_key(name) and _NOT_SECRET_NAME.search(name) is None and _typed_key(value) and not value.startswith(_PUBLIC_PREFIXES)


def value_under_credential_key(text: str, at: int, value: str) -> bool:
    """Random, hex, a UUID or typed, under a key named for what it does (<kilnAdminKey>, 'kiln_key' => ...)."""
    inner = value.strip("\"'")
    found = _NAME_REVERSED.match(text[max(0, at - 64) : at].rstrip(" \t\"'\\]=:<>,")[::-1])
    name = found[0][::-1].lower() if found else ""
    if not credential_key(name) or _NOT_SECRET_NAME.search(name) or inner.startswith(_PUBLIC_PREFIXES) or _PLACEHOLDER_WORD.search(inner):
        return False
    hex_key = _HEX.fullmatch(inner) is not None and len(inner) >= 32
    return looks_random(inner) or hex_key or _UUID.fullmatch(inner) is not None or _typed_key(inner)


def _random_under_weak_name(text: str, at: int, value: str) -> bool:
    """A random-looking value under a weaker name, or any value whose base64 decodes to a secret."""
    name = _name_at(text, at)
    value = value.removeprefix("base64:")
    if name == "key" and _DIGEST_RUN.search(value) or encrypted_for_commit(text, at) or _IN_RESOURCE_NAME.search(text, max(0, at - 200), at):
        # a bare key holding a digest or a cache key (key: Linux-npm-<sha256>), a SealedSecret's value, or the name of a
        # secret inside a resource's name (arn:aws:secretsmanager:...:secret:prod/db/password-4fDblu)
        return False
    if value.endswith("...") or text.startswith("(", text.find(value, at) + len(value)) or _CODE_NAME.fullmatch(value):
        # elided (an example's first characters), a call (results["token"] = Plugin.unquote(...)), or another name:
        # PBKDF2HMAC = kdf.PBKDF2HMAC, SIGNATURE_HMAC = SIGNATURE_HMAC_SHA1
        return False
    if name.endswith(_WEAK_ENDINGS) or _NAME_WORDS.search(name) or credential_key(name):
        # "Public key: age1...", "Cache restored from key: Linux-pip-<hash>"
        public = value.startswith(_PUBLIC_PREFIXES) or _SAID_NOT_SECRET.search(text, max(0, at - len(name) - 24), at) is not None or der_public(value)
        end = text.find(value, at) + len(value)
        whole = not text.startswith(":", end)  # not the id half of an id:secret pair, which its own rule takes whole
        shaped = looks_random(value) or whole and credential_key(name) and (_UUID.fullmatch(value) is not None or _typed_key(value))
        if _NOT_SECRET_NAME.search(name) is None and shaped and not public and not _looks_like_path(value):
            return True
    in_block = _SECRET_BLOCK.search(text, max(0, at - 400), at) and not _NOT_SECRET_NAME.search(name) and not _DIGEST_NAME.fullmatch(name)
    if in_block and (looks_random(value) or _UUID.fullmatch(value)):
        return True  # tokens { agent = "<uuid>" } (HCL): every value of a block named for secrets but its checksums and ids
    if name in _PAYLOAD_NAMES and _SECRET_RESOURCE.search(text, max(0, at - 300), at) and (looks_random(value) or _HEX_SECRET.fullmatch(value)):
        return True  # a secret store's answer: payload: data: <value> under projects/.../secrets/..., "SecretString": "..."
    return _decodes_to_secret(value) or (_in_kubernetes_secret(text, at) and _decodes_to_password(value) and not _PUBLIC_DATA.search(name))


def _random_part_under_weak_name(text: str, at: int, value: str) -> bool:
    """A quoted value under a secret or weaker name with a random part: ``'<uuid>:<hex>'``, ``'prod:slug|<random>'``."""
    name = _name_at(text, at)
    if not (name.endswith(_WEAK_ENDINGS) or _NAME_WORDS.search(name)) or _NOT_SECRET_NAME.search(name):
        return False
    if "://" in value:
        return False  # a URL: its password has its own rule
    parts = re.split(r"[:|$,;@]", value)
    return len(parts) > 1 and any(_TOKEN_PART.fullmatch(part) and looks_random(part.lstrip("_-")) and not _UUID.fullmatch(part) for part in parts)


_IN_RESOURCE_NAME = re.compile(r"\b[au]rn:[^\s\"']*$")
_DIGEST_RUN = re.compile(r"(?<![0-9a-f])(?:[0-9a-f]{40}|[0-9a-f]{64})(?![0-9a-f])")
_CODE_NAME = re.compile(rf"{_IDENT_SEGMENT}(?:\.{_IDENT_SEGMENT})+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
_TOKEN_PART = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_SECRET_BLOCK = re.compile(
    r"(?i)(?:\b|[_-])(?:tokens?|secrets?|credentials?|passwords?|oauth|auth|(?:api|access|secret|private)[_-]?keys?)[\"']?[ \t]*[=:]?[ \t]*\{[^{}]*$"
)
_PAYLOAD_NAMES = frozenset(("data", "payload", "value", "secretstring", "secret_string", "plaintext", "secretvalue"))
_SECRET_RESOURCE = re.compile(r"(?i)\bsecrets?/[\w./-]+|secretsmanager|secretmanager|keyvault|\bssm\b|parameter|\"SecretString\"")
_HEX_SECRET = re.compile(r"[0-9a-f]{32}|[0-9a-f]{48}|[0-9a-fA-F]{56,}")  # a key of hex, not a git SHA
_DIGEST_NAME = re.compile(r"sha\d*|md5|h\d|blake\w*|xxh\w*")  # sha256:<hex>: the algorithm, not a name
_SAID_NOT_SECRET = re.compile(r"(?i)publi|cache|checksum|digest|fingerprint")
_PUBLIC_DATA = re.compile(r"user|name|login|email|host|port|url|uri|crt|cert|ca|pem|pub|id$|region|database|db$")


def der_public(value: str) -> bool:
    """Base64 of DER whose outer SEQUENCE opens with another SEQUENCE: a certificate or a public key
    (SubjectPublicKeyInfo); a private key's opens with its version, an INTEGER."""
    if not value.startswith("MI") and not value.startswith("MC") and not value.startswith("MF"):
        return False
    try:
        head = base64.b64decode(value[:16])
    except (binascii.Error, ValueError):
        return False
    if len(head) < 4 or head[0] != 0x30:
        return False
    length_bytes = head[1] - 0x80 if head[1] & 0x80 else 0  # the outer length in long form takes this many bytes
    return len(head) > 2 + length_bytes and head[2 + length_bytes] == 0x30


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
    return "PRIVATE KEY" in decoded or redact_decoded(decoded) != decoded


def redact_decoded(text: str) -> str:
    """The whole redactor, for decoded base64; the package's ``__init__`` puts itself here once it is
    defined, so this module (which the engine imports) does not import the engine back."""
    raise RuntimeError("nightshift.ingest.redact is not initialised")


_NAME_FIELD = re.compile(r"(?:[Nn]ame|[Kk]ey|ParameterKey|[Vv]ariable|[Pp]roperty)[\"']?[ \t]*[:=][ \t]*[\"']?(?:/?[\w.-]+/)*([A-Za-z_][\w.-]*)")


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
    inner = value.strip("\"'")
    keyed = credential_key(name) and (_UUID.fullmatch(inner) is not None or _HEX.fullmatch(inner) is not None and len(inner) >= 32 or _typed_key(inner))
    return _SECRET_KEY.fullmatch(name) is not None or (name.endswith(_WEAK_ENDINGS) and looks_random(value)) or keyed


_PUBLIC_PREFIX = re.compile(r"(?:pk|pub|public|sha\d*|md5|id|uuid|commit|test|file|img|build|v\d*)", re.IGNORECASE)


def _prefixed_token(text: str, at: int, value: str) -> bool:
    """``rubygems_<48 hex>``, ``shippo_live_<40 hex>``: a short lowercase prefix that starts a token (and
    says which environment), then a random body."""
    prefix = re.search(r"(?<![\w.-])([a-z][a-z0-9]{1,11})_(?:[a-z]{2,8}_)?$", text[max(0, at - 21) : at + 1])
    if prefix is None or _PUBLIC_PREFIX.fullmatch(prefix[1]) or not looks_random(value):
        return False
    if _ID_NAME_BEFORE.search(text, max(0, at - 60), at + 1 - len(prefix[0])):
        return False  # "id": "batch_...": the name says it is an object's id
    if _URL_PATH_BEFORE.search(text[max(0, at - 300) : at + 1]):
        return False  # a page's address names an object (/c/pay/cs_test_...): a secret goes in a query or a header
    return "publi" not in text[max(0, at - 48) : at].lower()  # PUBLISHABLE_KEY=..., public_key: ...


_ID_NAME_BEFORE = re.compile(r"(?i)(?:\b|_)ids?[\"']?[ \t]*[:=][ \t]*[\"']?$")
_URL_PATH_BEFORE = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/?#@\"']+/[^\s?#=@\"'&]*$")


_EXCEPTION_NAME = re.compile(r"(?:invalid|missing|expired|bad|unknown|wrong|no)[a-z]*(?:token|secret|password|key)|\w*(?:error|exception)")


def _not_an_exception(text: str, at: int, value: str) -> bool:
    """``InvalidToken: 7f3e2a1b`` is a traceback's last line, not a YAML secret; a value under a SealedSecret's
    ``encryptedData:`` is encrypted for the cluster, no secret in clear."""
    name = _name_at(text, at)
    return _EXCEPTION_NAME.fullmatch(name) is None and not encrypted_for_commit(text, at) and not _EXISTING.search(name)


_EXISTING = re.compile(r"(?:^|[_.-])existing")  # existingSecret: pg-credentials names a secret kept elsewhere


_ENCRYPTED_BLOCK = re.compile(r"kind:[ \t]*SealedSecret|encryptedData:")


def encrypted_for_commit(text: str, at: int) -> bool:
    return _ENCRYPTED_BLOCK.search(text, max(0, at - 3000), at) is not None


_PUNCT_END = ".,;:?)"
_ASSIGNMENT = re.compile(r"(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*|[a-z]+(?:[A-Z][a-z0-9]*)+)=[^=]")  # VAR=, var_name=, camelCase=


def _looks_like_password(value: str) -> bool:
    """A typed password: letters with digits or symbols, not a word, a path, a variable or code."""
    value = value.rstrip(_PUNCT_END)
    if len(value) < 6 or value[0] in "$%{<[(/.\\-" or value.startswith("~/") or any(c.isspace() for c in value):
        return False  # a variable, a placeholder, a path or a sentence
    if _WORDS_IDENTIFIER.fullmatch(value):
        return False  # STRIPE_SECRET_KEY, api_token_name: a name made of words
    if any(c in "()[]{}/" for c in value) and not _generated_password(value):
        return False  # code or a path
    if value[0] == "!" and value[1:].isalpha():
        return False  # a YAML tag (!vault, !secret): what follows names the secret
    if re.fullmatch(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|\w+://.*|(?i:sha\d*|md5|bcrypt|pbkdf2[\w-]*|scrypt):.*|[\w.-]+:\d+|\d{4}-\d\d-\d\d\S*|v?\d+(?:\.\d+)+(?:[-+][\w.]+)?", value):
        return False  # an email address, a URL, a host and port, a date, a version
    if _ASSIGNMENT.match(value) or value.lower().startswith(tuple(store + ":" for store in _STORES)):
        return False  # the next assignment on the line (password VAR=...), or where the password is kept
    if looks_random(value):
        return True
    if not any(c.isalpha() for c in value) or not any(c.isdigit() or not c.isalnum() for c in value):
        return False
    if re.fullmatch(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|\w+\(.*|[\w-]+\.(?:md|txt|json|ya?ml|toml|py|sh|env|cfg|ini|conf)", value):
        return False  # an attribute path, a call, a file name
    return True


_WORDS_IDENTIFIER = re.compile(r"[A-Z]+(?:_[A-Z]+)+|[a-z]+(?:_[a-z]+)+")
_ARITHMETIC = re.compile(r"\*\*|\w[*/+-]\d+(?:\.\d+)?(?:\W|$)")  # m2**1.5, x+1: an expression
_RARE_SYMBOL = re.compile(r"[!#$%^&*+=?~|@\[\]{}()<>;,:]")  # not only the - _ . / of names and paths
_CODE_SHAPE = re.compile(r"\w\(.*\)|\)\.|\[\d*\]|://|\$\{[A-Za-z_]|\{\{|=>|->|::|/\w+/")


def _generated_password(value: str) -> bool:
    """What a password generator prints: ten or more characters of all four classes, symbols among them, random,
    and no call, index, URL, template or path in it (``wp73.[p!se-Z~T0QhQ``, not ``f(x)[0]``)."""
    if len(value) < 12 or sum(not c.isalnum() for c in value) > len(value) // 2 or _RARE_SYMBOL.search(value) is None:
        return False
    classes = any(c.isupper() for c in value) and any(c.islower() for c in value) and any(c.isdigit() for c in value)
    return classes and _CODE_SHAPE.search(value) is None and len(set(value)) >= 0.7 * len(value)


def plainly_typed(value: str) -> bool:
    """A password that shows it with no name to say so: generated, or letters with digits and one of !@#$%^&*+=?~|,
    and no quote, call, path or version shape (``Gr4vel!Mason9``, not ``logprobs+1`` or ``v2.3.1-rc#4``)."""
    if len(value) < 8 or sum(c.isalpha() for c in value) < 3 or value[:1] in "'\"@" or re.match(r"v?\d+\.\d+", value):
        return False
    if _CODE_SHAPE.search(value) or _ARITHMETIC.search(value):
        return False
    if _generated_password(value):
        return True
    return (any(c in "!@#$%^&*+=?~|" for c in value) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
            and _looks_like_password(value))


_SECRET_KEY = re.compile(r"(?i:[A-Za-z0-9_.-]*(?:" + "|".join(map(re.escape, _SECRET_WORDS)) + "))")
