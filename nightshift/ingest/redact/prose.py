"""What has no rare character to anchor on, found by one RE2 pass: secrets written in prose in many languages,
one-time-password seeds and recovery codes, passphrases, a literal given to a client, cookies, DSNs, markdown
tables, lists named for secrets, and the value a command prints on the next line; and by a second pass, a password
typed with no word for it, known by its shape alone (letters, digits and a symbol), which gives way to any rule
that knows the context."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import re2

from nightshift.ingest.redact.checks import (
    _ASSIGNMENT, _CODE_SHAPE, _DIGEST_RUN, _HEX, _NOT_A_VALUE, _NOT_SECRET_NAME, _PUBLIC_PREFIXES, _PUNCT_END, _SECRET_KEY, _UUID,
    _WEAK_ENDINGS, _generated_password, encrypted_for_commit, _looks_like_password, _looks_like_path, credential_key, looks_random, plainly_typed,
)
from nightshift.ingest.redact.entropy import made_of_words, plainly_random
from nightshift.ingest.redact.commands import _POSITIONAL
from nightshift.ingest.redact.rules import _LITERAL

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
    "wachtwoord", "hasło", "hasła", "haslo", "heslo", "geslo", "lozinka", "лозинка", "парол", "lösenord", "lösen",
    "losenord", "passord", "adgangskode", "kodeord", "salasana", "şifre", "sifre", "parola", "parolă", "parole",
    "parool", "slaptažodis", "jelszó", "jelszav", "jelszo", "κωδικ", "mật khẩu", "kata sandi", "kata laluan",
    "पासवर्ड", "كلمة المرور", "كلمة السر", "סיסמ", "รหัสผ่าน", "密码", "密碼", "口令", "パスワード",
    "暗証番号", "비밀번호", "비번", "암호", "패스워드", "رمز عبور",
)  # fmt: skip
_KEY_WORDS = (
    "key", "keys", "token", "tokens", "secret", "secrets", "apikey", "seed", "credential",
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


# cohere.Client("KEY"), HTTPBasicAuth("user", "PASSWORD"): a string literal given to a client or an auth object
_CALL = re.compile(r"(?:Client|Auth|Credentials|Token|Key|Secret|Login|login|API|Api|New|new|Init|init|Configure|configure|Connect|connect)\([ \t]*(?:[\w.]+\([ \t]*)?(?:(?P<first>\"[^\"\n]*\"|'[^'\n]*')[ \t]*,[ \t]*)?"
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


_LOGIN_PASSWORD = re.compile(r"(?<=[\w.+-])@[\w-]+(?:\.[\w-]+)+:([^\s:/@'\"\\]{6,})(?=[\s'\"\\]|$)")


def _public_cell(value: str) -> bool:
    """A fingerprint, a public key, a path, or a digest the length of a git SHA or a SHA-256: not a secret."""
    return _PUBLIC_VALUE.match(value) is not None or _looks_like_path(value) or (len(value) in (40, 64) and _HEX.fullmatch(value) is not None)


_TABLE_SECRET_COLUMN = re.compile(r"(?i)[\w .-]*\b(?:token|password|passwd|pwd|secret|api[ _-]?key|key|credential)s?")


def _table_cells(text: str, found: Any) -> list[tuple[int, int, str]]:
    """The cells of a markdown table's column headed token, password, key...: random or typed values."""
    if not text.startswith("|", found.start()):
        return []
    header_end = text.find("\n", found.start())
    if header_end < 0:
        return []  # a word that starts with | (found by another alternative), not a table's header
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
        return _id_and_key(text, at)
    value = call["value"][1:-1]
    if _CONSTRUCTOR.match(call[0]) and call["first"] is None and not _CALLED_TOKEN.fullmatch(value):
        return None  # connect("http://..."), configure("pkg.module.Name"): an address or a name, not a key
    typed = _looks_like_password(value) if call[0].startswith("Auth") else plainly_typed(value)
    if looks_random(value) or (call["first"] is not None and typed):  # setCredentials("user", "PASSWORD")
        return call.start("value") + 1, call.end("value") - 1, "secret"
    return None


# a constructor's or a set-up call's own name (kiln.New, Kiln::Client.new, sdk.init): one literal given alone must be a
# token, of a token's characters
_CONSTRUCTOR = re.compile(r"(?i:new|init|configure|connect)\(")
_CALLED_TOKEN = re.compile(r"[A-Za-z0-9_+/=~-]{16,}")


# algoliasearch('APPID', 'KEY'), new Pusher('key', 'SECRET', ...): a client made from an id and a key; not a
# comparison or a lookup, whose literals are a value and its digest, or a ref and a commit
_ID_AND_KEY = re.compile(r"([A-Za-z_][\w.\\]*)\([ \t]*[\"'][\w-]{6,40}[\"'][ \t]*,[ \t]*[\"']([A-Za-z0-9+/=_-]{16,})[\"']")
_NOT_A_CLIENT = re.compile(r"(?i)assert|equal|compare|expect|check|verify|match|digest|hash|sha|checkout|commit|rev|diff|get|find|lookup|fetch|"
                           r"load|open|join|path|format|replace|split|log|print|echo|test|eq|is|cmp|sign|encode|decode")


def _id_and_key(text: str, at: int) -> tuple[int, int, str] | None:
    if (call := _ID_AND_KEY.match(text, at)) is None or _NOT_A_CLIENT.search(call[1].rsplit(".", 1)[-1]):
        return None
    key = call[2]
    if looks_random(key) and not (_HEX.fullmatch(key) and len(key) in (40, 64)):  # a git SHA or a SHA-256 is a ref or a digest
        return call.start(2), call.end(2), "secret"
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


_OTP_WORDS = r"\b(?:2fa|totp|mfa|otp|authenticator|(?:recovery|backup)[ \t]+codes?|(?:seed|recovery|secret)[ \t]+phrase|wallet[ \t]+seed|seed[ \t]+words|mnemonic)\b"
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
    r"|\b(?:cat|xxd|hexdump|od|base64)[ \t]+[^\n\r|;]*(?:pass|secret|token|credential|private)[^\n\r|;/]*|untrusted[ \t]+comment:[^\n\r]*secret[ \t]+key)"
)
# a word with a letter, a digit and a symbol people type in passwords, in any order (RE2 has no look-ahead)
_WORD_CHAR = r"[!#$%&*+\-./0-9:=?@A-Z^_a-z|~]"  # printable ASCII but quotes, brackets, commas and backslashes
_TYPED_WORD = "{c}*(?:{l}{c}*(?:{d}{c}*{s}|{s}{c}*{d})|{d}{c}*(?:{l}{c}*{s}|{s}{c}*{l})|{s}{c}*(?:{l}{c}*{d}|{d}{c}*{l})){c}*".format(
    c=_WORD_CHAR, l="[a-z]", d="[0-9]", s="[!@#$%^&*+?~]")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 64 << 20  # room for the DFA of every word at once
# A secret said by where it goes rather than by a word before it: the default of an environment lookup
# (os.environ.get("ALGOLIA_ADMIN_KEY", "...")), "I set `TWILIO_AUTH_TOKEN` to `...`", and the answer an expect
# script or pexpect sends to a password prompt.
_ENV_DEFAULT = re.compile(r"(?:(?:environ\.get|getenv|env\.fetch|env\.get|getOrDefault)\([ \t]*[\"'](?P<name>[\w.-]{3,64})[\"'][ \t]*,[ \t]*[bru]?"
                          r"|process\.env\.(?P<js_name>\w{3,64})[ \t]*(?:\?\?|\|\|)[ \t]*"
                          r"|env::var\([ \t]*\"(?P<rust_name>[\w.-]{3,64})\"\)[\s.]*unwrap_or(?:_else)?\((?:\|_\|)?[ \t]*)"
                          r"[\"'](?P<value>[^\"'\n]{8,200})[\"']")
_SET_TO = re.compile(r"\b(?:set|setting|changed?|put|exported?|updated?|added|stored|saved)[ \t]+[`\"']?(?P<name>[A-Za-z][\w.-]{2,63})[`\"']?[ \t]+"
                     r"(?:(?:to|in|into)[ \t]+[`\"']?[\w./-]{1,40}[`\"']?[ \t]+with[ \t]+(?:the[ \t]+)?value|to|=|as)[ \t]+"
                     r"[`\"']?(?P<value>[^\s`\"']{8,200})")
_NAME_IS = re.compile(r"(?i)\b(?P<name>[A-Za-z][\w.-]*(?:key|token|secret|password|passwd|pass|pwd|pat|auth|credentials?))[`\"']?[ \t]+"
                      r"(?:is|was|to|as)[ \t]+[`\"']?(?P<value>[^\s`\"'()\[\]{}<>]{8,200})(?![(\[{])")  # prose: code has its own rules
# a value alone on a line, then a sentence that says what it was: "that's the cloudsmith token from the dashboard"
_SAID_BELOW = r"\b(?:that|this|it)(?:'s|’s|[ \t]+is|[ \t]+was)[ \t]+(?:the|my|our|a)[ \t]+(?:[\w.-]+[ \t]+){0,3}(?:token|key|secret|password|pw|credential)s?\b"
# a YAML list under a name for secrets: keys:\n  - <key>\n  - <key>
_SECRET_LIST = r"\b(?:keys|tokens|secrets|passwords|passphrases|credentials|api[_-]?keys)[\"']?[ \t]*:[ \t]*\r?\n[ \t]*-[ \t]+"
_EXPECT_SEND = re.compile(r"assword[^\n\r]{0,30}(?:\r?\n|\\n)[^\n\r]{0,40}?\bsend(?:line)?\b[ \t(]*[\"'](?P<value>(?:[^\"'\\\n]|\\(?![rn\\]))+)")

# The first alternative is also compiled alone (``re2_passes`` says why).
_WORD_THEN_VALUE = (
    "(?:" + _word_pattern(_PASSWORD_WORDS + _KEY_WORDS, (), r"\b", r"\b") + ")"
    + r"[ \t:=：'\"`,\x{80}-\x{10FFFF}][^\n\r]{0,60}?" + _CANDIDATE  # a space or separator first: not "token.py:12"
)
_RE2_OTHERS = (
    "(?:" + _word_pattern((), _PASSWORD_STEMS, r"\b", "") + r")[^\n\r]{0,64}?" + _CANDIDATE  # the stem's ending is in the gap
    + "|(?:" + _word_pattern(_PASSWORD_WORDS, (), r"\b", r"\b") + r")[^\n\r]{0,64}?(?:[\"'“][a-z]{3,10}(?:[ -][a-z]{3,10}){3,}[\"'”]|\b[a-z]{4}(?: [a-z]{4}){3}\b)"  # a passphrase
    + r"|(?:[:-](?:token|password|secret|key)(?: [^\n\r]{0,40})?|" + _GENERATORS + r"[^\n\r]{0,60})\r?\n[ \t]*[A-Za-z0-9+/=._~-]{16,}(?:\s|$)"  # printed
    + r"|" + _GENERATORS + r"[^\n\r]{0,60}\r?\n[ \t]*\S{12,128}[ \t]*(?:\r?\n|$)"  # or a generated password (cat .vault_pass)
    + r"|[ \t](?:as|is|was)[ \t]+(?:[\w-]+[ \t]+){0,2}(?:password|passphrase|pw|pass|key|token|secret)\b"  # "use X as the password"
    + "|" + _OTP_WORDS
    + r"|\b" + "|".join(cmd.replace(" ", r"[ \t]+") for cmd in _POSITIONAL) + r"[ \t]+[^\n\r]{3,}"  # given as an argument
    + r"|(?-i:(?:Client|Auth|Credentials|Token|Key|Secret|Login|login|API|Api|New|new|Init|init|Configure|configure|Connect|connect)\([ \t]*)[^)\n]{8,}"  # or to a client
    + r"|(?-i:\b[A-Za-z_][\w.\\]*\([ \t]*[\"'][\w-]{6,40}[\"'][ \t]*,[ \t]*[\"'][A-Za-z0-9+/=_-]{16,}[\"'])"  # an id and a key given to any client
    + r"|cookie[\"']?[ \t]*:[^\n\r]*=[^\n\r]{16}"  # a Cookie or Set-Cookie header
    + r"|\|[^\n\r]*\b(?:token|password|passwd|pwd|secret|api[ _-]?key|key|credential)s?\b[^\n\r]*\|[ \t]*\r?\n[ \t]*\|[ \t:|]*-"  # a table
    # NAME value: DB_PASSWORD or session_secret then a space, or a bare word in a column (two spaces, │ or |)
    + r"|\b[A-Za-z][\w.-]*_(?:pass(?:word|wd|phrase)?|pwd|secret|token|key)(?:[ \t]+[\"']?|[ \t]+[│|][ \t]+)[^\s│|'\"\\]{6,}"
    + r"|\b(?:password|passwd|secret|token|api[_-]?key)(?:[ \t]{2,40}|[ \t]+[│|][ \t]+)[^\s│|'\"\\]{6,}"
    # echo SECRET | docker login --password-stdin, | wrangler secret put, | chpasswd, | sudo -S
    + r"|\b(?:echo|printf)[ \t]+[^\n\r|]{3,200}\|[^\n\r|]*(?:--(?:password-stdin|with-token|token-stdin)\b(?:[^-]|$)|\bsecrets?[ \t]+(?:put|set|add|create)\b"
    + r"|\b(?:chpasswd|kinit)\b|\bsudo[ \t]+-S\b)"
    # a password given on standard input another way: a here-string, or echoed into a process substitution
    + r"|<<<[ \t]*[^\s$][^\n\r]{5,}|<\([ \t]*(?:echo|printf)[ \t]+[^\n\r)$]{6,}\)"
    + r"|@[\w-]+(?:\.[\w-]+)+:[^\s:/@'\"\\]{6,}"  # a login and its password: user@example.com:PASSWORD (postfix sasl_passwd)
    + r"|\b[A-Za-z][\w.-]{1,31}[ \t]+/[ \t]+[^\s/]{8,}"  # a login and its password said as "root / PASSWORD"
    + r"|(?-i:\b(?:auth|Auth|AUTH|credentials?|creds|login|basic_auth|http_auth)[\"']?[ \t]*[:=][ \t]*[(\[])"  # auth=('user', 'PASSWORD')
    + r"|\binsert[ \t]+into[^\n;]{0,200}?(?:\r?\n)?[ \t]*\bvalues[ \t]*\("  # a row whose column says password
    + r"|@(?:tcp|unix)\(|thin:[\w.-]+/[^\s/@]{3,}@"  # Go's MySQL DSN user:password@tcp(...), Oracle's thin:user/password@
    + r"|\t(?:TRUE|FALSE)\t[^\t\n]*\t(?:TRUE|FALSE)\t\d+\t[^\t\n]+\t"  # a line of a cookie jar (curl -c, wget)
    + r"|(?-i:\b[MNO][A-Za-z0-9]{23,27}\.[\w-]{6}\.[\w-]{27,40})"  # a Discord bot token: base64 id . time . HMAC
    # where a secret goes (see _said_where_it_goes): only the start here, the handler reads the value
    + r"|(?:environ\.get|getenv|env\.fetch|env\.get|getOrDefault)\([ \t]*[\"'][\w.-]{3,64}[\"'][ \t]*,"
    + r"|process\.env\.\w{3,64}[ \t]*(?:\?\?|\|\|)|env::var\([ \t]*\"[\w.-]{3,64}\"\)"
    + r"|\b(?:set|setting|changed?|put|exported?|updated?|added|stored|saved)[ \t]+[`\"']?[A-Za-z][\w.-]{2,63}[`\"']?[ \t]+"
    + r"(?:(?:to|in|into)[ \t]+[`\"']?[\w./-]{1,40}[`\"']?[ \t]+with[ \t]+(?:the[ \t]+)?value|to|=|as)[ \t]+"
    + r"|assword[^\n\r]{0,30}(?:\r?\n|\\n)[^\n\r]{0,40}?\bsend"
    + r"|" + _SAID_BELOW
    + r"|" + _SECRET_LIST
    + r"|\b[A-Za-z][\w.-]*(?:key|token|secret|password|passwd|pass|pwd|pat|auth|credentials?)[`\"']?[ \t]+(?:is|was|to|as)[ \t]+"
    + "|(?-i:" + _LITERAL.pattern + ")"
)
@functools.cache
def re2_passes() -> tuple[Any, Any]:
    """The RE2 pass, as two patterns over UTF-8 bytes: the first alternative, and the others; compiled on first
    use (the engine's ``_passes`` says why).

    Bytes, because RE2's wrapper maps each match's byte offsets back to characters by counting from the start of
    the text, which costs more than the scan. Two patterns, because a secret word opens up to 60 characters of "a
    value may start here" and the DFA of the whole pattern multiplies those states by every other alternative's:
    on fresh text it builds states faster than its cache holds them (about 50 µs a short turn, against 12 µs for
    the two halves)."""
    return (re2.compile(("(?i)(?:" + _WORD_THEN_VALUE + ")").encode(), _RE2_OPTIONS),
            re2.compile(("(?i)(?:" + _RE2_OTHERS + ")").encode(), _RE2_OPTIONS))


def re2_matches(text: str) -> Iterator[Any]:
    """What ``finditer`` of the whole pattern, first alternative or others, gives on ``text``: leftmost-first
    matches, none overlapping, each with ``start()`` and ``end()`` in characters."""
    data = text.encode()
    if len(data) == len(text):  # ASCII: byte offsets are character offsets
        yield from _leftmost_first(data)
        return
    chars, counted = 0, 0  # characters in data[:counted]; a match starts and ends between characters
    for found in _leftmost_first(data):
        start = chars + len(data[counted:found.start()].decode())
        chars, counted = start + len(data[found.start():found.end()].decode()), found.end()
        yield _Span(start, chars)


def _leftmost_first(data: bytes) -> Iterator[Any]:
    """The two halves searched side by side. At the leftmost start either matches at, the first half wins a tie, as
    its alternative comes first in the whole pattern; a half's match that the chosen one overlaps is searched again
    from the chosen one's end, and one that starts at or after that end is still its next."""
    first, rest = re2_passes()
    first_found, rest_found = first.search(data), rest.search(data)
    while first_found is not None or rest_found is not None:
        if rest_found is None or (first_found is not None and first_found.start() <= rest_found.start()):
            found = first_found
        else:
            found = rest_found
        yield found
        pos = max(found.end(), found.start() + 1)  # past an empty match, as finditer
        if first_found is not None and first_found.start() < pos:
            first_found = first.search(data, pos)
        if rest_found is not None and rest_found.start() < pos:
            rest_found = rest.search(data, pos)


class _Span:
    """Where a match lies in the text, in characters, when the pass ran over bytes that are not all ASCII."""

    __slots__ = ("_start", "_end")

    def __init__(self, start: int, end: int) -> None:
        self._start, self._end = start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def span(self) -> tuple[int, int]:
        return self._start, self._end


_CANDIDATE_VALUE = re.compile(_CANDIDATE)
_PROSE_WORD = re.compile(r"(?P<otp>(?i:" + _OTP_WORDS.replace(r"\b", r"(?<![A-Za-z0-9_])", 1) + "))|(?i:"
                         + _word_pattern(_PASSWORD_WORDS + _KEY_WORDS, _PASSWORD_STEMS, r"(?<![A-Za-z0-9_])", r"(?![A-Za-z0-9_])", r"[^\W\d_]{0,4}") + ")")
_PROSE_VALUE = re.compile(r"[:=]*[“「『«‘]?(?P<value>[\x21-\x7e]+)")  # "key=X" and "key:X" give X; “X” and 「X」 too
_PROSE_STOP = re.compile(r"\r|\n|\\n|[.!?;。！？](?:\s|$)")  # the end of the line or of the sentence
# the sentence says the value is public or only names the secret (an id, a hash, a path, a cache key)
_NOT_SECRET_CONTEXT = re.compile(
    r"(?i)\b(?:publi[cs]\w*|fingerprints?|ids?|hash(?:es)?|digests?|checksums?|sha\d*|commits?|versions?|names?"
    r"|paths?|files?|urls?|prefix(?:es)?|length|size|types?|formats?|idempotency|cache|primary|foreign|partition|sort"
    r"|kid|host|gpg|pgp|ssh|recipients?|example|placeholder)\b"
)
_PUBLIC_VALUE = re.compile(r"(?:pk_|age1|npub|ssh-|ecdsa-|sha\d+[:-]|SHA\d+:|AAAA|https?://)")
_MASKED = re.compile(r"(?:[A-Za-z0-9]{1,12}_)?(?:\*{3,}|•{3,}|(?i:x{6,}))")  # what a tool prints instead: gho_*****
_ELIDED = re.compile(r"(?:\.\.\.|…)[\"'`]?[.,;:)]*$")
_RESOURCE_NAME = re.compile(r"\b[au]rn:\S*$")  # arn:aws:secretsmanager:...:secret:name names a resource
_LONE_VALUE = re.compile(r"[ \t]*([A-Za-z0-9+/=._~-]{16,})[ \t]*(?:\r?\n|$)")
_LONE_TYPED = re.compile(r"[ \t]*(\S{10,128})[ \t]*(?:\r?\n|$)")
_SHELL_PROMPT = re.compile(r"[ \t]*(?:\$|%|#|>|❯|PS [^>\n]*>)[ \t]")



def _prose_value(text: str, word: re.Match[str]) -> list[tuple[int, int, str]]:
    """The values a secret word introduces, as (start, end, kind)."""
    if word["otp"]:
        return _one_time_secrets(text, word)
    keyword = word[0].lower()
    family = "secret" if keyword in _KEY_WORDS else "password"
    line_start = max(text.rfind("\n", 0, word.start()) + 1, 0)
    before = text[max(line_start, word.start() - 32) : word.start()]
    if encrypted_for_commit(text, word.start()):
        return []  # a SealedSecret's encryptedData
    if (family == "secret" and _NOT_SECRET_CONTEXT.search(before)) or before.endswith(("${", "$", "//")) or _RESOURCE_NAME.search(text, line_start, word.start()):
        return []  # said to be public, or a shell variable (${KEY:-default})
    if (named := _NAMED_AFTER.search(text, max(line_start, word.start() - 80), word.start())) is not None:
        value = named["value"].strip("\"'`").rstrip(_PUNCT_END)  # "use X as the password": the value came first
        if named["verb"] != "as" and family == "secret":
            return []  # "X is the token refresh": a sentence about X; "'X' is the root pw" names a password only
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
    if raw.endswith(":") or raw.startswith(("$", "%", "{", "<", "[REDACTED")) or raw.startswith(("\":", "':")) or _ELIDED.search(raw):
        return None  # a label, a variable, a placeholder, done already, a JSON key ("token":null), or elided (sk_...)
    inner = raw[1:] if raw[0] == "(" and raw.rstrip(".,;:?").endswith(")") else raw  # "(X)"
    inner = inner.strip("\"'`")
    start += raw.index(inner[:1]) if inner else 0
    inner = inner.rstrip(_PUNCT_END).strip("\"'`")
    if not inner or _PLACEHOLDER_WORD.fullmatch(inner) or _MASKED.match(inner):
        return None  # nothing, or a placeholder (TOKEN=REPLACE_ME, your-key-here, gho_*****)
    clause = glue.strip().strip("\"'`「『（(“«‘").rstrip()
    if any(c in clause for c in "\"[]{}<>"):
        return None  # structured data (JSON, a list), which the rules for names and values read
    # the clause ends on a separator or a verb ("for the db:", "de la base est", "密码是")
    explicit = clause != "" and (clause[-1] in ":=：/-→" or clause[-1] in _CJK_SEPARATORS or clause.split()[-1].lower() in _PROSE_VERBS
                                 or text[: value.start("value")].rstrip(" \t\"'`「『（(").endswith(_UNSPACED_VERBS))
    if family == "secret":
        if _NOT_SECRET_CONTEXT.search(glue) or _PUBLIC_VALUE.match(inner) or inner.startswith(_PUBLIC_PREFIXES) or _ASSIGNMENT.match(inner) or _CODE_SHAPE.search(inner):
            return None
        if _TYPE_NAME.fullmatch(inner):
            return None  # credential: _AzureTablesCredential | None: a type annotation
        random = looks_random(inner) and not _looks_like_path(inner) and not (keyword == "key" and _DIGEST_RUN.search(inner))
        # "token: X", "the secret is X": right after the word, a typed-looking value will do; after a verb
        # ("the key they gave me is X") one that plainly is a password (digits and symbols)
        typed = (keyword not in ("key", "keys") and len(clause.split()) == 1 and _looks_like_password(inner)) or (explicit and _generated_password(inner))
        given = raw[0] == "(" and raw.rstrip(".,;:?").endswith(")") and random and len(clause.split()) <= 3  # "the key you shared (X)"
        if (clause and not explicit and not given) or not (random or typed or (explicit and _UUID.fullmatch(inner))):
            return None
        return start, start + len(inner), "secret"
    if _CANDIDATE_VALUE.search(inner) is None:
        return None  # the RE2 pass's own test, for a word found inside a span another alternative matched
    if not clause:  # "pass Willow^Copper5679": no separator, so the value itself must look typed
        if not _typed_password(inner):
            return None
    elif not explicit and not (_ONE_WORD.fullmatch(clause) and _typed_password(inner)):
        return None  # a clause of one word ("Password VPN-nya X") will do before a plainly typed password
    elif (pair := re.fullmatch(r"[\w.@-]{2,32}[:/]([^:/]{6,})", inner)) and keyword in ("creds", "credentials", "login"):
        start, inner = start + pair.start(1), pair[1]  # "creds: admin/X": the user name may stay
    if not _looks_like_password(inner):
        return None
    return start, start + len(inner), "password"


_TYPE_NAME = re.compile(r"_*(?:[A-Z][a-z]+)+[A-Z]?[a-z]*")
_ONE_WORD = re.compile(r"[^\W\d_][\w-]*")


def _typed_password(value: str) -> bool:
    """Without a separator to say so, a password must show it: digits with symbols, random, or two cases and digits
    mixed at random (Nq3vX8pL2wR7) or words of two cases joined (maple.Otter.42)."""
    if not _looks_like_password(value) or not any(c.isdigit() for c in value):
        return False
    if looks_random(value) or any(c in "!@#$%^&*+=?~|" for c in value):
        return True
    two_cases = any(c.isupper() for c in value) and any(c.islower() for c in value)
    return two_cases and len(value) >= 8 and (_changes_class_often(value) or _JOINED_WORDS.search(value) is not None)


_JOINED_WORDS = re.compile(r"[a-z][._-][A-Z]|[A-Za-z][._-]\d")


def _changes_class_often(value: str) -> bool:
    """Lower, upper and digits alternate at most neighbours, as in random text and in no word or identifier."""
    classes = [c.islower() - c.isupper() for c in value]  # 1 lower, -1 upper, 0 other
    return sum(a != b for a, b in zip(classes, classes[1:])) >= 0.5 * (len(value) - 1)


_NAMED_AFTER = re.compile(r"(?<![^\s\"'`])(?P<value>[\x21-\x7e]{6,})[ \t]+(?P<verb>as|is|was)[ \t]+(?:[\w-]+[ \t]+){0,2}$")
_OTP_SEED = re.compile(r"(?<![\w-])(?:(?:[A-Z2-7]{4}[ \t]){3,}[A-Z2-7]{4}|(?:[a-z2-7]{4}[ \t]){3,}[a-z2-7]{4}|[A-Z2-7]{16,}|[a-z2-7]{16,})(?![\w-])")
_RECOVERY_CODE = re.compile(r"(?m:^[ \t]*[a-z]{4,6}-[a-z]{4,6}[ \t]*$)|(?<![\w-])(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{4,6}-?[a-z0-9]{4,6}(?![\w-])|(?<![\w-])\d{4}[ -]?\d{4}(?![\w-])", re.IGNORECASE)
_SEED_PHRASE = re.compile(r"(?:[a-z]{3,8}[ \t]+){11,23}[a-z]{3,8}(?![\w-])")


def _one_time_secrets(text: str, word: re.Match[str]) -> list[tuple[int, int, str]]:
    """A TOTP seed after "2fa"/"totp" on its line, the recovery codes listed after "recovery codes", the
    words of a wallet's seed phrase."""
    name = word[0].lower()
    if "phrase" in name or "seed" in name or name == "mnemonic":
        found = _SEED_PHRASE.search(text, word.end(), word.end() + 400)
        return [(found.start(), found.end(), "secret")] if found and found.start() - word.end() <= 40 else []
    if "code" in name:
        return [(code.start(), code.end(), "secret") for code in _RECOVERY_CODE.finditer(text, word.end(), word.end() + 600)]
    line_end = text.find("\n", word.end(), word.end() + 200)
    return [(seed.start(), seed.end(), "secret") for seed in _OTP_SEED.finditer(text, word.end(), line_end if line_end >= 0 else word.end() + 200)
            if any(c in "234567" for c in seed[0])]


_DISCORD = re.compile(r"[MNO][A-Za-z0-9]{23,27}\.[\w-]{6}\.[\w-]{27,40}(?![\w-])")


_ECHOED = re.compile(r"(?:echo|printf)[ \t]+(?:-n[ \t]+)?(?P<value>'[^'\s]{6,}'|\"[^\"\s]{6,}\"|[^\s'\"|]{6,})[ \t]*\|")
_STDIN_VALUE = re.compile(r"(?:<<<|<\([ \t]*(?:echo|printf))[ \t]*(?P<value>'[^'\s]{6,}'|\"[^\"\s]{6,}\"|[^\s'\"|)]{6,})")


_SPACED = re.compile(r"([A-Za-z][\w.-]*)([ \t│|]+)(?:(?<=[ \t])(?P<quote>[\"']))?(?P<value>[^\s│|'\"`\\]{6,})(?(quote)(?P=quote))")
_PLACEHOLDER = re.compile(_NOT_A_VALUE)  # matches (empty) only where a value is a real value
_PLACEHOLDER_WORD = re.compile(r"(?i)[\w.-]*(?:change[_-]?me|replace[_-]?me|placeholder|your[_-][\w-]+|example|dummy|todo|tbd|fixme)[\w.-]*")


def _spaced_value(text: str, found: Any) -> tuple[int, int, str] | None:
    """``DB_PASSWORD   value`` in columns (env tables, ``vault read``, box-drawn tables), ``session_secret value``,
    ``#define API_KEY "value"`` (C)."""
    if (pair := _SPACED.match(text, found.start())) is None or _PLACEHOLDER.match(pair["value"]) is None:
        return None
    name, gap, value = pair[1].lower(), pair[2], pair["value"]
    if _NOT_SECRET_NAME.search(name) or _PUBLIC_VALUE.match(value) or ("_" not in name and len(gap) < 2 and gap.strip() == ""):
        return None  # a public value, or prose ("token X"), which the prose rules read
    line_start = text.rfind("\n", 0, found.start()) + 1
    if "{{" in text[line_start : found.start()] or _DIGEST_COLUMN.search(text, max(0, line_start - 4000), line_start):
        return None  # a template's expression ({{ .Values.x.password | b64enc }}), or a listing of digests (fly secrets list)
    if (_SECRET_KEY.fullmatch(name) and _looks_like_password(value)) or (name.endswith(_WEAK_ENDINGS) and looks_random(value)):
        return pair.start("value"), pair.end("value"), "secret"
    return None


_DIGEST_COLUMN = re.compile(r"(?m)^[ \t]*NAME[ \t]{2,}(?:[A-Z ]+[ \t]{2,})?(?:DIGEST|HASH|CHECKSUM|FINGERPRINT)\b")
_SLASH_PAIR = re.compile(r"[A-Za-z][\w.-]{1,31}[ \t]+/[ \t]+([^\s/]{8,})")


def _slash_pair(text: str, found: Any) -> tuple[int, int, str] | None:
    """``root / PASSWORD``: a user and a password given together, the password plainly typed or generated."""
    if (pair := _SLASH_PAIR.match(text, found.start())) is None:
        return None
    value = pair[1].rstrip(_PUNCT_END)
    if plainly_typed(value):
        return pair.start(1), pair.start(1) + len(value), "password"
    return None


_AUTH_PAIR = re.compile(r"[\w\"']+[ \t]*[:=][ \t]*[(\[][ \t]*[\"'][^\"'\n]{1,64}[\"'][ \t]*,[ \t]*[\"']([^\"'\n]{6,128})[\"'][ \t]*[)\]]")


def _auth_pair(text: str, found: Any) -> tuple[int, int, str] | None:
    """``auth=('user', 'PASSWORD')``: a user and a password given as a pair, the password typed or random."""
    if (pair := _AUTH_PAIR.match(text, found.start())) is None or not (plainly_typed(pair[1]) or plainly_random(pair[1])):
        return None
    return pair.start(1), pair.end(1), "password"


_SECRET_WORD_IN = re.compile(r"(?:^|_)(?:secret|token|password|passwd|api_?key|credential)s?(?:_|$)")
_INSERT = re.compile(r"(?i)insert[ \t]+into[ \t]+[\w.\"`\[\]]+[ \t]*\(([^)\n]{1,400})\)\s*values[ \t]*\(")
_SQL_VALUE = re.compile(r"'(?:[^'\n]|'')*'|[^,()\s]+")


def _inserted_secrets(text: str, found: Any) -> list[tuple[int, int, str]]:
    """``INSERT INTO users (email, password) VALUES ('a@b.c', 'X')``: the values of columns named for a secret."""
    if (insert := _INSERT.match(text, found.start())) is None:
        return []
    columns = [column.strip(" \t\"`[]").lower() for column in insert[1].split(",")]
    hits, at = [], insert.end()
    for column in columns:
        value = _SQL_VALUE.search(text, at, at + 400)
        if value is None:
            break
        inner = value[0].strip("'")
        named = _SECRET_KEY.fullmatch(column) or _SECRET_WORD_IN.search(column) and (looks_random(inner) or _HEX_KEY.fullmatch(inner))
        if named and not _NOT_SECRET_NAME.search(column) and len(inner) >= 3 and _PLACEHOLDER.match(inner) is not None:
            hits.append((value.start() + (value[0] != inner), value.start() + (value[0] != inner) + len(inner), "password"))
        at = value.end()
        if (comma := re.match(r"[ \t]*,[ \t]*", text[at : at + 40])) is None:
            break
        at += comma.end()
    return hits


def _piped_secret(text: str, found: Any) -> tuple[int, int, str] | None:
    """``echo SECRET | docker login --password-stdin``: the value echoed into a command that reads a secret;
    ``sudo -S <<< 'PASSWORD'``, ``--password-file=<(echo PASSWORD)``: a plainly typed or random one on stdin."""
    if (given := _STDIN_VALUE.match(text, found.start())) is not None:
        value = given["value"].strip("'\"").removesuffix("\\n")
        if plainly_typed(value) or plainly_random(value):
            start = given.start("value") + (given["value"][0] in "'\"")
            return start, start + len(value), "secret"
        return None
    if (echoed := _ECHOED.match(text, found.start())) is None or echoed["value"].lstrip("'\"").startswith(("$", "%", "[REDACTED")):
        return None
    quoted = echoed["value"][0] in "'\""
    return echoed.start("value") + quoted, echoed.end("value") - quoted, "secret"


def _said_where_it_goes(text: str, found: Any) -> tuple[int, int, str] | None:
    """The default of an environment lookup or the value a variable is set to, when the name says secret (a
    weaker name, such as ADMIN_KEY, needs a random value); the answer sent to a password prompt."""
    at, end = found.start(), found.end()
    if (sent := _EXPECT_SEND.match(text, at)) is not None:
        value = sent["value"]
        typed = len(value) >= 6 and value.strip() == value and not value.startswith(("$", "%", "{", "<", "[REDACTED"))
        return (sent.start("value"), sent.end("value"), "password") if typed else None  # not $env(PASS), a variable
    # an environment lookup may sit inside a hit that began earlier (an id and a key given to any client)
    said = _ENV_DEFAULT.search(text, at, end + 210) or _SET_TO.match(text, at) or _NAME_IS.match(text, at)
    if said is None or said.start() > end:
        return None
    name = next(said[group] for group in said.re.groupindex if group.endswith("name") and said[group]).lower()
    value = said["value"].rstrip(_PUNCT_END)
    if _NOT_SECRET_NAME.search(name) or _PLACEHOLDER.match(value) is None or _PLACEHOLDER_WORD.fullmatch(value):
        return None
    if value.lower() == name or re.fullmatch(r"[A-Za-z_]\w*", value) and made_of_words(value):
        return None  # import X as X, an identifier made of words
    strong = _SECRET_KEY.fullmatch(name) is not None
    keyed = looks_random(value) or _HEX_KEY.fullmatch(value) is not None or _UUID.fullmatch(value) is not None
    if strong and (keyed or _typed_password(value)) or (name.endswith(_WEAK_ENDINGS) or credential_key(name)) and keyed:
        return said.start("value"), said.start("value") + len(value), "secret"
    return None


_LOGIN_BEFORE = re.compile(r"([a-z][a-z0-9_.-]{1,31})[:/](?=[^:/]{10,}$)")
# what stands before : or / and is no user name: a scheme, a digest's algorithm, a namespace
_NOT_A_LOGIN = frozenset(("http", "https", "ftp", "ssh", "git", "file", "tel", "mailto", "urn", "arn", "data", "blob", "s3", "gs",
                          "md5", "sha1", "sha256", "sha512", "h1", "std", "self", "this", "src", "lib", "bin", "usr", "tmp", "var"))
_SYMBOL_AFTER_DIGITS = re.compile(r"[-.][a-z]*\d+[!#$%&*?~]$")
_PERCENT_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_BARE_WORD = re.compile(r"\s?[\"'`“「«(]?(?P<value>" + _WORD_CHAR + r"{8,64})(?=[\s\"'`)\],;]|[^\x00-\x7f]|$)")
# what a word of letters, digits and symbols is when it is no password: a link, a reference, a version, an address,
# code, markdown, a format string, a phone number or a code point
_NOT_BARE_PASSWORD = re.compile(
    r"://|^www\.|/|@\d|@v\d|[\w.+-]+@[\w-]+\.[a-z]{2,}|#L?\d+$|\.\w+#|&&|\|\||==|!=|\?\.|=>|->|::|\+=|-=|\*=|^\*.*\*$|"
    r"^(?:tel:|U\+|\+|\$)|^[#@][\w-]+$|^[A-Za-z]{1,8}\d{0,3}:|%[-+0-9.]*[sdfrxi]|\+dev|\.dev\d|\+g[0-9a-f]{7}|\+(?:cpu|cu\d+|rocm)|@[a-z]+\d*:"
    # a JS name ($1), an HTML entity, a pinned commit (checkout@<sha>), a conditional (0?100:r), a locale (sr_yu.utf8@cyrillic), a method (Class#method), a symbol version (@@GLIBC),
    # a count (12*N), a cipher list (:!RC4), a git revision (HEAD~2^2), a colour, a query string, an anchor, a glob, an escape
    r"|\$\d|_\$|\$\.|&#?x?\w+;|@[0-9a-f]{7,}$|\d\?[\w.-]*:|![01]$|^[\w.-]+@[a-z]+$|[A-Za-z]\w*#[a-z][A-Za-z]+$|@@|^\d+\*|:!|[~^]\d+(?:[~^:]|$)|#[0-9A-Fa-f]{6}(?![0-9A-Za-z])|[?&]\w+=|#[a-z]+(?:-[a-z]+)+$|\*\.|\.\*|#x[0-9a-fA-F]{2}|\bv?\d+\.\d+"
)


def _bare_password(text: str, found: Any) -> tuple[int, int, str] | None:
    """A password given with no word for it: letters (four or more), digits and a symbol, ten characters or more (eight
    with two cases), two cases or two symbols or fourteen characters; not a link, a reference, a version, code or base64."""
    at = found.start()
    if at and not text[at].isspace() or (word := _BARE_WORD.match(text, at)) is None:
        return None  # a hit of another alternative
    value, start = word["value"].rstrip(_PUNCT_END), word.start("value")
    if (login := _LOGIN_BEFORE.match(value)) is not None and login[1].lower() not in _NOT_A_LOGIN:
        value, start = value[login.end() :], start + login.end()  # root/PASSWORD, admin:PASSWORD: the user name stays
    if _BASE64_RUN.fullmatch(value):
        return None  # a line of base64 (a certificate, an encoded JSON), which the scan for random tokens reads
    symbols = sum(c in "!@#$%^&*=?~" for c in value) + value.rstrip("=").count("+")
    four_classes = any(c.isupper() for c in value) and any(c.islower() for c in value)  # with a digit and a symbol below
    if len(value) < (8 if four_classes else 10) or sum(c.isalpha() for c in value) < 4 or not symbols or not any(c.isdigit() for c in value):
        return None
    inside = set(value[1:-1]) & set("!@#$%^&*+?~")
    if not inside and _SYMBOL_AFTER_DIGITS.search(value):
        inside = {value[-1]}  # fjord-ember-5521!: words and a number, the symbol typed last
    if not inside or inside == {"+"} or inside == {"%"} and _PERCENT_ENCODED.search(value) or value.count("*") >= 2:
        # a symbol only at an end (Variadic!, !flag, #comment), words joined by + (Javascript+UL4), percent-encoding,
        # a glob (*.html.j2)
        return None
    varied = (any(c.isupper() for c in value) and any(c.islower() for c in value)) or symbols >= 2 or len(value) >= 14
    if not varied or _NOT_BARE_PASSWORD.search(value) or not plainly_typed(value):
        return None
    return start, start + len(value), "password"


# A password typed with no word for it ("try it with X", "it's X", X alone on the first line): a word of letters,
# digits and a symbol (see _bare_password). A pass of its own: as an alternative of the RE2 pass, its hit would
# start at the space before a word and hide the hits of the alternatives that start in the word.
_BARE_PATTERN = r"(?:^|\s)[\"'`“「«(]?" + _TYPED_WORD


@functools.cache
def bare_passes() -> tuple[Any, Any]:
    """The pass for passwords by their shape alone, for any text and for ASCII text as bytes (see ``re2_passes``)."""
    return re2.compile("(?i)" + _BARE_PATTERN), re2.compile(("(?i)" + _BARE_PATTERN).encode())


def bare_password_hits(text: str) -> list[tuple[int, int, str]]:
    """The passwords found by their shape alone, as (start, end, replacement); the engine lets any other hit they
    overlap win."""
    bare_pass, bare_pass_ascii = bare_passes()
    found_all = bare_pass_ascii.finditer(text.encode("ascii")) if text.isascii() else bare_pass.finditer(text)
    return [(hit[0], hit[1], "[REDACTED:password]") for found in found_all if (hit := _bare_password(text, found)) is not None]


_HEX_KEY = re.compile(r"[0-9a-f]{32,}|v\d\.\d-[0-9a-f-]{40,}")  # an admin key of hex, a versioned key of hex


_SAID_BELOW_AT = re.compile("(?i)" + _SAID_BELOW)
_LINE_ABOVE = re.compile(r"(?:^|\n)[ \t]*([A-Za-z0-9+/=._~-]{16,})[ \t]*(?:\r?\n[ \t]*)*$")


def _said_below(text: str, found: Any) -> tuple[int, int, str] | None:
    """A value alone on its line, and below it a sentence that says it was a token, a key or a password."""
    if _SAID_BELOW_AT.match(text, found.start()) is None:
        return None
    line_start = text.rfind("\n", 0, found.start()) + 1
    above = _LINE_ABOVE.search(text, max(0, line_start - 300), line_start)
    if above is None or not (looks_random(above[1]) or _HEX_KEY.fullmatch(above[1])):
        return None
    return above.start(1), above.end(1), "secret"


_SECRET_LIST_AT = re.compile("(?i)" + _SECRET_LIST.replace("[ \\t]*-[ \\t]+", ""))
_LIST_ITEM = re.compile(r"[ \t]*-[ \t]+([\"']?)([^\s\"'#]{6,200})\1[ \t]*(?:\r?\n|$)")


def _listed_secrets(text: str, found: Any) -> list[tuple[int, int, str]]:
    """The items of a YAML list named for secrets (keys:, tokens:, passwords:) that look random, or typed under passwords."""
    if (head := _SECRET_LIST_AT.match(text, found.start())) is None:
        return []
    typed = "pass" in head[0].lower()
    hits, at = [], head.end()
    for _ in range(50):
        if (item := _LIST_ITEM.match(text, at)) is None:
            break
        value = item[2]
        if looks_random(value) or _HEX_KEY.fullmatch(value) or typed and _looks_like_password(value):
            hits.append((item.start(2), item.end(2), "secret"))
        at = item.end()
    return hits


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
    typed = _LONE_TYPED.match(text, at)
    if typed and _generated_password(typed[1]):
        return typed.start(1), typed.end(1), "secret"
    # a token of parts (a cluster's join token: K10<hex>::server:<hex>): one random or hex part will do
    if typed and any(looks_random(part) or _HEX_KEY.fullmatch(part) for part in re.split(r"[:|,;@]+", typed[1])):
        return typed.start(1), typed.end(1), "secret"
    return None
