"""Writes the secret corpus (tuning.json, heldout.json) once; see README.md beside this file.

Every value is drawn from a seeded random generator: none is a real credential. Each secret sits in
the context a transcript shows it in (a user's prose, a tool's output, a tool call's JSON arguments,
a config file, a diff, shell history), and each look-alike is text a redactor must leave untouched.

The split was made ONCE, by this script, with SPLIT_SEED: every item is assigned to the held-out part
with probability 0.4. The held-out part is frozen: never regenerate it or edit it to fit the redactor.
Run only to audit (``python tests/data/secrets/make_corpus.py --check`` compares with the files).
"""

from __future__ import annotations

import base64
import json
import random
import string
import sys
import uuid
from pathlib import Path

VALUE_SEED = 20261204
SPLIT_SEED = 1919
HELD_OUT_SHARE = 0.4
HERE = Path(__file__).parent

r = random.Random(VALUE_SEED)
LOWER, UPPER, DIGITS = string.ascii_lowercase, string.ascii_uppercase, string.digits
A62 = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"
B64 = A62 + "+/"
URLSAFE = A62 + "-_"
WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "harbor", "indigo", "juniper", "kestrel",
         "lantern", "meadow", "nimbus", "orchid", "pebble", "quartz", "raven", "saffron", "tundra", "umber",
         "velvet", "willow", "xenon", "yarrow", "zephyr"]


def tok(alphabet: str, n: int) -> str:
    """A random token that mixes letters and digits when the alphabet has both (as real keys do)."""
    while True:
        value = "".join(r.choice(alphabet) for _ in range(n))
        if not (set(alphabet) & set(DIGITS)) or any(c.isdigit() for c in value) or n < 8:
            if not (set(alphabet) & set(LOWER + UPPER)) or any(c.isalpha() for c in value):
                return value


def password() -> str:
    """A human-chosen password: words, digits and a symbol, in one of several styles."""
    style = r.randrange(4)
    w1, w2 = r.sample(WORDS, 2)
    if style == 0:
        return f"{w1.capitalize()}-{w2.capitalize()}-{r.randrange(10, 99)}"
    if style == 1:
        return f"{w1}{r.randrange(100, 999)}{r.choice('!#%*')}{w2[:3].upper()}"
    if style == 2:
        return tok(A62, 14) + r.choice("!#%*")
    return f"{w1[:4]}{r.choice('!#%*')}{tok(A62, 6)}"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def call(name: str, args: dict) -> str:
    """A tool call as the readers render it: the tool name and its compact JSON arguments."""
    return f"{name} {json.dumps(args, separators=(',', ':'))}"


def host() -> str:
    return r.choice(["db.internal", "pg-prod.acme.lan", "10.20.3.14", "mysql.stage.example.net", "cache-1.corp.example"])


def user() -> str:
    return r.choice(["app", "deploy", "svc_orders", "admin", "ci-bot", "reporting"])


SECRETS: list[dict] = []
LOOKALIKES: list[dict] = []


def secret(kind: str, context: str, text: str, value: str) -> None:
    assert value in text, (kind, value)
    SECRETS.append({"kind": kind, "context": context, "text": text, "secret": value})


def lookalike(name: str, context: str, text: str) -> None:
    LOOKALIKES.append({"name": name, "context": context, "text": text})


# ---------------------------------------------------------------- vendor tokens, by documented prefix
def vendor_tokens() -> None:
    v = "sk-proj-" + tok(URLSAFE, 120)
    secret("openai", "config", f"OPENAI_API_KEY={v}\nOPENAI_ORG=org-{tok(A62, 24)}", v)
    v = "sk-ant-api03-" + tok(URLSAFE, 93) + "AA"
    secret("anthropic", "user", f"use this key for the eval run: {v} (it's the team one)", v)
    v = "sk-ant-admin01-" + tok(URLSAFE, 90)
    secret("anthropic", "tool_call", call("shell", {"command": ["bash", "-lc", f"export ANTHROPIC_ADMIN_KEY={v} && ./report.sh"]}), v)
    v = "AKIA" + tok(UPPER + DIGITS, 16)
    secret("aws_access_key", "config", f"[default]\naws_access_key_id = {v}\nregion = eu-central-1", v)
    v = tok(B64, 40)
    secret("aws_secret_key", "config", f"[ci]\naws_access_key_id = AKIA{tok(UPPER + DIGITS, 16)}\naws_secret_access_key = {v}", v)
    v = tok(B64, 40)
    secret("aws_secret_key", "history", f"  512  export AWS_SECRET_ACCESS_KEY={v}", v)
    v = "IQoJb3JpZ2luX2Vj" + tok(B64, 300)
    secret("aws_session_token", "tool_output", f'{{\n    "Credentials": {{\n        "AccessKeyId": "ASIA{tok(UPPER + DIGITS, 16)}",\n        "SessionToken": "{v}",\n        "Expiration": "2026-11-02T10:00:00Z"\n    }}\n}}', v)
    v = "ghp_" + tok(A62, 36)
    secret("github", "history", f"git clone https://{v}@github.com/acme/infra.git", v)
    v = "github_pat_11" + tok(UPPER + DIGITS, 20) + "_" + tok(A62, 59)
    secret("github", "user", f"here's a fine-grained PAT that can read the repo: {v}", v)
    v = "gho_" + tok(A62, 36)
    secret("github", "tool_output", f"github.com:\n    user: dev\n    oauth_token: {v}\n    git_protocol: https", v)
    v = "glpat-" + tok(URLSAFE, 20)
    secret("gitlab", "config", f'[[runners]]\n  url = "https://gitlab.example.com"\n  token = "{v}"', v)
    v = "glrt-" + tok(URLSAFE, 20)
    secret("gitlab", "history", f"gitlab-runner register --url https://gitlab.example.com --token {v}", v)
    v = f"xoxb-{r.randrange(10**11, 10**12)}-{r.randrange(10**12, 10**13)}-{tok(A62, 24)}"
    secret("slack", "assistant", f"I set SLACK_BOT_TOKEN to `{v}` in the deployment env.", v)
    v = f"T{tok(UPPER + DIGITS, 10)}/B{tok(UPPER + DIGITS, 10)}/{tok(A62, 24)}"
    secret("slack_webhook", "config", f"alerts:\n  webhook: https://hooks.slack.com/services/{v}", v)
    v = "sk_live_" + tok(A62, 99)
    secret("stripe", "tool_call", call("Write", {"file_path": ".env.production", "content": f"STRIPE_SECRET={v}\nSTRIPE_MODE=live\n"}), v)
    v = "rk_live_" + tok(A62, 99)
    secret("stripe", "user", f"the restricted key for the webhook worker is {v}", v)
    v = "whsec_" + tok(A62, 32)
    secret("stripe_webhook", "tool_output", f"> Ready! Your webhook signing secret is {v} (^C to quit)", v)
    v = "AIza" + tok(URLSAFE, 35)
    secret("google_api_key", "config", f'const firebaseAdmin = {{ serverKey: "{v}" }};', v)
    v = "GOCSPX-" + tok(URLSAFE, 28)
    secret("google_oauth", "tool_output", f'{{"web":{{"client_id":"{r.randrange(10**11, 10**12)}-{tok(LOWER + DIGITS, 32)}.apps.googleusercontent.com","client_secret":"{v}","redirect_uris":["http://localhost:8080/cb"]}}}}', v)
    v = "npm_" + tok(A62, 36)
    secret("npm", "config", f"//registry.npmjs.org/:_authToken={v}\nalways-auth=true", v)
    v = "pypi-AgEIcHlwaS5vcmc" + tok(URLSAFE, 150)
    secret("pypi", "config", f"[pypi]\n  username = __token__\n  password = {v}", v)
    v = "hf_" + tok(LOWER + UPPER, 34)
    secret("huggingface", "history", f"huggingface-cli login --token {v}", v)
    head = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').decode().rstrip("=")
    body = base64.urlsafe_b64encode(json.dumps({"sub": tok(HEX, 12), "role": "service_role", "iat": 1760000000}).encode()).decode().rstrip("=")
    v = f"{head}.{body}.{tok(URLSAFE, 43)}"
    secret("jwt", "config", f"SUPABASE_SERVICE_ROLE_KEY={v}", v)
    secret("jwt", "tool_output", f"HTTP/1.1 200 OK\nSet-Cookie: session={v}; HttpOnly; Path=/", v)
    v = "SG." + tok(URLSAFE, 22) + "." + tok(URLSAFE, 43)
    secret("sendgrid", "user", f"sendgrid key: {v}", v)
    v = "SK" + tok(HEX, 32)
    secret("twilio", "config", f"TWILIO_API_KEY_SID={v}\nTWILIO_REGION=ie1", v)
    v = "dp.st.prd." + tok(A62, 43)
    secret("doppler", "history", f"DOPPLER_TOKEN={v} doppler run -- npm start", v)
    v = "dp.st.dev." + tok(A62, 43)
    secret("doppler", "user", f"I generated a service token {v} for staging", v)
    v = "hvs." + tok(URLSAFE, 90)
    secret("vault", "tool_output", f"Key                  Value\n---                  -----\ntoken                {v}\ntoken_accessor       {tok(A62, 24)}\ntoken_duration       768h", v)
    v = "hvs." + tok(URLSAFE, 24)
    secret("vault", "history", f"vault login {v}", v)
    v = "lin_api_" + tok(A62, 40)
    secret("linear", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -s -H 'Authorization: {v}' https://api.linear.app/graphql -d @q.json"]}), v)
    v = "lin_api_" + tok(A62, 40)
    secret("linear", "user", f"linear api key {v}", v)
    v = "ntn_" + tok(DIGITS, 11) + tok(A62, 35)
    secret("notion", "config", f"NOTION_TOKEN={v}", v)
    v = "secret_" + tok(A62, 43)
    secret("notion", "user", f"the notion integration secret is {v}, please wire it up", v)
    v = "dop_v1_" + tok(HEX, 64)
    secret("digitalocean", "history", f"doctl auth init --access-token {v}", v)
    v = "dop_v1_" + tok(HEX, 64)
    secret("digitalocean", "assistant", f"Terraform will read `do_token = \"{v}\"` from terraform.tfvars.", v)
    v = tok(HEX, 37)
    secret("cloudflare_global_key", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -H 'X-Auth-Email: ops@example.com' -H 'X-Auth-Key: {v}' https://api.cloudflare.com/client/v4/zones"]}), v)
    v = tok(HEX, 37)
    secret("cloudflare_global_key", "config", f"CF_API_EMAIL=ops@example.com\nCF_API_KEY={v}", v)
    v = tok(URLSAFE, 40)
    secret("cloudflare_api_token", "config", f"CLOUDFLARE_API_TOKEN={v}", v)
    v = "ATATT3xFfGF0" + tok(URLSAFE, 170) + "=" + tok(HEX.upper(), 8)
    secret("atlassian", "user", f"jira token: {v}", v)
    v = "ATATT3xFfGF0" + tok(URLSAFE, 170) + "=" + tok(HEX.upper(), 8)
    secret("atlassian", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -u me@example.com:{v} https://acme.atlassian.net/rest/api/3/myself"]}), v)
    discord_id = base64.b64encode(str(r.randrange(10**17, 10**18)).encode()).decode().rstrip("=")
    v = f"{discord_id}.{tok(URLSAFE, 6)}.{tok(URLSAFE, 38)}"
    secret("discord", "config", f"DISCORD_BOT_TOKEN={v}", v)
    discord_id = base64.b64encode(str(r.randrange(10**17, 10**18)).encode()).decode().rstrip("=")
    v = f"{discord_id}.{tok(URLSAFE, 6)}.{tok(URLSAFE, 38)}"
    secret("discord", "user", f"bot token is {v}", v)
    v = f"{r.randrange(10**9, 10**10)}:AA{tok(URLSAFE, 33)}"
    secret("telegram", "user", f"here's the telegram bot: {v}", v)
    v = f"{r.randrange(10**8, 10**9)}:AA{tok(URLSAFE, 33)}"
    secret("telegram", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl https://api.telegram.org/bot{v}/getMe"]}), v)
    v = str(uuid.UUID(int=r.getrandbits(128), version=4))
    secret("heroku", "config", f"HEROKU_API_KEY={v}", v)
    v = str(uuid.UUID(int=r.getrandbits(128), version=4))
    secret("heroku", "tool_output", f"machine api.heroku.com\n  login dev@example.com\n  password {v}", v)
    v = "PMAK-" + tok(HEX, 24) + "-" + tok(HEX, 34)
    secret("postman", "config", f"POSTMAN_API_KEY={v}", v)
    v = "PMAK-" + tok(HEX, 24) + "-" + tok(HEX, 34)
    secret("postman", "user", f"postman: {v}", v)
    v = "glsa_" + tok(A62, 32) + "_" + tok(HEX, 8)
    secret("grafana", "config", f"grafana:\n  url: https://grafana.example.com\n  auth: {v}", v)
    v = "glc_" + tok(B64, 80) + "=="
    secret("grafana", "history", f"export GRAFANA_CLOUD_TOKEN={v}", v)
    v = "dapi" + tok(HEX, 32)
    secret("databricks", "config", f"[DEFAULT]\nhost = https://adb-{r.randrange(10**15, 10**16)}.7.azuredatabricks.net\ntoken = {v}", v)
    v = "dapi" + tok(HEX, 32) + "-2"
    secret("databricks", "user", f"the PAT for the workspace: {v}", v)
    v = f"2{tok(A62, 26)}_{tok(A62, 21)}"
    secret("ngrok", "history", f"ngrok config add-authtoken {v}", v)
    v = f"2{tok(A62, 26)}_{tok(A62, 21)}"
    secret("ngrok", "config", f'version: "2"\nauthtoken: {v}\ntunnels:\n  web:\n    proto: http\n    addr: 3000', v)
    v = f"tskey-auth-{tok(A62, 12)}CNTRL-{tok(A62, 33)}"
    secret("tailscale", "history", f"sudo tailscale up --authkey {v}", v)
    v = f"tskey-api-{tok(A62, 12)}CNTRL-{tok(A62, 33)}"
    secret("tailscale", "user", f"use {v} for the api calls", v)
    v = "FlyV1 fm2_" + tok(B64, 180) + "=="
    secret("flyio", "config", f"FLY_API_TOKEN='{v}'", v.split(" ")[1])
    v = "fm2_" + tok(B64, 180) + "=="
    secret("flyio", "tool_output", f"$ fly tokens create deploy\n{v}", v)
    v = tok(LOWER + "234567", 52)
    secret("azure_devops_pat", "config", f"AZURE_DEVOPS_EXT_PAT={v}", v)
    v = tok(LOWER + "234567", 52)
    secret("azure_devops_pat", "history", f"git clone https://pat:{v}@dev.azure.com/acme/shop/_git/shop", v)
    v = "AGE-SECRET-KEY-1" + tok("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
    secret("age", "tool_output", f"# created: 2026-10-30T09:12:44Z\n# public key: age1{tok('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n{v}", v)
    v = "AGE-SECRET-KEY-1" + tok("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
    secret("age", "user", f"sops needs SOPS_AGE_KEY={v} in CI", v)
    v = "shpat_" + tok(HEX, 32)
    secret("shopify", "config", f"SHOPIFY_ADMIN_TOKEN={v}", v)
    v = "shpss_" + tok(HEX, 32)
    secret("shopify", "user", f"shopify app secret {v}", v)
    v = "key-" + tok(HEX, 32)
    secret("mailgun", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -s --user 'api:{v}' https://api.mailgun.net/v3/mg.example.com/messages"]}), v)
    v = tok(HEX, 32) + "-us" + str(r.randrange(2, 21))
    secret("mailchimp", "config", f"MAILCHIMP_API_KEY={v}", v)
    v = "sntrys_" + tok(B64, 160)
    secret("sentry", "config", f"[auth]\ntoken={v}", v)
    v = "sntryu_" + tok(HEX, 64)
    secret("sentry", "history", f"SENTRY_AUTH_TOKEN={v} sentry-cli releases new v1.4.2", v)
    v = tok(HEX, 32)
    secret("datadog", "config", f"DD_API_KEY={v}\nDD_SITE=datadoghq.eu", v)
    v = tok(HEX, 40)
    secret("datadog", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -H 'DD-APPLICATION-KEY: {v}' https://api.datadoghq.eu/api/v1/dashboard"]}), v)
    v = "NRAK-" + tok(UPPER + DIGITS, 27)
    secret("newrelic", "config", f"NEW_RELIC_API_KEY={v}", v)
    v = tok(HEX, 36) + "NRAL"
    secret("newrelic", "config", f"newrelic:\n  license_key: {v}", v)
    v = "pul-" + tok(HEX, 40)
    secret("pulumi", "history", f"export PULUMI_ACCESS_TOKEN={v}", v)
    v = tok(A62, 14) + ".atlasv1." + tok(A62, 67)
    secret("terraform_cloud", "config", f'credentials "app.terraform.io" {{\n  token = "{v}"\n}}', v)
    v = tok(A62, 24)
    secret("vercel", "history", f"vercel deploy --prod --token {v}", v)
    v = "nfp_" + tok(A62, 36)
    secret("netlify", "config", f"NETLIFY_AUTH_TOKEN={v}", v)
    v = "sbp_" + tok(HEX, 40)
    secret("supabase", "history", f"supabase login --token {v}", v)
    v = "pscale_tkn_" + tok(URLSAFE, 43)
    secret("planetscale", "config", f"PLANETSCALE_SERVICE_TOKEN={v}", v)
    v = "r8_" + tok(A62, 37)
    secret("replicate", "user", f"replicate token r8 is {v}", v)
    v = "gsk_" + tok(A62, 52)
    secret("groq", "config", f'client = Groq(api_key="{v}")', v)
    v = "sk-or-v1-" + tok(HEX, 64)
    secret("openrouter", "assistant", f"I exported OPENROUTER_API_KEY={v} for this shell.", v)
    v = tok(A62, 32)
    secret("mistral", "config", f"MISTRAL_API_KEY={v}", v)
    v = tok(A62, 40)
    secret("cohere", "config", f'cohere:\n  api_key: "{v}"', v)
    v = "pplx-" + tok(A62, 48)
    secret("perplexity", "user", f"perplexity key pplx: {v}", v)
    v = "xai-" + tok(A62, 80)
    secret("xai", "config", f"XAI_API_KEY={v}", v)
    v = "dckr_pat_" + tok(URLSAFE, 27)
    secret("dockerhub", "history", f"echo {v} | docker login -u acmebot --password-stdin", v)
    v = "CCIPAT_" + tok(A62, 22) + "_" + tok(HEX, 40)
    secret("circleci", "config", f"CIRCLE_TOKEN={v}", v)
    v = "bkua_" + tok(HEX, 40)
    secret("buildkite", "config", f"BUILDKITE_API_TOKEN={v}", v)
    v = str(uuid.UUID(int=r.getrandbits(128), version=4))
    secret("snyk", "history", f"snyk auth {v}", v)
    v = "00" + tok(URLSAFE, 40)
    secret("okta", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -H 'Authorization: SSWS {v}' https://acme.okta.com/api/v1/users"]}), v)
    v = "EAAA" + tok(URLSAFE, 60)
    secret("square", "config", f"SQUARE_ACCESS_TOKEN={v}", v)
    v = "sq0csp-" + tok(URLSAFE, 43)
    secret("square", "user", f"square oauth secret sq0csp is {v}", v)
    v = f"access_token$production${tok(LOWER + DIGITS, 16)}${tok(HEX, 32)}"
    secret("braintree", "config", f"BRAINTREE_ACCESS_TOKEN={v}", v)
    v = "AAAA" + tok(URLSAFE, 7) + ":APA91b" + tok(URLSAFE, 134)
    secret("firebase_fcm", "config", f'"fcm_server_key": "{v}"', v)
    v = tok(HEX, 32)
    secret("algolia", "config", f"ALGOLIA_APP_ID={tok(UPPER + DIGITS, 10)}\nALGOLIA_ADMIN_KEY={v}", v)
    v = "CFPAT-" + tok(URLSAFE, 43)
    secret("contentful", "history", f"contentful login --management-token {v}", v)
    v = "figd_" + tok(URLSAFE, 40)
    secret("figma", "config", f"FIGMA_TOKEN={v}", v)
    v = f"2/{r.randrange(10**15, 10**16)}/{r.randrange(10**15, 10**16)}:{tok(HEX, 32)}"
    secret("asana", "config", f"ASANA_PAT={v}", v)
    v = "11" + tok(HEX, 32)
    secret("jenkins", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -X POST -u admin:{v} https://ci.example.com/job/deploy/build"]}), v)
    v = "glsa_" + tok(A62, 32) + "_" + tok(HEX, 8)
    secret("grafana", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -H 'Authorization: Bearer {v}' https://grafana.example.com/api/search"]}), v)
    v = tok(URLSAFE, 3) + "8Q~" + tok(URLSAFE + "~.", 31)
    secret("azure_client_secret", "config", f"AZURE_CLIENT_SECRET={v}", v)
    v = tok(B64, 86) + "=="
    secret("azure_storage", "config", f"DefaultEndpointsProtocol=https;AccountName=acmeprod;AccountKey={v};EndpointSuffix=core.windows.net", v)
    v = tok(B64, 43) + "="
    secret("azure_sas", "tool_output", f"https://acmeprod.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&sig={v.replace('+', '%2B').replace('/', '%2F')}", v.replace("+", "%2B").replace("/", "%2F"))


# ---------------------------------------------------------------- key blocks
def key_blocks() -> None:
    body = "\n".join(tok(B64, 64) for _ in range(6))
    v = f"-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----"
    secret("private_key_pem", "tool_output", f"$ cat deploy/key.pem\n{v}\n", body.split("\n")[2])
    body = "\n".join(tok(B64, 70) for _ in range(5))
    v = f"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{body}\n-----END OPENSSH PRIVATE KEY-----"
    secret("private_key_openssh", "tool_call", call("Write", {"file_path": "/tmp/id_ci", "content": v + "\n"}), body.split("\n")[1])
    body = "\n".join(tok(B64, 64) for _ in range(3))
    v = f"-----BEGIN EC PRIVATE KEY-----\n{body}\n-----END EC PRIVATE KEY-----"
    secret("private_key_ec", "config", f"tls:\n  key: |\n    {v.replace(chr(10), chr(10) + '    ')}", body.split("\n")[1])
    body = "\n".join(tok(B64, 64) for _ in range(8))
    v = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQVYBGc{body}\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----"
    secret("private_key_pgp", "tool_output", f"$ gpg --export-secret-keys --armor dev@example.com\n{v}", body.split("\n")[4])
    pub = "\n".join(tok(B64, 64) for _ in range(4))
    priv = "\n".join(tok(B64, 64) for _ in range(6))
    v = (f"PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: rsa-key-20261030\nPublic-Lines: 4\n{pub}\n"
         f"Private-Lines: 6\n{priv}\nPrivate-MAC: {tok(HEX, 64)}")
    secret("putty_ppk", "tool_output", f"$ cat ~/keys/jumpbox.ppk\n{v}", priv.split("\n")[3])
    priv = "\n".join(tok(B64, 64) for _ in range(2))
    v = (f"PuTTY-User-Key-File-2: ssh-ed25519\nEncryption: none\nComment: ed25519-key\nPublic-Lines: 2\n{tok(B64, 64)}\n{tok(B64, 20)}\n"
         f"Private-Lines: 1\n{priv.split(chr(10))[0]}\nPrivate-MAC: {tok(HEX, 40)}")
    secret("putty_ppk", "tool_call", call("Write", {"file_path": "keys/bastion.ppk", "content": v}), priv.split("\n")[0])
    ca = b64("-----BEGIN CERTIFICATE-----\n" + tok(B64, 64) + "\n-----END CERTIFICATE-----\n")
    cert = b64("-----BEGIN CERTIFICATE-----\n" + tok(B64, 64) + "\n-----END CERTIFICATE-----\n")
    key = b64("-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(tok(B64, 64) for _ in range(4)) + "\n-----END RSA PRIVATE KEY-----\n")
    kubeconfig = (f"apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: {ca}\n    server: https://10.0.0.1:6443\n  name: prod\n"
                  f"users:\n- name: admin\n  user:\n    client-certificate-data: {cert}\n    client-key-data: {key}\n")
    secret("kubeconfig_client_key", "tool_output", f"$ cat ~/.kube/config\n{kubeconfig}", key)
    key = b64("-----BEGIN EC PRIVATE KEY-----\n" + "\n".join(tok(B64, 64) for _ in range(2)) + "\n-----END EC PRIVATE KEY-----\n")
    secret("kubeconfig_client_key", "tool_call", call("Write", {"file_path": "kubeconfig.yaml", "content": f"users:\n- name: ci\n  user:\n    client-key-data: {key}\n"}), key)
    v = f"{tok(A62, 40)}"
    secret("kubeconfig_token", "config", f"users:\n- name: sa-deployer\n  user:\n    token: {v}", v)


# ---------------------------------------------------------------- connection strings, every scheme
def connection_strings() -> None:
    schemes = [
        ("postgres", "postgresql://{u}:{p}@{h}:5432/orders?sslmode=require"),
        ("postgres", "postgres://{u}:{p}@{h}/app"),
        ("mysql", "mysql://{u}:{p}@{h}:3306/shop"),
        ("mysql", "mysql+pymysql://{u}:{p}@{h}/shop?charset=utf8mb4"),
        ("mongodb", "mongodb+srv://{u}:{p}@cluster0.ab12cd.mongodb.net/test?retryWrites=true"),
        ("mongodb", "mongodb://{u}:{p}@{h}:27017,{h}:27018/?replicaSet=rs0"),
        ("redis", "redis://:{p}@{h}:6379/0"),
        ("redis", "rediss://default:{p}@{h}:6380"),
        ("amqp", "amqp://{u}:{p}@{h}:5672/%2F"),
        ("smtp", "smtp://{u}:{p}@smtp.example.com:587"),
        ("ftp", "ftp://{u}:{p}@files.example.com/upload"),
        ("ldap", "ldaps://cn={u},dc=example,dc=com:{p}@ldap.example.com"),
        ("clickhouse", "clickhouse://{u}:{p}@{h}:9000/default"),
        ("kafka", "kafka+sasl://{u}:{p}@{h}:9093"),
        ("nats", "nats://{u}:{p}@{h}:4222"),
        ("sqlalchemy_mssql", "mssql+pyodbc://{u}:{p}@{h}/erp?driver=ODBC+Driver+18+for+SQL+Server"),
        ("git_https", "https://{u}:{p}@git.example.com/acme/tools.git"),
        ("http_proxy", "http://{u}:{p}@proxy.corp.example:3128"),
    ]
    contexts = [
        ("config", "DATABASE_URL={url}"),
        ("tool_output", "sqlalchemy.exc.OperationalError: could not connect to {url}"),
        ("user", "connect with {url} please"),
        ("tool_call", "CALL"),
        ("config", "  url: \"{url}\""),
    ]
    for n, (kind, pattern) in enumerate(schemes):
        p = password()
        url = pattern.format(u=user(), p=p, h=host())
        context, template = contexts[n % len(contexts)]
        if template == "CALL":
            text = call("shell", {"command": ["bash", "-lc", f"psql '{url}' -c 'select 1'" if kind == "postgres" else f"./probe --dsn '{url}'"]})
        else:
            text = template.format(url=url)
        secret(f"url_{kind}", context, text, p)
    p = password()
    secret("ado_connection_string", "config", f'"ConnectionStrings": {{ "Default": "Server={host()};Database=erp;User Id={user()};Password={p};TrustServerCertificate=True" }}', p)
    p = password()
    secret("ado_connection_string", "tool_output", f"Server=tcp:{host()},1433;Initial Catalog=crm;Persist Security Info=False;User ID={user()};Pwd={p};Encrypt=True;", p)
    p = password()
    secret("jdbc_password", "config", f"spring.datasource.url=jdbc:postgresql://{host()}:5432/app?user={user()}&password={p}", p)
    p = password()
    secret("libpq_keywords", "history", f"psql \"host={host()} dbname=app user={user()} password={p} sslmode=require\"", p)
    p = password()
    secret("odbc", "config", f"[erp]\nDriver=ODBC Driver 18 for SQL Server\nServer={host()}\nUID={user()}\nPWD={p}", p)


# ---------------------------------------------------------------- credentials on command lines
def command_lines() -> None:
    p = password()
    secret("cli_mysql_p", "history", f"mysql -h {host()} -u root -p{p} shop < dump.sql", p)
    p = tok(A62, 16)
    secret("cli_mysql_p", "tool_call", call("shell", {"command": ["bash", "-lc", f"mysqldump -u{user()} -p'{p}' shop > /tmp/shop.sql"]}), p)
    p = password()
    secret("cli_mysql_password", "history", f"mysql --user=app --password={p} -e 'show databases'", p)
    p = password()
    secret("cli_docker_login", "tool_call", call("shell", {"command": ["bash", "-lc", f"docker login -u acmebot -p {p} registry.example.com"]}), p)
    p = tok(A62, 20)
    secret("cli_docker_login", "history", f"docker login --username ci --password {p} ghcr.io", p)
    p = password()
    secret("cli_sshpass", "history", f"sshpass -p '{p}' ssh deploy@{host()} 'sudo systemctl restart api'", p)
    p = password()
    secret("cli_sshpass", "tool_call", call("shell", {"command": ["bash", "-lc", f"sshpass -p {p} scp build.tgz ops@{host()}:/srv/"]}), p)
    p = password()
    secret("cli_curl_user", "history", f"curl -u admin:{p} https://{host()}/api/health", p)
    p = password()
    secret("cli_curl_user", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl --user 'svc:{p}' -X POST https://nexus.example.com/service/rest/v1/components"]}), p)
    p = password()
    secret("cli_pgpassword", "history", f"PGPASSWORD={p} psql -h {host()} -U app -d orders", p)
    p = password()
    secret("cli_pgpassword", "tool_call", call("shell", {"command": ["bash", "-lc", f"PGPASSWORD='{p}' pg_dump -h {host()} -U app orders > o.sql"]}), p)
    p = password()
    secret("cli_redis_a", "history", f"redis-cli -h {host()} -a {p} INFO replication", p)
    p = password()
    secret("cli_mongo_p", "history", f"mongosh \"mongodb://{host()}:27017\" -u admin -p '{p}' --authenticationDatabase admin", p)
    p = password()
    secret("cli_ldap_w", "history", f"ldapsearch -x -H ldap://ldap.example.com -D 'cn=admin,dc=example,dc=com' -w {p} '(uid=dev)'", p)
    p = password()
    secret("cli_openssl_pass", "history", f"openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{p}", p)
    p = password()
    secret("cli_zip_P", "history", f"zip -P {p} -r backup.zip ./exports", p)
    p = password()
    secret("cli_7z_p", "history", f"7z a -p{p} secrets.7z ./vault", p)
    p = password()
    secret("cli_keytool", "history", f"keytool -importkeystore -srckeystore a.p12 -destkeystore a.jks -storepass {p}", p)
    p = password()
    secret("cli_gpg_passphrase", "history", f"gpg --batch --passphrase '{p}' -d backup.tar.gpg | tar x", p)
    p = password()
    secret("cli_mount_cifs", "history", f"sudo mount -t cifs //nas/share /mnt/nas -o username=dev,password={p}", p)
    p = password()
    secret("cli_helm_set", "tool_call", call("shell", {"command": ["bash", "-lc", f"helm upgrade --install db bitnami/postgresql --set auth.postgresPassword={p}"]}), p)
    p = password()
    secret("cli_htpasswd", "history", f"htpasswd -b -c /etc/nginx/.htpasswd admin {p}", p)
    p = password()
    secret("cli_net_user", "history", f"net use Z: \\\\fileserver\\team {p} /user:CORP\\dev", p)
    p = password()
    secret("cli_wget_password", "history", f"wget --user=dev --password={p} https://{host()}/artifacts/app.tar.gz", p)
    p = password()
    secret("cli_git_credential", "tool_output", f"$ cat ~/.git-credentials\nhttps://dev:{p}@git.example.com", p)
    p = password()
    secret("cli_az_login", "history", f"az login --service-principal -u {uuid.UUID(int=r.getrandbits(128), version=4)} -p {p} --tenant acme.onmicrosoft.com", p)
    p = password()
    secret("cli_psql_password_env", "tool_call", call("shell", {"command": ["bash", "-lc", f"env MYSQL_PWD={p} mysql -u app shop -e 'select 1'"]}), p)


# ---------------------------------------------------------------- config files and diffs
def files_and_diffs() -> None:
    p = password()
    secret("pgpass", "tool_output", f"$ cat ~/.pgpass\n{host()}:5432:orders:{user()}:{p}\n*:*:*:reporting:{password()}", p)
    p = password()
    secret("pgpass", "tool_call", call("Write", {"file_path": "/home/dev/.pgpass", "content": f"localhost:5432:*:postgres:{p}\n"}), p)
    p = password()
    secret("netrc", "tool_output", f"$ cat ~/.netrc\nmachine {host()}\n  login dev\n  password {p}", p)
    p = password()
    old = password()
    secret("diff_password", "tool_output", f"diff --git a/config/database.yml b/config/database.yml\n--- a/config/database.yml\n+++ b/config/database.yml\n@@ -4,3 +4,3 @@ production:\n   username: app\n-  password: {old}\n+  password: {p}\n   host: {host()}", p)
    p = password()
    secret("diff_password", "tool_output", f"@@ -1,4 +1,4 @@\n DB_HOST={host()}\n-DB_PASS=\n+DB_PASS={p}\n DB_NAME=shop", p)
    v = tok(HEX, 32)
    secret("rails_master_key", "tool_output", f"$ cat config/master.key\n{v}", v)
    v = tok(HEX, 32)
    secret("rails_master_key", "config", f"RAILS_MASTER_KEY={v}", v)
    v = tok(HEX, 128)
    secret("rails_secret_key_base", "config", f"production:\n  secret_key_base: {v}", v)
    v = tok(A62 + "!@#$%^&*(-_=+)", 50)
    secret("django_secret_key", "config", f"SECRET_KEY = '{v}'", v)
    v = tok(B64, 43) + "="
    secret("nextauth_secret", "config", f"NEXTAUTH_SECRET=\"{v}\"", v)
    v = tok(HEX, 64)
    secret("flask_secret_key", "config", f"app.secret_key = \"{v}\"", v)
    db_url = f"postgresql://app:{password()}@{host()}:5432/app"
    v = b64(db_url)
    secret("k8s_secret_data", "tool_output", f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-env\ntype: Opaque\ndata:\n  DATABASE_URL: {v}\n  LOG_LEVEL: {b64('info')}", v)
    v = b64(password())
    secret("k8s_secret_data", "tool_call", call("Write", {"file_path": "k8s/secret.yaml", "content": f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  username: {b64('app')}\n  password: {v}\n"}), v)
    p = password()
    secret("k8s_string_data", "config", f"kind: Secret\napiVersion: v1\nmetadata:\n  name: smtp\nstringData:\n  SMTP_PASS: {p}", p)
    v = b64(f"{user()}:{password()}")
    secret("docker_config_auth", "tool_output", f'$ cat ~/.docker/config.json\n{{\n  "auths": {{\n    "registry.example.com": {{\n      "auth": "{v}"\n    }}\n  }}\n}}', v)
    p = password()
    secret("yaml_password", "config", f"spring:\n  datasource:\n    username: app\n    password: {p}\n    url: jdbc:postgresql://{host()}/app", p)
    p = password()
    secret("toml_password", "config", f"[database]\nuser = \"app\"\npassword = \"{p}\"\nhost = \"{host()}\"", p)
    p = password()
    secret("ini_password", "config", f"[client]\nuser=backup\npassword={p}\nhost={host()}", p)
    p = password()
    secret("json_password", "tool_output", f'{{"db": {{"host": "{host()}", "user": "app", "password": "{p}"}}}}', p)
    p = password()
    secret("tfvars_password", "config", f'db_admin_password = "{p}"\nregion = "eu-west-1"', p)
    p = password()
    secret("properties_password", "config", f"mail.smtp.user=alerts\nmail.smtp.password={p}", p)
    p = password()
    secret("xml_password", "config", f"<server>\n  <id>nexus</id>\n  <username>deploy</username>\n  <password>{p}</password>\n</server>", p)
    p = password()
    secret("wpa_psk", "config", f'network={{\n    ssid="acme-office"\n    psk="{p}"\n}}', p)
    p = password()
    secret("compose_env", "config", f"services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_PASSWORD={p}", p)
    p = password()
    secret("pypirc_password", "config", f"[testpypi]\nrepository = https://test.pypi.org/legacy/\nusername = dev\npassword = {p}", p)
    v = tok(A62, 30)
    secret("npmrc_auth", "config", f"//npm.pkg.example.com/:_password={b64(v)}\n//npm.pkg.example.com/:username=ci", b64(v))
    p = password()
    secret("tool_json_arg_password", "tool_call", call("mcp__db__connect", {"host": host(), "user": "app", "password": p}), p)
    p = password()
    secret("yaml_in_json_content", "tool_call", call("Write", {"file_path": "config/settings.yml", "content": f"smtp:\n  host: smtp.example.com\n  password: {p}\n  port: 587\n"}), p)
    v = tok(A62, 40)
    secret("env_in_json_content", "tool_call", call("Edit", {"file_path": ".env", "old_string": "API_TOKEN=", "new_string": f"API_TOKEN={v}"}), v)
    v = tok(URLSAFE, 48)
    secret("generic_x_api_key", "tool_call", call("shell", {"command": ["bash", "-lc", f"curl -H 'X-API-Key: {v}' https://api.example.com/v2/orders"]}), v)
    v = tok(URLSAFE, 32)
    secret("generic_bearer", "tool_output", f"> GET /v1/me HTTP/1.1\n> Host: api.example.com\n> Authorization: Bearer {v}\n> Accept: */*", v)
    v = b64(f"admin:{password()}")
    secret("basic_auth_header", "tool_call", call("WebFetch", {"url": "https://intranet.example.com/status", "headers": {"Authorization": f"Basic {v}"}}), v)
    v = tok(A62, 32)
    secret("session_cookie", "tool_output", f"< HTTP/2 302\n< set-cookie: sessionid={v}; expires=Sat, 05 Dec 2026 10:00:00 GMT; HttpOnly", v)
    v = tok(HEX, 40)
    secret("generic_token_history", "history", f"  877  export CI_DEPLOY_TOKEN={v}", v)
    v = tok(A62, 36)
    secret("gh_secret_set", "history", f"gh secret set DEPLOY_KEY --body {v}", v)


# ---------------------------------------------------------------- prose
def prose() -> None:
    phrasings = [
        ("user", "the db password is {p}"),
        ("user", "btw the staging password is {p} if you need to log in"),
        ("user", "Password for the admin account: {p}"),
        ("user", "login as admin / {p}"),
        ("user", "my sudo password is {p}, go ahead"),
        ("user", "use password {p} for the test user"),
        ("assistant", "I logged in as `root` with the password `{p}` you gave me."),
        ("user", "the wifi passphrase is {p}"),
        ("user", "the api token is {p}"),
        ("user", "creds are admin:{p}"),
        ("user", "pw: {p}"),
        ("user", "Das Passwort ist {p}"),
        ("user", "the mysql root pass is {p} (don't commit it)"),
        ("user", "password={p}"),
        ("tool_output", "Generated a new password for 'deploy': {p}"),
        ("tool_output", "Initial admin password: {p}\nPlease change it after first login."),
    ]
    for context, template in phrasings:
        p = password()
        secret("prose_password", context, template.format(p=p), p)


# ---------------------------------------------------------------- look-alikes
def lookalikes() -> None:
    for _ in range(3):
        sha = tok(HEX, 40)
        lookalike("git_sha", "tool_output", f"commit {sha}\nAuthor: Dev <dev@example.com>\nDate:   Tue Nov 3 10:00:00 2026 +0100")
    lookalike("git_sha_short", "tool_output", f"[main {tok(HEX, 7)}] fix the retry loop\n 2 files changed, 14 insertions(+), 3 deletions(-)")
    lookalike("git_log_oneline", "tool_output", "\n".join(f"{tok(HEX, 7)} {m}" for m in ("bump deps", "rotate the api key in CI", "fix password reset flow")))
    lookalike("git_diff_index", "tool_output", f"diff --git a/src/auth.py b/src/auth.py\nindex {tok(HEX, 7)}..{tok(HEX, 7)} 100644\n--- a/src/auth.py\n+++ b/src/auth.py\n@@ -10,2 +10,2 @@\n-    token = request.headers.get('X-Token')\n+    token = request.headers.get('Authorization')")
    lookalike("diff_password_placeholder", "tool_output", "@@ -1,3 +1,3 @@\n DB_HOST=localhost\n-DB_PASS=\n+DB_PASS=${DB_PASS}\n DB_NAME=shop")
    lookalike("diff_password_rule", "tool_output", "-  password_min_length: 8\n+  password_min_length: 12")
    for _ in range(3):
        lookalike("uuid_id", "tool_output", f'{{"id": "{uuid.UUID(int=r.getrandbits(128), version=4)}", "status": "queued"}}')
    lookalike("uuid_request_id", "tool_output", f"x-request-id: {uuid.UUID(int=r.getrandbits(128), version=4)}")
    lookalike("heroku_app_id", "tool_output", f"=== acme-web\nApp ID: {uuid.UUID(int=r.getrandbits(128), version=4)}\nRegion: eu")
    lookalike("uuid_thread", "user", f"resume thread {uuid.UUID(int=r.getrandbits(128), version=4)} please")
    lookalike("snyk_org_id", "config", f"SNYK_ORG_ID={uuid.UUID(int=r.getrandbits(128), version=4)}")
    lookalike("azure_tenant_id", "config", f"AZURE_TENANT_ID={uuid.UUID(int=r.getrandbits(128), version=4)}\nAZURE_SUBSCRIPTION_ID={uuid.UUID(int=r.getrandbits(128), version=4)}")
    for _ in range(2):
        lookalike("npm_integrity", "config", f'"node_modules/left-pad": {{\n  "version": "1.3.0",\n  "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",\n  "integrity": "sha512-{tok(B64, 86)}=="\n}}')
    lookalike("yarn_lock_checksum", "config", f'"react@npm:18.3.1":\n  version: 18.3.1\n  checksum: {tok(HEX, 128)}')
    lookalike("pnpm_lock", "config", f"  /lodash@4.17.21:\n    resolution: {{integrity: sha512-{tok(B64, 86)}==}}")
    lookalike("go_sum", "config", f"golang.org/x/crypto v0.28.0 h1:{tok(B64, 43)}=\ngolang.org/x/crypto v0.28.0/go.mod h1:{tok(B64, 43)}=")
    lookalike("cargo_lock", "config", f'[[package]]\nname = "ring"\nversion = "0.17.8"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{tok(HEX, 64)}"')
    lookalike("poetry_lock", "config", f'files = [\n    {{file = "keyring-25.4.1-py3-none-any.whl", hash = "sha256:{tok(HEX, 64)}"}},\n]')
    lookalike("pip_hash", "config", f"cryptography==43.0.3 \\\n    --hash=sha256:{tok(HEX, 64)}")
    lookalike("uv_lock", "config", f'[[package]]\nname = "tokenizers"\nversion = "0.20.1"\nsdist = {{ url = "https://files.pythonhosted.org/tokenizers-0.20.1.tar.gz", hash = "sha256:{tok(HEX, 64)}" }}')
    lookalike("docker_digest", "tool_output", f"Digest: sha256:{tok(HEX, 64)}\nStatus: Downloaded newer image for postgres:16")
    lookalike("docker_image_id", "tool_output", f"REPOSITORY   TAG   IMAGE ID       CREATED\nacme/api     dev   {tok(HEX, 12)}   2 hours ago")
    lookalike("sha256sum", "tool_output", f"{tok(HEX, 64)}  dist/app-1.4.2.tar.gz")
    lookalike("md5", "tool_output", f"MD5 (release.zip) = {tok(HEX, 32)}")
    # package versions under names that contain token, key, secret, password, auth
    lookalike("pkg_spl_token", "config", '"dependencies": {\n  "@solana/spl-token": "^0.4.0",\n  "@solana/web3.js": "^1.95.3"\n}')
    lookalike("pkg_jsonwebtoken", "config", '"jsonwebtoken": "^9.0.2",\n"next-auth": "4.24.7",\n"bcrypt": "^5.1.1"')
    lookalike("pkg_secretlint", "config", '  "devDependencies": {\n    "secretlint": "8.2.4",\n    "@secretlint/secretlint-rule-preset-recommend": "8.2.4"\n  }')
    lookalike("pkg_passport", "config", '"passport-jwt": "4.0.1",\n"passport-local": "^1.0.0",\n"keytar": "7.9.0"')
    lookalike("pkg_python", "config", "tokenizers==0.20.1\nkeyring==25.4.1\npython-jose[cryptography]==3.3.0\nsecretstorage==3.3.3")
    lookalike("pkg_pyproject", "config", '[project]\ndependencies = [\n  "tiktoken>=0.8",\n  "itsdangerous>=2.2",\n  "passlib[bcrypt]>=1.7.4",\n]')
    lookalike("pkg_cargo", "config", '[dependencies]\njsonwebtoken = "9.3"\nsecrecy = "0.10"\nring = "0.17"')
    lookalike("pkg_go", "config", "require (\n\tgithub.com/golang-jwt/jwt/v5 v5.2.1\n\tgithub.com/zalando/go-keyring v0.2.5\n)")
    lookalike("pkg_gem", "config", "gem 'devise', '~> 4.9'\ngem 'jwt', '2.9.3'\ngem 'bcrypt', '~> 3.1.7'")
    lookalike("pkg_versions_yaml", "config", "dependencies:\n  flutter_secure_storage: ^9.2.2\n  jwt_decoder: ^2.0.1")
    # public keys and certificates
    lookalike("ssh_public_key", "tool_output", f"$ cat ~/.ssh/id_ed25519.pub\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{tok(B64, 43)} dev@laptop")
    lookalike("ssh_rsa_public_key", "config", f"ssh_authorized_keys:\n  - ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ{tok(B64, 300)} ci@build")
    lookalike("known_hosts", "tool_output", f"|1|{tok(B64, 27)}=|{tok(B64, 27)}= ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBB{tok(B64, 80)}=")
    lookalike("ssh_fingerprint", "tool_output", f"The key fingerprint is:\nSHA256:{tok(B64, 43)} dev@laptop")
    lookalike("pem_public_key", "tool_output", "-----BEGIN PUBLIC KEY-----\n" + "\n".join(tok(B64, 64) for _ in range(4)) + "\n-----END PUBLIC KEY-----")
    lookalike("pem_certificate", "tool_output", "-----BEGIN CERTIFICATE-----\n" + "\n".join(tok(B64, 64) for _ in range(6)) + "\n-----END CERTIFICATE-----")
    lookalike("pgp_public_key", "tool_output", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n" + "\n".join(tok(B64, 64) for _ in range(4)) + "\n=Ab12\n-----END PGP PUBLIC KEY BLOCK-----")
    lookalike("age_recipient", "config", f"creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1{tok('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}")
    lookalike("gpg_fingerprint", "tool_output", f"pub   ed25519 2026-01-10 [SC]\n      {tok(HEX.upper(), 40)}\nuid           [ultimate] Dev <dev@example.com>")
    lookalike("kubeconfig_public_parts", "config", f"clusters:\n- cluster:\n    certificate-authority-data: {b64('-----BEGIN CERTIFICATE-----' + chr(10) + tok(B64, 64) + chr(10) + '-----END CERTIFICATE-----' + chr(10))}\n    server: https://10.0.0.1:6443\n  name: dev")
    lookalike("kubeconfig_client_cert", "config", f"users:\n- name: dev\n  user:\n    client-certificate-data: {b64('-----BEGIN CERTIFICATE-----' + chr(10) + tok(B64, 64) + chr(10) + '-----END CERTIFICATE-----' + chr(10))}")
    lookalike("k8s_configmap", "config", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  LOG_LEVEL: info\n  FEATURE_FLAGS: checkout,search")
    lookalike("k8s_secret_ref", "config", "env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db-credentials\n        key: password")
    lookalike("k8s_secret_data_placeholder", "config", "kind: Secret\ndata:\n  password: ${DB_PASSWORD_B64}")
    lookalike("k8s_tls_secret_name", "config", "tls:\n  - hosts: [shop.example.com]\n    secretName: shop-tls")
    # paths, references and placeholders under secret-looking names
    lookalike("ssh_private_key_path", "config", "deploy:\n  host: web-1\n  ssh_private_key_path: ~/.ssh/deploy_ed25519")
    lookalike("private_key_file", "config", "[ssh]\nprivate_key_file = ~/.ssh/id_rsa\nuser = deploy")
    lookalike("key_file_tls", "config", "ssl_certificate_key /etc/nginx/ssl/shop.key;\nssl_certificate /etc/nginx/ssl/shop.crt;")
    lookalike("secret_key_file", "config", "SECRET_KEY_FILE=/run/secrets/django_key\nDB_PASSWORD_FILE=/run/secrets/db_password")
    lookalike("google_credentials_path", "config", "GOOGLE_APPLICATION_CREDENTIALS=/home/dev/keys/sa-reader.json")
    lookalike("token_path", "config", "tokenizer_path: models/tokenizer.json\ntoken_cache_dir: /var/cache/tokens")
    lookalike("env_reference", "config", "password: ${POSTGRES_PASSWORD}\napi_key: ${OPENAI_API_KEY}")
    lookalike("gha_secret_ref", "config", "      - run: ./deploy.sh\n        env:\n          NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n          AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET }}")
    lookalike("helm_template", "config", "password: {{ .Values.db.password | quote }}\ntoken: {{ required \"token\" .Values.token }}")
    lookalike("jinja_placeholder", "config", "db_password: \"{{ vault_db_password }}\"")
    lookalike("angle_placeholder", "user", "run `export OPENAI_API_KEY=<your-key>` first")
    lookalike("masked_password", "tool_output", "Username: admin\nPassword: ********\nLogin succeeded")
    lookalike("masked_token", "tool_output", "GITHUB_TOKEN=***\nNPM_TOKEN=[hidden]")
    lookalike("redacted_marker", "tool_output", "password=[REDACTED:secret] api_key=[REDACTED:openai]")
    lookalike("onepassword_ref", "config", "DB_PASSWORD=op://Engineering/postgres-prod/password")
    lookalike("vault_cli_field", "history", "vault kv get -field=password secret/data/db")
    lookalike("aws_secret_id", "history", "aws secretsmanager get-secret-value --secret-id prod/orders/db --query SecretString")
    lookalike("docker_password_stdin", "history", 'echo "$CR_PAT" | docker login ghcr.io -u dev --password-stdin')
    lookalike("gh_auth_with_token", "history", "gh auth login --with-token < ~/.config/gh-token.txt")
    lookalike("pgpassword_from_cmd", "history", "PGPASSWORD=$(pass show db/prod) psql -h db -U app")
    lookalike("mysql_prompt_p", "history", "mysql -u root -p shop")
    lookalike("mysql_prompt_p_end", "history", "mysql -h 127.0.0.1 -u app -p")
    lookalike("ssh_port_p", "history", "ssh -p 2222 deploy@web-1")
    lookalike("scp_port_P", "history", "scp -P 2222 build.tgz deploy@web-1:/srv")
    lookalike("git_log_p", "history", "git log -p -- src/auth/password_reset.py")
    lookalike("curl_user_only", "history", "curl -u dev https://intranet.example.com/status")
    lookalike("curl_netrc", "history", "curl --netrc-file ~/.netrc-ci https://files.example.com/a.tgz")
    lookalike("psql_no_password", "history", "psql -h localhost -U postgres -d orders -c 'select count(*) from orders'")
    lookalike("redis_cli_no_auth", "history", "redis-cli -h cache-1 -p 6379 PING")
    lookalike("docker_run_p", "history", "docker run -p 5432:5432 -e POSTGRES_PASSWORD_FILE=/run/secrets/pg postgres:16")
    lookalike("mkdir_p", "history", "mkdir -p ~/.config/tokens && cp -p a b")
    lookalike("sshpass_env", "history", "sshpass -e ssh deploy@web-1 uptime")
    lookalike("openssl_pass_env", "history", "openssl enc -aes-256-cbc -pass env:BACKUP_PASS -in db.sql -out db.sql.enc")
    lookalike("git_credential_helper", "config", "[credential]\n\thelper = osxkeychain\n[user]\n\tname = Dev")
    lookalike("getpass_code", "tool_call", call("Write", {"file_path": "tools/login.py", "content": "import getpass\npassword = getpass.getpass('Password: ')\ntoken = os.environ['API_TOKEN']\n"}))
    lookalike("code_env_lookup", "config", "api_key = os.environ.get(\"STRIPE_API_KEY\")\nsecret = settings.SECRET_KEY")
    lookalike("code_type_hints", "config", "class Settings(BaseSettings):\n    api_key: SecretStr\n    password: str | None = None\n    token_ttl: int = 3600")
    lookalike("code_ts_interface", "config", "interface Creds {\n  password: string;\n  token?: string;\n}")
    lookalike("code_compare", "config", "if password != confirm_password:\n    raise ValueError('passwords differ')")
    lookalike("code_sql_column", "config", "CREATE TABLE users (id uuid primary key, password_hash text not null, api_token_prefix text);")
    lookalike("sort_key", "config", "sort_key: created_at\nprimary_key: id\npartition_key: tenant_id")
    lookalike("cache_key", "config", "cache_key = f\"user:{user_id}:profile\"")
    lookalike("max_tokens", "config", "max_tokens: 4096\ntoken_budget: 100000\ntemperature: 0.2")
    lookalike("token_type", "tool_output", '{"token_type": "Bearer", "expires_in": 3599, "scope": "read:user"}')
    lookalike("empty_token", "tool_output", '{"access_token": "", "refresh_token": null}')
    lookalike("grant_type_password", "config", "grant_type=password&client_id=web-app&scope=openid")
    lookalike("password_policy", "config", "password_policy:\n  min_length: 12\n  require_symbols: true\n  max_age_days: 90")
    lookalike("api_key_header_name", "config", 'API_KEY_HEADER = "X-API-Key"\nTOKEN_PREFIX = "Bearer"')
    lookalike("public_keys_named", "config", f"STRIPE_PUBLISHABLE_KEY=pk_live_{tok(A62, 99)}")
    lookalike("public_keys_named2", "config", f"NEXT_PUBLIC_POSTHOG_KEY=phc_{tok(A62, 43)}")
    lookalike("stripe_object_ids", "tool_output", f"customer cus_{tok(A62, 14)} paid invoice in_{tok(A62, 24)} via pi_{tok(A62, 24)}")
    lookalike("oauth_client_id", "config", f"GOOGLE_CLIENT_ID={r.randrange(10**11, 10**12)}-{tok(LOWER + DIGITS, 32)}.apps.googleusercontent.com")
    lookalike("github_client_id", "config", f"GITHUB_CLIENT_ID=Iv1.{tok(HEX, 16)}")
    lookalike("aws_arn", "tool_output", f"arn:aws:secretsmanager:eu-west-1:{r.randrange(10**11, 10**12)}:secret:prod/db-{tok(A62, 6)}")
    lookalike("aws_account", "tool_output", f'{{"UserId": "AIDA{tok(UPPER + DIGITS, 17)}", "Account": "{r.randrange(10**11, 10**12)}", "Arn": "arn:aws:iam::{r.randrange(10**11, 10**12)}:user/dev"}}')
    lookalike("trace_id", "tool_output", f"traceparent: 00-{tok(HEX, 32)}-{tok(HEX, 16)}-01")
    lookalike("trace_id_json", "tool_output", f'{{"level":"error","trace_id":"{tok(HEX, 32)}","span_id":"{tok(HEX, 16)}","msg":"timeout"}}')
    lookalike("etag", "tool_output", f'ETag: "{tok(HEX, 32)}"')
    lookalike("s3_version", "tool_output", f'"VersionId": "{tok(URLSAFE, 32)}"')
    lookalike("data_uri", "tool_output", f"<img src=\"data:image/png;base64,iVBORw0KGgo{tok(B64, 120)}\">")
    lookalike("base64_text", "tool_output", b64("Deploys happen from the release branch after the smoke tests pass."))
    lookalike("base64_json", "tool_output", f"payload={b64(json.dumps({'event': 'push', 'ref': 'refs/heads/main'}))}")
    lookalike("jwt_header_only", "user", "the header part eyJhbGciOiJSUzI1NiJ9 says RS256")
    lookalike("jwks_kid", "tool_output", f'{{"keys": [{{"kty": "RSA", "kid": "{tok(URLSAFE, 43)}", "use": "sig", "alg": "RS256", "e": "AQAB"}}]}}')
    lookalike("hex_colors", "config", ":root { --brand: #1f6feb; --accent: #d29922; --bg: #0d1117 }")
    lookalike("semver", "tool_output", "Successfully installed keyring-25.4.1 secretstorage-3.3.3 tokenizers-0.20.1")
    lookalike("sk_words", "user", "ask-for-review before merging the task-list changes; sk-learn is what we call scikit-learn")
    lookalike("xoxo_word", "user", "xoxo from the team, see you at standup")
    lookalike("ghp_word", "user", "the ghp_ prefix means a classic GitHub token")
    lookalike("akia_word", "user", "AWS key ids start with AKIA, and temporary ones with ASIA")
    lookalike("hvs_prefix_doc", "assistant", "Vault service tokens start with `hvs.` and batch tokens with `hvb.`; I did not print any.")
    lookalike("age_doc", "assistant", "An age secret key starts with AGE-SECRET-KEY-1 and its public recipient with age1.")
    lookalike("prose_password_words", "user", "the password is too short, the reset link is broken and the token is expired")
    lookalike("prose_password_where", "user", "the db password is in 1Password under 'orders prod'")
    lookalike("prose_password_env", "user", "the password is in $DB_PASSWORD, don't print it")
    lookalike("prose_password_incorrect", "tool_output", "psql: error: FATAL:  password authentication failed for user \"app\"")
    lookalike("prose_password_prompt", "tool_output", "[sudo] password for dev: \nSorry, try again.")
    lookalike("prose_token_valid", "assistant", "The token is valid for one hour; the refresh token lasts 30 days.")
    lookalike("prose_secret_manager", "assistant", "I moved the secrets into AWS Secrets Manager and the app reads them at boot.")
    lookalike("prose_key_rotation", "user", "rotate the api keys every 90 days and never commit .env files")
    lookalike("prose_pass_tests", "tool_output", "===== 214 passed, 3 skipped in 12.31s =====")
    lookalike("prose_passphrase_doc", "assistant", "ssh-keygen asks for a passphrase; press enter twice for none.")
    lookalike("prose_password_is_required", "tool_output", "ValidationError: password is required; token must be at least 32 characters")
    lookalike("prose_german", "user", "Das Passwort ist abgelaufen, bitte zurücksetzen")
    lookalike("prose_the_password_is_the_same", "user", "the password is the same as before, I didn't change it")
    lookalike("url_no_password", "tool_output", "Cloning into 'shop'...\nremote: https://git@github.com/acme/shop.git\nhttps://dev@gitlab.example.com/acme/shop")
    lookalike("url_port", "tool_output", "Listening on http://localhost:8080 and postgres://localhost:5432/app")
    lookalike("url_placeholder_password", "config", "DATABASE_URL=postgresql://app:${DB_PASSWORD}@db:5432/app")
    lookalike("url_templated", "config", "url: mysql://{user}:{password}@{host}/{db}")
    lookalike("email_at", "user", "mail ops@example.com:8080 is not a url; user:group is chown syntax: chown app:app /srv")
    lookalike("chown", "history", "sudo chown -R www-data:www-data /var/www && chmod 600 ~/.pgpass")
    lookalike("pgpass_doc", "assistant", "A .pgpass line is hostname:port:database:username:password and the file must be mode 0600.")
    lookalike("pgpass_wildcards", "tool_output", "$ cat ~/.pgpass\n# hostname:port:database:username:password\n")
    lookalike("ppk_public_only", "tool_output", f"$ puttygen key.ppk -O public-openssh\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{tok(B64, 43)} rsa-key-2026")
    lookalike("rails_credentials_cmd", "history", "EDITOR=vim bin/rails credentials:edit --environment production")
    lookalike("rails_master_key_missing", "tool_output", "ActiveSupport::EncryptedFile::MissingKeyError: Missing encryption key to decrypt file with. Ask your team for your master key and write it to config/master.key or put it in the ENV['RAILS_MASTER_KEY'].")
    lookalike("token_counts", "tool_output", "tokens: input 12,431 / output 1,022 (cached 8,000)")
    lookalike("keyboard_words", "user", "the keyboard shortcut for secrets view is ctrl+shift+k")
    lookalike("monkey_patch", "config", "monkeypatch.setenv('API_TOKEN', 'test')\nmonkeypatch.setenv('PASSWORD', 'x')")
    lookalike("long_path", "tool_output", "/home/dev/.cache/pip/wheels/3f/9a/1b/4c2e8d0f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d")
    lookalike("python_traceback", "tool_output", 'Traceback (most recent call last):\n  File "/srv/app/auth.py", line 42, in verify_token\n    raise InvalidToken(token_id)\nInvalidToken: 7f3e2a1b')
    lookalike("ci_job_ids", "tool_output", f"Job {r.randrange(10**9, 10**10)} succeeded; artifact {tok(HEX, 24)} uploaded")
    lookalike("mongo_objectid", "tool_output", f'{{"_id": ObjectId("{tok(HEX, 24)}"), "name": "dev"}}')
    lookalike("slack_channel_ids", "tool_output", f"posted to channel C{tok(UPPER + DIGITS, 10)} as bot U{tok(UPPER + DIGITS, 10)}")
    lookalike("telegram_chat", "config", f"TELEGRAM_CHAT_ID=-100{r.randrange(10**9, 10**10)}")
    lookalike("discord_ids", "config", f"DISCORD_GUILD_ID={r.randrange(10**17, 10**18)}\nDISCORD_CLIENT_ID={r.randrange(10**17, 10**18)}")
    lookalike("sentry_dsn_public", "config", f"SENTRY_ENVIRONMENT=production\nSENTRY_RELEASE=shop@{tok(HEX, 12)}")
    lookalike("datadog_site", "config", "DD_SITE=datadoghq.eu\nDD_ENV=prod\nDD_SERVICE=orders")
    lookalike("cloudflare_zone_id", "config", f"CLOUDFLARE_ZONE_ID={tok(HEX, 32)}\nCLOUDFLARE_ACCOUNT_ID={tok(HEX, 32)}")
    lookalike("databricks_host", "config", f"DATABRICKS_HOST=https://adb-{r.randrange(10**15, 10**16)}.7.azuredatabricks.net\nDATABRICKS_CLUSTER_ID={r.randrange(1000, 9999)}-{r.randrange(100000, 999999)}-{tok(LOWER, 8)}")
    lookalike("tailscale_ip", "tool_output", "100.101.102.103  web-1  dev@  linux  -\n100.88.1.2       db-1   dev@  linux  idle")
    lookalike("vault_accessor_doc", "assistant", "Use `vault token lookup -accessor` to inspect a token without revealing it.")
    lookalike("json_secret_false", "config", '{"secret": false, "token": true, "password": null, "apiKey": ""}')
    lookalike("yaml_secret_bool", "config", "auth:\n  enabled: true\n  token_required: false\n  password_login: disabled")
    lookalike("toml_key_names", "config", '[keys]\nsigning = "ed25519"\nalgorithm = "HS256"')
    lookalike("unicode_prose", "user", "Le mot de passe doit contenir 12 caractères; la clé est dans le coffre")
    lookalike("assignment_of_variable", "config", "password = form.cleaned_data['password']\ntoken = create_access_token(identity=user.id)")
    lookalike("cli_flag_docs", "assistant", "Pass the password with `--password-file` or `-p` (interactive prompt), never inline.")
    lookalike("hash_prefix_id", "tool_output", f"Deployment dpl_{tok(A62, 24)} is READY (https://shop-{tok(LOWER + DIGITS, 9)}-acme.vercel.app)")
    lookalike("npm_notice", "tool_output", f"npm notice shasum: {tok(HEX, 40)}\nnpm notice integrity: sha512-{tok(B64, 20)}[...]{tok(B64, 10)}==")
    lookalike("wheel_record", "config", f"tokenizers/__init__.py,sha256={tok(URLSAFE, 43)},4171")
    lookalike("terraform_state_id", "tool_output", f"aws_secretsmanager_secret.db: Refreshing state... [id=arn:aws:secretsmanager:eu-west-1:{r.randrange(10**11, 10**12)}:secret:db-{tok(A62, 6)}]")
    lookalike("passwordless", "user", "we use passwordless login with WebAuthn, no password at all")
    lookalike("base32_totp_doc", "assistant", "The TOTP setup shows a QR code; I did not copy the seed.")
    lookalike("random_slug", "tool_output", f"created branch feat/{tok(LOWER, 6)}-{tok(LOWER, 5)} from main")
    lookalike("bcrypt_cost", "config", "BCRYPT_ROUNDS=12\nSESSION_LIFETIME=120")


# ---------------------------------------------------------------- the same kinds in other places of a transcript
def more_contexts() -> None:
    shapes = [
        ("openai", lambda: "sk-proj-" + tok(URLSAFE, 120)),
        ("anthropic", lambda: "sk-ant-api03-" + tok(URLSAFE, 93) + "AA"),
        ("github", lambda: "ghp_" + tok(A62, 36)),
        ("gitlab", lambda: "glpat-" + tok(URLSAFE, 20)),
        ("doppler", lambda: "dp.st.prd." + tok(A62, 43)),
        ("vault", lambda: "hvs." + tok(URLSAFE, 90)),
        ("notion", lambda: "ntn_" + tok(DIGITS, 11) + tok(A62, 35)),
        ("digitalocean", lambda: "dop_v1_" + tok(HEX, 64)),
        ("postman", lambda: "PMAK-" + tok(HEX, 24) + "-" + tok(HEX, 34)),
        ("grafana", lambda: "glsa_" + tok(A62, 32) + "_" + tok(HEX, 8)),
        ("databricks", lambda: "dapi" + tok(HEX, 32)),
        ("tailscale", lambda: f"tskey-auth-{tok(A62, 12)}CNTRL-{tok(A62, 33)}"),
        ("age", lambda: "AGE-SECRET-KEY-1" + tok("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
        ("linear", lambda: "lin_api_" + tok(A62, 40)),
        ("slack", lambda: f"xoxp-{r.randrange(10**11, 10**12)}-{r.randrange(10**11, 10**12)}-{r.randrange(10**12, 10**13)}-{tok(HEX, 32)}"),
        ("sendgrid", lambda: "SG." + tok(URLSAFE, 22) + "." + tok(URLSAFE, 43)),
        ("stripe", lambda: "sk_test_" + tok(A62, 99)),
        ("huggingface", lambda: "hf_" + tok(LOWER + UPPER, 34)),
        ("groq", lambda: "gsk_" + tok(A62, 52)),
        ("pulumi", lambda: "pul-" + tok(HEX, 40)),
    ]
    places = [
        ("tool_output", "Error: 401 Unauthorized for key '{v}'"),
        ("assistant", "Found it in `~/.zshrc`: `export API_KEY=\"{v}\"`."),
        ("tool_call", "PY"),
        ("tool_output", "  {v}"),
    ]
    for n, (kind, make) in enumerate(shapes):
        for place in (places[n % 4], places[(n + 1) % 4]):
            v = make()
            context, template = place
            if template == "PY":
                text = call("Write", {"file_path": "scripts/sync.py", "content": f"import client\n\nclient.configure(\"{v}\")\n"})
            else:
                text = template.format(v=v)
            secret(kind, context, text, v)


def build() -> dict:
    vendor_tokens()
    more_contexts()
    key_blocks()
    connection_strings()
    command_lines()
    files_and_diffs()
    prose()
    lookalikes()
    split = random.Random(SPLIT_SEED)
    parts = {"tuning": {"secrets": [], "lookalikes": []}, "heldout": {"secrets": [], "lookalikes": []}}
    for group, items in (("secrets", SECRETS), ("lookalikes", LOOKALIKES)):
        for item in items:
            parts["heldout" if split.random() < HELD_OUT_SHARE else "tuning"][group].append(item)
    return parts


def main() -> None:
    parts = build()
    for name, part in parts.items():
        path = HERE / f"{name}.json"
        text = json.dumps(part, indent=1, ensure_ascii=False) + "\n"
        if "--check" in sys.argv:
            print(name, "unchanged" if path.read_text(encoding="utf-8") == text else "DIFFERS")
        else:
            path.write_text(text, encoding="utf-8")
    secrets = [s for p in parts.values() for s in p["secrets"]]
    print(len(secrets), "secrets of", len({s["kind"] for s in secrets}), "kinds;",
          sum(len(p["lookalikes"]) for p in parts.values()), "look-alikes;",
          {n: (len(p["secrets"]), len(p["lookalikes"])) for n, p in parts.items()})


if __name__ == "__main__":
    main()
