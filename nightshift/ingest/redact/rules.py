"""The anchored rules: token shapes from documented prefixes, key blocks, credentials in URLs and headers, values
under secret-looking names in every syntax; and the guard each anchor checks first."""

from __future__ import annotations

import re

from nightshift.ingest.redact.checks import (
    _BARE, _EOL, _ESCAPED_QUOTED, _NOT_A_VALUE, _QUOTED, _RANDOM_VALUE, _Rule, _TOKEN_CHAR,
    _after, _looks_like_password, _name_before, _named_by_field, _not_an_exception, _prefixed_token,
    _random_part_under_weak_name, _random_under_weak_name, looks_random, typed_under_credential_key, value_under_credential_key,
)
from nightshift.ingest.redact.commands import _cli_password, _command_of, _pgpass_line, _user_password, _weak_flag_token

# any scheme word: Basic, Bearer, token, SSWS, GenieKey, Klaviyo-API-Key...
_AUTH_SCHEME = r"(?:[A-Za-z][A-Za-z0-9_-]{1,23}[ \t]+)?"
_AUTH_VALUE = r"(?!\[REDACTED|\$)[A-Za-z0-9._~+/%-]{8,}=*"  # % of a URL-encoded token (Twitter's %3D)
# type annotations look like YAML: `password: str` is code, not a secret
_TYPE_NAME = r"(?i:str|bytes|int|bool|float|none|any|string|number|boolean|secretstr|secretbytes|optional)\b"
_T = _TOKEN_CHAR
_A = "A-Za-z0-9"
# Each token is anchored on a rarely used character of its documented prefix (``J`` of ``eyJ``, ``k`` of
# ``sk-``); ``back`` is how much of the prefix lies before the anchor.
# A typed password with the characters that end a bare value (Orbit.Marble619&iLL, Hx0(<Uq:;rL6): letters and
# digits, one of & ( < ; inside, no closing parenthesis nor name(arg (not a call), running to a space, the line's end or the
# next parameter of a query string (&name=).
_TYPED_RUN = (rf"(?=[^\s\"'`]*\d)(?=[^\s\"'`]*[A-Za-z])(?=[^\s\"'`$]*[&(<;])(?![^\s\"'`]*(?:\)|[A-Za-z_]{{3}}\([A-Za-z_]))"
              rf"[A-Za-z0-9](?:[^\s\"'`$&]|&(?![\w.-]+=)){{7,63}}(?=[ \t]|&[\w.-]+=|{_EOL})")
def _key_name_before(*suffixes: str) -> str:
    """A look-behind: a name that ends in key, auth, pass, pwd or pat, then one of ``suffixes`` (one look-behind per width)."""
    words = ("key", "auth", "pass", "pwd", "pat")
    # per suffix, one character first (the words' last letters): most colons and equals signs follow none of them
    return "(?:" + "|".join(
        f"(?<=[yhsdtYHSDT]{re.escape(suffix)})(?:" + "|".join(f"(?<=(?i:{word}){re.escape(suffix)})" for word in words) + ")"
        for suffix in suffixes
    ) + ")"


# a name that ends in key or auth, just before = or :
_KEY_NAME_BEFORE = {"=": _key_name_before("=", " =", '"=', "'="), ":": _key_name_before(":", '":', "':", '" :', " :")}
# a character of a value inside a JSON string: not its closing \", but an escaped quote (\\\") or backslash (\\\\)
# of the value itself, as a password escaped twice shows them
_ESCAPED_CHAR = r'(?:[^"\\\n]|\\\\\\\\|\\\\\\")'
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
    _Rule("hubspot", "-", rf"(?<=(?<![{_T}])pat-(?:na|eu|ap)\d-)[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}(?![\w-])", back=7),
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
    _Rule("secret", "_", r"(?P<keep>)(?P<value>[A-Za-z0-9]{32,}(?:_[A-Za-z0-9]+)*)(?![\w-])", check=_prefixed_token),
    # ngrok config add-authtoken TOKEN, ngrok authtoken TOKEN
    _Rule("secret", "k", r"(?<=authtok)(?P<keep>en[ \t]+)(?P<value>[A-Za-z0-9_-]{20,})", check=lambda t, a, v: looks_random(v)),
    _Rule("figma", "_", _after("figd_") + rf"[{_T}]{{40,}}", back=4),
    *[_Rule("clickup", "_", rf"(?<=(?<![{_T}])pk_\d{{{n}}}_)[A-Z0-9]{{32}}(?![{_T}])", back=n + 3) for n in range(5, 11)],  # pk_<user id>_
    _Rule("aws_access_key", "A", r"(?:KIA|SIA)[0-9A-Z]{16}(?![A-Za-z0-9])"),
    _Rule("tencent", "A", r"KID[A-Za-z0-9]{32}(?![A-Za-z0-9])"),
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
    _Rule("mapbox", "J", rf"(?<=(?<![.{_T}])sk\.eyJ)[{_T}]{{20,}}\.[{_T}]{{20,}}", back=5),  # secret; pk.eyJ... is public
    _Rule("vault", ".", rf"(?<=(?<![.{_T}])hv[sbr]\.)[{_T}]{{24,}}", back=3),
    _Rule("airtable", ".", rf"(?<=(?<![{_T}])pat[{_A}]{{14}}\.)[0-9a-f]{{64}}(?![0-9a-f])", back=17),
    _Rule("dropbox", ".", rf"(?<=(?<![.{_T}])sl\.)[{_T}]{{100,}}", back=2),
    _Rule("doppler", ".", rf"(?<=(?<![.{_T}])dp\.)(?:st|ct|sa|scim|audit|pt)\.(?:[\w-]{{1,40}}\.)?[{_A}]{{40,}}", back=2),
    _Rule("terraform_cloud", ".", rf"(?<=(?<![{_T}])[{_A}]{{14}}\.)atlasv1\.[={_T}]{{60,}}", back=14),
    _Rule("braintree", "$", r"(?<=access_token\$)(?:production|sandbox)\$[a-z0-9]{16}\$[0-9a-f]{32}", back=12),
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
    _Rule("url_password", ":", r"(?P<keep>//[^\s:/@\[]*:)(?!\[REDACTED|[{$<%]|\*+@|(?i:password|passwd|pass|pwd|secret|changeme)@)[^\s/]+(?=@[^\s/@]*(?:[/?#\s]|$))"),
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
    # (an & inside a value that runs to the end of the line is the password's, unless a parameter follows it)
    _Rule("secret", "=", _name_before("=") + r"(?!=)(?P<keep>)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _BARE + rf"(?:&(?![\w.-]+=)[^\s\"'`;|&]+)+(?=[ \t]*{_EOL})|" + _TYPED_RUN + "|" + _BARE + ")"),
    _Rule("secret", "=", _name_before("]=") + r"(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # DB_PWD=x and Pwd=x; in connection strings; PWD=/home/dev is the working directory
    _Rule("secret", "=", r"(?<=(?i:pwd)=)(?![/~.])(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _BARE + ")"),
    # name = "value" (code), name = value alone on its line (ini, toml); `x = f(y)` is code, not a secret
    # and name = ("first part"\n "second part"), a literal split over lines in parentheses: its first part goes
    _Rule("secret", "=", _name_before(" =") + r"(?P<keep>(?:[ \t]+|[ \t]*(?:\r?\n|\\n)[ \t]+(?=[\"']))(?:\([ \t]*(?:\r?\n|\\n)?[ \t]*(?=\\?[\"']))?(?:[bBrRuU](?=[\"']))?)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _ESCAPED_QUOTED + "|" + _TYPED_RUN + "|" + _BARE + rf"(?=[ \t]*{_EOL}))"),
    # Make's API_KEY ?= value, API_KEY := value
    _Rule("secret", "=", "(?:" + "|".join(_name_before(op) for op in (" ?=", " :=", "?=", ":=")) + r")(?P<keep>[ \t]*)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _BARE + rf"(?=[ \t]*{_EOL}))"),
    # R's api_key <- "value"
    _Rule("secret", "-", _name_before(" <-") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _ESCAPED_QUOTED + ")"),
    # Go's apiToken := "value"
    _Rule("secret", "=", _name_before(" :=") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + "|" + _ESCAPED_QUOTED + ")"),
    # "name": "value" (JSON), 'name': 'value' (Python), \"name\": \"value\" (JSON inside a JSON string)
    # ENV["TOKEN"] = "value" (Ruby, PHP); then define('DB_PASSWORD', 'value'), setenv("TOKEN", "value"), where
    # the value must look typed: a list of names ("password", "token") is no secret
    _Rule("secret", '"', _name_before('"') + r"(?P<keep>[ \t]*(?::|\][ \t]*=)[ \t]*(?:[bBrRuU](?=[\"']))?)" + _NOT_A_VALUE + r"(?P<value>\"(?:[^\"\\\n]|\\.){3,}\")"),
    _Rule("secret", "'", _name_before("'") + r"(?P<keep>[ \t]*(?::|\][ \t]*=)[ \t]*(?:[bBrRuU](?=[\"']))?)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}')"),
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
    _Rule("secret", "=", r"(?<=[Vv]alue=)(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>\"[^\"\n]{3,}\"|'[^'\n]{3,}'|[^\s\"',;&]{3,})", check=_named_by_field),
    _Rule("secret", "\\", _name_before("\\") + r'(?P<keep>"[ \t]*(?::|\][ \t]*=)[ \t]*\\")' + _NOT_A_VALUE + r'(?P<value>' + _ESCAPED_CHAR + '{3,}?)(?=\\\\")'),
    # <password>value</password> (Maven settings.xml, .NET config)
    # 'password' => 'value' (PHP arrays, Ruby hashes, Perl)
    *[_Rule("secret", ">", _name_before(suffix) + r"(?P<keep>[ \t]*)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + ")")
      for suffix in ("=>", " =>", "' =>", '" =>', "'=>", '"=>')],
    _Rule("secret", ">", _name_before(">") + r"(?P<keep>)" + _NOT_A_VALUE + r"(?P<value>[^<\s]{3,})(?=</)"),
    # 'key' => 'random' (PHP, Ruby): a weaker name, so the value must look random
    _Rule("secret", ">", r"(?<==>)[ \t]*(?P<quote>[\"'])(?P<keep>)(?P<value>" + _RANDOM_VALUE + r")(?=(?P=quote))",
          check=lambda t, a, v: _random_under_weak_name(t, a - 1, v)),
    # a typed declaration: const SIGNING_SECRET: &str = "...", val apiKey: String = "..." (Rust, TypeScript, Kotlin, Swift)
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][\w.<>\[\]]*\??[ \t]*=[ \t]*)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + "|" + _ESCAPED_QUOTED + ")"),
    # name: value (YAML, HTTP headers such as api-key: ...): one token, then the end of the line
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + rf"(?!{_TYPE_NAME}|(?i:basic|bearer|token)[ \t])"
          + r"(?P<value>" + _QUOTED + rf"|[^\s\"'#\\]{{3,}})(?=[ \t]*(?:#[^\n]*)?{_EOL})", check=_not_an_exception),
    # the same syntaxes as for secret names, under a key named for what it does ('kiln_admin_key' => '...',
    # <kilnLicenseKey>...</kilnLicenseKey>, const KILN_KEY: &str = "...", define('KILN_SDK_KEY', '...'))
    _Rule("secret", ">", _key_name_before("' =>", '" =>', "'=>", '"=>') + r"(?P<keep>[ \t]*)(?P<value>" + _QUOTED + ")", check=value_under_credential_key),
    _Rule("secret", ">", _key_name_before(">") + r"(?P<keep>)(?P<value>[^<\s]{6,})(?=</)", check=value_under_credential_key),
    _Rule("secret", ":", _key_name_before(":") + r"(?P<keep>[ \t]*&?(?:'static[ \t]+)?[A-Za-z_][\w.<>\[\]]*\??[ \t]*=[ \t]*)(?P<value>" + _QUOTED + ")",
          check=value_under_credential_key),
    *[_Rule("secret", q, _key_name_before(q) + r"(?P<keep>[ \t]*,[ \t]*)(?P<value>[\"'][^\"'\n]{6,}[\"'])(?=[ \t]*\))", check=value_under_credential_key)
      for q in "\"'"],
    # { apiToken: 'value', ... } (a JS or TS object, a Ruby hash): a quoted value, then a comma or a closing brace
    # (typed or random: a quoted type annotation, token: "Token", is no secret)
    _Rule("secret", ":", _name_before(":") + r"(?P<keep>[ \t]+)" + _NOT_A_VALUE + r"(?P<value>" + _QUOTED + r")(?=[ \t]*[,}\]])",
          check=lambda t, a, v: _looks_like_password(v) or looks_random(v)),
    # --password value, -storepass value, --authkey value (command lines); --password=value is the `=` rule's
    _Rule("secret", "-", r"-?[A-Za-z0-9-]*?(?i:password|passwd|passphrase|secret|token|api-key|apikey|access-key|private-key|secret-key|authkey|auth-key|pass(?![\w-])|(?<=-)pw(?![\w-]))"
          r"(?P<keep>[ \t]+|\"[ \t]*,[ \t]*\"(?=[^\"\n]{3,}\"))(?!-[A-Za-z-]*(?:[\s=\"]|$)|(?:env|file|fd|stdin):)" + _NOT_A_VALUE
          + r"(?P<value>" + _QUOTED + r"|[^\s\"'`\\]{3,})"),
    # --auth X, --signing-key X, --bearer X, "--access", "X" (a JSON argv): a weaker name, so the value must be a token
    _Rule("secret", "-", r"-?[A-Za-z0-9-]*?(?i:key|auth|access|bearer|credentials?|creds|sig|signature|license|licence|jwt|pat|session|cookie|hmac)"
          r"(?P<keep>[ \t]+|\"[ \t]*,[ \t]*\")(?P<value>[A-Za-z0-9_+/=~.-]{16,})(?![^\s\"'`,;|&)])", check=_weak_flag_token),
    # -p secret, -pSECRET, -a secret, -w secret: only for the commands that take a password so (see _PASSWORD_FLAGS)
    _Rule("secret", "-", r"(?<![\w-]-)(?:[pPawbtAXkcNsTK]|-body)(?P<keep>[ \t]*)" + _NOT_A_VALUE + r"(?P<value>'[^'\n]{3,}'|\"[^\"\n]{3,}\"|[^\s\"'`|;&\\]{3,})",
          check=_cli_password),
    # htpasswd -b [-c] FILE USER PASSWORD, htpasswd -nb USER PASSWORD
    _Rule("secret", "-", r"(?<![\w-]-)[a-zA-Z]*b[a-zA-Z]*(?P<keep>(?:[ \t]+-[a-zA-Z]+)*[ \t]+(?![-'\"])\S+[ \t]+(?:(?![-'\"])\S+[ \t]+)?)"
          r"(?P<value>'[^'\n]{3,}'|\"[^\"\n]{3,}\"|[^\s\"'`|;&]{3,})", check=lambda t, a, v: _command_of(t, a)[0] == "htpasswd"),
    # curl -u user:password, --user=user:password, smbclient -U user%password, lftp -u user,password
    _Rule("secret", "-", r"(?<![\w-]-)(?:[uUa]|-user|-proxy-user|-auth|-creds?)(?P<keep>[ \t=]+[\"']?[^\s:%,\"']+[:%,])(?!\[REDACTED|\$|//)(?P<value>[^\s\"'@]{3,})",
          check=_user_password),
    # a random-looking value under a weaker name (signing_key=..., _auth=..., SECRET_KEY_BASE: ...), or
    # base64 that decodes to a secret (Kubernetes Secret data:, kubeconfig client-key-data:)
    _Rule("secret", "=", r"[ \t]*\\?[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", check=_random_under_weak_name),
    _Rule("secret", ":", r"(?!//)[ \t]*\\?[\"']?(?P<keep>)(?P<value>" + _RANDOM_VALUE + ")", check=_random_under_weak_name),
    _Rule("secret", ":", r"[ \t]*(?P<keep>)(?P<value>\"[^\"\s\\]{16,256}\"|'[^'\s\\]{16,256}')", check=_random_part_under_weak_name),
    # a typed value under a key named for what it does (ORBIT_ADMIN_KEY=Vx7!..., licenseKey: "...")
    *[_Rule("secret", anchor, _KEY_NAME_BEFORE[anchor] + r"(?P<keep>[ \t]*\\?[\"']?)(?=[^\s\"'`\\,;<>]*[!@#$^&*+?~|])"
            r"(?P<value>[^\s\"'`\\,;<>]{6,64})(?=\\?[\"']|[ \t]*(?:[,;}\]]|" + _EOL + "))",
            check=typed_under_credential_key) for anchor in "=:"],
    # ~/.pgpass: host:port:database:user:password
    _Rule("secret", ":", r"(?P<keep>)(?P<value>[^\s:'\"\\]{3,128}+)(?=[ \t]*" + _EOL + ")", check=_pgpass_line),
]  # fmt: skip


# Token rules anchored on a common letter (g of ghp_, . of hvs.) would stop at every occurrence of it;
# instead the RE2 pass finds them by these literals of their prefix, and their anchor's pattern is tried
# only where one occurs.
_BY_LITERAL = {
    ".": r"hv[sbr]\.|dp\.|\.atlasv1\.|sl\.|pat[A-Za-z0-9]{14}\.", "y": r"ya29\.|\.key", "g": r"gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|ft|soat|cbt)-",
    "x": r"xox[abprse]-|xapp-|ATATT3x", "p": r"dapi", "l": r"login", "J": r"eyJ", "X": r"GOCSPX", "E": r"EAA",
    "S": r"SK[0-9a-f]|SG\.", "A": r"AKIA|ASIA|AKID|AIza|:APA91b", "k": r"sk-|sk_|rk_|authtoken", "B": r"Bearer", "b": r"bearer",
    "z": r"uthoriz", "Z": r"UTHORIZ", "$": r"access_token\$", "~": r"[78]Q~", "c": r"nsec1",
}  # fmt: skip
_LITERAL = re.compile("|".join(_BY_LITERAL.values()))


# A cheap check right after an anchor that every rule of the anchor needs, so that the many occurrences
# of a common anchor that start nothing are rejected before any alternative is tried.
_GUARDS = {
    "-": r"(?:(?=----BEGIN)|(?<![\w-]-)(?=-|[A-Za-z])|(?<=[A-Za-z0-9]-)(?=[A-Za-z0-9_]{16}|us\d)|(?<=sdk-|na\d-|eu\d-|ap\d-)(?=[0-9a-f]{8}-)|(?<=<-)(?=[ \t]))",
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
    "=": r"(?<=[\w\"' :\]?]=)",
    ">": r"(?<=[A-Za-z=]>)",
    ":": r"(?:(?=//)|(?<=[\w\"']:)(?=[ \t]|[\"']?[A-Za-z0-9+/_.~-]{16}|[^\s:'\"\\]{3,128}+[ \t]*(?:\r?\n|\\n|$)|AA)"
         r"|(?<=pass:)|(?<=[pdsPDS]:)(?:(?<=/p:)|(?<=/P:)|(?<=/pwd:)|(?<=/pass:)|(?<=/password:)|(?<=/passwd:))(?=\S))",
}
