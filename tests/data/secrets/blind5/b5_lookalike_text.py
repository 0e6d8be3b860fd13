"""Look-alikes that talk about secrets without holding one: placeholders, references to where a secret
lives, masked tool output, public keys, values encrypted for committing, and published examples.

Each entry is (name, maker, count): the maker takes the Draw and returns (context, text).
"""

import base64
import hashlib
import hmac
import json
import struct
import textwrap

from b5_places import tool_call
from b5_values import b64url_json

VARS = ["STRIPE_SECRET_KEY", "OPENAI_API_KEY", "DATABASE_PASSWORD", "GITHUB_TOKEN", "QUARKLY_API_KEY", "SLACK_BOT_TOKEN",
        "AWS_SECRET_ACCESS_KEY", "SENTRY_AUTH_TOKEN", "PARTNER_API_SECRET", "REDIS_PASSWORD"]


def placeholder_env_example(d):
    var = d.pick(VARS)
    value = d.pick(["<your-token>", "your_api_key_here", "changeme", "xxxxxxxxxxxxxxxxxxxxxxxx", "REPLACE_ME", "sk-...", "''", "<paste key>", "TODO"])
    return "file: .env.example", f"# copy to .env and fill in\n{var}={value}\nPORT=3000\n"


def placeholder_docs(d):
    return "file: README.md", d.pick([
        "```bash\nexport OPENAI_API_KEY=\"sk-...\"\ncurl https://api.example.com -H \"Authorization: Bearer $OPENAI_API_KEY\"\n```",
        "Set `password: changeme` in `config.yml` for local runs; the installer refuses to start in production until you change it.",
        "Replace `<YOUR_CLIENT_SECRET>` and `<YOUR_CLIENT_ID>` with the values from the developer console.",
        "```yaml\nauth:\n  token: \"${API_TOKEN}\"   # never paste the real token here\n```",
        "GitHub tokens look like `ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`; classic tokens start with `ghp_`.",
        "The key has the form `qk_live_` followed by 32 characters, e.g. `qk_live_<32 chars>`.",
    ])


def masked_placeholder(d):
    return "tool output: app startup log", d.pick([
        "INFO  config loaded: stripe.secret_key=sk_live_****************************, webhook=whsec_********",
        "DEBUG api_key=[REDACTED] endpoint=https://api.quarkly.example timeout=30s",
        "[settings] DATABASE_URL=postgres://app:*****@db:5432/app",
        "token: ••••••••••••••••••••••••3f9a (set 2 days ago)",
        "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at \"db\" failed\n(Background on this error at: https://sqlalche.me/e/20/e3q8) [engine: postgresql+psycopg2://app:***@db:5432/app]",
        "Settings(api_key=SecretStr('**********'), base_url='https://api.quarkly.example', retries=3)",
        " -------------- celery@worker-1 v5.4.0 (opalescent)\n- ** ---------- .> transport:   amqp://guest:**@rabbitmq:5672//\n- ** ---------- .> results:     redis://:**@redis:6379/0",
        "$ npm config list\n; \"user\" config from /home/dev/.npmrc\n//registry.npmjs.org/:_authToken = (protected)\n@acme:registry = \"https://npm.pkg.github.com\"",
    ])


def aws_configure_list(d):
    return "tool output: aws configure list", (
        "      Name                    Value             Type    Location\n      ----                    -----             ----    --------\n"
        "   profile                     prod           manual    --profile\n"
        f"access_key     ****************{d.b32(4)} shared-credentials-file\nsecret_key     ****************{d.alnum(4)} shared-credentials-file\n"
        "    region                eu-west-1      config-file    ~/.aws/config"
    )


def gh_auth_status(d):
    return "tool output: gh auth status", (
        "github.com\n  ✓ Logged in to github.com account octo-dev (keyring)\n  - Active account: true\n  - Git operations protocol: https\n"
        "  - Token: gho_************************************\n  - Token scopes: 'gist', 'read:org', 'repo'"
    )


def actions_masked_log(d):
    return "tool output: GitHub Actions log", (
        f"2026-12-07T10:1{d.int(0, 9)}:22.1Z ##[group]Run ./deploy.sh\n2026-12-07T10:1{d.int(0, 9)}:22.1Z env:\n"
        f"2026-12-07T10:1{d.int(0, 9)}:22.1Z   DEPLOY_TOKEN: ***\n2026-12-07T10:1{d.int(0, 9)}:22.1Z   REGION: eu-west-1\n##[endgroup]"
    )


def env_references(d):
    var = d.pick(VARS)
    return d.pick([
        ("config: .github/workflows/release.yml", f"      - run: ./release.sh\n        env:\n          {var}: ${{{{ secrets.{var} }}}}\n          NODE_AUTH_TOKEN: ${{{{ secrets.NPM_TOKEN }}}}"),
        ("source: Python", f'{var.lower()} = os.environ["{var}"]\nclient = Client(api_key={var.lower()})'),
        ("source: TypeScript", f"const key = process.env.{var};\nif (!key) throw new Error('{var} is not set');"),
        ("source: shell", f'curl -fsS -H "Authorization: Bearer ${var}" https://api.example.com/v1/ping'),
        ("config: docker-compose.yml", f"    environment:\n      {var}: ${{{var}:?set {var} in .env}}"),
        ("source: batch", f"set AUTH=%{var}%\ncall deploy.cmd %AUTH%"),
        ("config: Helm template", f"        - name: {var}\n          value: {{{{ .Values.secrets.{var.lower()} | quote }}}}"),
    ])


def secret_key_ref(d):
    var = d.pick(VARS)
    return "config: Kubernetes manifest", (
        f"        env:\n        - name: {var}\n          valueFrom:\n            secretKeyRef:\n              name: {var.lower().replace('_', '-')}\n"
        f"              key: value\n              optional: false"
    )


def vault_paths(d):
    return d.pick([
        ("tool output: vault kv list", "$ vault kv list secret/prod\nKeys\n----\nbilling/\nstripe\nsendgrid\npostgres-admin"),
        ("source: HCL", 'data "vault_kv_secret_v2" "stripe" {\n  mount = "secret"\n  name  = "prod/billing/stripe"\n}'),
        ("config: external-secrets", "spec:\n  data:\n  - secretKey: STRIPE_SECRET_KEY\n    remoteRef:\n      key: prod/billing/stripe\n      property: secret_key"),
        ("source: Python", 'secret = client.secrets.kv.v2.read_secret_version(path="prod/payments/api-key")["data"]["data"]'),
    ])


def secretsmanager_list(d):
    return "tool output: aws secretsmanager list-secrets", (
        f'{{\n    "SecretList": [\n        {{\n            "ARN": "arn:aws:secretsmanager:eu-west-1:{d.digits(12)}:secret:prod/db-{d.alnum(6)}",\n'
        f'            "Name": "prod/db",\n            "LastChangedDate": "2026-11-03T10:01:44+00:00"\n        }}\n    ]\n}}'
    )


def gh_secret_list(d):
    return "tool output: gh secret list", "NAME                 UPDATED\nAWS_ROLE_ARN         about 2 months ago\nNPM_TOKEN            about 5 days ago\nSENTRY_AUTH_TOKEN    about 1 year ago"


def secret_names_prose(d):
    return d.pick([
        ("assistant prose", "The workflow needs three secrets: `STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET` and `DATABASE_URL`. Add them under Settings → Secrets and variables → Actions."),
        ("user prose", "where do I get the webhook signing secret? the dashboard only shows the publishable key"),
        ("assistant prose", "I did not find a token in the repository; the script reads `QUARKLY_API_KEY` from the environment at start-up."),
        ("assistant prose", "Rotate the leaked key in the provider's console first, then update `prod/billing/stripe` in Vault; the pods pick it up on restart."),
    ])


def password_policy(d):
    return d.pick([
        ("source: Python", 'PASSWORD_RULES = "At least 12 characters, one uppercase letter, one digit and one symbol (!@#$%^&*)."'),
        ("file: SECURITY.md", "Passwords must be 14+ characters and are checked against known breaches. Tokens expire after 90 days; rotate them with `acme token rotate`."),
        ("source: TypeScript", "const PASSWORD_RE = /^(?=.*[A-Z])(?=.*\\d)(?=.*[^A-Za-z0-9]).{12,64}$/;"),
        ("tool output: form validation", "Error: password is too weak (score 1/4): add another word or two; uncommon words are better."),
    ])


def password_ui_strings(d):
    return "file: locales/en.json", json.dumps({"login.password": "Password", "login.forgot": "Forgot password?", "token.copy": "Copy token", "token.revoke_confirm": "Revoke this token? Apps using it will stop working.", "api_key.hint": "Keys start with qk_live_ and are shown once."}, indent=2)


def key_paths(d):
    return d.pick([
        ("config: ~/.ssh/config", "Host bastion\n  HostName 203.0.113.10\n  User ops\n  IdentityFile ~/.ssh/id_ed25519_bastion\n  IdentitiesOnly yes"),
        ("config: nginx.conf", "ssl_certificate     /etc/letsencrypt/live/shop.example.com/fullchain.pem;\nssl_certificate_key /etc/letsencrypt/live/shop.example.com/privkey.pem;"),
        ("tool call: Bash arguments", tool_call({"command": "ls -l ~/.ssh && ssh-add -l"})),
    ])


def _ssh_ed25519_pub(d):
    blob = struct.pack(">I", 11) + b"ssh-ed25519" + struct.pack(">I", 32) + d.raw(32)
    return "ssh-ed25519 " + base64.b64encode(blob).decode()


def ssh_public_keys(d):
    return d.pick([
        ("tool output: cat id_ed25519.pub", f"$ cat ~/.ssh/id_ed25519.pub\n{_ssh_ed25519_pub(d)} dev@laptop"),
        ("config: authorized_keys", f"{_ssh_ed25519_pub(d)} ci@runner\n{_ssh_ed25519_pub(d)} ops@bastion"),
        ("file: known_hosts", f"github.com {_ssh_ed25519_pub(d)}\n|1|{base64.b64encode(d.raw(20)).decode()}|{base64.b64encode(d.raw(20)).decode()} {_ssh_ed25519_pub(d)}"),
    ])


def ssh_fingerprints(d):
    fp = base64.b64encode(d.raw(32)).decode().rstrip("=")
    return "tool output: ssh-keygen -lf", f"256 SHA256:{fp} dev@laptop (ED25519)\nThe authenticity of host 'bastion' can't be established.\nED25519 key fingerprint is SHA256:{base64.b64encode(d.raw(32)).decode().rstrip('=')}."


def pem_public(d):
    body = "\n".join(textwrap.wrap(base64.b64encode(d.raw(294)).decode(), 64))
    label = d.pick(["PUBLIC KEY", "CERTIFICATE"])
    return "tool output: cat", f"-----BEGIN {label}-----\n{body}\n-----END {label}-----"


def jwks(d):
    body = {"keys": [{"kty": "RSA", "use": "sig", "kid": d.hex(40), "alg": "RS256", "n": d.b64url_bytes(256), "e": "AQAB"}]}
    return "tool output: curl /.well-known/jwks.json", json.dumps(body, indent=2)


def wireguard_public(d):
    return "tool output: wg show", f"interface: wg0\n  public key: {base64.b64encode(d.raw(32)).decode()}\n  private key: (hidden)\n  listening port: 51820\n\npeer: {base64.b64encode(d.raw(32)).decode()}\n  endpoint: 198.51.100.7:51820"


def gpg_fingerprints(d):
    fp = d.hex(40).upper()
    return "tool output: gpg --list-keys", f"pub   ed25519 2025-03-01 [SC]\n      {fp}\nuid           [ultimate] Release Bot <release@acme.io>\nsub   cv25519 2025-03-01 [E]"


def age_recipients(d):
    return "config: .sops.yaml", f"creation_rules:\n  - path_regex: secrets/.*\\.yaml$\n    age: age1{d.chars('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}"


def crypto_addresses(d):
    return "user prose", f"send the testnet funds to 0x{d.hex(40)} (the faucet contract is 0x{d.hex(40)})"


def sops_file(d):
    enc = lambda n: f"ENC[AES256_GCM,data:{base64.b64encode(d.raw(n)).decode()},iv:{base64.b64encode(d.raw(32)).decode()},tag:{base64.b64encode(d.raw(16)).decode()},type:str]"
    return "file: secrets/prod.enc.yaml", (
        f"stripe_secret_key: {enc(40)}\ndb_password: {enc(18)}\nsops:\n    age:\n        - recipient: age1{d.chars('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n"
        f"    lastmodified: \"2026-11-20T09:14:02Z\"\n    version: 3.9.1"
    )


def sealed_secret(d):
    return "file: sealed-db.yaml", (
        f"apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: db\nspec:\n  encryptedData:\n"
        f"    password: AgB{base64.b64encode(d.raw(300)).decode()}\n"
    )


def ansible_vault(d):
    body = "\n".join(textwrap.wrap(d.hex(320), 80))
    return "file: group_vars/prod/vault.yml", f"$ANSIBLE_VAULT;1.1;AES256\n{body}"


def aws_doc_example(d):
    return "file: docs/aws-setup.md", (
        "Your `~/.aws/credentials` should look like AWS's own documentation example:\n\n```ini\n[default]\n"
        "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n```"
    )


def jwt_io_example(d):
    header = b64url_json({"alg": "HS256", "typ": "JWT"})
    payload = b64url_json({"sub": "1234567890", "name": "John Doe", "iat": 1516239022})
    mac = hmac.new(b"your-256-bit-secret", f"{header}.{payload}".encode(), hashlib.sha256).digest()
    token = f"{header}.{payload}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"
    return "file: docs/auth.md", f"Paste a token such as the debugger's sample (signed with `your-256-bit-secret`) to see the decoded claims:\n\n    {token}"


def test_cards(d):
    return "file: docs/testing.md", "Use the card 4242 4242 4242 4242 with any future expiry and any CVC; 4000 0000 0000 9995 always declines."


def base64_test_vectors(d):
    return "source: Python test", 'assert base64.b64encode(b"foobar") == b"Zm9vYmFy"\nassert base64.b32encode(b"foobar") == b"MZXW6YTBOI======"'


def public_config_values(d):
    return "config: firebase.json", json.dumps({"hosting": {"public": "dist", "ignore": ["firebase.json", "**/.*"]}, "emulators": {"auth": {"port": 9099}}, "projectId": "acme-web-prod"}, indent=2)


def uuid_in_url(d):
    return "tool output: curl", f"$ curl -s https://api.acme.io/v2/orgs/{d.uuid4()}/projects/{d.uuid4()}/members | jq length\n14"


def random_slugs(d):
    return "tool output: vercel deploy", f"🔍  Inspect: https://vercel.com/acme/web/{d.b58(28)}\n✅  Preview: https://web-{d.lower_alnum(9)}-acme.vercel.app"


def notebook_output(d):
    cell = {"cell_type": "code", "execution_count": 7, "outputs": [{"output_type": "execute_result", "data": {"text/plain": [f"'{d.hex(32)}'"]}, "metadata": {}}],
            "source": ["import hashlib\n", "hashlib.md5(open('train.csv','rb').read()).hexdigest()"]}
    return "file: analysis.ipynb", json.dumps(cell, indent=1)


def cache_keys(d):
    return "tool output: redis-cli", f"127.0.0.1:6379> KEYS cache:*\n1) \"cache:v2:render:{d.sha1()}\"\n2) \"cache:v2:render:{d.sha1()}\"\n3) \"idempotency:{d.uuid4()}\""


def asset_hashes_html(d):
    return "tool output: pytest HTML snapshot", f'<input type="hidden" name="_build" value="{d.hex(12)}">\n<link rel="stylesheet" href="/static/app.{d.hex(10)}.css">'


def gravatar_fixture(d):
    return "file: tests/fixtures/users.json", json.dumps([{"id": d.int(1, 99), "email": "alice@example.com", "display_name": "Alice", "avatar": f"https://gravatar.com/avatar/{d.hex(32)}"}], indent=2)


def helm_values_refs(d):
    return "config: values.yaml", "postgresql:\n  auth:\n    existingSecret: pg-credentials\n    secretKeys:\n      adminPasswordKey: postgres-password\n      userPasswordKey: password"


def terraform_sensitive(d):
    return "tool output: terraform plan", '  + resource "aws_db_instance" "main" {\n      + password          = (sensitive value)\n      + username          = "app"\n      + id                = (known after apply)\n    }'


def docker_inspect_clean(d):
    body = [{"Id": d.sha256(), "Config": {"Env": ["PATH=/usr/local/bin:/usr/bin:/bin", "NODE_VERSION=22.12.0", "YARN_VERSION=1.22.22", "API_KEY_FILE=/run/secrets/api_key"], "Image": f"sha256:{d.sha256()}"}}]
    return "tool output: docker inspect", json.dumps(body, indent=4)


def env_dump_clean(d):
    return "tool output: env | sort", (
        f"GIT_COMMIT={d.sha1()}\nHOME=/home/runner\nHOSTNAME=runner-{d.hex(8)}\nINVOCATION_ID={d.hex(32)}\nPATH=/usr/local/bin:/usr/bin\n"
        f"RUNNER_TRACKING_ID=github_{d.uuid4()}\nSSH_AUTH_SOCK=/tmp/ssh-{d.alnum(12)}/agent.{d.int(1000, 9999)}"
    )


def crash_report_clean(d):
    return "tool output: crash report", (
        f"Incident Identifier: {d.uuid4().upper()}\nCrashReporter Key:   {d.hex(40)}\nHardware Model:      MacBookPro18,3\n"
        f"Binary Images:\n0x100a8c000 - 0x100b3ffff sync-agent arm64 <{d.hex(32)}> /Applications/Sync.app/Contents/MacOS/sync-agent"
    )


def http_body_clean(d):
    body = {"data": {"id": d.uuid4(), "type": "deployment", "attributes": {"commit": d.sha1(), "url": f"https://{d.lower_alnum(8)}.preview.acme.dev", "checksum": d.sha256()}}}
    return "tool output: API response", json.dumps(body, indent=2)


def kubectl_get_sa(d):
    return "tool output: kubectl get sa -o yaml", f"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: deployer\n  namespace: ci\n  uid: {d.uuid4()}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::{d.digits(12)}:role/deployer"


def gh_auth_token_help(d):
    return "tool output: gh auth token --help", "Print the authentication token gh uses for a hostname and account.\n\nUSAGE\n  gh auth token [flags]\n\nFLAGS\n  -h, --hostname string   The hostname of the GitHub instance authenticated with\n  -u, --user string       The account to output the token for"


def cli_flags_without_values(d):
    return "tool output: mysql --help", "  -p, --password[=name]\n                      Password to use when connecting to server. If password is\n                      not given it's asked from the tty.\n  -P, --port=#        Port number to use for connection"


GENERATORS = [
    ("placeholder-env-example", placeholder_env_example, 6), ("placeholder-docs", placeholder_docs, 6), ("masked-values-log", masked_placeholder, 8),
    ("aws-configure-list-masked", aws_configure_list, 3), ("gh-auth-status-masked", gh_auth_status, 2), ("actions-log-masked", actions_masked_log, 3),
    ("env-references", env_references, 7), ("secret-key-ref", secret_key_ref, 3), ("vault-paths", vault_paths, 4),
    ("secretsmanager-list", secretsmanager_list, 2), ("gh-secret-list", gh_secret_list, 2), ("secret-names-prose", secret_names_prose, 4),
    ("password-policy", password_policy, 4), ("password-ui-strings", password_ui_strings, 2), ("key-file-paths", key_paths, 3),
    ("ssh-public-keys", ssh_public_keys, 5), ("ssh-fingerprints", ssh_fingerprints, 3), ("pem-public-or-cert", pem_public, 4),
    ("jwks-public-modulus", jwks, 3), ("wireguard-public-keys", wireguard_public, 3), ("gpg-fingerprint", gpg_fingerprints, 3),
    ("age-recipient", age_recipients, 2), ("crypto-addresses", crypto_addresses, 3), ("sops-encrypted-values", sops_file, 3),
    ("sealed-secret", sealed_secret, 3), ("ansible-vault-blob", ansible_vault, 2), ("aws-documented-example-keys", aws_doc_example, 1),
    ("jwt-io-sample-token", jwt_io_example, 1), ("stripe-test-cards", test_cards, 1), ("base64-test-vectors", base64_test_vectors, 1),
    ("firebase-json", public_config_values, 1), ("uuid-in-url", uuid_in_url, 3), ("deploy-url-slugs", random_slugs, 3),
    ("notebook-md5-output", notebook_output, 3), ("cache-keys", cache_keys, 3), ("asset-build-hashes", asset_hashes_html, 3),
    ("gravatar-hash-fixture", gravatar_fixture, 3), ("helm-existing-secret", helm_values_refs, 2), ("terraform-sensitive-value", terraform_sensitive, 2),
    ("docker-inspect-clean", docker_inspect_clean, 3), ("env-dump-clean", env_dump_clean, 4), ("crash-report-clean", crash_report_clean, 3),
    ("http-body-clean", http_body_clean, 3), ("kubectl-serviceaccount", kubectl_get_sa, 3), ("gh-auth-token-help", gh_auth_token_help, 1),
    ("cli-help-password-flag", cli_flags_without_values, 1),
]
