"""Look-alikes: transcript text with long random-looking strings, secret words or key paths and no
secret at all, which a redactor must leave exactly as it is. Items {"name", "context", "text"}.
"""

from __future__ import annotations

import base64
import hashlib
import json

from shapes import NIX32, Draw


def _sri(d: Draw, algo: str) -> str:
    size = {"sha256": 32, "sha384": 48, "sha512": 64}[algo]
    return f"{algo}-{base64.b64encode(d.rng.randbytes(size)).decode()}"


def hashes_and_ids(d: Draw) -> list[tuple[str, str, str]]:
    sha, short = d.hexs(40), d.hexs(7)
    pkg, account = d.noun(), d.digits(12)
    return [
        ("git log oneline", "tool output: git log --oneline",
         "\n".join(f"{d.hexs(7)} {msg}" for msg in ["fix: retry token refresh on 401", "chore: bump eslint", "docs: explain password reset flow", "feat: add API key rotation page"]) + "\n"),
        ("git log full sha", "tool output: git log -1", f"commit {sha}\nAuthor: Dev <dev@example.com>\n\n    Rotate signing key handling; no key material in repo\n"),
        ("git rebase todo", "file: git-rebase-todo", f"pick {short} Add secret scanning to CI\nsquash {d.hexs(7)} Rename token_ttl to session_ttl\npick {d.hexs(7)} Remove hardcoded password fixture\n"),
        ("git describe", "tool output: git describe", f"v{d.number(1, 4)}.{d.number(0, 30)}.{d.number(0, 9)}-{d.number(1, 90)}-g{d.hexs(9)}\n"),
        ("git show-ref", "tool output: git show-ref", "\n".join(f"{d.hexs(40)} refs/heads/{b}" for b in ["main", "feature/token-refresh", "fix/password-reset"]) + "\n"),
        ("git blame", "tool output: git blame", f"{d.hexs(8)} (Ana 2025-04-02 10:11:12 +0200 41)     api_key = os.environ[\"API_KEY\"]\n"),
        ("git merge-base", "tool output: git merge-base", f"$ git merge-base HEAD origin/main\n{d.hexs(40)}\n"),
        ("github commit url", "assistant message", f"The fix landed in https://github.com/acme/{pkg}/commit/{d.hexs(40)} and the tag follows."),
        ("pr checks sha", "tool output: gh pr checks", f"build  pass  2m3s  https://github.com/acme/{pkg}/actions/runs/{d.digits(10)}/job/{d.digits(11)}\n"),
        ("uuid request id", "tool output: HTTP response headers", f"HTTP/2 200\ncontent-type: application/json\nx-request-id: {d.uuid()}\n"),
        ("uuid primary keys", "tool output: psql query", " id                                   | name\n" + "\n".join(f" {d.uuid()} | {d.noun()}" for _ in range(3)) + "\n"),
        ("uuid in url path", "tool output: server log", f"GET /api/projects/{d.uuid()}/members 200 12ms\n"),
        ("azure subscription id", "tool output: az account show", json.dumps({"id": d.uuid(), "name": "Pay-As-You-Go", "tenantId": d.uuid(), "state": "Enabled"}, indent=2)),
        ("sha256sum output", "tool output: sha256sum", f"{d.hexs(64)}  dist/{pkg}-1.4.0.tar.gz\n{d.hexs(64)}  dist/{pkg}-1.4.0-py3-none-any.whl\n"),
        ("sha512 checksum file", "file: SHA512SUMS", f"{d.hexs(128)}  {pkg}_linux_amd64.tar.gz\n"),
        ("md5 etag", "tool output: aws s3api head-object", json.dumps({"ETag": f"\"{d.hexs(32)}\"", "ContentLength": d.number(1000, 99999)}, indent=2)),
        ("package-lock integrity", "file: package-lock.json", json.dumps({"node_modules/left-pad": {"version": "1.3.0", "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz", "integrity": _sri(d, "sha512")}}, indent=2)),
        ("yarn.lock integrity", "file: yarn.lock", f"\"{pkg}@^2.1.0\":\n  version \"2.1.4\"\n  resolved \"https://registry.yarnpkg.com/{pkg}/-/{pkg}-2.1.4.tgz#{d.hexs(40)}\"\n  integrity {_sri(d, 'sha512')}\n"),
        ("script tag sri", "code: HTML", f"<script src=\"https://cdn.example.net/lib@3.2.1/lib.min.js\" integrity=\"{_sri(d, 'sha384')}\" crossorigin=\"anonymous\"></script>\n"),
        ("docker image digest", "config: Kubernetes YAML", f"      containers:\n        - name: api\n          image: ghcr.io/acme/{pkg}@sha256:{d.hexs(64)}\n"),
        ("docker pull output", "tool output: docker pull", f"latest: Pulling from library/{pkg}\nDigest: sha256:{d.hexs(64)}\nStatus: Downloaded newer image for {pkg}:latest\n"),
        ("docker ps container ids", "tool output: docker ps --no-trunc", f"CONTAINER ID                                                       IMAGE\n{d.hexs(64)}   postgres:16\n"),
        ("docker image ls", "tool output: docker images", f"REPOSITORY   TAG     IMAGE ID       SIZE\n{pkg}       latest  {d.hexs(12)}   182MB\n"),
        ("nix sri hash", "code: Nix", f"src = fetchFromGitHub {{\n  owner = \"acme\";\n  repo = \"{pkg}\";\n  rev = \"{d.hexs(40)}\";\n  hash = \"{_sri(d, 'sha256')}\";\n}};\n"),
        ("nix store path", "tool output: nix build", f"/nix/store/{d.of(NIX32, 32)}-{pkg}-0.9.1\n"),
        ("go.sum lines", "file: go.sum", f"github.com/acme/{pkg} v1.8.2 h1:{base64.b64encode(d.rng.randbytes(32)).decode()}\ngithub.com/acme/{pkg} v1.8.2/go.mod h1:{base64.b64encode(d.rng.randbytes(32)).decode()}\n"),
        ("Cargo.lock checksum", "file: Cargo.lock", f"[[package]]\nname = \"{pkg}\"\nversion = \"0.4.7\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{d.hexs(64)}\"\n"),
        ("poetry.lock hashes", "file: poetry.lock", f"files = [\n    {{file = \"{pkg}-2.0.1-py3-none-any.whl\", hash = \"sha256:{d.hexs(64)}\"}},\n]\n"),
        ("pip require hashes", "file: requirements.txt", f"{pkg}==3.1.0 \\\n    --hash=sha256:{d.hexs(64)} \\\n    --hash=sha256:{d.hexs(64)}\n"),
        ("gradle verification metadata", "file: verification-metadata.xml", f"<component group=\"org.acme\" name=\"{pkg}\" version=\"2.3\">\n   <artifact name=\"{pkg}-2.3.jar\">\n      <sha256 value=\"{d.hexs(64)}\" origin=\"Generated by Gradle\"/>\n   </artifact>\n</component>\n"),
        ("git lfs pointer", "file: LFS pointer", f"version https://git-lfs.github.com/spec/v1\noid sha256:{d.hexs(64)}\nsize {d.number(10000, 9999999)}\n"),
        ("terraform lock hashes", "file: .terraform.lock.hcl", f"provider \"registry.terraform.io/hashicorp/aws\" {{\n  version = \"5.40.0\"\n  hashes = [\n    \"h1:{base64.b64encode(d.rng.randbytes(32)).decode()}\",\n    \"zh:{d.hexs(64)}\",\n  ]\n}}\n"),
        ("helm chart digest", "tool output: helm pull", f"Pulled: registry.example/charts/{pkg}:0.3.2\nDigest: sha256:{d.hexs(64)}\n"),
        ("ipfs cid", "assistant message", f"The pinned build is at ipfs://bafybei{d.of('abcdefghijklmnopqrstuvwxyz234567', 52)} if you want to compare."),
        ("webpack chunk names", "tool output: vite build", f"dist/assets/index-{d.urlsafe_chars(8)}.js   142.31 kB\ndist/assets/vendor-{d.hexs(8)}.js  412.02 kB\ndist/assets/index-{d.urlsafe_chars(8)}.css  12.80 kB\n"),
        ("actions cache key", "tool output: CI job log", f"Cache restored from key: Linux-node-modules-{d.hexs(64)}\n"),
        ("bazel action digest", "tool output: bazel build", f"INFO: From Compiling src/main.cc: action digest {d.hexs(64)}/{d.number(100, 9999)}\n"),
        ("ccache key", "tool output: ccache -s", f"cache hit (direct): {d.hexs(32)}{d.number(1000, 9999)}\n"),
        ("sentry event id", "tool output: app log", f"Error captured, Sentry event id {d.hexs(32)}\n"),
        ("w3c traceparent", "tool output: HTTP request dump", f"GET /health HTTP/1.1\ntraceparent: 00-{d.hexs(32)}-{d.hexs(16)}-01\n"),
        ("otel span ids", "tool output: collector debug exporter", f"Span #0\n    Trace ID       : {d.hexs(32)}\n    Parent ID      : {d.hexs(16)}\n    ID             : {d.hexs(16)}\n    Name           : GET /login\n"),
        ("aws request id", "tool output: aws cli error", f"An error occurred (AccessDenied) when calling the GetObject operation: Access Denied (RequestId: {d.up(16)}, HostId: {base64.b64encode(d.rng.randbytes(56)).decode()})\n"),
        ("cloudfront id", "tool output: curl -I", f"x-cache: Miss from cloudfront\nx-amz-cf-pop: FRA56-P3\nx-amz-cf-id: {d.urlsafe_chars(54)}==\n"),
        ("github actions run url", "tool output: gh run list", f"completed  success  CI  main  push  {d.digits(10)}  3m12s\n"),
        ("build id in log", "tool output: CI job log", f"Build {d.uuid()} finished in 4m02s (cache hit ratio 0.87)\n"),
        ("k8s pod names", "tool output: kubectl get pods", f"NAME                          READY   STATUS\n{pkg}-api-{d.low(10)}-{d.low(5)}    1/1     Running\n{pkg}-worker-{d.low(9)}-{d.low(5)}  1/1     Running\n"),
        ("k8s uid", "tool output: kubectl get -o yaml", f"metadata:\n  name: web\n  resourceVersion: \"{d.digits(8)}\"\n  uid: {d.uuid()}\n"),
        ("aws resource ids", "tool output: terraform output", f"vpc_id = \"vpc-{d.hexs(17)}\"\nsubnet_ids = [\"subnet-{d.hexs(17)}\", \"subnet-{d.hexs(17)}\"]\ninstance_id = \"i-{d.hexs(17)}\"\n"),
        ("aws arn", "tool output: aws sts get-caller-identity", json.dumps({"UserId": "AROA" + d.up(17) + ":ci", "Account": account, "Arn": f"arn:aws:sts::{account}:assumed-role/ci/ci"}, indent=4)),
        ("secrets manager arn", "config: ECS task definition", json.dumps({"secrets": [{"name": "DB_PASSWORD", "valueFrom": f"arn:aws:secretsmanager:eu-west-1:{d.digits(12)}:secret:prod/db-{d.mixed(6)}"}]}, indent=2)),
        ("mongo object ids", "tool output: mongosh", f"[ {{ _id: ObjectId('{d.hexs(24)}'), sku: 'A-{d.number(100, 999)}' }}, {{ _id: ObjectId('{d.hexs(24)}'), sku: 'B-{d.number(100, 999)}' }} ]\n"),
        ("ulids", "tool output: app log", f"job {d.digits(2)}{d.of('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 24)} queued\n"),
        ("stripe object ids", "tool output: stripe CLI", json.dumps({"id": "pi_3" + d.mixed(23), "object": "payment_intent", "customer": "cus_" + d.mixed(14), "amount": 1999}, indent=2)),
        ("stripe event id", "tool output: webhook log", f"received evt_1{d.mixed(23)} (invoice.paid) -> 200\n"),
        ("slack channel and message ts", "tool output: Slack API response", json.dumps({"ok": True, "channel": "C" + d.up(10), "ts": f"{d.digits(10)}.{d.digits(6)}"})),
        ("google doc id url", "user message", f"spec is here: https://docs.google.com/document/d/{d.urlsafe_chars(44)}/edit"),
        ("youtube and figma urls", "user message", f"see https://www.figma.com/design/{d.mixed(22)}/Checkout and the demo https://youtu.be/{d.urlsafe_chars(11)}"),
        ("notion page url", "assistant message", f"I summarised it on https://www.notion.so/acme/Release-notes-{d.hexs(32)}."),
        ("s3 object key hash", "tool output: aws s3 ls", f"2025-11-03 10:01:44    1048576 artifacts/{d.hexs(40)}/bundle.zip\n"),
        ("memory addresses", "tool output: Python repr", f"<app.db.Session object at 0x{d.hexs(12)}>\n<function handler at 0x{d.hexs(12)}>\n"),
        ("core dump backtrace", "tool output: gdb bt", f"#0  0x{d.hexs(16)} in __pthread_kill_implementation ()\n#1  0x{d.hexs(16)} in raise ()\n"),
        ("ipv6 and mac", "tool output: ip addr", f"    link/ether {':'.join(d.hexs(2) for _ in range(6))} brd ff:ff:ff:ff:ff:ff\n    inet6 fe80::{d.hexs(4)}:{d.hexs(4)}:{d.hexs(4)}:{d.hexs(4)}/64 scope link\n"),
        ("ethereum address", "code: Solidity", f"address constant TREASURY = 0x{d.hexs(40)};\n"),
        ("tx hash", "tool output: hardhat", f"deployed Token at 0x{d.hexs(40)} (tx 0x{d.hexs(64)})\n"),
        ("vault metadata", "tool output: vault kv metadata get", f"======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2025-09-01T10:00:00.{d.digits(6)}Z\ncurrent_version    {d.number(2, 9)}\n"),
        ("cache key python", "code: Python", f"CACHE_KEY = \"v3:user-profile:{d.hexs(32)}\"\n"),
        ("etag header", "tool output: curl -I", f"HTTP/2 304\netag: W/\"{d.hexs(8)}-{d.urlsafe_chars(27)}\"\n"),
        ("csp nonce", "code: HTML", f"<script nonce=\"{base64.b64encode(d.rng.randbytes(16)).decode()}\">window.__APP__ = {{}};</script>\n"),
        ("correlation ids in json log", "tool output: JSON log", json.dumps({"level": "info", "msg": "token refreshed", "trace_id": d.hexs(32), "span_id": d.hexs(16), "user": "u_" + d.low(12)})),
    ]


def public_material(d: Draw) -> list[tuple[str, str, str]]:
    lines = d.pem_lines(900)
    cert = "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"
    pub = d.pem_lines(294)
    return [
        ("ssh ed25519 public key", "file: authorized_keys", f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{d.b64(32)[:43]} dev@laptop\n"),
        ("ssh rsa public key", "tool output: cat id_rsa.pub", f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ{d.b64(380).rstrip('=')} ci@runner\n"),
        ("known_hosts", "file: ~/.ssh/known_hosts", f"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{d.b64(32)[:43]}\n|1|{d.b64(20)}|{d.b64(20)} ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAI{d.b64(80)}\n"),
        ("ssh fingerprint", "tool output: ssh-keygen -lf", f"256 SHA256:{d.b64(32).rstrip('=')} dev@laptop (ED25519)\n"),
        ("ssh-keygen output", "tool output: ssh-keygen", f"Your identification has been saved in /home/dev/.ssh/deploy_key\nYour public key has been saved in /home/dev/.ssh/deploy_key.pub\nThe key fingerprint is:\nSHA256:{d.b64(32).rstrip('=')} deploy@ci\n"),
        ("gpg fingerprint", "tool output: gpg --list-keys", f"pub   ed25519 2024-02-11 [SC]\n      {d.hexs(40).upper()}\nuid           [ultimate] Release Bot <release@example.com>\n"),
        ("x509 certificate", "tool output: cat server.crt", cert),
        ("public key pem", "file: jwt-public.pem", "-----BEGIN PUBLIC KEY-----\n" + "\n".join(pub) + "\n-----END PUBLIC KEY-----\n"),
        ("jwks public modulus", "tool output: curl .well-known/jwks.json", json.dumps({"keys": [{"kty": "RSA", "kid": d.hexs(16), "use": "sig", "alg": "RS256", "e": "AQAB", "n": d.b64url(256)}]})),
        ("cert sha256 fingerprint", "tool output: openssl x509 -fingerprint", "sha256 Fingerprint=" + ":".join(d.hexs(2).upper() for _ in range(32)) + "\n"),
        ("age public key", "file: .sops.yaml", f"creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1{d.of('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n"),
        ("wireguard public key", "tool output: wg show", f"peer: {d.b64(32)}\n  endpoint: 203.0.113.{d.number(2, 250)}:51820\n  allowed ips: 10.8.0.{d.number(2, 250)}/32\n"),
        ("tls ja3 hash", "tool output: proxy log", f"client hello ja3={d.hexs(32)} sni=api.example.com\n"),
        ("pgp public key block", "file: KEYS", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n" + "\n".join(d.pem_lines(300)) + "\n-----END PGP PUBLIC KEY BLOCK-----\n"),
        ("sigstore bundle digest", "tool output: cosign verify", f"Verification for ghcr.io/acme/api@sha256:{d.hexs(64)} --\nThe following checks were performed on each of these signatures:\n  - The cosign claims were validated\n"),
    ]


def references_and_placeholders(d: Draw) -> list[tuple[str, str, str]]:
    return [
        ("angle bracket placeholder", "assistant message", "Replace `<YOUR_API_TOKEN>` with the token from Settings → Developer, then run `make deploy`."),
        ("xxxx placeholder", "file: .env.example", "STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nSTRIPE_WEBHOOK_SECRET=whsec_xxxxxxxxxxxxxxxx\n"),
        ("your-key-here placeholder", "file: config.example.toml", "[openai]\napi_key = \"your-api-key-here\"\nmodel = \"gpt-4o-mini\"\n"),
        ("ellipsis placeholder", "file: README.md", "```bash\nexport ANTHROPIC_API_KEY=sk-ant-...\nexport GITHUB_TOKEN=ghp_...\n```\n"),
        ("redacted values", "tool output: heroku config", "=== acme-prod Config Vars\nDATABASE_URL: [REDACTED]\nSECRET_KEY_BASE: [REDACTED]\n"),
        ("masked values", "tool output: CI job log", "  env:\n    NPM_TOKEN: ***\n    GH_TOKEN: ***\n"),
        ("asterisk password", "tool output: config dump", "database:\n  host: db.internal\n  user: app\n  password: '********'\n"),
        ("empty password", "config: YAML", "redis:\n  host: localhost\n  port: 6379\n  password: \"\"\n"),
        ("null token", "config: JSON", json.dumps({"auth": {"token": None, "refresh_token": None, "expires_at": 0}}, indent=2)),
        ("env var reference shell", "code: shell script", "curl -fsS -H \"Authorization: Bearer $GITHUB_TOKEN\" https://api.github.com/user\n"),
        ("env var reference braces", "config: docker-compose.yml", "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n      API_KEY: ${API_KEY}\n"),
        ("actions secrets reference", "config: GitHub workflow", "      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n"),
        ("helm template reference", "config: Helm template", "          env:\n            - name: DB_PASSWORD\n              valueFrom:\n                secretKeyRef:\n                  name: {{ .Release.Name }}-db\n                  key: password\n"),
        ("python getenv", "code: Python", "api_key = os.environ[\"OPENAI_API_KEY\"]\nsecret = os.getenv(\"WEBHOOK_SECRET\", \"\")\n"),
        ("node process env", "code: TypeScript", "const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { apiVersion: '2024-06-20' });\n"),
        ("go getenv", "code: Go", "token := os.Getenv(\"SLACK_BOT_TOKEN\")\nif token == \"\" {\n\tlog.Fatal(\"SLACK_BOT_TOKEN is not set\")\n}\n"),
        ("rust env var", "code: Rust", "let key = std::env::var(\"AWS_SECRET_ACCESS_KEY\").expect(\"missing AWS_SECRET_ACCESS_KEY\");\n"),
        ("terraform var reference", "config: Terraform HCL", "resource \"aws_db_instance\" \"main\" {\n  username = \"app\"\n  password = var.db_password\n}\n"),
        ("terraform sensitive output", "tool output: terraform output", "db_endpoint = \"main.c1x2y3.eu-west-1.rds.amazonaws.com\"\ndb_password = <sensitive>\n"),
        ("1password reference", "file: .env.tpl", "DATABASE_PASSWORD=op://Engineering/Postgres Prod/password\nSTRIPE_KEY=op://Engineering/Stripe/credential\n"),
        ("vault path reference", "config: YAML", "secrets:\n  db: vault:secret/data/prod/db#password\n  api: vault:secret/data/prod/api#token\n"),
        ("sops encrypted marker", "file: secrets.enc.yaml", f"password: ENC[AES256_GCM,data:{base64.b64encode(d.rng.randbytes(12)).decode()},iv:{base64.b64encode(d.rng.randbytes(32)).decode()},tag:{base64.b64encode(d.rng.randbytes(16)).decode()},type:str]\n"),
        ("secret names list", "tool output: gh secret list", "NAME                 UPDATED\nAWS_SECRET_ACCESS_KEY  about 2 months ago\nNPM_TOKEN             about 1 year ago\nSLACK_WEBHOOK_URL     about 3 days ago\n"),
        ("kubectl secret keys only", "tool output: kubectl describe secret", "Name:         api-creds\nType:  Opaque\n\nData\n====\npassword:  24 bytes\ntoken:     40 bytes\n"),
        ("key file paths", "assistant message", "The key lives at `~/.ssh/id_ed25519`; the TLS key is `/etc/ssl/private/api.example.com.key` and should stay mode 0600."),
        ("credentials path env", "config: .env", "GOOGLE_APPLICATION_CREDENTIALS=/run/secrets/gcp-sa.json\nSSL_KEY_FILE=/etc/nginx/certs/server.key\n"),
        ("password stdin flag", "tool call: shell", "$ echo \"$REGISTRY_PASSWORD\" | docker login ghcr.io -u acme-bot --password-stdin\n"),
        ("prompt for password", "tool output: shell", "$ psql -h db.internal -U app -W\nPassword for user app: \npsql: error: connection to server failed: FATAL:  password authentication failed for user \"app\"\n"),
        ("url without password", "config: .env", "DATABASE_URL=postgres://app@localhost:5432/app_dev\nREDIS_URL=redis://localhost:6379/0\n"),
        ("kubectl jsonpath command", "tool call: shell", "$ kubectl get secret db-creds -o jsonpath='{.data.password}' | base64 -d\n"),
        ("credential helper config", "file: .gitconfig", "[credential]\n\thelper = osxkeychain\n[credential \"https://dev.azure.com\"]\n\tuseHttpPath = true\n"),
        ("aws profile without keys", "file: ~/.aws/config", "[profile prod]\nsso_session = acme\nsso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = eu-west-1\n"),
        ("settings schema", "code: Python", "class Settings(BaseSettings):\n    api_key: SecretStr\n    db_password: SecretStr = Field(min_length=12)\n    token_ttl_seconds: int = 3600\n"),
        ("template jinja", "config: Ansible template", "[client]\nuser = {{ mysql_user }}\npassword = {{ mysql_password }}\n"),
        ("spring placeholder", "config: application.yml", "spring:\n  datasource:\n    password: ${DB_PASSWORD}\n    username: ${DB_USER:app}\n"),
        ("github actions mask command", "code: GitHub workflow", "      - run: echo \"::add-mask::$DEPLOY_TOKEN\"\n"),
        ("dotnet user secrets command", "tool call: shell", "$ dotnet user-secrets set \"Stripe:SecretKey\" \"$(op read op://dev/stripe/secret)\"\n"),
        ("azure key vault reference", "config: appsettings.json", json.dumps({"ConnectionStrings": {"Db": "@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/db-conn/)"}}, indent=2)),
    ]


def prose_and_code(d: Draw) -> list[tuple[str, str, str]]:
    box = d.number(1, 99)
    return [
        ("commit message token", "tool output: git log", "commit message: \"Refresh OAuth token before expiry instead of after the first 401\"\n"),
        ("commit message password", "assistant message", "I committed `fix(auth): hash password with argon2id, drop bcrypt fallback`."),
        ("ui strings", "code: i18n JSON", json.dumps({"login.password": "Password", "login.forgot": "Forgot your password?", "settings.apiKeys.create": "Create API key", "settings.token.revoke": "Revoke token"}, indent=2, ensure_ascii=False)),
        ("ui strings german", "code: i18n JSON", json.dumps({"login.password": "Passwort", "login.forgot": "Passwort vergessen?", "token.expired": "Ihr Token ist abgelaufen"}, ensure_ascii=False)),
        ("docs rotation", "file: docs/security.md", "## Rotating keys\n\nCreate the new API key first, deploy it, then revoke the old key. Never paste a key into an issue.\n"),
        ("password policy", "code: Python", "PASSWORD_RULES = \"at least 12 characters, one digit, one symbol; not one of your last 5 passwords\"\n"),
        ("html password input", "code: HTML", "<label for=\"password\">Password</label>\n<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\n"),
        ("password reset route", "code: Python", "@router.post(\"/auth/password-reset/{reset_id}\")\nasync def reset_password(reset_id: UUID, body: ResetBody) -> None:\n    ...\n"),
        ("error messages", "tool output: test run", "FAILED tests/test_auth.py::test_rejects_wrong_password - AssertionError: expected 401 for an invalid password\n"),
        ("token counting prose", "assistant message", "The prompt used 18,240 input tokens and 1,102 output tokens; the max_tokens limit is 4096."),
        ("tokenizer output", "tool output: Python", "tokens = ['▁the', '▁secret', '▁to', '▁good', '▁bread', '▁is', '▁time']\ntoken_ids = [279, 6367, 311, 1695, 16385, 374, 892]\n"),
        ("lexer token types", "code: Rust", "enum TokenKind { Ident, Number, StringLit, Keyword, Secret, Eof }\n"),
        ("key value store api", "code: TypeScript", "await kv.set(`session:${userId}`, JSON.stringify(session), { ex: 3600 });\n"),
        ("css colours", "code: CSS", ":root {\n  --brand: #4f46e5;\n  --brand-dark: #3730a3;\n  --danger: #dc2626;\n  --surface: #f8fafc;\n}\n"),
        ("tailwind classes", "code: JSX", "<button className=\"bg-[#1e293b] hover:bg-[#334155] px-4 py-2 rounded-md\">Save API key</button>\n"),
        ("minified js", "code: minified JavaScript", "!function(e,t){\"object\"==typeof exports?module.exports=t():e.qZ=t()}(this,function(){var a=function(n){return n.kTx8Pq(n.vR2mLw)};return{aZ9:a}});\n"),
        ("package names", "tool output: npm ls", "├── @aws-sdk/client-secrets-manager@3.600.0\n├── jsonwebtoken@9.0.2\n├── keytar@7.9.0\n└── passport-oauth2@1.8.0\n"),
        ("pip packages", "tool output: pip list", "Package            Version\n------------------ --------\ncryptography       43.0.1\nkeyring            25.2.1\npython-jose        3.3.0\n"),
        ("versions under key names", "file: package.json", json.dumps({"name": "api", "version": "4.12.0", "dependencies": {"jsonwebtoken": "^9.0.2", "bcrypt": "^5.1.1"}}, indent=2)),
        ("random fixture names", "code: Python test", f"@pytest.fixture\ndef user_{d.low(8)}():\n    return make_user(name=\"fixture_{d.mixed(12)}\", email=\"qa+{d.low(10)}@example.test\")\n"),
        ("pytest ids", "tool output: pytest -v", f"tests/test_api.py::test_list[case-{d.hexs(8)}] PASSED\ntests/test_api.py::test_list[case-{d.hexs(8)}] PASSED\n"),
        ("snapshot names", "tool output: jest", f"› 3 snapshots written from 1 test suite.\n  exports[`Checkout renders {d.hexs(10)} 1`]\n"),
        ("base64 harmless json", "tool output: API pagination", json.dumps({"items": [], "next_cursor": base64.b64encode(json.dumps({"offset": d.number(20, 900), "sort": "created_at"}).encode()).decode()})),
        ("base64 image data uri", "code: CSS", f"background-image: url(\"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4{d.b64(12)}\");\n"),
        ("base64 harmless text", "tool output: echo | base64", f"$ echo 'hello from the build box {box}' | base64\n{base64.b64encode(f'hello from the build box {box}'.encode()).decode()}\n"),
        ("protobuf bytes debug", "tool output: grpcurl", json.dumps({"checksum": base64.b64encode(hashlib.sha256(d.rng.randbytes(8)).digest()).decode(), "size": "20480"}, indent=2)),
        ("hex dump", "tool output: xxd", f"00000000: {d.hexs(4)} {d.hexs(4)} {d.hexs(4)} {d.hexs(4)} {d.hexs(4)} {d.hexs(4)} {d.hexs(4)} {d.hexs(4)}  ................\n"),
        ("random seed constant", "code: Python", f"RNG_SEED = {d.digits(9)}\nEXPERIMENT = \"run-{d.hexs(6)}\"\n"),
        ("feature flag keys", "config: YAML", "flags:\n  new-checkout-flow: true\n  api-key-rotation-banner: false\n  secret-scanning-v2: true\n"),
        ("openapi security scheme", "file: openapi.yaml", "components:\n  securitySchemes:\n    ApiKeyAuth:\n      type: apiKey\n      in: header\n      name: X-API-Key\n"),
        ("oauth client id public", "config: .env", f"NEXT_PUBLIC_GOOGLE_CLIENT_ID={d.digits(12)}-{d.low(32)}.apps.googleusercontent.com\n"),
        ("model and dataset ids", "code: Python", "model = AutoModel.from_pretrained(\"acme-research/tiny-encoder-v2\", revision=\"main\")\n"),
        ("regex for secrets", "code: Python", "TOKEN_RE = re.compile(r\"(?i)(api[_-]?key|token|secret)\\s*[:=]\\s*(\\S+)\")\n"),
        ("hash function code", "code: Go", "sum := sha256.Sum256([]byte(payload))\nreturn hex.EncodeToString(sum[:])\n"),
        ("semver prerelease", "tool output: cargo", f"   Compiling {d.noun()} v0.{d.number(1, 30)}.0-beta.{d.number(1, 9)}+build.{d.hexs(7)}\n"),
        ("sqlite schema", "tool output: sqlite3 .schema", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE, password_hash TEXT NOT NULL, api_key_id TEXT);\n"),
        ("log line about token", "tool output: app log", "INFO auth: access token expired, refreshing (attempt 1/3)\n"),
        ("hyphenated words", "user message", "can you make the secret-santa-assignment page load faster? it's the one with the long-running-background-job"),
    ]


def repeated_shapes(d: Draw) -> list[tuple[str, str, str]]:
    """Fresh values of the most common harmless shapes in more places: each one a separate item."""
    out = []
    for i in range(24):
        out.append((f"commit sha in prose {i}", "assistant message", f"Bisect points at {d.hexs(40)}; the change before it, {d.hexs(12)}, is clean."))
    for i in range(16):
        out.append((f"uuid id {i}", d.pick(["tool output: JSON API", "tool output: app log"]),
                    json.dumps({"id": d.uuid(), "org_id": d.uuid(), "status": d.pick(["active", "pending", "archived"])})))
    for i in range(16):
        out.append((f"digest {i}", "tool output: crane digest", f"$ crane digest ghcr.io/acme/{d.noun()}:{d.number(1, 9)}.{d.number(0, 9)}\nsha256:{d.hexs(64)}\n"))
    for i in range(12):
        out.append((f"integrity {i}", "file: package-lock.json",
                    f"      \"integrity\": \"{_sri(d, d.pick(['sha512', 'sha256']))}\",\n"))
    for i in range(12):
        out.append((f"trace id {i}", "tool output: JSON log", json.dumps({"msg": "request done", "trace_id": d.hexs(32), "dur_ms": d.number(2, 900)})))
    for i in range(12):
        out.append((f"checksum {i}", "tool output: shasum", f"{d.hexs(d.pick([40, 64, 128]))}  {d.noun()}-{d.number(1, 9)}.{d.number(0, 30)}.tar.xz\n"))
    for i in range(8):
        out.append((f"hex colour palette {i}", "code: SCSS", "\n".join(f"${d.noun()}: #{d.hexs(6)};" for _ in range(4)) + "\n"))
    for i in range(8):
        out.append((f"long url id {i}", "tool output: curl", f"$ curl -s https://api.example.com/v2/exports/{d.mixed(32)}/download -o out.csv\n"))
    for i in range(8):
        out.append((f"secret name without value {i}", "assistant message",
                    f"Add `{d.noun().upper()}_{d.pick(['API_KEY', 'TOKEN', 'SECRET', 'PASSWORD'])}` to the repository secrets; the workflow reads it from there."))
    for i in range(8):
        out.append((f"docker build step {i}", "tool output: docker build", f"#{d.number(3, 14)} [stage-1 {d.number(2, 6)}/7] RUN pip install -r requirements.txt\n#{d.number(3, 14)} CACHED\n#{d.number(15, 20)} writing image sha256:{d.hexs(64)} done\n"))
    return out


def harmless_values_under_secret_names(d: Draw) -> list[tuple[str, str, str]]:
    """Settings whose NAME says key, token, secret or password while the value is plainly not one."""
    prompt, completion = d.number(100, 9000), d.number(10, 900)
    return [
        ("auth settings that are not secrets", "config: .env", "JWT_ALGORITHM=RS256\nTOKEN_URL=https://oauth2.googleapis.com/token\nSESSION_COOKIE_NAME=sid\nPASSWORD_MIN_LENGTH=12\n"),
        ("secret name pointing at a store", "config: YAML", "database:\n  secret_name: prod/orders/db\n  secret_region: eu-west-1\n  password_rotation_days: 30\n"),
        ("api key header name", "code: Python", "API_KEY_HEADER = \"X-Api-Key\"\nTOKEN_PREFIX = \"Bearer \"\nSECRET_FIELDS = (\"password\", \"token\", \"api_key\")\n"),
        ("key ids and aliases", "tool output: aws kms list-aliases", json.dumps({"Aliases": [{"AliasName": "alias/app-secrets", "TargetKeyId": d.uuid()}]}, indent=2)),
        ("boolean secret flags", "config: Helm values.yaml", "existingSecret: \"\"\nauth:\n  enabled: true\n  usePasswordFiles: true\n  secretKeys:\n    adminPasswordKey: postgres-password\n"),
        ("token usage numbers", "tool output: JSON API", json.dumps({"usage": {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}})),
        ("key bindings", "config: keybindings.json", json.dumps([{"key": "ctrl+shift+k", "command": "editor.action.deleteLines"}, {"key": "cmd+k cmd+s", "command": "workbench.action.openGlobalKeybindings"}], indent=2)),
        ("sort key and partition key", "code: TypeScript", "const table = new Table(this, 'Orders', { partitionKey: { name: 'pk', type: AttributeType.STRING }, sortKey: { name: 'sk', type: AttributeType.STRING } });\n"),
        ("secret type in k8s", "tool output: kubectl get secrets", f"NAME                  TYPE                                  DATA   AGE\ndefault-token-{d.low(5)}   kubernetes.io/service-account-token   3      41d\nregistry-pull         kubernetes.io/dockerconfigjson        1      12d\n"),
        ("password field length", "tool output: psql \\d users", "  Column   |          Type          \n-----------+------------------------\n id        | uuid                   \n password  | character varying(255) \n api_token | character varying(64)  \n"),
        ("token kind enum", "code: Go", "const (\n\tTokenAccess  TokenKind = \"access\"\n\tTokenRefresh TokenKind = \"refresh\"\n\tTokenReset   TokenKind = \"password_reset\"\n)\n"),
        ("i18n key for password", "code: Ruby", "flash[:alert] = t(\"devise.failure.invalid_password\", authentication_keys: \"email\")\n"),
    ]


BUILDERS = [hashes_and_ids, public_material, references_and_placeholders, prose_and_code, repeated_shapes,
            harmless_values_under_secret_names]
