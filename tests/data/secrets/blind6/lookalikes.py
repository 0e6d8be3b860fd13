"""Look-alikes: high-entropy or secret-sounding text that is not a credential and must come back unchanged.
Each maker takes the generator and gives a list of (context, text); its name (dashes for underscores) is the
item's name."""
import base64
import json

from values import (ALNUM, B58, BECH32, HEX, LOWER, LOWER_ALNUM, UPPER_ALNUM, URLSAFE, b64, digits,
                    hexs, pick, uuid4)

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"


def _call(**arguments):
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))


def _subjects(rng, n):
    verbs = ["fix", "add", "drop", "rename", "bump", "refactor", "document", "test"]
    things = ["retry loop", "flaky login test", "cache warmup", "CSV export", "rate limiter", "dark mode", "migrations"]
    return [f"{rng.choice(verbs)} {rng.choice(things)}" for _ in range(n)]


def git_log_oneline(rng):
    return [("tool_output", "$ git log --oneline -5\n" + "\n".join(f"{hexs(rng, 7)} {s}" for s in _subjects(rng, 5)))
            for _ in range(3)]


def git_log_full_sha(rng):
    out = []
    for _ in range(3):
        sha = hexs(rng, 40)
        out.append(("tool_output", f"commit {sha}\nAuthor: Mina Park <mina@corp.example>\nDate:   Mon Nov 30 14:02:11 2026 +0100\n\n    {_subjects(rng, 1)[0]}\n"))
    out.append(("user", f"can you cherry-pick {hexs(rng, 40)} onto release/2.4?"))
    out.append(("assistant", f"The regression comes from {hexs(rng, 12)} (\"{_subjects(rng, 1)[0]}\"); reverting it makes the test pass."))
    return out


def git_rebase_todo(rng):
    return [("tool_output", "\n".join(f"{rng.choice(['pick', 'fixup', 'squash', 'reword'])} {hexs(rng, 7)} {s}" for s in _subjects(rng, 4))
             + "\n\n# Rebase 3f2a1b9..e4c0d77 onto 3f2a1b9 (4 commands)") for _ in range(2)]


def git_ls_tree_and_blame(rng):
    out = [("tool_output", "$ git ls-tree HEAD src/\n" + "\n".join(f"100644 blob {hexs(rng, 40)}\tsrc/{f}" for f in ["app.py", "db.py", "auth.py"]))]
    out.append(("tool_output", "$ git blame -L 10,12 auth.py\n" + "\n".join(f"^{hexs(rng, 7)} (Ana Souza 2026-10-{rng.randrange(10, 29)} {10 + i}) line" for i in range(3))))
    out.append(("tool_output", f"$ git rev-parse HEAD origin/main\n{hexs(rng, 40)}\n{hexs(rng, 40)}"))
    out.append(("tool_output", f"$ git stash list\nstash@{{0}}: WIP on main: {hexs(rng, 7)} {_subjects(rng, 1)[0]}"))
    out.append(("tool_output", f"Change-Id: I{hexs(rng, 40)}\nReviewed-on: https://review.corp.example/c/core/+/{rng.randrange(10000, 99999)}"))
    return out


def commit_urls_and_pins(rng):
    return [("assistant", f"See https://github.com/acme/api/commit/{hexs(rng, 40)} for the change."),
            ("tool_output", f"      - uses: actions/checkout@{hexs(rng, 40)} # v4.2.2\n      - uses: actions/setup-node@{hexs(rng, 40)} # v4.1.0"),
            ("tool_output", f"\"resolved\": \"git+ssh://git@github.com/acme/shared.git#{hexs(rng, 40)}\""),
            ("user", f"compare https://gitlab.corp.example/core/web/-/compare/{hexs(rng, 8)}...{hexs(rng, 8)}")]


def checksums(rng):
    out = [("tool_output", "$ sha256sum dist/*\n" + "\n".join(f"{hexs(rng, 64)}  dist/app-{v}.tar.gz" for v in ["linux-amd64", "darwin-arm64"]))]
    out.append(("tool_output", f"$ md5sum backup.sql\n{hexs(rng, 32)}  backup.sql"))
    out.append(("tool_output", f"$ shasum -a 1 installer.pkg\n{hexs(rng, 40)}  installer.pkg"))
    out.append(("tool_output", f"SHA512 ({'release.zip'}) = {hexs(rng, 128)}"))
    out.append(("user", f"the vendor says the checksum should be {hexs(rng, 64)}, ours differs"))
    out.append(("tool_output", f"$ b3sum model.bin\n{hexs(rng, 64)}  model.bin"))
    return out


def docker_digests(rng):
    return [("tool_output", f"image: ghcr.io/acme/api@sha256:{hexs(rng, 64)}"),
            ("tool_output", "$ docker images --digests\nREPOSITORY   TAG    DIGEST                                                                    IMAGE ID       SIZE\n"
             f"acme/web     2.3.1  sha256:{hexs(rng, 64)}   {hexs(rng, 12)}   212MB"),
            ("tool_output", f"$ docker ps --no-trunc -q\n{hexs(rng, 64)}\n{hexs(rng, 64)}"),
            ("tool_output", f"Step 4/9 : RUN pip install -r requirements.txt\n ---> Using cache\n ---> {hexs(rng, 12)}\nSuccessfully built {hexs(rng, 12)}"),
            ("tool_output", json.dumps([{"Id": "sha256:" + hexs(rng, 64), "RepoTags": ["acme/worker:1.8"], "Config": {"Env": ["PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8", "PYTHONUNBUFFERED=1"]}}], indent=1)),
            ("tool_output", f"#12 exporting to image\n#12 writing image sha256:{hexs(rng, 64)} done\n#12 naming to docker.io/acme/web:dev done")]


def lockfile_hashes(rng):
    return [("tool_output", f'    "node_modules/lodash": {{\n      "version": "4.17.21",\n      "integrity": "sha512-{b64(rng, 64)}"\n    }}'),
            ("tool_output", f"  checksum 10c0/{hexs(rng, 128)}"),
            ("tool_output", f"golang.org/x/net v0.31.0 h1:{b64(rng, 32)}\ngolang.org/x/net v0.31.0/go.mod h1:{b64(rng, 32)}"),
            ("tool_output", f'[[package]]\nname = "serde"\nversion = "1.0.215"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{hexs(rng, 64)}"'),
            ("tool_output", f"requests==2.32.3 \\\n    --hash=sha256:{hexs(rng, 64)} \\\n    --hash=sha256:{hexs(rng, 64)}"),
            ("tool_output", f'<script src="https://cdn.example.net/lib.min.js" integrity="sha384-{b64(rng, 48)}" crossorigin="anonymous"></script>'),
            ("tool_output", f'  "content-hash": "{hexs(rng, 32)}",'),
            ("tool_output", f"/nix/store/{pick(rng, NIX32, 32)}-openssl-3.0.15\n/nix/store/{pick(rng, NIX32, 32)}-python3-3.12.7")]


def nix_sri(rng):
    return [("tool_output", f"  src = fetchFromGitHub {{\n    owner = \"acme\";\n    repo = \"cli\";\n    rev = \"v0.9.1\";\n    hash = \"sha256-{b64(rng, 32)}\";\n  }};"),
            ("tool_output", f"error: hash mismatch in fixed-output derivation:\n         specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n            got:    sha256-{b64(rng, 32)}")]


def uuid_record_ids(rng):
    out = [("tool_output", " id                                   | email              | plan\n" + "\n".join(
        f" {uuid4(rng)} | user{i}@corp.example | pro" for i in range(3)))]
    out.append(("tool_output", json.dumps({"data": [{"id": uuid4(rng), "type": "invoice", "attributes": {"total": 1999}}]})))
    out.append(("user", f"order {uuid4(rng)} is stuck in pending, can you look?"))
    out.append(("tool_call", _call(url=f"https://api.internal/v1/customers/{uuid4(rng)}/subscriptions", method="GET")))
    out.append(("tool_output", f"terraform state: lineage = \"{uuid4(rng)}\""))
    out.append(("tool_output", f"UUID={uuid4(rng)} /data ext4 defaults,noatime 0 2"))
    return out


def sortable_ids(rng):
    return [("tool_output", f"created job {pick(rng, CROCKFORD, 26)} (queue=default)"),
            ("tool_output", json.dumps({"_id": {"$oid": hexs(rng, 24)}, "sku": "TEE-RED-M", "stock": 14})),
            ("tool_output", f'db.orders.find({{_id: ObjectId("{hexs(rng, 24)}")}})'),
            ("tool_output", f"event ksuid={digits(rng, 1)}{pick(rng, ALNUM, 26)} type=user.signup"),
            ("assistant", f"Message {rng.randrange(10**18, 10**19)} in channel {rng.randrange(10**17, 10**18)} is the one that failed to render."),
            ("tool_output", f"tweet_id={rng.randrange(10**18, 10**19)} retweets=12"),
            ("tool_output", f"cuid2: {pick(rng, LOWER, 1)}{pick(rng, LOWER_ALNUM, 23)}  nanoid: {pick(rng, URLSAFE, 21)}")]


def payment_object_ids(rng):
    return [("tool_output", json.dumps({"id": "pi_3" + pick(rng, ALNUM, 23), "object": "payment_intent", "customer": "cus_" + pick(rng, ALNUM, 14),
                                        "latest_charge": "ch_3" + pick(rng, ALNUM, 23), "status": "succeeded"})),
            ("user", f"refund in_1{pick(rng, ALNUM, 23)} please, the customer was double billed"),
            ("tool_output", f"Subscription sub_1{pick(rng, ALNUM, 23)} moved to price price_1{pick(rng, ALNUM, 23)}"),
            ("tool_output", f"evt_1{pick(rng, ALNUM, 23)} customer.subscription.updated 200")]


def trace_ids(rng):
    return [("tool_output", f"traceparent: 00-{hexs(rng, 32)}-{hexs(rng, 16)}-01"),
            ("tool_output", f"< x-request-id: {uuid4(rng)}\n< x-amzn-RequestId: {uuid4(rng)}\n< cf-ray: {hexs(rng, 16)}-FRA"),
            ("tool_output", json.dumps({"level": "error", "trace_id": hexs(rng, 32), "span_id": hexs(rng, 16), "msg": "upstream timeout"})),
            ("tool_output", f"X-Amzn-Trace-Id: Root=1-{hexs(rng, 8)}-{hexs(rng, 24)};Parent={hexs(rng, 16)};Sampled=1"),
            ("user", f"support gave me correlation id {hexs(rng, 32)} for the failed upload"),
            ("tool_output", f"[req:{pick(rng, LOWER_ALNUM, 12)}] GET /health 200 2ms")]


def build_ids(rng):
    return [("tool_output", f"$ file ./bin/server\n./bin/server: ELF 64-bit LSB executable, x86-64, BuildID[sha1]={hexs(rng, 40)}, not stripped"),
            ("tool_output", f"Build ID: {uuid4(rng)}\nStatus: SUCCESS\nDuration: 4m12s"),
            ("tool_output", f"View run at https://github.com/acme/web/actions/runs/{rng.randrange(10**10, 10**11)}/job/{rng.randrange(10**10, 10**11)}"),
            ("tool_output", f"info: Next.js build id {pick(rng, URLSAFE, 21)}\n.next/static/chunks/pages/_app-{hexs(rng, 16)}.js"),
            ("tool_output", f"bazel: action digest {hexs(rng, 64)}/142"),
            ("tool_output", f"Cache restored from key: Linux-pnpm-store-{hexs(rng, 64)}"),
            ("tool_output", f"Using cache key: node-modules-{hexs(rng, 40)}-v3")]


def cloud_resource_ids(rng):
    acct = digits(rng, 12)
    return [("tool_output", f"i-0{hexs(rng, 16)}  running  t3.large  vpc-0{hexs(rng, 16)}  sg-0{hexs(rng, 16)}"),
            ("tool_output", f"arn:aws:iam::{acct}:role/github-actions-deploy\narn:aws:s3:::acme-artifacts-{acct}"),
            ("tool_output", f"\"ImageId\": \"ami-0{hexs(rng, 16)}\", \"SnapshotId\": \"snap-0{hexs(rng, 16)}\""),
            ("tool_output", f"/subscriptions/{uuid4(rng)}/resourceGroups/rg-prod/providers/Microsoft.Web/sites/acme-api"),
            ("tool_output", f"projects/{digits(rng, 12)}/locations/europe-west1/services/api/revisions/api-00042-{pick(rng, LOWER, 3)}"),
            ("tool_output", f"arn:aws:secretsmanager:eu-west-1:{acct}:secret:prod/db/password-{pick(rng, ALNUM, 6)}"),
            ("tool_output", f"ocid1.instance.oc1.eu-frankfurt-1.{pick(rng, LOWER_ALNUM, 60)}"),
            ("tool_output", f"cloudfront distribution E{pick(rng, UPPER_ALNUM, 13)} invalidation I{pick(rng, UPPER_ALNUM, 13)} Completed"),
            ("user", f"the hosted zone is Z{pick(rng, UPPER_ALNUM, 20)} and the cert is arn:aws:acm:us-east-1:{acct}:certificate/{uuid4(rng)}")]


def public_keys(rng):
    ed = "AAAAC3NzaC1lZDI1NTE5AAAAI" + b64(rng, 33)[:43]
    rsa = "AAAAB3NzaC1yc2EAAAADAQABAAABgQ" + b64(rng, 370)
    pem_pub = "\n".join((lambda s: [s[i:i + 64] for i in range(0, len(s), 64)])("MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA" + b64(rng, 260)))
    cert = "\n".join((lambda s: [s[i:i + 64] for i in range(0, len(s), 64)])("MIIDdzCCAl+gAwIBAgIU" + b64(rng, 800)))
    return [("tool_output", f"$ cat ~/.ssh/id_ed25519.pub\nssh-ed25519 {ed} dev@laptop"),
            ("tool_output", f"$ cat ~/.ssh/authorized_keys\nssh-rsa {rsa} ci@build"),
            ("tool_output", f"-----BEGIN PUBLIC KEY-----\n{pem_pub}\n-----END PUBLIC KEY-----"),
            ("tool_output", f"$ openssl s_client -connect api.example.org:443 -showcerts </dev/null\n-----BEGIN CERTIFICATE-----\n{cert}\n-----END CERTIFICATE-----"),
            ("tool_output", f"github.com ssh-ed25519 {'AAAAC3NzaC1lZDI1NTE5AAAAI' + b64(rng, 33)[:43]}"),
            ("tool_output", f"# public key: age1{pick(rng, BECH32, 58)}"),
            ("tool_output", f"[Peer]\nPublicKey = {b64(rng, 32)}\nAllowedIPs = 10.7.0.2/32\nEndpoint = vpn.example.org:51820"),
            ("tool_output", json.dumps({"keys": [{"kty": "RSA", "kid": hexs(rng, 16), "use": "sig", "alg": "RS256", "e": "AQAB", "n": b64(rng, 256, url=True, pad=False)}]}))]


def fingerprints(rng):
    return [("tool_output", f"ED25519 key fingerprint is SHA256:{b64(rng, 32, pad=False)}.\nAre you sure you want to continue connecting (yes/no/[fingerprint])?"),
            ("tool_output", f"pub   ed25519 2025-03-01 [SC]\n      {hexs(rng, 40, True)}\nuid           [ultimate] Ops Team <ops@corp.example>"),
            ("tool_output", f"SHA256 Fingerprint={':'.join(hexs(rng, 2, True) for _ in range(32))}"),
            ("tool_output", f"256 MD5:{':'.join(hexs(rng, 2) for _ in range(16))} dev@laptop (ED25519)"),
            ("assistant", f"The signing key is `{hexs(rng, 16, True)}`; import it from the keyserver before verifying the tarball.")]


def placeholders(rng):
    return [("tool_output", "# .env.example\nOPENAI_API_KEY=<your-api-key>\nSTRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx\nDATABASE_URL=postgres://user:password@localhost:5432/app"),
            ("assistant", "Put your token in `~/.config/tool/config.toml` as `token = \"YOUR_TOKEN_HERE\"` and run `tool whoami`."),
            ("tool_output", "api_key: \"********************************\"\nregion: eu"),
            ("tool_output", "DB_PASSWORD=changeme  # default for the local docker compose only; CI overrides it"),
            ("user", "the docs say to run `export GITHUB_TOKEN=ghp_...` but I don't have one yet"),
            ("tool_output", "Authorization: Bearer <token>\nX-Api-Key: {{API_KEY}}"),
            ("tool_output", "password: REDACTED\ntoken: [redacted]\nsecret: <hidden>"),
            ("tool_output", "aws_secret_access_key = XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
            ("assistant", "Your key will look like `sk-ant-api03-…` followed by a long random part; paste it only into the env file, never into chat."),
            ("tool_output", "HF_TOKEN=hf_********************\nWANDB_API_KEY=                      # fill in"),
            ("tool_output", "| Variable | Example |\n|---|---|\n| `API_TOKEN` | `abcdef0123456789abcdef0123456789` |\n| `REGION` | `eu-1` |"),
            ("tool_output", "mysql -u root -p<password> shop\npsql \"postgresql://USER:PASS@HOST:5432/DB\"")]


def env_references(rng):
    return [("tool_output", "      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n          SLACK_WEBHOOK: ${{ secrets.SLACK_WEBHOOK_URL }}"),
            ("tool_output", "curl -H \"Authorization: Bearer $API_TOKEN\" -H \"X-Api-Key: ${PARTNER_KEY:?missing}\" https://api.example.org"),
            ("tool_output", "api_key = os.environ[\"STRIPE_SECRET_KEY\"]\ntoken = os.getenv(\"GITHUB_TOKEN\")"),
            ("tool_output", "const key = process.env.OPENAI_API_KEY!;\nconst secret = import.meta.env.VITE_SUPABASE_ANON_KEY;"),
            ("tool_output", "password: {{ .Values.postgresql.auth.password | b64enc | quote }}\ntoken: {{ vault \"secret/data/ci\" \"token\" }}"),
            ("tool_output", "db_password = var.db_password\napi_key     = data.aws_secretsmanager_secret_version.api.secret_string"),
            ("tool_call", _call(command="docker run --env-file .env -e API_KEY -e DB_PASSWORD=\"$DB_PASSWORD\" acme/api:latest")),
            ("tool_output", "$env:GITHUB_TOKEN = (Get-Secret -Name GitHubPat -AsPlainText)\nset TOKEN=%API_TOKEN%"),
            ("tool_output", "spring.datasource.password=${DB_PASSWORD}\nquarkus.oidc.credentials.secret=${OIDC_SECRET:}"),
            ("tool_output", "OPENAI_API_KEY=op://Engineering/OpenAI/credential\nDB_URL=doppler://prod/DATABASE_URL")]


def vault_paths_and_secret_names(rng):
    return [("tool_output", "$ vault kv list secret/prod\nKeys\n----\nbilling/\ndb-primary\nstripe\nsendgrid"),
            ("tool_output", f"$ kubectl get secrets -n prod\nNAME                  TYPE                             DATA   AGE\napp-env               Opaque                           7      41d\ndefault-token-{pick(rng, LOWER_ALNUM, 5)}   kubernetes.io/service-account-token   3      210d\nregistry-creds        kubernetes.io/dockerconfigjson   1      88d"),
            ("tool_output", "$ gh secret list\nAWS_ROLE_ARN       Updated 2026-10-02\nNPM_TOKEN          Updated 2026-11-19\nSENTRY_AUTH_TOKEN  Updated 2026-08-30"),
            ("tool_output", "$ kubectl describe secret app-env\nName:         app-env\nType:  Opaque\n\nData\n====\nDATABASE_URL:       74 bytes\nSTRIPE_SECRET_KEY:  107 bytes\nJWT_SECRET:         48 bytes"),
            ("assistant", "The app reads `secret/data/prod/payments` from Vault at start-up; the keys there are `stripe_secret_key` and `webhook_secret`."),
            ("tool_output", "$ aws secretsmanager list-secrets --query 'SecretList[].Name'\n[\n    \"prod/api/jwt-signing-key\",\n    \"prod/db/master-password\"\n]")]


def masked_tool_outputs(rng):
    return [("tool_output", f"$ gh auth status\ngithub.com\n  ✓ Logged in to github.com account mina-park (keyring)\n  - Active account: true\n  - Git operations protocol: https\n  - Token: gho_************************************\n  - Token scopes: 'gist', 'read:org', 'repo'"),
            ("tool_output", f"$ aws configure list\n      Name                    Value             Type    Location\n      ----                    -----             ----    --------\n   profile                  staging           manual    --profile\naccess_key     ****************{pick(rng, UPPER_ALNUM, 4)} shared-credentials-file\nsecret_key     ****************{pick(rng, ALNUM, 4)} shared-credentials-file\n    region                eu-west-1      config-file    ~/.aws/config"),
            ("tool_output", "$ git config -l\nuser.name=Mina Park\nuser.email=mina@corp.example\ncore.editor=nvim\nremote.origin.url=git@github.com:acme/web.git\nbranch.main.remote=origin\ncredential.helper=osxkeychain"),
            ("tool_output", "Run echo \"$DEPLOY_KEY\" > key.pem\n  echo \"$DEPLOY_KEY\" > key.pem\n  shell: /usr/bin/bash -e {0}\n  env:\n    DEPLOY_KEY: ***\n"),
            ("tool_output", "$ heroku config -a shop-staging\n=== shop-staging Config Vars\nDATABASE_URL: postgres://••••••••@ec2-host.compute.example:5432/d8k2\nSTRIPE_KEY:   ••••••••"),
            ("tool_output", "$ doppler secrets --only-names\n┌──────────────────────┐\n│ NAME                 │\n├──────────────────────┤\n│ DATABASE_URL         │\n│ STRIPE_SECRET_KEY    │\n└──────────────────────┘"),
            ("tool_output", f"$ docker inspect -f '{{{{json .Config.Env}}}}' api\n[\"PATH=/usr/local/sbin:/usr/local/bin\",\"NODE_VERSION=22.11.0\",\"YARN_VERSION=1.22.22\",\"APP_COMMIT={hexs(rng, 40)}\"]")]


def password_policy_and_ui(rng):
    return [("tool_output", "Password must be at least 12 characters long and contain an uppercase letter, a digit and one of !@#$%^&*."),
            ("tool_output", "FATAL:  password authentication failed for user \"app\"\nDETAIL:  Connection matched pg_hba.conf line 99: \"host all all 0.0.0.0/0 scram-sha-256\""),
            ("tool_output", "\"auth\": {\n  \"forgotPassword\": \"Forgot your password?\",\n  \"resetToken\": \"Your reset link expires in {minutes} minutes\",\n  \"apiKeyHelp\": \"Create an API key under Settings → Tokens\"\n}"),
            ("tool_output", "PASSWORD_MIN_LENGTH=12\nPASSWORD_RESET_TOKEN_TTL=3600\nSESSION_COOKIE_SECURE=true\nTOKEN_ROTATION_DAYS=90"),
            ("user", "why does our signup reject passwords with spaces? the policy says 12+ chars, any characters"),
            ("tool_output", "class User(Base):\n    password_hash = Column(String(255), nullable=False)\n    api_token_last4 = Column(String(4))\n    mfa_secret_encrypted = Column(LargeBinary)"),
            ("tool_output", "Error: Invalid API key provided: sk_live_**********************7dQa"),
            ("tool_output", "Le mot de passe doit contenir au moins 12 caractères.\nDas Passwort muss mindestens 12 Zeichen lang sein.\nパスワードは12文字以上にしてください。")]


def hashed_password_fixtures(rng):
    # decision recorded in the README: a password hash in a test fixture is a look-alike
    salt = pick(rng, "./" + ALNUM, 53)
    return [("tool_output", f"# tests/fixtures/users.yaml (all fixture users log in with 'password')\nalice:\n  email: alice@example.test\n  password_digest: \"$2b$12${salt}\""),
            ("tool_output", f"INSERT INTO users (email, encrypted_password) VALUES ('seed@example.test', '$2a$10${pick(rng, './' + ALNUM, 53)}'); -- seed user, password is 'password'"),
            ("tool_output", f"hashed = \"$argon2id$v=19$m=65536,t=3,p=4${b64(rng, 16, pad=False)}${b64(rng, 32, pad=False)}\"  # fixture: hash of 'correct horse'")]


def encrypted_at_rest(rng):
    # ciphertexts meant to be committed (README says so): ansible-vault and sops values
    lines = "\n".join("          " + hexs(rng, 80) for _ in range(4))
    return [("tool_output", f"db_password: !vault |\n          $ANSIBLE_VAULT;1.1;AES256\n{lines}"),
            ("tool_output", f"api_key: ENC[AES256_GCM,data:{b64(rng, 30)},iv:{b64(rng, 32)},tag:{b64(rng, 16)},type:str]\nsops:\n    version: 3.9.1")]


def harmless_base64(rng):
    png = "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAA" + b64(rng, 90)
    return [("tool_output", f'<img alt="logo" src="data:image/png;base64,{png}">'),
            ("tool_output", f"$ echo -n 'hello from the build farm' | base64\n{base64.b64encode(b'hello from the build farm').decode()}"),
            ("tool_output", f"    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t{b64(rng, 300)}\n    server: https://10.0.0.1:6443"),
            ("tool_output", "apiVersion: v1\nkind: ConfigMap\nbinaryData:\n  banner.txt: " + base64.b64encode("Welcome to the staging cluster. Be nice.\n".encode()).decode()),
            ("tool_output", f"@font-face {{ src: url(data:font/woff2;base64,d09GMgABAAAAA{b64(rng, 120)}) format('woff2'); }}"),
            ("tool_output", "assert base64.b64decode(\"" + base64.b64encode(b'{"page": 2, "per_page": 50}').decode() + "\") == b'{\"page\": 2, \"per_page\": 50}'  # pagination cursor"),
            ("tool_output", f"next_cursor: {base64.urlsafe_b64encode(json.dumps({'id': rng.randrange(10**6), 'ts': 1764670000}).encode()).decode()}")]


def minified_and_assets(rng):
    names = "".join(rng.choice("abcdefghinrstuvxyz") for _ in range(6))
    return [("tool_output", f"!function(e,t){{var {names[0]}=t.{pick(rng, LOWER, 2)}(\"{pick(rng, ALNUM, 20)}\"),{names[1]}=e.length;return {names[0]}[{names[1]}]}}(window,document);"),
            ("tool_output", f"dist/assets/index-{pick(rng, URLSAFE, 8)}.js   142.31 kB │ gzip: 45.02 kB\ndist/assets/index-{pick(rng, URLSAFE, 8)}.css   12.90 kB"),
            ("tool_output", f'{{"version":3,"sources":["app.ts"],"mappings":"AAAA,SAAS,{pick(rng, "ABCDEFGIKMOQSUWYacegikmoqsuw", 40)};AACA"}}'),
            ("tool_output", f'<div class="css-{pick(rng, LOWER_ALNUM, 6)} e1{pick(rng, LOWER_ALNUM, 6)}0">'),
            ("tool_output", f"static/js/main.{hexs(rng, 8)}.chunk.js\nstatic/css/main.{hexs(rng, 8)}.css\nstatic/media/logo.{hexs(rng, 20)}.svg"),
            ("tool_output", f".button{{color:#{hexs(rng, 6)};background:#{hexs(rng, 6)};border-color:#{hexs(rng, 6)}}}"),
            ("tool_output", f"__pycache__/models.cpython-312.pyc\n.mypy_cache/3.12/app/{hexs(rng, 2)}/{hexs(rng, 38)}.data.json")]


def numbers_and_versions(rng):
    return [("tool_output", f"go: downloading github.com/acme/lib v0.0.0-2026{rng.randrange(1000, 1231)}150405-{hexs(rng, 12)}"),
            ("tool_output", f"version 4.2.0-rc.3+build.{hexs(rng, 7)}\nlibssl3 3.0.13-0ubuntu3.4\nkernel 6.8.0-{rng.randrange(30, 60)}-generic"),
            ("tool_output", f"Tracking number 1Z{pick(rng, UPPER_ALNUM, 16)} delivered"),
            ("tool_output", f"rows: {rng.randrange(10**12, 10**13)}, bytes: {rng.randrange(10**14, 10**15)}, ts: 17646{digits(rng, 8)}"),
            ("tool_output", f"pi ≈ 3.14159265358979323846264338327950288\nmax = 18446744073709551615"),
            ("tool_output", f"image: ghcr.io/acme/api:sha-{hexs(rng, 7)}\nimage: ghcr.io/acme/api:pr-{rng.randrange(100, 999)}-{hexs(rng, 10)}"),
            ("tool_output", f"Postgres LSN 16/B374D848  xid {rng.randrange(10**6, 10**7)}  gtid {uuid4(rng).upper()}:1-{rng.randrange(100, 9999)}")]


def url_slugs(rng):
    return [("user", f"this talk explains it: https://www.youtube.com/watch?v={pick(rng, URLSAFE, 11)}&t=312s"),
            ("user", f"spec is here https://docs.google.com/document/d/{pick(rng, URLSAFE, 44)}/edit?usp=sharing"),
            ("assistant", f"The design file is https://www.figma.com/design/{pick(rng, ALNUM, 22)}/Checkout?node-id=12-340"),
            ("user", f"notes: https://www.notion.so/acme/Q4-planning-{hexs(rng, 32)}"),
            ("user", f"short link https://bit.ly/{pick(rng, ALNUM, 7)} goes to the wrong page"),
            ("tool_output", f"Preview: https://web-git-feat-search-{pick(rng, LOWER_ALNUM, 9)}-acme.vercel.app\nInspect: https://vercel.com/acme/web/{pick(rng, ALNUM, 28)}"),
            ("user", f"loom of the bug: https://www.loom.com/share/{hexs(rng, 32)}"),
            ("tool_output", f"https://gist.github.com/mina-park/{hexs(rng, 32)}"),
            ("user", f"pastebin of the log https://pastebin.com/{pick(rng, ALNUM, 8)} and the image https://i.imgur.com/{pick(rng, ALNUM, 7)}.png"),
            ("tool_output", f"Open https://colab.research.google.com/drive/1{pick(rng, URLSAFE, 32)} to reproduce")]


def published_test_vectors(rng):
    return [("assistant", "AWS's documentation uses `AKIAIOSFODNN7EXAMPLE` with the secret `wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY` in every example; those are not real keys."),
            ("tool_output", "def test_sha256_abc():\n    assert sha256(b\"abc\").hexdigest() == \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""),
            ("tool_output", "EMPTY_MD5 = \"d41d8cd98f00b204e9800998ecf8427e\"\nEMPTY_SHA1 = \"da39a3ee5e6b4b0d3255bfef95601890afd80709\""),
            ("tool_output", "# RFC 6238 test vector: the seed is the ASCII string below\nSEED = b\"12345678901234567890\"\nassert totp(SEED, 59) == \"94287082\""),
            ("tool_output", "# RFC 4231 test case 1\nkey  = 0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b\ndata = 4869205468657265  (\"Hi There\")")]


def tickets_and_issue_ids(rng):
    return [("user", f"this is PAY-{rng.randrange(1000, 9999)}, related to INC-{rng.randrange(10000, 99999)}"),
            ("tool_output", f"Sentry issue BACKEND-{pick(rng, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ', 3)} event {hexs(rng, 32)}"),
            ("tool_output", f"Zendesk #{rng.randrange(100000, 999999)} ← linked to Linear ENG-{rng.randrange(100, 9999)} ({uuid4(rng)})"),
            ("tool_output", f"Message-ID: <CA+{pick(rng, URLSAFE, 40)}@mail.gmail.com>\nIn-Reply-To: <{hexs(rng, 24)}@corp.example>")]


def kubernetes_and_logs(rng):
    return [("tool_output", f"$ kubectl get pods\nNAME                      READY   STATUS    RESTARTS   AGE\napi-{hexs(rng, 10)}-{pick(rng, 'bcdfghjklmnpqrstvwxz2456789', 5)}   1/1     Running   0          3h\nworker-{hexs(rng, 9)}-{pick(rng, 'bcdfghjklmnpqrstvwxz2456789', 5)}  1/1   Running 2  5d"),
            ("tool_output", f"  uid: {uuid4(rng)}\n  resourceVersion: \"{rng.randrange(10**7, 10**8)}\"\n  creationTimestamp: \"2026-11-02T10:11:12Z\""),
            ("tool_output", f"$ hostnamectl\n Static hostname: build07\n      Machine ID: {hexs(rng, 32)}\n         Boot ID: {hexs(rng, 32)}"),
            ("tool_output", f"Nov 30 10:15:02 web01 sshd[{rng.randrange(1000, 99999)}]: Accepted publickey for deploy from 10.0.4.2 port 51322 ssh2: ED25519 SHA256:{b64(rng, 32, pad=False)}"),
            ("tool_output", f"mlflow run {hexs(rng, 32)} finished; wandb run {pick(rng, LOWER_ALNUM, 8)} synced"),
            ("tool_output", f"Downloading model revision {hexs(rng, 40)} from the hub (safetensors, 4.1 GB)")]


def public_client_ids(rng):
    return [("tool_output", f"GOOGLE_CLIENT_ID={digits(rng, 12)}-{pick(rng, LOWER_ALNUM, 32)}.apps.googleusercontent.com"),
            ("tool_output", f"GITHUB_APP_ID={rng.randrange(100000, 999999)}\nGITHUB_CLIENT_ID=Iv23li{pick(rng, ALNUM, 14)}"),
            ("tool_output", f"gtag('config', 'G-{pick(rng, UPPER_ALNUM, 10)}');"),
            ("tool_output", f"AZURE_TENANT_ID={uuid4(rng)}\nAZURE_CLIENT_ID={uuid4(rng)}"),
            ("tool_output", f"TWILIO_ACCOUNT_SID=AC{hexs(rng, 32)}  # the SID is an identifier; the auth token lives in vault")]


def chain_addresses(rng):
    return [("user", f"donations go to bc1q{pick(rng, BECH32, 38)} or 0x{hexs(rng, 40)}"),
            ("tool_output", f"tx 0x{hexs(rng, 64)} confirmed in block {rng.randrange(10**7, 10**8)}"),
            ("tool_output", f"pinned to IPFS: bafybei{pick(rng, 'abcdefghijklmnopqrstuvwxyz234567', 52)} (Qm{pick(rng, B58, 44)})")]


def token_code_without_values(rng):
    return [("tool_output", "import secrets\n\ndef new_api_key() -> str:\n    return \"ak_\" + secrets.token_urlsafe(32)"),
            ("tool_output", "const token = crypto.randomBytes(32).toString('hex');\nawait db.tokens.insert({ userId, hash: sha256(token) });"),
            ("tool_output", "openssl rand -base64 32 > /run/secrets/session_key\nchmod 0400 /run/secrets/session_key"),
            ("assistant", "Generate the webhook secret with `python -c \"import secrets; print(secrets.token_hex(32))\"` and store it only in the secret manager.")]


def empty_credentials(rng):
    return [("tool_output", "password=\nusername=admin"),
            ("tool_output", "redis:\n  host: localhost\n  password: \"\"\n  tls: false"),
            ("tool_output", json.dumps({"api_key": None, "token": "", "secret_ref": "prod/api"})),
            ("tool_output", "[client]\nuser = readonly\n# password comes from ~/.mylogin.cnf")]


def test_fixture_ids(rng):
    return [("tool_output", f"tests/test_orders.py::test_refund[case-{hexs(rng, 8)}] PASSED\ntests/test_orders.py::test_refund[case-{hexs(rng, 8)}] PASSED"),
            ("tool_output", f"snapshot: __snapshots__/checkout.spec.ts.snap ({hexs(rng, 16)})"),
            ("tool_output", f"FIXTURE_SEED = {rng.randrange(10**9, 10**10)}\nFIXTURE_ORDER_ID = \"{uuid4(rng)}\""),
            ("tool_output", f"vcr: cassettes/github_list_repos.yaml (recorded {hexs(rng, 12)}, headers filtered: authorization)"),
            ("tool_output", f"hypothesis: Falsifying example ... @reproduce_failure('6.112.1', b'{b64(rng, 12)}')")]


def documentation_examples(rng):
    return [("assistant", "Authenticate with `curl -H \"Authorization: Bearer $TOKEN\" https://api.example.org/v1/me`, where `$TOKEN` comes from `tool auth token`."),
            ("tool_output", "## Configuration\n\n| key | description |\n|---|---|\n| `api_key` | Your secret key from the dashboard. Never commit it. |\n| `timeout` | Seconds before a request fails. |"),
            ("tool_output", "Usage: dbtool [--host HOST] [--user USER] [-p PASSWORD | --password-file FILE] [--token-stdin]"),
            ("tool_output", "  -k, --api-key string   API key (env: QUARRY_API_KEY)\n  -t, --token string     access token; prefer --token-file"),
            ("assistant", "Keys issued by this service start with `qhk_live_` for production and `qhk_test_` for the sandbox; rotate them from the dashboard.")]


def database_outputs(rng):
    return [("tool_output", f"$ redis-cli INFO server | grep -E 'run_id|redis_version'\nredis_version:7.4.1\nrun_id:{hexs(rng, 40)}"),
            ("tool_output", f" queryid              | calls | mean_ms\n {rng.choice(['-', ''])}{rng.randrange(10**18, 9 * 10**18)} |  8812 |   3.41"),
            ("tool_output", f"mysql> SHOW MASTER STATUS;\n| binlog.000042 | 157 | | | {uuid4(rng)}:1-{rng.randrange(1000, 99999)} |"),
            ("tool_output", f"> db.sessions.getIndexes()\n[ {{ v: 2, key: {{ _id: 1 }}, name: '_id_' }} ]\n> db.carts.findOne()\n{{ _id: ObjectId('{hexs(rng, 24)}'), items: 3 }}"),
            ("tool_output", f"Kafka cluster id: {pick(rng, URLSAFE, 22)}  consumer group orders-v2 offset {rng.randrange(10**6, 10**9)}")]


def ci_logs_clean(rng):
    return [("tool_output", f"Running with gitlab-runner 17.5.2 (c6f2{hexs(rng, 4)})\n  on shared-runner-{pick(rng, LOWER_ALNUM, 8)} {pick(rng, ALNUM, 8)}, system ID: s_{hexs(rng, 12)}"),
            ("tool_output", f"##[group]Run actions/cache@v4\nwith:\n  path: ~/.npm\n  key: Linux-npm-{hexs(rng, 64)}\n##[endgroup]\nCache hit for: Linux-npm-{hexs(rng, 64)}"),
            ("tool_output", f"Job {rng.randrange(10**9, 10**10)} on runner GitHub Actions {rng.randrange(2, 1000)} (ubuntu-24.04) image version 20261124.{rng.randrange(1, 9)}.1"),
            ("tool_output", f"CircleCI build #{rng.randrange(1000, 99999)} workflow {uuid4(rng)} pipeline {uuid4(rng)}"),
            ("tool_output", f"Buildkite job {uuid4(rng)} agent ci-agent-{pick(rng, LOWER_ALNUM, 6)} exit 0")]


def terraform_plans(rng):
    return [("tool_output", f"  # aws_security_group.web will be updated in-place\n  ~ resource \"aws_security_group\" \"web\" {{\n        id   = \"sg-0{hexs(rng, 16)}\"\n      ~ tags = {{ \"Commit\" = \"{hexs(rng, 7)}\" }}\n    }}"),
            ("tool_output", "  + resource \"aws_db_instance\" \"main\" {\n      + password = (sensitive value)\n      + username = \"app\"\n    }"),
            ("tool_output", f"random_id.suffix: Creation complete after 0s [id={pick(rng, URLSAFE, 11)}]\nrandom_pet.name: Creation complete [id=humble-{rng.choice(['otter', 'falcon', 'maple'])}]"),
            ("tool_output", f"Acquiring state lock. This may take a few moments...\nLock Info:\n  ID:        {uuid4(rng)}\n  Path:      acme-tfstate/prod/terraform.tfstate")]


def http_harmless_headers(rng):
    return [("tool_output", f"< ETag: W/\"{hexs(rng, 32)}\"\n< Cache-Control: max-age=600\n< Content-MD5: {b64(rng, 16)}"),
            ("tool_output", f"content-security-policy: script-src 'self' 'nonce-{b64(rng, 16)}'; object-src 'none'"),
            ("tool_output", f"< x-github-request-id: {hexs(rng, 4, True)}:{hexs(rng, 6, True)}:{hexs(rng, 7, True)}:{hexs(rng, 7, True)}:{hexs(rng, 8, True)}\n< x-ratelimit-remaining: 4987"),
            ("tool_output", f"< Digest: sha-256={b64(rng, 32)}\n< Vary: Accept-Encoding"),
            ("assistant", f"Open https://auth.example.org/authorize?response_type=code&client_id=web&state={pick(rng, URLSAFE, 22)}&code_challenge={b64(rng, 32, url=True, pad=False)}&code_challenge_method=S256 to start the login.")]


def ids_in_prose_languages(rng):
    return [("user", f"Die Bestellung {uuid4(rng)} hängt seit gestern im Status 'pending'."),
            ("user", f"le commit {hexs(rng, 10)} casse le build sur la CI"),
            ("user", f"la orden {rng.randrange(10**9, 10**10)} no aparece en el panel, el id de la petición es {hexs(rng, 32)}"),
            ("user", f"コミット {hexs(rng, 7)} で直りました。リクエストIDは {uuid4(rng)} です"),
            ("user", f"这个任务的 trace id 是 {hexs(rng, 32)}，麻烦看一下"),
            ("user", f"заказ {pick(rng, CROCKFORD, 26)} не оплачен, см. лог"),
            ("user", f"o deploy {hexs(rng, 12)} quebrou a página de login"),
            ("user", f"빌드 {rng.randrange(10000, 99999)} 에서 이미지 다이제스트가 sha256:{hexs(rng, 64)} 로 바뀌었어요")]


def names_that_look_generated(rng):
    return [("tool_output", f"$ git branch -a\n* feature/{rng.choice(['harbor', 'kestrel', 'lantern'])}-{rng.choice(['moss', 'quartz', 'ember'])}-{rng.randrange(100, 9999)}\n  remotes/origin/fix/login-redirect"),
            ("tool_output", f"$ docker ps --format '{{{{.Names}}}}'\n{rng.choice(['quirky', 'eager', 'vibrant'])}_{rng.choice(['hopper', 'lovelace', 'turing'])}\napi-{hexs(rng, 6)}"),
            ("tool_output", f"Creating app... done, ⬢ {rng.choice(['quiet', 'gentle', 'shrouded'])}-{rng.choice(['river', 'meadow', 'badlands'])}-{rng.randrange(10000, 99999)}"),
            ("tool_output", f"namespace/preview-pr-{rng.randrange(100, 999)}-{pick(rng, LOWER_ALNUM, 6)} created"),
            ("user", f"our codename for the release is {rng.choice(['Saffron', 'Cobalt', 'Juniper'])}-{rng.choice(['Falcon', 'Otter', 'Tundra'])}-{rng.randrange(2026, 2030)}")]


def urls_without_passwords(rng):
    return [("tool_output", "remote.origin.url=https://mina@bitbucket.org/acme/web.git\nremote.mirror.url=ssh://git@git.corp.example:2222/core/web.git"),
            ("tool_output", "DATABASE_URL=postgres://app@localhost:5432/app_dev\nREDIS_URL=redis://localhost:6379/0\nAMQP_URL=amqp://rabbit:5672/%2f"),
            ("tool_output", f"mongodb://db0.internal:27017,db1.internal:27017/?replicaSet=rs{rng.randrange(10)}&authSource=admin"),
            ("assistant", "Connect with `psql \"host=localhost dbname=app user=app sslmode=disable\"`; the password comes from `~/.pgpass`.")]


def last4_displays(rng):
    return [("tool_output", f"Keys\n  sk_live_…{pick(rng, ALNUM, 4)}   created 2026-05-02   last used 2 hours ago\n  rk_live_…{pick(rng, ALNUM, 4)}   created 2026-09-18   never used"),
            ("tool_output", f"NAME      TOKEN        EXPIRES\nci-bot    ghp_…{pick(rng, ALNUM, 4)}     in 28 days\nrenovate  github_pat_…{pick(rng, ALNUM, 4)}  never"),
            ("user", f"the key ending in {pick(rng, ALNUM, 4)} is the old one, the dashboard shows both")]


def graph_node_ids(rng):
    def node(prefix, n):
        return base64.b64encode(f"{prefix}:{n}".encode()).decode()
    return [("tool_output", json.dumps({"data": {"order": {"id": node("Order", rng.randrange(10**5, 10**7)), "customer": {"id": node("Customer", rng.randrange(10**4, 10**6))}}}})),
            ("tool_output", f"\"node_id\": \"MDQ6VXNlcj{pick(rng, ALNUM, 6)}\",\n\"repository\": {{\"node_id\": \"R_kgDO{pick(rng, URLSAFE, 8)}\"}}"),
            ("tool_output", f"pull request PR_kwDO{pick(rng, URLSAFE, 10)}{rng.randrange(10**6, 10**7)} merged"),
            ("tool_output", f"slack: channel C0{pick(rng, UPPER_ALNUM, 9)} user U0{pick(rng, UPPER_ALNUM, 9)} ts {rng.randrange(1700000000, 1800000000)}.{digits(rng, 6)}")]


def supply_chain_metadata(rng):
    return [("tool_output", json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": [{"name": "acme-cli", "digest": {"sha256": hexs(rng, 64)}}]})),
            ("tool_output", f"Verification for ghcr.io/acme/api@sha256:{hexs(rng, 64)} --\nThe following checks were performed: the cosign claims were validated\n\"signature\": \"MEUCI{b64(rng, 68)}\""),
            ("tool_output", f"  <component type=\"library\" bom-ref=\"pkg:pypi/requests@2.32.3\">\n    <hashes><hash alg=\"SHA-256\">{hexs(rng, 64)}</hash></hashes>\n  </component>"),
            ("tool_output", f"gpg: Signature made Tue Nov 24 2026\ngpg:                using EDDSA key {hexs(rng, 40, True)}\ngpg: Good signature from \"Release Bot\"")]


def notebook_metadata(rng):
    return [("tool_output", json.dumps({"cell_type": "code", "id": pick(rng, HEX, 8), "metadata": {"colab": {"base_uri": "https://localhost:8080/"}, "outputId": uuid4(rng)}, "source": ["df.describe()"]})),
            ("tool_output", json.dumps({"application/vnd.jupyter.widget-view+json": {"model_id": hexs(rng, 32), "version_major": 2}})),
            ("tool_output", f"[I 10:12:01.522 ServerApp] Kernel started: {uuid4(rng)}\n[I 10:12:01.524 ServerApp] Connecting to kernel {uuid4(rng)}")]


def secretish_paths_and_words(rng):
    return [("tool_output", "$ ls ~/.ssh\nconfig  id_ed25519  id_ed25519.pub  known_hosts\n$ ls /run/secrets\ndb_password  stripe_key"),
            ("tool_output", "src/auth/token_store.rs\nsrc/auth/password_hasher.rs\nsecrets/prod.enc.yaml\nconfig/credentials.yml.enc"),
            ("user", "rename get_api_key_from_env to load_api_key and make the TokenRefresher retry twice"),
            ("tool_output", "AbstractSingletonProxyFactoryBean io.k8s.api.core.v1.PodSecurityContext Donaudampfschifffahrtsgesellschaftskapitän")]


def hex_and_binary_dumps(rng):
    return [("tool_output", "$ xxd -l 32 logo.png\n00000000: 8950 4e47 0d0a 1a0a 0000 000d 4948 4452  .PNG........IHDR\n00000010: 0000 0200 0000 0200 0806 0000 00f4 78d4  ..............x."),
            ("tool_output", f"eth0: ether {':'.join(hexs(rng, 2) for _ in range(6))}  inet6 fe80::{hexs(rng, 4)}:{hexs(rng, 4)}:{hexs(rng, 4)}:{hexs(rng, 4)}"),
            ("tool_output", f"disk serial WD-WX{pick(rng, UPPER_ALNUM, 12)}  wwn 0x5000c500{hexs(rng, 8)}  part uuid {uuid4(rng).upper()}")]


def apple_and_mobile_ids(rng):
    return [("tool_output", f"DEVELOPMENT_TEAM = {pick(rng, UPPER_ALNUM, 10)};\nPROVISIONING_PROFILE_SPECIFIER = \"{uuid4(rng).upper()}\";\nPRODUCT_BUNDLE_IDENTIFIER = com.acme.shop;"),
            ("tool_output", f"App Store Connect app id {rng.randrange(10**9, 10**10)}, build {rng.randrange(100, 999)} ({hexs(rng, 7)})"),
            ("tool_output", f"Firebase App ID 1:{digits(rng, 12)}:android:{hexs(rng, 22)}")]


def migrations_and_schema(rng):
    return [("tool_output", f"db/migrate/2026113014{rng.randrange(1000, 5959)}_create_api_tokens.rb\ndb/migrate/2026120109{rng.randrange(1000, 5959)}_add_token_digest_to_api_tokens.rb"),
            ("tool_output", f"revision = \"{hexs(rng, 12)}\"\ndown_revision = \"{hexs(rng, 12)}\"\nbranch_labels = None"),
            ("tool_output", "CREATE TABLE api_keys (\n  id uuid PRIMARY KEY,\n  key_prefix char(8) NOT NULL,\n  key_hash char(64) NOT NULL,\n  revoked_at timestamptz\n);"),
            ("tool_output", f"Applying shop.0042_auto_202611{rng.randrange(10, 31)}_1402... OK\nApplying auth.0013_token_last_used... OK"),
            ("tool_output", f"flyway: Migrating schema \"public\" to version \"7.{rng.randrange(10)} - add sessions\" [checksum {rng.randrange(-2**31, 2**31)}]")]


def stack_traces_and_symbols(rng):
    return [("tool_output", f"   4: _ZN4core3fmt5write17h{hexs(rng, 16)}E\n             at /rustc/{hexs(rng, 40)}/library/core/src/fmt/mod.rs:1186:17"),
            ("tool_output", f"<app.models.Order object at 0x7f{hexs(rng, 10)}>\nSegmentation fault at 0x0000{hexs(rng, 12)}"),
            ("tool_output", f"java.lang.IllegalStateException: closed\n\tat com.acme.pool.Conn$$Lambda$412/0x00000008{hexs(rng, 8)}.run(Unknown Source)\n\tat com.acme.pool.Conn@{hexs(rng, 8)}"),
            ("tool_output", f"goroutine 17 [running]:\nmain.handler(0xc000{hexs(rng, 6)}, 0x{hexs(rng, 6)})\n\t/src/main.go:88 +0x{hexs(rng, 3)}"),
            ("tool_output", f"Thread 0 Crashed:\n0   libsystem_kernel.dylib  0x00000001{hexs(rng, 8)} __pthread_kill + 8\nBinary Images: {uuid4(rng).upper()}")]


def public_site_keys_and_meeting_ids(rng):
    return [("tool_output", f"<div class=\"g-recaptcha\" data-sitekey=\"6L{pick(rng, URLSAFE, 38)}\"></div>"),
            ("user", f"join the call: https://meet.google.com/{pick(rng, LOWER, 3)}-{pick(rng, LOWER, 4)}-{pick(rng, LOWER, 3)}"),
            ("user", f"standup is zoom meeting {rng.randrange(800, 999)} {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"),
            ("tool_output", f"NEXT_PUBLIC_POSTHOG_HOST=https://eu.posthog.example\nNEXT_PUBLIC_APP_VERSION=3.{rng.randrange(20)}.0+{hexs(rng, 7)}"),
            ("tool_output", f"Mapbox style mapbox://styles/acme/{pick(rng, LOWER_ALNUM, 25)}"),
            ("tool_output", f"Calendar event id {pick(rng, 'abcdefghijklmnopqrstuv0123456789', 26)}_20261208T090000Z")]


MAKERS = [git_log_oneline, git_log_full_sha, git_rebase_todo, git_ls_tree_and_blame, commit_urls_and_pins, checksums,
          docker_digests, lockfile_hashes, nix_sri, uuid_record_ids, sortable_ids, payment_object_ids, trace_ids,
          build_ids, cloud_resource_ids, public_keys, fingerprints, placeholders, env_references,
          vault_paths_and_secret_names, masked_tool_outputs, password_policy_and_ui, hashed_password_fixtures,
          encrypted_at_rest, harmless_base64, minified_and_assets, numbers_and_versions, url_slugs,
          published_test_vectors, tickets_and_issue_ids, kubernetes_and_logs, public_client_ids, chain_addresses,
          token_code_without_values, empty_credentials, test_fixture_ids, documentation_examples, database_outputs,
          ci_logs_clean, terraform_plans, http_harmless_headers, ids_in_prose_languages, names_that_look_generated,
          urls_without_passwords, last4_displays, graph_node_ids, supply_chain_metadata, notebook_metadata,
          secretish_paths_and_words, hex_and_binary_dumps, apple_and_mobile_ids,
          migrations_and_schema, stack_traces_and_symbols, public_site_keys_and_meeting_ids]

# makers whose values are all drawn at random: run a second time, tool output wrapped as a JSON tool result
REDRAWN = [git_log_full_sha, git_ls_tree_and_blame, commit_urls_and_pins, checksums, docker_digests, lockfile_hashes,
           uuid_record_ids, sortable_ids, payment_object_ids, trace_ids, build_ids, cloud_resource_ids, public_keys,
           fingerprints, url_slugs, kubernetes_and_logs, ids_in_prose_languages, graph_node_ids]


def items(rng):
    out = []
    for maker in MAKERS:
        name = maker.__name__.replace("_", "-")
        for context, text in maker(rng):
            out.append({"name": name, "context": context, "text": text})
    for maker in REDRAWN:
        name = maker.__name__.replace("_", "-")
        for context, text in maker(rng):
            if context == "tool_output":
                context, text = "tool_output", json.dumps({"type": "tool_result", "content": text}, ensure_ascii=False)
            out.append({"name": name, "context": context, "text": text})
    return out
