"""Look-alikes: text a careless redactor would alter although it holds no secret. Each builder returns
[(name, context, text)]; random parts come from the same seeded generator as the secrets.
"""

from __future__ import annotations

import base64
import hashlib

PER_BUILDER = 9


def _many(d, name, context, make):
    return [(name, context, make(d)) for _ in range(PER_BUILDER)]


def git_shas(d):
    return (_many(d, "git_sha_long", "git log --format", lambda d: "\n".join(
        f"{d.shape('{hex40}')} {d.pick(['fix flaky retry', 'bump deps', 'docs: typo', 'refactor loader'])}" for _ in range(3)))
        + _many(d, "git_sha_short", "git log --oneline", lambda d: f"{d.shape('{hex7}')} (HEAD -> main) merge #"
                f"{d.shape('{dig4}')}\n{d.shape('{hex7}')} add token bucket rate limiter")
        + _many(d, "git_rebase_todo", "git rebase -i", lambda d: f"pick {d.shape('{hex12}')} wire auth middleware\n"
                f"squash {d.shape('{hex12}')} rename password field in form"))


def uuids(d):
    return (_many(d, "uuid_request_id", "app log", lambda d: f"INFO request_id={d.uuid()} method=GET path=/health status=200")
            + _many(d, "uuid_in_url", "REST call", lambda d: f"GET https://api.acme.io/v1/orders/{d.uuid()}/items?page=2"))


def content_hashes(d):
    def sri(d):
        raw = bytes(d.rng.randrange(256) for _ in range(48))
        return f'"integrity": "sha384-{base64.b64encode(raw).decode()}"'

    def lock(d):
        raw = bytes(d.rng.randrange(256) for _ in range(64))
        return (f'  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.{d.shape("{dig1}")}.0.tgz"\n'
                f'  integrity sha512-{base64.b64encode(raw).decode()}')
    return (_many(d, "sha256sum_output", "sha256sum", lambda d: f"{d.shape('{hex64}')}  dist/orbit-2.4.1.tar.gz")
            + _many(d, "sri_integrity", "package-lock.json", sri)
            + _many(d, "yarn_lock_integrity", "yarn.lock", lock)
            + _many(d, "docker_digest", "docker pull", lambda d: f"Digest: sha256:{d.shape('{hex64}')}\nStatus: Downloaded newer image for node:20-alpine")
            + _many(d, "nix_store_path", "nix build", lambda d: f"/nix/store/{d.shape('{lb32}')}-openssl-3.0.13")
            + _many(d, "nix_sri_hash", "flake.lock / fetchurl", lambda d: f'hash = "sha256-{d.shape("{bs43}")}=";')
            + _many(d, "go_sum_line", "go.sum", lambda d: f"github.com/pkg/errors v0.9.1 h1:{d.shape('{bs43}')}=\n"
                    f"github.com/pkg/errors v0.9.1/go.mod h1:{d.shape('{bs43}')}=")
            + _many(d, "cargo_lock_checksum", "Cargo.lock", lambda d: f'[[package]]\nname = "serde"\nversion = "1.0.197"\n'
                    f'checksum = "{d.shape("{hex64}")}"')
            + _many(d, "pip_hash", "requirements.txt", lambda d: f"urllib3==2.2.1 \\\n    --hash=sha256:{d.shape('{hex64}')}")
            + _many(d, "md5_etag", "HTTP response headers", lambda d: f'ETag: "{d.shape("{hex32}")}"\nCache-Control: max-age=600'))


def ids(d):
    return (_many(d, "trace_span_ids", "OpenTelemetry export", lambda d: f"traceparent: 00-{d.shape('{hex32}')}-{d.shape('{hex16}')}-01")
            + _many(d, "build_id", "CI summary", lambda d: f"Build {d.shape('{dig5}')} finished: id=bld_{d.shape('{lc26}')} artifact=app-{d.shape('{hex12}')}.zip")
            + _many(d, "gnu_build_id", "file output", lambda d: f"ELF 64-bit LSB pie executable, BuildID[sha1]={d.shape('{hex40}')}, stripped")
            + _many(d, "aws_arn_and_ids", "aws cli output", lambda d: f'"InstanceId": "i-{d.shape("{hex17}")}",\n"ImageId": "ami-{d.shape("{hex17}")}",\n'
                    f'"Arn": "arn:aws:iam::{d.shape("{dig12}")}:role/ci-deployer"')
            + _many(d, "stripe_object_ids", "Stripe event JSON", lambda d: f'{{"id": "evt_{d.shape("{an24}")}", "customer": "cus_{d.shape("{an14}")}", "object": "event"}}')
            + _many(d, "youtube_and_gdrive_ids", "chat message", lambda d: f"video: https://youtu.be/{d.shape('{bu11}')} doc: https://drive.google.com/file/d/{d.shape('{bu33}')}/view")
            + _many(d, "ulid_and_ksuid", "db row", lambda d: f"| 01{d.shape('{AN24}')} | {d.shape('{an27}')} | pending |")
            + _many(d, "mongo_object_id", "mongosh output", lambda d: f"{{ _id: ObjectId('{d.shape('{hex24}')}'), name: 'widget' }}"))


def public_material(d):
    def pubkey(d):
        return f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{d.shape('{bs43}')} dev@laptop"

    def cert(d):
        body = base64.b64encode(bytes(d.rng.randrange(256) for _ in range(300))).decode()
        lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----"

    def pubpem(d):
        body = base64.b64encode(bytes(d.rng.randrange(256) for _ in range(294))).decode()
        lines = "\n".join(body[i:i + 64] for i in range(0, len(body), 64))
        return f"-----BEGIN PUBLIC KEY-----\n{lines}\n-----END PUBLIC KEY-----"
    return (_many(d, "ssh_public_key", "authorized_keys", pubkey)
            + _many(d, "x509_certificate", "openssl s_client", cert)
            + _many(d, "public_key_pem", "jwks/public.pem", pubpem)
            + _many(d, "ssh_fingerprint", "ssh first connect", lambda d: f"ED25519 key fingerprint is SHA256:{d.shape('{bs43}')}.")
            + _many(d, "gpg_fingerprint", "gpg --list-keys", lambda d: f"pub   ed25519 2025-01-04 [SC]\n      {d.shape('{HEX40}')}\nuid   Dev Team <dev@acme.io>")
            + _many(d, "wireguard_public_key", "wg show", lambda d: f"peer: {d.shape('{bs43}')}=\n  endpoint: 203.0.113.7:51820\n  allowed ips: 10.8.0.0/24"))


def placeholders(d):
    texts = ["OPENAI_API_KEY=<YOUR_API_KEY>", "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
             "STRIPE_SECRET_KEY=sk_test_...", "password: ${DB_PASSWORD}", 'api_key = "YOUR-API-KEY-HERE"',
             "Authorization: Bearer $TOKEN", "aws_secret_access_key = <redacted>", "token: {{ .Values.apiToken }}",
             "DATABASE_URL=postgres://user:password@localhost:5432/dbname", "export SLACK_TOKEN=\"$(op read op://dev/slack/token)\"",
             "secret: ${{ secrets.NPM_TOKEN }}", "ANTHROPIC_API_KEY=sk-ant-...", "password = os.environ[\"PGPASSWORD\"]",
             "client_secret: !vault |\n  (see vault path secret/data/oauth)", "apiKey: process.env.MAPBOX_TOKEN ?? ''",
             "HF_TOKEN=hf_****", "key: \"********\"", "TOKEN=REPLACE_ME", "<add key=\"ApiKey\" value=\"#{ApiKey}#\" />",
             "$env:AZURE_CLIENT_SECRET = Read-Host -AsSecureString"]
    return [("placeholder_or_reference", "docs / config template", t) for t in texts]


def names_and_prose(d):
    texts = ["Set the GITHUB_TOKEN secret in the repository settings before running the workflow.",
             "fix: stop logging the password field on failed login", "chore: rotate tokens (values in 1Password)",
             "<label for=\"password\">Password</label>\n<input type=\"password\" id=\"password\" autocomplete=\"current-password\">",
             "Forgot your password? We'll email you a reset link.", "Error: token expired, run `gh auth refresh`",
             "The secret key is read from SECRET_KEY_FILE at startup; see docs/ops.md.",
             "ssh -i ~/.ssh/id_ed25519 ops@bastion.acme.io", "key file: /etc/ssl/private/server.key (mode 0600)",
             "GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/gcp/sa.json",
             "password_min_length = 12\npassword_require_symbol = true", "vault kv get -field=password secret/db",
             "kubectl create secret generic db --from-file=password=./db-pass.txt",
             "I've removed the hard-coded API key and switched to reading it from the environment.",
             "def reset_password(user, token_ttl=3600):", "grep -rn 'api_key' src/ | wc -l",
             "Keys: id_rsa id_rsa.pub known_hosts config", "TOKEN_EXPIRY_SECONDS=900\nSESSION_COOKIE_NAME=sid",
             "Das Passwort muss mindestens 12 Zeichen lang sein.", "パスワードを忘れた場合はこちら"]
    return [("secret_name_or_ui_text", "prose, UI, commit", t) for t in texts]


def encodings_and_style(d):
    def b64_harmless(d):
        msg = d.pick(["{\"alg\":\"none\"}", "hello from the integration test", "version=2;region=eu",
                      "<svg xmlns='http://www.w3.org/2000/svg'/>", "line one\nline two\n"])
        msg += f" (sample {d.shape('{dig4}')})"  # distinct payloads, so no two look-alikes are the same text
        return f"data:text/plain;base64,{base64.b64encode(msg.encode()).decode()}"
    return (_many(d, "base64_harmless_data", "data URI", b64_harmless)
            + _many(d, "css_colours", "styles.css", lambda d: f".btn {{ color: #{d.shape('{hex6}')}; background: #{d.shape('{hex6}')}; border-color: #{d.shape('{hex3}')}; }}")
            + _many(d, "minified_js", "bundle.min.js", lambda d: f"!function(e,t){{var n={d.shape('{low2}')}(\"{d.shape('{an10}')}\"),r=t.{d.shape('{low3}')}||{{}};e.{d.shape('{low1}')}=n}}(window,document);")
            + _many(d, "webpack_chunk_names", "build output", lambda d: f"dist/assets/index-{d.shape('{bu8}')}.js   142.31 kB\ndist/assets/vendor-{d.shape('{hex8}')}.css  12.04 kB")
            + _many(d, "cache_keys", "CI cache", lambda d: f"Cache restored from key: Linux-node-modules-{d.shape('{hex64}')}")
            + _many(d, "test_fixture_names", "pytest -v", lambda d: f"tests/test_io.py::test_roundtrip[case-{d.shape('{lc12}')}] PASSED\ntests/test_io.py::test_roundtrip[{d.shape('{an16}')}] PASSED")
            + _many(d, "versions_and_packages", "pip freeze", lambda d: f"cryptography=={d.shape('{dig2}')}.0.{d.shape('{dig1}')}\npyjwt==2.8.0\nkeyring==25.{d.shape('{dig1}')}.0\npython-dotenv==1.0.1")
            + _many(d, "numeric_ids_and_phone_like", "analytics export", lambda d: f"account={d.shape('{dig12}')} campaign={d.shape('{dig10}')} ts={d.shape('17{dig11}')}"))


def derived_hashes(d):
    def pw_hash_doc(d):
        digest = hashlib.sha256(d.shape("{an16}").encode()).hexdigest()
        return f"fixture file tests/data/blob.bin sha256 = {digest}"
    return (_many(d, "fixture_digest", "test README", pw_hash_doc)
            + _many(d, "git_object_listing", "git ls-tree", lambda d: f"100644 blob {d.shape('{hex40}')}\tREADME.md\n040000 tree {d.shape('{hex40}')}\tsrc"))


BUILDERS = [git_shas, uuids, content_hashes, ids, public_material, placeholders, names_and_prose,
            encodings_and_style, derived_hashes]
