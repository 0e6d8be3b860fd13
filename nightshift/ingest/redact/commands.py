"""Credentials given to command-line tools: as an option (``mysql -pX``, ``sshpass -p X``, ``curl -u user:pass``)
or as a plain argument (``net use ... PASSWORD``, ``setx TOKEN value``), and ``.pgpass`` lines."""

from __future__ import annotations

import re

from nightshift.ingest.redact.checks import (
    _HEX, _NOT_A_CREDENTIAL_KEY, _NOT_SECRET_NAME, _SECRET_KEY, _UUID, _looks_like_password, looks_random, plainly_typed,
)
from nightshift.ingest.redact.entropy import made_of_words, plainly_random

# command -> the flag that gives it a password, and whether the value is glued to the flag (mysql -pX)
_PASSWORD_FLAGS: dict[str, tuple[tuple[str, bool], ...]] = {
    **dict.fromkeys(("mysql", "mysqldump", "mysqladmin", "mysqlimport", "mysqlcheck", "mysqlshow", "mariadb",
                     "mariadb-dump", "mariadb-admin", "7z", "7za", "7zz", "rar", "unrar"), (("p", True),)),
    **dict.fromkeys(("sshpass", "az", "mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport",
                     "twine", "cqlsh", "psexec", "rabbitmqadmin"), (("p", False),)),
    **dict.fromkeys(("docker", "podman", "buildah", "skopeo", "helm", "nerdctl", "oras", "crane", "oc", "cf"), (("p", False),)),
    **dict.fromkeys(("zip", "unzip", "sqlcmd", "bcp", "osql", "ipmitool", "mosquitto_pub", "mosquitto_sub", "p4"), (("P", False),)),
    **dict.fromkeys(("ncftp", "ncftpget", "ncftpput", "ncftpls", "mysqlsh"), (("p", False),)),
    "vsql": (("w", False),),
    "redis-cli": (("a", False),),
    **dict.fromkeys(("ldapsearch", "ldapadd", "ldapmodify", "ldapdelete", "ldapwhoami", "ldapcompare", "security"), (("w", False),)),
    "ldappasswd": (("w", False), ("s", False)),  # the bind password and the new one
    **dict.fromkeys(("openssl", "dotnet", "nuget"), (("k", False),)),
    **dict.fromkeys(("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpgetnext", "snmptrap"), (("A", False), ("X", False))),
    "doctl": (("t", False),),
    "ssh-keygen": (("P", False), ("N", False)),  # the old and the new passphrase
    "gh": (("b", False),),
    **dict.fromkeys(("snmpwalk", "snmpget", "snmpset", "snmpbulkwalk", "snmpgetnext", "snmptrap", "snmpbulkget", "onesixtyone"),
                    (("A", False), ("X", False), ("c", False))),
}
# where a command starts: a new line (also as JSON shows it), ; | & ( ` the next item of a JSON argv, or
# a JSON string value ({"command":"docker login ..."}, a tool call's arguments)
_COMMAND_START = re.compile(r'.*(?:\n|\\n|;|\||&|\(|`|",?"|"[ \t]*:[ \t]*")', re.DOTALL)
# what stands before the command: a prompt ($, PS>, a CI log's +), a wrapper (sudo, env), a variable set for it
_PREFIX_WORD = re.compile(r"\$|\+|>|#|%|❯|PS>?|[A-Za-z]:\\\S*>|\d+|sudo|env|time|nohup|exec|command|npx|[A-Za-z_][A-Za-z0-9_]*=\S*")


def _command_of(text: str, at: int) -> tuple[str, list[str]]:
    """The command whose arguments include position ``at``, and its words before ``at``."""
    line = text[max(0, at - 300) : at]
    found = _COMMAND_START.match(line)
    words = [w.strip("'\"") for w in line[found.end() if found else 0 :].split()]
    while words and _PREFIX_WORD.fullmatch(words[0]):
        words = words[1:]
    return (words[0].rsplit("/", 1)[-1] if words else ""), words


_USER_FLAG = re.compile(r"(?<![\w-])(?:-[uU]|--user(?:name)?)[ \t=]+[^\s-][^\s]*[ \t]")


def _cli_password(text: str, at: int, value: str) -> bool:
    """``-p``, ``-P``, ``-a``, ``-w``, ``-b``... give a password only to some commands (``mkdir -p`` does not)."""
    flag, glued = ("b", False) if text.startswith("--body", at) else (text[at + 1], text[at + 2] not in " \t")
    command, words = _command_of(text, at)
    if command not in _PASSWORD_FLAGS and flag in "pP" and not glued:
        # a tool not listed: -p after a user flag on the same command line, with a value typed as a password
        line_start = max(text.rfind("\n", 0, at) + 1, at - 300)
        return _USER_FLAG.search(text, line_start, at) is not None and _looks_like_password(value) and any(c.isdigit() for c in value)
    if command not in _PASSWORD_FLAGS and flag in _TOKEN_FLAGS:
        # -t, -k, -a... of a tool not listed, after a space ("VersionId": "-TXq..." is a value): a tag or a count is no
        # token; glued to its flag (-kTOKEN), a long one
        digest = glued and _HEX.fullmatch(flag + value) is not None and len(flag + value) in (40, 64)  # git submodule status: -<sha>
        return text[at - 1 : at] in (" ", "\t") and _plain_token(value.strip("'\"")) and (not glued or len(value) >= 20) and not digest
    if (flag, glued) not in _PASSWORD_FLAGS.get(command, ()) or value.startswith("-"):
        return False
    if command in ("docker", "podman", "buildah", "skopeo", "helm", "nerdctl", "oras", "crane", "oc", "cf", "az"):
        return "login" in words
    if command == "gh":
        return "secret" in words
    return True


_TOKEN_FLAGS = "tTkKas"  # the one-letter flags that give a token to many tools (-t TOKEN, -k KEY, -a AUTH, -s SECRET)
# the last word of a long flag that may name a credential (--auth, --signing-key, --bearer, --session)
_WEAK_FLAG_WORDS = frozenset((
    "key", "apikey", "authkey", "auth", "access", "bearer", "credential", "credentials", "creds", "sig", "signature",
    "license", "licence", "jwt", "pat", "session", "cookie", "hmac",
))  # fmt: skip


_WORD_SEGMENT = re.compile(r"[a-z]{3,}|[A-Z]?[a-z]{2,}")


def _plain_token(value: str) -> bool:
    """A token by its characters and shape alone: random (not a UUID, not words), or a long hex that is no git SHA
    or SHA-256 (those go with commits and digests)."""
    if _LOGIN_TOKEN.fullmatch(value) is None or _UUID.fullmatch(value) or made_of_words(value):
        return False
    if any(_WORD_SEGMENT.fullmatch(segment) for segment in value.split("/")[1:]):
        return False  # an image or a path: repo/Qm7vR2xN9bT4kL/latest
    if _HEX.fullmatch(value):
        return len(value) >= 24 and len(value) not in (40, 64) and looks_random(value)
    return looks_random(value)


def _weak_flag_token(text: str, at: int, value: str) -> bool:
    """``--auth TOKEN``, ``--signing-key TOKEN``: a flag whose last word may name a credential, and a token's shape;
    not a flag that names a key of another kind (--cache-key, --ssh-key, --public-key, --idempotency-key)."""
    name = re.match(r"-*([A-Za-z0-9-]+)", text[at : at + 64])
    flag = name[1].lower() if name else ""
    if flag.rsplit("-", 1)[-1] not in _WEAK_FLAG_WORDS or _NOT_SECRET_NAME.search(flag) or flag not in _WEAK_FLAG_WORDS and _NOT_A_CREDENTIAL_KEY.search(flag):
        return False
    return _plain_token(value)


def _user_password(text: str, at: int, value: str) -> bool:
    """``-u user:pass`` and ``--user user:pass`` (curl, wget): not ``docker run -u 1000:1000``; ``-a user:pass``
    (HTTPie) only when the password looks typed or random, as ``-a`` means other things to other tools."""
    if text.startswith(("-a", "--auth"), at) and not (looks_random(value) or _looks_like_password(value) and any(c.isdigit() for c in value)):
        return False
    return not value.isdigit() and _command_of(text, at)[0] not in ("docker", "podman", "kubectl", "chown", "nerdctl")


_PGPASS = re.compile(r"(?:^|[\s\"'])[^\s:#\"']+:(?:\d+|\*):[^\s:]+:[^\s:]+:$")


def _pgpass_line(text: str, at: int, value: str) -> bool:
    """``host:port:database:user:password``, one to a line (``~/.pgpass``)."""
    lo = max(0, at - 400)
    newline, escaped = text.rfind("\n", lo, at), text.rfind("\\n", lo, at)
    start = max(newline + 1, escaped + 2 if escaped >= 0 else 0, lo)
    return _PGPASS.search(text[start : at + 1]) is not None and not value.startswith("[REDACTED")


# commands that take a password or token as a plain argument: which argument, counting those that are
# not options (-x, /x), drive letters (Z:) or network paths (\\\\host\\share); 0: the argument after one
# that names a secret (setx GITHUB_TOKEN value); sqlplus takes user/password@database
_POSITIONAL = {
    "net use": 1, "net user": 2, "snyk auth": 1, "vault login": 1, "rabbitmqctl add_user": 2, "rabbitmqctl change_password": 2,
    "setx": 0, "set -x": 0, "set -gx": 0, "set -ux": 0, "aws configure set": 0, "sqlplus": 1, "setenv": 0,
    "config set": 0, "config:set": 0, "secrets set": 0,  # npm/wp/yarn config set NAME value, heroku config:set
    "rocommunity": 1, "rwcommunity": 1, "rocommunity6": 1, "rwcommunity6": 1, ": psk": 1,  # snmpd.conf, ipsec.secrets
    "b2 authorize-account": 2, "b2 account authorize": 2, "convertto-securestring": 1, "wpa_passphrase": 2, "isql": 3,
    # NAME VALUE pairs given to a tool's settings: netlify env:set, railway variables set, rclone config create
    "env:set": 0, "env set": 0, "variables set": 0, "vars set": 0, "config create": 0, "config update": 0,
    "alias set": 4, "config host add": 4,  # an S3 client's NAME URL ACCESS_KEY SECRET_KEY (MinIO's mc)
    # any tool's login or user creation: -1, the first argument that plainly is a password (typed or random)
    "login": -1, "signin": -1, "sign-in": -1, "authenticate": -1, "useradd": -1, "adduser": -1, "add-user": -1,
    "create-user": -1, "user create": -1, "connect": -1, "user add": -1, "users create": -1, "set-password": -1, "change-password": -1,
    # a token handed to any tool's settings: fooctl auth add TOKEN, fooctl token set TOKEN, fooctl activate LICENSE
    "auth add": -1, "auth set": -1, "token add": -1, "token set": -1, "tokens add": -1, "key add": -1, "keys add": -1, "key set": -1,
    "activate": -1, "rclone obscure": 1, "wifi connect": 0,
}  # fmt: skip
_POSITIONAL_COMMAND = re.compile("(?<![\\w-])(?:" + "|".join(cmd.replace(" ", r"[ \t]+") for cmd in _POSITIONAL) + r")(?![\w-])", re.IGNORECASE)
_LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_+/=~-]{16,}")  # a token's characters only: no call, path, quote or dot
_SECRET_OPTION = re.compile(r"-[pPkN]|--?(?:pass\w*|pw|pwd|secret|token|key|api-key|auth\w*)", re.IGNORECASE)
_WINDOWS_OPTION = re.compile(r"/[A-Za-z?]+(?::|$)")  # /user:ACME\\jdoe, /persistent:no; not //registry/:_authToken
_ARGUMENT = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|(?:[^\s;|&\"'\\]|\\(?!n|\"))+|\\\\[^\s;|&\"']+")
_ARGUMENTS_END = re.compile(r"\r|\n|\\n|[;|&]|(?<!\\)\"(?=[,}\s]|$)")


def _plainly_password(value: str) -> bool:
    """A token (random, hex too, after a login), generated, or typed with letters, digits and symbols: not a
    host, an id, a path, code or a word."""
    token = _LOGIN_TOKEN.fullmatch(value) is not None and looks_random(value) and not _UUID.fullmatch(value) and not made_of_words(value)
    return token or plainly_random(value) or plainly_typed(value)


def _positional_secret(text: str, command: re.Match[str]) -> tuple[int, int, str] | None:
    """``net use Z: \\\\fs\\share PASSWORD``, ``snyk auth TOKEN``: the argument that is the password."""
    wanted = _POSITIONAL[" ".join(command[0].lower().split())]
    named = 0  # a name that says secret came just before: any value will do, not only a typed one
    stop = _ARGUMENTS_END.search(text, command.end(), command.end() + 400)
    end = stop.start() if stop else min(len(text), command.end() + 400)
    if wanted < 0:
        return _login_argument(text, command.end(), end)
    for argument in _ARGUMENT.finditer(text, command.end(), end):
        arg = argument[0]
        if arg.startswith(("-", "\\")) or _WINDOWS_OPTION.match(arg) or re.fullmatch(r"[A-Za-z]:", arg):
            continue
        if wanted == 0:  # NAME VALUE: wait for a name that says secret (npm's //registry/:_authToken too)
            named = wanted = 1 if _SECRET_KEY.fullmatch(re.split(r"[:/]", arg.strip("'\""))[-1]) else 0
            continue
        wanted -= 1
        if wanted == 0:
            inner = arg.strip("'\"\\")  # quoted, also inside a JSON string (\"value\")
            if (login := re.fullmatch(r"[^/@]+/([^/@]+)@.*", inner)) is not None:  # sqlplus user/password@db
                inner = login[1]
            if len(inner) < 3 or inner.startswith(("$", "%", "<", "[REDACTED")) or not (named or _looks_like_password(inner) or looks_random(inner)):
                return None
            start = argument.start() + arg.index(inner)
            return start, start + len(inner), "secret"
    return None


def _login_argument(text: str, start: int, end: int) -> tuple[int, int, str] | None:
    """The login of a tool not listed: the first argument that plainly is a password, but not the value of
    an option that names something else (``--role admin-2024!``)."""
    if text[start : start + 1] not in (" ", "\t"):
        return None  # login:ci, login@host, login=...: not the command word
    option = ""
    for argument in _ARGUMENT.finditer(text, start, end):
        arg = argument[0]
        if arg.startswith("-"):
            option = "" if "=" in arg else arg
            continue
        value_of, option = option, ""
        inner = arg.strip("'\"\\").rstrip(",")  # an argument of a list: ("/login", Handler, ...)
        if value_of and not _SECRET_OPTION.fullmatch(value_of) or "=" in inner or inner.startswith(("$", "%", "<", "[REDACTED")):
            continue
        if _plainly_password(inner):
            at = argument.start() + arg.index(inner)
            return at, at + len(inner), "secret" if looks_random(inner) else "password"
    return None
