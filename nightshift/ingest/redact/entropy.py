"""Long random tokens with no name, prefix or command around them: the secrets no other rule can place
("try wBhBk8sPLhdnWvtnZGj4Q4Y8HpWWdsoH13tQ4ZyK", an unknown vendor's ``abcd_<40 random>``).

A token is a run of base64 and URL-safe characters. It is redacted when its shape says random, not when
a list names its vendor: long enough, letters of both cases with digits (or one case, longer), high Shannon
entropy, and a class change (lower, upper, digit) at most neighbours, which words, identifiers, file names
and paths never reach. Then the look-alikes that share the shape are let through by what marks them
public: a digest's algorithm before it (``sha512-``, ``sha256:``, ``h1:``), an SSH public key (its base64
names its own type), a certificate or public key block, a data URI, base64 that decodes to text or to a
known file format, a URL's path or query, an e-mail's local part, a name that says id, hash, nonce or
version, a line that says public or verify, and the short ids of API objects (``cus_``, ``toolu_`` then
at most 30 characters). Hex is a digest or an id unless its line names it a secret right after it.
Ids among others are let through too (see ``_listed``): a table's row, a log record, a line with a UUID,
a file's name or path, a noun that says what the token points at (sheet, event, commit), a flag or name
that says cursor, marker, page token, request or trace.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter

import re2

from nightshift.ingest.redact import checks

# "=" only pads the end: inside a run it joins a name to its value (NAME=value is two tokens)
_TOKEN_PATTERN = r"[A-Za-z0-9_+/.~%-]{24,}={0,2}"
_TOKEN = re2.compile(_TOKEN_PATTERN)
_TOKEN_ASCII = re2.compile(_TOKEN_PATTERN.encode())  # for ASCII text, as the RE2 pass (see prose)
MIN_LENGTH = 24  # a nanoid (21) or a Next.js build id stays; tokens people paste are 30 and more
ONE_CASE_LENGTH = 32  # one case only (base32, lowercase base36): longer, or it is a slug or a name

# ---- the shape ----
_ID_TAIL = 30  # cus_, ch_, pi_, toolu_, msg_, chatcmpl- ids end here; vendor secrets after a prefix are longer
_PREFIXED = re.compile(r"([a-z][a-z0-9]{1,11}(?:_[a-z0-9]{1,8})?)[_-](.+)")
# a prefix that names an environment or a credential (zk_prod_, sk_, api_): a key, however short its tail
_CREDENTIAL_PREFIX = re.compile(r"(?:^|_)(?:live|test|prod|production|sandbox|dev|staging|sk|rk|secret|key|token|api|pat|auth)(?:_|$)")
_HEX_OR_DIGITS = re.compile(r"[0-9a-fA-F]+")
_NAMES_A_VALUE = re.compile(r"[\"']?[ \t]*(?:=(?![=>])|:(?![/=])[ \t]*[\"'\[{\d])")
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_+/.~%-]{20,}={0,2}")
_SEPARATOR = re.compile(r"[._/~%+=-]+")
_HOST_OR_FILE = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.[a-z]{2,6}")  # sandbox74bd...946.mailgun.org: lowercase
_WORD_SEPARATOR = re.compile(r"[._/~%+=_-]+")
_CAPITALISED = re.compile(r"[A-Z][a-z]{2,}")
_WORDY = re.compile(r"[a-z]{2,}|[A-Z][a-z]{2,}|[A-Z]{2,5}|\d{1,8}|v\d+")  # what file names and slugs are made of
_CAMEL_WORD = re.compile(r"[A-Z]?[a-z]{3,}")
_BECH32 = re.compile(r"[a-z]{1,12}1[a-z0-9]{38,}")  # an address or recipient: age1..., bc1..., npub1...

# ---- what marks a random-looking token public ----
_PUBLIC_VALUE_PREFIXES = ("pk_", "pk.", "pub_", "npub", "age1", "ocid1.")  # a publishable key, a recipient, an OCI resource id
# content ids (IPFS CIDv0 and v1), a DER signature's base64 (cosign, sigstore), a Bitcoin address
_PUBLIC_SHAPE = re.compile(r"Qm[1-9A-HJ-NP-Za-km-z]{44}|bafy[a-z2-7]{50,}|ME[QUY]CI[A-Za-z0-9+/]{60,}={0,2}|[13][1-9A-HJ-NP-Za-km-z]{25,33}")
_ALGORITHM_PREFIX = re.compile(r"(?i)(?:sha-?\d*|md5|h\d)[/:=-]")  # sha256/<base64 of a public key>: a pin
# a digest names its algorithm right before it; a salt or hash of known_hosts follows |1|
_DIGEST_BEFORE = re.compile(r"(?i)(?:sha-?\d*|md5|h\d|zh|blake\w*|xxh\w*|nonce|integrity|fingerprint|\|1\|[^|\s]*\|?)[-:=]{0,2}[ \t]*$")
_SSH_KEY_LINE = re.compile(r"(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-\w+|sk-(?:ssh|ecdsa)-[\w@.-]+)[ \t]")
_URL = re.compile(r"[a-z][a-z0-9+.-]{1,15}://[^\s\"'<>`]*$|www\.[^\s\"'<>`]*$")
# the line says what follows is public or verifies something: "Verify with: minisign -P <key>", "public key:"
_DIGEST_COMMAND = re.compile(r"(?i)\b(?:dgst|sha\d*sum|shasum|md5sum|b[23]sum|cksum|digest|hash)\b")
_SAID_PUBLIC = re.compile(r"(?i)\b(?:public|pubkey|verify|verified|fingerprint|checksum|integrity|address|cache)\b")
# the magic numbers of file formats as base64: PNG, GIF, JPEG, PDF, gzip, zip, WebAssembly, WOFF
_FILE_MAGIC = ("iVBORw0KGgo", "R0lGOD", "/9j/", "JVBERi", "H4sI", "UEsDB", "AGFzbQ", "d09GR", "d09GMg")
_WORDS = re.compile(r"[A-Za-z]{3,} [A-Za-z]{3,}")
_WORD_PAIRS = re.compile(r"[a-z_]{2,20}=[a-z0-9_.-]{1,20}(?:[;&,][a-z_]{2,20}=[a-z0-9_.-]{1,20})+")
_NAME_BEFORE = re.compile(r"([A-Za-z_][\w.\-]{0,63})[\"'\]]?[ \t]*(?::=|=>|[:=])[ \t]*[\"'`]?$|(?<![\w-])--?([A-Za-z][\w-]{1,40})[ \t]+[\"']?$")
_NAME_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
# the last word of a name that says the value is public or only identifies something...
_PUBLIC_WORDS = frozenset((
    "id", "ids", "uid", "guid", "uuid", "hash", "hashes", "digest", "checksum", "checksums", "sum", "integrity", "nonce",
    "etag", "kid", "x5c", "x5t", "fingerprint", "thumbprint", "version", "sha", "md5", "commit", "rev", "revision", "ref",
    "build", "n", "e", "x", "y", "cert", "certificate", "crt", "ca", "pub", "pubkey", "address", "addr", "cid", "image",
    "resolution", "public", "publishable", "peer", "sitekey", "challenge", "mac", "hmac", "p256dh",
    # what pages, logs and APIs hand back: the position in a listing, the id of an event, a request, a file
    "cursor", "marker", "handle", "receipt", "offset", "after", "before", "next", "prev", "previous", "page", "state",
    "event", "req", "request", "trace", "span", "correlation", "prefix", "tag", "name", "slug", "path", "file",
    "filename", "playlist", "channel", "video", "mint", "tx", "txid", "txn", "transaction", "account", "node",
    "object", "blob", "upload", "record", "message", "msg", "link", "label", "group", "user", "username", "email",
    "nanoid", "cuid", "ksuid", "ulid", "oid", "objectid", "snowflake", "ray", "traceparent", "tracestate",
))  # fmt: skip
_PUBLIC_ANYWHERE = frozenset((
    "public", "publishable", "verify", "verification", "verifying", "anon",  # verify_key, VerificationKey, ANON_KEY
    "idempotency", "request", "trace", "correlation", "cursor", "pagination", "continuation", "playlist", "etag",
))  # fmt: skip
# a token that is only a place in a listing: NextToken, nextPageToken, ContinuationToken, --starting-token
_PAGING_WORDS = frozenset(("next", "page", "continuation", "starting", "pagination", "paging", "cursor", "resume", "sync"))
# ...unless another of its words says secret (SESSION_ID, client_secret_id)
_SECRET_NAME_WORDS = frozenset(("session", "secret", "csrf", "xsrf", "sid", "auth", "password", "token", "private"))

# ---- ids among others (see _listed) ----
_LINE_NAMES_SECRET = re.compile(r"(?i)passw|passphrase|secret|token|api[_ -]?key|private|credential|bearer|auth")
_FILE_NAME = re.compile(r"\.(?:[a-z]{2,4}|mp[34]|h26[45]|7z)$")  # a file's extension, not a token's
# a noun that says what the token points at, then perhaps "id" or "number", then ":", "#", "=" or a verb ("the trace
# id was X", "build #X", "ref: X"): what an id is called in prose, in a log or a ticket
_NOUN_BEFORE = re.compile(
    r"(?i)\b(?:id|ids|sheet|spreadsheet|doc|document|folder|file|playlist|channel|video|commit|change-id|build|run|job|deploy|deployment|"
    r"request|trace|span|event|order|invoice|customer|user|account|record|row|object|item|message|thread|ticket|issue|release|revision|"
    r"snapshot|instance|node|pod|container|image|artifact|cursor|marker|offset|page|ref|reference|sha|digest|hash|checksum|version|"
    r"operation|execution|incident|case|task|batch|workflow|pipeline|step|attempt|upload|chunk|tracking|shipment|transaction|"
    r"correlation|activity|report|query|tag)"
    r"(?:[ \t]+(?:id|ids|number|no\.?|ref|hash|digest|sha))?(?:[ \t]+(?:is|was|=)|[ \t]*[#:=])?[ \t]*[\"'`(\[#]?$"
)
_FILE_AFTER = re.compile(r"=*[ \t]+\*?[\w./-]+\.\w{1,8}[ \t]*(?:\r?\n|$)")
_PATH_START = re.compile(r"(?:~|\.{1,2})?/[a-z0-9]{2,12}/")  # /tmp/..., ~/.cache/..., /ip4/...
_LOG_RECORD = re.compile(
    r"\b(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+/|^[ \t]*\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d|\b(?:INFO|DEBUG|WARN|WARNING|TRACE)\b"
)
_ID_ON_LINE = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b|\b[0-7][0-9A-HJKMNP-TV-Z]{25}\b")
_BASE58 = re.compile(r"[1-9A-HJ-NP-Za-km-z]{32,90}")
_LEDGER_WORDS = re.compile(r"(?i)\b(?:solana|sol|lamports|wallet|mint|address|pubkey|signature|transaction|tx|txid|peer|program|p2p|libp2p|ipfs|base58|transfer)\b")

# an environment variable's name in upper case, just before its value: export THING=, THING: (compose), THING =
_ENV_NAME_BEFORE = re.compile(r"(?:^|[\s;(])(?:export[ \t]+|set[ \t]+|setx[ \t]+)?([A-Z][A-Z0-9_]{2,63})[ \t]*[=:][ \t]*[\"']?$")
_KEY_SLOT_BEFORE = re.compile(r"(?i)(?:accounts[\"']?[ \t]*:[ \t]*\[[ \t]*|\bwallet\([ \t]*|privatekeytoaccount\([ \t]*|from_key\([ \t]*)[\"'`]$")

# ---- hex named a secret after it ----
_SECRET_AFTER = re.compile(r"(?i)\b(?:api[ _-]?key|admin[ _-]?key|secret|token|password|passwd|credential|private[ _-]?key|master[ _-]?key)s?\b")
_SAID_TO_BE = re.compile(r"[ \t]+(?:is|was|=)[ \t]")
_HEX_IS_PUBLIC = re.compile(
    r"(?i)sha|md5|hash|digest|checksum|commit|\brev|merge|tree|blob|etag|\bids?\b|_id|uuid|trace|span|request|build|image|layer|container|fingerprint|public"
)


def random_token_hits(text: str) -> list[tuple[int, int, str]]:
    """The random tokens of ``text`` no context marks public, as (start, end, replacement)."""
    hits = []
    found_all = _TOKEN_ASCII.finditer(text.encode("ascii")) if text.isascii() else _TOKEN.finditer(text)
    for found in found_all:
        start, end = found.start(), found.end()
        # a token is whole: not the tail of a dotted name, a word with an accent, or a %-encoded run
        if start and (text[start - 1].isalnum() or text[start - 1] == "$"):
            continue  # inside a word with an accent, or a shell variable's tail
        if end < len(text) and (text[end].isalnum() or text[end] == "$") or _NAMES_A_VALUE.match(text, end):
            continue  # a word goes on, or this is the name of a value (PBESv1SHA1And3Key = "...", "Zq8...": 1)
        token = text[start:end]
        if token.endswith("...") or text.startswith("…", end):
            continue  # elided: an example's first characters
        value = token.strip("=+/.~%-_")  # the padding and the punctuation around a value are not it
        offset = token.index(value)
        if len(value) < MIN_LENGTH:
            if len(value) >= 20 and _vendor_token_in_env(text, start + offset, value):
                hits.append((start + offset, start + offset + len(value), "[REDACTED:secret]"))
            continue
        if _HEX_OR_DIGITS.fullmatch(value) or value[:2] == "0x" and _HEX_OR_DIGITS.fullmatch(value[2:]):
            if _hex_named_after(text, start + offset, start + offset + len(value)) or _ethereum_key(text, start + offset, value):
                hits.append((start + offset, start + offset + len(value), "[REDACTED:secret]"))
            continue
        random = _random_shape(value) or _vendor_token_in_env(text, start + offset, value)
        if random and not _public(text, start, start + offset, value) and not _listed(text, start, start + offset, value):
            hits.append((start + offset, start + offset + len(value), "[REDACTED:secret]"))
    return hits


def plainly_random(value: str) -> bool:
    """A key by its shape alone: token characters only, and a long random run (see ``_random_shape``)."""
    return _TOKEN_CHARS.fullmatch(value) is not None and not _HEX_OR_DIGITS.fullmatch(value) and _random_shape(value)


def _vendor_token_in_env(text: str, at: int, value: str) -> bool:
    """``export THING=abc_<22 random>``: an unknown vendor's short token given to an environment variable, which
    holds a credential far more often than an object's id (and then says so: STRIPE_PRICE_ID=price_...)."""
    prefixed = _PREFIXED.fullmatch(value)
    if prefixed is None or len(prefixed[2]) < 16 or not _random_run(prefixed[2]) or made_of_words(prefixed[2]):
        return False
    name = _ENV_NAME_BEFORE.search(text, max(0, at - 80), at)
    if name is None:
        return False
    words = [word.lower() for word in _NAME_WORD.findall(name[1])]
    # the name says which object it holds (PRICE_BASIC=price_..., DEFAULT_CUSTOMER=cus_...): an id
    names_object = any(word.startswith(prefixed[1].split("_")[0]) for word in words)
    return bool(words) and not names_object and words[-1] not in _PUBLIC_WORDS and _PUBLIC_ANYWHERE.isdisjoint(words)


def _ethereum_key(text: str, at: int, value: str) -> bool:
    """0x and 64 hex given where an account's private key goes: hardhat's ``accounts: ['0x...']``, ``new
    Wallet('0x...')``; a transaction hash or a storage slot of the same shape goes elsewhere."""
    return len(value) == 66 and _KEY_SLOT_BEFORE.search(text, max(0, at - 60), at) is not None


def _hex_named_after(text: str, start: int, end: int) -> bool:
    """Hex is a digest or an id unless the line names it a secret after it ("'9f8e...'); // admin key"), with
    nothing on the line that says digest, commit or id."""
    if end - start < 32 or _entropy(text[start:end]) < 3.0:
        return False
    line_start = max(text.rfind("\n", 0, start) + 1, start - 200)
    line_end = text.find("\n", end)
    after = text[end : min(end + 60, line_end if line_end >= 0 else len(text))]
    # a quoted literal, or a sentence that says what it is; not a listing (git log, sha256sum) that goes on
    said = text[start - 1 : start] in ("'", '"', "`") or _SAID_TO_BE.match(after) is not None
    return said and _SECRET_AFTER.search(after) is not None and _HEX_IS_PUBLIC.search(text, line_start, min(end + 60, len(text))) is None


def _random_shape(value: str) -> bool:
    """A random run of 20 or more once the separators and hex segments are out, in a value that is not an
    API object's id, a path, an address or a name made of words."""
    prefixed = _PREFIXED.fullmatch(value)
    if prefixed and len(prefixed[2]) <= _ID_TAIL and not _CREDENTIAL_PREFIX.search(prefixed[1]):
        return False  # an API object's id (cus_..., toolu_...); a vendor's secret after a prefix is longer
    if "/" in value and _looks_like_path(value) or _BECH32.fullmatch(value) or value.count("//") >= 2 or _HOST_OR_FILE.fullmatch(value):
        return False  # a path, an address, a host or file name, or base64 of structured binary data (0xff bytes read ///)
    if made_of_words(value):
        return False
    segments = _SEPARATOR.split(value)
    run = "".join(seg for seg in segments if not _HEX_OR_DIGITS.fullmatch(seg))  # a UUID or a hash in a name is an id
    return len(run) >= 20 and _random_run(run)


def made_of_words(value: str) -> bool:
    """File names, branches, slugs, dates and identifiers (Latin1_General_CI_AS, MCC_GetSlowCompTauX20Enable):
    at least half their characters are words, numbers or CamelCase between separators."""
    segments = _WORD_SEPARATOR.split(value)
    return sum(len(seg) for seg in segments if _WORDY.fullmatch(seg) or _camel_case(seg)) * 2 >= sum(map(len, segments))


def _camel_case(segment: str) -> bool:
    """Most capitals start a word of three letters or more: GetSlowCompTau; random base62 manages one in six."""
    capitals = sum(c.isupper() for c in segment)
    words = len(_CAPITALISED.findall(segment))
    return words >= 3 and words >= 0.6 * capitals


def _random_run(run: str) -> bool:
    """Mixed classes, high entropy and frequent class changes: a key, not a word or an identifier."""
    upper, lower, digit = (any(c.isupper() for c in run), any(c.islower() for c in run), any(c.isdigit() for c in run))
    if not digit or not (upper or lower) or _HEX_OR_DIGITS.fullmatch(run):
        return False
    if not (upper and lower) and len(run) < ONE_CASE_LENGTH:
        return False
    if upper and lower and sum(map(len, _CAMEL_WORD.findall(run))) >= 0.6 * len(run):
        return False  # CamelCase words (ThisIsAVeryLongClassName2): random base62 reaches 60% once in a hundred
    # random base62 changes class at 62% of its neighbours, base36 at 40%; CamelCase words at under 35%
    return _entropy(run) >= _entropy_floor(run) and _class_changes(run) >= (0.42 if upper and lower else 0.25)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _entropy_floor(value: str) -> float:
    """What a random value of this length and alphabet reaches but a few times in a thousand, less a margin."""
    alphabet = 36 if value.lower() == value or value.upper() == value else 62
    return min(math.log2(len(value)), math.log2(alphabet)) * 0.82


def _class_changes(value: str) -> float:
    """The share of neighbours of different classes: about 0.6 for random base62, under 0.2 in words."""
    classes = [0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else 3 for c in value]
    return sum(a != b for a, b in zip(classes, classes[1:])) / (len(value) - 1)


def _looks_like_path(value: str) -> bool:
    """``src/components/Card2/index``: segments that are words; base64's slashes cut random runs."""
    segments = value.split("/")
    words = [seg for seg in segments if re.fullmatch(r"[a-z]{3,}|[A-Z][a-z]{2,}", seg)]
    dated = len(segments) >= 3 and any(seg.isdigit() for seg in segments)  # uploads/2026/01/<id>: base64 has no such run
    return len(words) >= 2 or len(words) == 1 and dated or value.startswith("/")


def _public(text: str, token_start: int, at: int, value: str) -> bool:
    """What marks this token as public or as an id, read from the token and its line."""
    line_start = max(text.rfind("\n", 0, at) + 1, at - 400)
    line_end = text.find("\n", at)
    before = text[line_start:token_start]
    if value.startswith(_PUBLIC_VALUE_PREFIXES) or _ALGORITHM_PREFIX.match(value) or _PUBLIC_SHAPE.fullmatch(value):
        return True
    if _DIGEST_BEFORE.search(text, max(line_start, at - 24), at) or _URL.search(text, max(line_start, at - 300), at) or _said_public(text, line_start, token_start):
        return True
    if _SSH_KEY_LINE.search(text, line_start, line_end if line_end >= 0 else len(text)):
        return True
    if checks.encrypted_for_commit(text, at) or "ENC[" in before and "]" not in before[before.rfind("ENC[") :]:
        return True  # encrypted for a commit: a SealedSecret's encryptedData, a SOPS value ENC[AES256_GCM,data:...,iv:...]
    if before.endswith((";base64,", "@", "ENC[", "data:", 'W/"')) or text.startswith("@", at + len(value)) and re.match(r"@[\w-]+\.", text[at + len(value) :]):
        return True  # a data URI, an e-mail's local part
    if (named := _NAME_BEFORE.search(before[-80:])) is not None:
        name = named[1] or named[2]
        if _FILE_NAME.search(name):
            return True  # {"app.js": "<hash>"}: a build manifest maps a file to its digest
        words = [word.lower() for word in _NAME_WORD.findall(name)]
        if "token" in words and not _PAGING_WORDS.isdisjoint(words[:-1]):
            return True  # a page token is where a listing goes on, not a credential
        public = words and (words[-1] in _PUBLIC_WORDS or name.lower() in _PUBLIC_WORDS or not _PUBLIC_ANYWHERE.isdisjoint(words))
        # ACCESS_KEY_ID: the half of a key pair that some vendors count as secret
        if public and _SECRET_NAME_WORDS.isdisjoint(words) and not {"access", "key"} <= set(words):
            return True
    if _in_public_block(text, at) or _ssh_wire_key(value) or value.startswith(_FILE_MAGIC) or checks.der_public(value):
        return True
    return _decodes_to_text(value)


def _listed(text: str, token_start: int, at: int, value: str) -> bool:
    """An id among others, which a listing, a log, a file system or a ledger prints by the thousand: a markdown
    table's row (a column headed token or password has its own rule), a log record, a line that holds a UUID or
    a ULID too, a file's name or a path, a base58 address or signature on a line about wallets or peers. Not
    when the line itself names a secret."""
    line_start = max(text.rfind("\n", 0, at) + 1, at - 400)
    line_end = text.find("\n", at)
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if _LINE_NAMES_SECRET.search(line):
        return False
    if _NOUN_BEFORE.search(text, max(line_start, token_start - 40), token_start):
        return True  # "the sheet 1Bx...", "event 2Lq... processed", "Change-Id: I8f...": a noun says what it points at
    if _FILE_NAME.search(value) or _PATH_START.match(text, token_start):
        return True  # 3kQ...Zp.jpg, /tmp/<random>.bin, /ip4/.../p2p/<peer id>
    if not text[line_start:token_start].strip() and _FILE_AFTER.match(text, at + len(value)):
        return True  # a checksum listing: "<digest>  app_bg.wasm", as sha256sum and b3sum print it
    if line.lstrip().startswith("|") and line.rstrip().endswith("|") or _LOG_RECORD.search(line):
        return True
    if _ID_ON_LINE.search(line.replace(value, "")):
        return True
    return _BASE58.fullmatch(value) is not None and _LEDGER_WORDS.search(line) is not None


def _said_public(text: str, line_start: int, at: int) -> bool:
    """The line says so before the token, or the line before is a label that says so ("Verify with:")."""
    if _SAID_PUBLIC.search(text, line_start, at):
        return True
    label = text[max(0, line_start - 200) : line_start].rstrip()
    label = label[label.rfind("\n") + 1 :]
    # or the command on the line before hashes something: its output is the digest (openssl dgst ... | base64)
    return label.endswith(":") and _SAID_PUBLIC.search(label) is not None or _DIGEST_COMMAND.search(label) is not None


def _in_public_block(text: str, at: int) -> bool:
    """Inside ``-----BEGIN CERTIFICATE-----`` or a public key block (a private one has its own rule)."""
    begin = text.rfind("-----BEGIN", max(0, at - 16384), at)
    return begin >= 0 and text.find("-----END", begin, at) < 0 and "PRIVATE" not in text[begin : begin + 60]


def _ssh_wire_key(value: str) -> bool:
    """An SSH public key's base64 starts with its own type name (``AAAAC3NzaC1lZDI1NTE5`` is ssh-ed25519)."""
    if not value.startswith("AAAA"):
        return False
    try:
        head = base64.b64decode(value[:24])
    except (binascii.Error, ValueError):
        return False
    return head[4:].startswith((b"ssh-", b"ecdsa-", b"sk-", b"rsa-"))


def _decodes_to_text(value: str) -> bool:
    """Base64 of prose, JSON or a certificate (readable, with spaces or braces, no secret in it), or of a
    binary frame around a message (a gRPC status, a protobuf): mostly readable bytes, with words."""
    padded = value + "=" * (-len(value) % 4)
    try:
        raw = base64.b64decode(padded, altchars=b"-_" if ("-" in value or "_" in value) else None, validate=True)
    except (binascii.Error, ValueError):
        return False
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""
    if not decoded or not all(c.isprintable() or c in "\r\n\t" for c in decoded):
        readable = raw.decode("latin-1")
        return sum(" " <= c <= "~" for c in readable) >= 0.75 * len(raw) and _WORDS.search(readable) is not None
    if "PRIVATE" in decoded or checks.redact_decoded(decoded) != decoded:  # the whole redactor, set by the package
        return False
    # or settings of words: user=guest;theme=dark;lang=en
    return any(c.isspace() for c in decoded.strip()) or decoded.lstrip().startswith(("{", "[", "<", "-----BEGIN")) or _WORD_PAIRS.fullmatch(decoded) is not None
