"""Secrets in URLs, headers, cookies and key blocks, and secrets encoded: base64 (Kubernetes `data:`,
docker `auths`, Basic auth, whole files), percent-encoding, JSON escaped twice, Go's \\u0026 escapes, values
split across lines, and unusual quotes. `secret` is always the form the text shows."""
import base64
import json
from urllib.parse import quote

from values import ALNUM, B32, LOWER_ALNUM, URLSAFE, b64, hexs, human_password, machine_password, pick, uuid4


def _b64s(text):
    return base64.b64encode(text.encode()).decode()


def _wrap(body, width):
    return "\n".join(body[i:i + width] for i in range(0, len(body), width))


def _pem(rng, label, head, nbytes, width=64):
    body = _wrap(head + b64(rng, nbytes), width)
    return f"-----BEGIN {label}-----\n{body}\n-----END {label}-----", body


def _call(**arguments):
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))


def key_blocks(rng):
    pem, body = _pem(rng, "RSA PRIVATE KEY", "MIIEowIBAAKCAQEA", 1180)
    yield "rsa-private-key-pkcs1", "tool_output", f"$ cat deploy/id_rsa\n{pem}\n", body
    pem, body = _pem(rng, "PRIVATE KEY", "MIIEvgIBADANBgkqhkiG9w0BAQEFAASC", 1200)
    yield "pkcs8-private-key-in-python", "tool_output", f'SIGNING_KEY = """{pem}"""\n\ndef sign(payload): ...\n', body
    pem, body = _pem(rng, "EC PRIVATE KEY", "MHcCAQEEI", 110)
    yield "ec-private-key", "tool_output", f"$ openssl ecparam -name prime256v1 -genkey -noout\n{pem}\n", body
    pem, body = _pem(rng, "OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", 300, width=70)
    yield "openssh-private-key-user-paste", "user", f"this is the key the old contractor left, can you tell what it is for?\n\n{pem}", body
    pem, body = _pem(rng, "ENCRYPTED PRIVATE KEY", "MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG9w0BBQwwHAQI", 1240)
    yield "encrypted-pkcs8-private-key", "tool_output", f"$ cat certs/server.key\n{pem}\n", body
    armor = _wrap("lQdGBG" + b64(rng, 900), 64)
    block = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{armor}\n={b64(rng, 3)}\n-----END PGP PRIVATE KEY BLOCK-----"
    yield "pgp-private-key-block", "tool_output", f"$ gpg --export-secret-keys --armor ops@corp.example\n{block}\n", armor
    pem, body = _pem(rng, "OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0AAAAGAAAABD", 420, width=70)
    escaped = json.dumps(body)[1:-1]
    yield "openssh-key-in-tool-call-json", "tool_call", _call(file_path="/home/dev/.ssh/id_ed25519", content=pem + "\n"), escaped
    pem, body = _pem(rng, "PRIVATE KEY", "MIIEvAIBADANBgkqhkiG9w0BAQEFAASC", 1190)
    service = {"type": "service_account", "project_id": f"billing-{pick(rng, LOWER_ALNUM, 6)}", "private_key_id": hexs(rng, 40),
               "private_key": pem + "\n", "client_email": "ci-deployer@billing.iam.gserviceaccount.example"}
    text = json.dumps(service, indent=2)
    yield "gcp-service-account-json-key", "tool_output", f"$ cat sa.json\n{text}", json.dumps(body)[1:-1]
    twice = json.dumps(_call(content=pem))[1:-1]
    yield "private-key-json-escaped-twice", "tool_output", f'{{"tool_result":"{twice}"}}', json.dumps(json.dumps(body)[1:-1])[1:-1]


def urls(rng):
    schemes = [
        ("postgres-url-password", "postgresql://app:{p}@pg-primary.internal:5432/app?sslmode=require"),
        ("mysql-url-password", "mysql://shop:{p}@10.0.8.21:3306/shop"),
        ("mongodb-srv-password", "mongodb+srv://analytics:{p}@cluster0.ab12c.mongodb.net/?retryWrites=true&w=majority"),
        ("redis-url-password", "rediss://default:{p}@eu1-calm-fox-3021.upstash.example:6379"),
        ("amqp-url-password", "amqps://worker:{p}@rabbit.internal/vhost"),
        ("mssql-jdbc-password", "jdbc:sqlserver://sql01:1433;databaseName=erp;user=erp_app;password={p};encrypt=true"),
        ("oracle-jdbc-password", "jdbc:oracle:thin:scott/{p}@//ora01:1521/ORCLPDB1"),
        ("ado-net-connection-password", "Server=tcp:erp.database.windows.example,1433;Database=erp;User ID=erp;Password={p};Encrypt=True;"),
        ("smtp-url-password", "smtp://mailer%40corp.example:{p}@smtp.corp.example:587"),
        ("sftp-url-password", "sftp://upload:{p}@files.partner.example:22/inbox"),
        ("clickhouse-url-password", "clickhouse://default:{p}@ch.internal:9000/metrics"),
        ("nats-url-password", "nats://svc:{p}@nats-0.nats:4222"),
    ]
    for index, (kind, template) in enumerate(schemes):
        value = pick(rng, ALNUM, rng.randrange(16, 28))
        url = template.format(p=value)
        text = [f"DATABASE_URL={url}", f"$ cat config/database.yml | grep url\n  url: \"{url}\"",
                _call(command=f"DB_URL='{url}' ./manage.py check"), f"can you see why this doesn't connect? {url}"][index % 4]
        yield kind, ["tool_output", "tool_output", "tool_call", "user"][index % 4], text, value
    pw = machine_password(rng, 18, "@:/#?%!")
    enc = quote(pw, safe="")
    yield "postgres-url-percent-encoded", "tool_output", f"$ echo $DATABASE_URL\npostgres://etl:{enc}@db.internal:5432/warehouse", enc
    pw = human_password(rng) + "@#"
    enc = quote(pw, safe="")
    yield "mongodb-url-percent-encoded-user-prose", "user", f"the string from atlas is mongodb://app:{enc}@shard-00.mongodb.example:27017 (I encoded the @ already)", enc
    tok = pick(rng, URLSAFE, 40)
    yield "query-access-token", "tool_output", f"GET /api/v3/export?format=csv&access_token={tok}&page=2 HTTP/1.1\" 200 48213", tok
    key = pick(rng, ALNUM, 32)
    yield "query-api-key-nginx-log", "tool_output", f'10.0.0.7 - - [02/Dec/2026:10:14:55 +0000] "GET /v1/geocode?address=berlin&key={key} HTTP/1.1" 200 812 "-" "python-requests/2.32"', key
    sig = quote(b64(rng, 32), safe="")
    yield "azure-sas-signature", "tool_output", (f"https://stacmebackups.blob.core.windows.example/db/backup.bak?sv=2022-11-02&ss=b&srt=o&sp=r"
                                                 f"&se=2027-01-01T00:00:00Z&spr=https&sig={sig}"), sig
    tok = pick(rng, ALNUM, 24)
    yield "slack-webhook-url", "tool_output", f"SLACK_WEBHOOK=https://hooks.slack.com/services/T{pick(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 8)}/B{pick(rng, 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 10)}/{tok}", tok
    tok = pick(rng, URLSAFE, 68)
    yield "discord-webhook-url", "user", f"post the alerts to https://discord.com/api/webhooks/{rng.randrange(10**17, 10**18)}/{tok} please", tok
    tok = pick(rng, URLSAFE, 43)
    yield "teams-webhook-url", "tool_output", f"  webhook_url: https://corp.webhook.office.example/webhookb2/{uuid4(rng)}@{uuid4(rng)}/IncomingWebhook/{hexs(rng, 32)}/{uuid4(rng)}/V2{tok}", tok
    tok = pick(rng, ALNUM, 36)
    yield "git-credentials-line", "tool_output", f"$ cat ~/.git-credentials\nhttps://oauth2:{tok}@gitlab.corp.example\n", tok
    key = hexs(rng, 32)
    yield "websocket-url-token", "assistant", f"The client connects to `wss://stream.quotes.example/v2?token={key}`; the token is in the URL, so it also shows up in proxy logs.", key
    pw = pick(rng, ALNUM, 18)
    yield "url-in-markdown-link", "user", f"see [the dashboard](https://admin:{pw}@grafana.lab.example/d/abc) — login is embedded", pw


def headers(rng):
    rows = [
        ("header-x-api-key", "X-Api-Key: {v}", lambda: pick(rng, ALNUM, 32)),
        ("header-authorization-token-scheme", "Authorization: token {v}", lambda: "ghp_" + pick(rng, ALNUM, 36)),
        ("header-authorization-bot", "Authorization: Bot {v}", lambda: f"MT{pick(rng, ALNUM, 24)}.{pick(rng, URLSAFE, 6)}.{pick(rng, URLSAFE, 38)}"),
        ("header-private-token", "PRIVATE-TOKEN: {v}", lambda: "glpat-" + pick(rng, URLSAFE, 20)),
        ("header-x-auth-token", "X-Auth-Token: {v}", lambda: hexs(rng, 48)),
        ("header-azure-api-key-lower", "api-key: {v}", lambda: hexs(rng, 32)),
        ("header-goog-api-key", "x-goog-api-key: {v}", lambda: "AIza" + pick(rng, URLSAFE, 35)),
        ("header-dd-api-key", "DD-API-KEY: {v}", lambda: hexs(rng, 32)),
        ("header-bearer-jwt", "authorization: Bearer {v}", lambda: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJ" + pick(rng, URLSAFE, 120) + "." + pick(rng, URLSAFE, 86)),
        ("header-bearer-opaque-short", "Authorization: Bearer {v}", lambda: pick(rng, ALNUM, 20)),
        ("header-x-shopify-token", "X-Shopify-Access-Token: {v}", lambda: "shpat_" + hexs(rng, 32)),
        ("header-invented-x-quarry-key", "X-Quarry-Key: {v}", lambda: pick(rng, B32, 24)),
        ("header-api-token-custom", "Api-Token: {v}", lambda: pick(rng, LOWER_ALNUM, 40)),
        ("cookie-session", "Cookie: _ga=GA1.1.{n}; session={v}; theme=dark", lambda: pick(rng, URLSAFE, 48)),
        ("set-cookie-remember-token", "Set-Cookie: remember_token={v}; Path=/; HttpOnly; Secure; SameSite=Lax", lambda: hexs(rng, 64)),
        ("cookie-rails-session", "Cookie: _shop_session={v}", lambda: b64(rng, 90) + "--" + hexs(rng, 40)),
    ]
    for index, (kind, template, make) in enumerate(rows):
        value = make()
        line = template.format(v=value, n=rng.randrange(10**9, 10**10))
        if index % 3 == 0:
            text = f"$ curl -v https://api.example.org/v1/me\n> GET /v1/me HTTP/1.1\n> Host: api.example.org\n> {line}\n> Accept: */*\n>\n< HTTP/1.1 200 OK"
            context = "tool_output"
        elif index % 3 == 1:
            name, _, rest = line.partition(": ")
            text = _call(url="https://api.example.org/v1/me", method="GET", headers={name: rest})
            context = "tool_call"
        else:
            text = f"POST /graphql HTTP/2\nhost: api.example.org\n{line}\ncontent-type: application/json\n\n{{\"query\":\"{{ viewer {{ id }} }}\"}}"
            context = "tool_output"
        yield kind, context, text, value


def encodings(rng):
    pw = human_password(rng)
    enc = _b64s(pw)
    yield "k8s-secret-data-base64", "tool_output", (f"$ kubectl get secret db-creds -n prod -o yaml\napiVersion: v1\ndata:\n  password: {enc}\n"
                                                    f"  username: {_b64s('app')}\nkind: Secret\nmetadata:\n  name: db-creds\n  namespace: prod\ntype: Opaque"), enc
    tok = pick(rng, ALNUM, 40)
    enc = _b64s(tok)
    yield "k8s-secret-data-base64-token", "tool_output", f"$ kubectl get secret api -o jsonpath='{{.data.token}}'\n{enc}", enc
    tok = "dckr_pat_" + pick(rng, URLSAFE, 27)
    enc = _b64s(f"ci-bot:{tok}")
    cfg = json.dumps({"auths": {"https://index.docker.io/v1/": {"auth": enc}}}, indent=1)
    yield "docker-config-auth-base64", "tool_output", f"$ cat ~/.docker/config.json\n{cfg}", enc
    enc = _b64s(f"jenkins:{pick(rng, ALNUM, 22)}")
    yield "basic-auth-header-base64", "tool_output", f"> Authorization: Basic {enc}\n< HTTP/1.1 302 Found", enc
    enc = _b64s(f"api:{pick(rng, LOWER_ALNUM, 32)}")
    yield "proxy-authorization-basic", "user", f"corp proxy needs Proxy-Authorization: Basic {enc} or npm install hangs", enc
    env = f"STRIPE_SECRET_KEY=sk_live_51{pick(rng, ALNUM, 60)}\nDB_PASSWORD={pick(rng, ALNUM, 20)}\n"
    enc = _b64s(env)
    yield "base64-dotenv-blob", "tool_output", f"$ gh variable list\nENV_FILE_B64\t{enc}\t2026-11-30T09:12:44Z", enc
    sa = json.dumps({"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\n" + b64(rng, 300) + "\n-----END PRIVATE KEY-----\n"})
    enc = base64.b64encode(sa.encode()).decode()
    yield "base64-service-account-json", "tool_output", f"GOOGLE_CREDENTIALS_B64={enc}", enc
    pw = machine_password(rng, 16, "&<>!") + "&x"
    escaped = json.dumps(pw).replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")[1:-1]
    yield "go-json-html-escaped-password", "tool_output", f'{{"level":"debug","msg":"dsn","password":"{escaped}","ts":1764670000}}', escaped
    pw = pick(rng, ALNUM, 10) + '"' + pick(rng, ALNUM, 6) + "\\" + pick(rng, ALNUM, 6)
    once = json.dumps({"password": pw}, separators=(",", ":"))
    text = _call(command=f"echo '{once}' > /tmp/creds.json && ./login --creds /tmp/creds.json")
    twice = json.dumps(json.dumps(pw)[1:-1])[1:-1]
    yield "password-json-escaped-twice", "tool_call", text, twice
    tok = pick(rng, ALNUM, 40)
    nested = json.dumps({"type": "tool_result", "content": _call(stdout=f"export API_TOKEN=\"{tok}\"\n")})
    yield "token-in-nested-tool-result", "tool_output", nested, tok
    tok = "sk-proj-" + pick(rng, URLSAFE, 120)
    head, tail = tok[:60], tok[60:]
    yield "token-split-python-concat", "tool_output", f'OPENAI_KEY = (\n    "{head}"\n    "{tail}"\n)\n', head
    tok = pick(rng, ALNUM + "/+", 180)
    yield "token-split-shell-continuation", "tool_output", f"$ ./push.sh --token {tok[:90]}\\\n{tok[90:]} --env prod", tok[90:]
    tok = b64(rng, 120)
    wrapped = _wrap(tok, 76)
    yield "token-wrapped-at-76-columns", "tool_output", f"SERVICE_TOKEN:\n{wrapped}\n", wrapped.split("\n")[0]
    tok = pick(rng, ALNUM, 64)
    yield "token-yaml-folded", "tool_output", f"auth:\n  token: >-\n    {tok[:32]}\n    {tok[32:]}\n", tok[:32]
    pw = human_password(rng)
    yield "password-smart-quotes", "user", f"the password is “{pw}” (copied from Word, sorry about the quotes)", pw
    pw = human_password(rng)
    yield "password-guillemets", "user", f"Le mot de passe : «{pw}»", pw
    pw = human_password(rng)
    yield "password-cjk-brackets", "user", f"パスワード「{pw}」でログインできます", pw
    pw = human_password(rng)
    yield "password-backticks-assistant", "assistant", f"Set the password with ``ALTER USER app PASSWORD '{pw}'`` and reconnect.", pw
    tok = pick(rng, ALNUM, 30)
    yield "token-html-attribute", "tool_output", f'<input type="hidden" name="api_token" value="{tok}">', tok
    tok = pick(rng, ALNUM, 32)
    yield "token-url-encoded-form-body", "tool_output", f"POST /oauth/token\ncontent-type: application/x-www-form-urlencoded\n\ngrant_type=client_credentials&client_id=reports&client_secret={tok}", tok
    secret = pick(rng, B32, 16) + pick(rng, B32, 16)
    yield "hex-dump-of-secret", "tool_output", "$ xxd -p .token\n" + secret.encode().hex(), secret.encode().hex()


def items(rng):
    out = []
    for source in (key_blocks, urls, headers, encodings):
        for kind, context, text, secret in source(rng):
            out.append({"kind": kind, "context": context, "text": text, "secret": secret})
    return out
