"""Secrets whose place is part of the case: key blocks, connection strings, headers, command-line
arguments, prose in many languages, values split, escaped or encoded. Each builder appends items
{"kind", "context", "text", "secret"}; `secret` is only the secret part (the body of a key block, the
password of a URL), so a redactor that keeps the harmless frame around it is not counted as leaking.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from shapes import Draw


class Sink:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, kind: str, context: str, text: str, secret: str) -> None:
        if secret not in text:
            raise ValueError(f"{kind}: secret not verbatim in its text")
        self.items.append({"kind": kind, "context": context, "text": text, "secret": secret})


def _compact(obj) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def key_blocks(d: Draw, out: Sink) -> None:
    rsa = d.pem_lines(1190)
    out.add("rsa_private_key_pem", "tool output: cat deploy/key.pem",
            "$ cat deploy/key.pem\n-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(rsa) + "\n-----END RSA PRIVATE KEY-----\n",
            "\n".join(rsa[3:8]))
    ossh = d.pem_lines(400)
    block = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(ossh) + "\n-----END OPENSSH PRIVATE KEY-----\n"
    args = {"path": "/home/dev/.ssh/id_ed25519_ci", "content": block}
    out.add("openssh_private_key_in_tool_json", "tool call: write_file (compact JSON arguments, key escaped)",
            "write_file " + _compact(args), "\\n".join(ossh[1:4]))
    ec = d.pem_lines(121)
    out.add("ec_private_key_pem", "config: Helm values.yaml block scalar",
            "tls:\n  enabled: true\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    " + "\n    ".join(ec)
            + "\n    -----END EC PRIVATE KEY-----\n", ec[1])
    pk8 = d.pem_lines(1218)
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(pk8) + "\n-----END PRIVATE KEY-----\n"
    sa = {"type": "service_account", "project_id": f"{d.noun()}-prod-{d.number(1000, 9999)}", "private_key_id": d.hexs(40),
          "private_key": pem, "client_email": f"ci-runner@{d.noun()}-prod.iam.gserviceaccount.com"}
    out.add("gcp_service_account_private_key", "file: GCP service account JSON",
            json.dumps(sa, indent=2), "\\n".join(pk8[5:9]))
    out.add("gcp_service_account_private_key_id", "file: GCP service account JSON (key id)",
            json.dumps({"type": "service_account", "private_key_id": sa["private_key_id"], "client_id": d.digits(21)}, indent=2),
            sa["private_key_id"])
    enc = d.pem_lines(1300)
    # The passphrase on the command line is a secret too; the label holds the key body.
    out.add("encrypted_pkcs8_private_key", "tool output: openssl genpkey with a passphrase",
            "$ openssl genpkey -algorithm RSA -aes256 -pass pass:" + (pw := d.human_password())
            + " | head -5\n-----BEGIN ENCRYPTED PRIVATE KEY-----\n" + "\n".join(enc[:4]) + "\n", "\n".join(enc[:4]))
    pgp = d.pem_lines(900)
    out.add("pgp_private_key_block", "tool output: gpg --export-secret-keys --armor",
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(pgp) + "\n=" + d.b64(3) + "\n-----END PGP PRIVATE KEY BLOCK-----\n",
            "\n".join(pgp[2:6]))
    ppk = d.pem_lines(330)
    out.add("putty_private_key", "file: server.ppk",
            "PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\nComment: build-box\nPublic-Lines: 2\n" + d.b64(48) + "\n"
            + d.b64(40) + "\nPrivate-Lines: " + str(len(ppk)) + "\n" + "\n".join(ppk) + "\nPrivate-MAC: " + d.hexs(64) + "\n",
            "\n".join(ppk[:3]))
    wg = d.b64(32)
    out.add("wireguard_private_key", "config: wg0.conf",
            f"[Interface]\nAddress = 10.8.0.{d.number(2, 200)}/24\nPrivateKey = {wg}\nListenPort = 51820\n\n[Peer]\nPublicKey = {d.b64(32)}\nAllowedIPs = 0.0.0.0/0\n", wg)
    ovpn = [d.hexs(32) for _ in range(16)]
    out.add("openvpn_static_key", "config: client.ovpn",
            "<tls-auth>\n#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n" + "\n".join(ovpn)
            + "\n-----END OpenVPN Static key V1-----\n</tls-auth>\nkey-direction 1\n", "\n".join(ovpn[4:7]))
    eth = "0x" + d.hexs(64)
    out.add("ethereum_private_key", "code: hardhat.config.ts",
            f"networks: {{\n  sepolia: {{\n    url: `https://sepolia.example-rpc.io/v3/${{process.env.RPC_ID}}`,\n    accounts: ['{eth}'],\n  }},\n}},\n", eth)
    words = d.mnemonic(12)
    out.add("wallet_seed_phrase", "user message",
            f"my test wallet's recovery phrase is \"{words}\", import it in the script so the faucet funds land there", words)


def connection_strings(d: Draw, out: Sink) -> None:
    cases = [
        ("postgres_url_password", "config: .env", "DATABASE_URL=postgresql://{u}:{p}@db.{h}.internal:5432/{h}?sslmode=require\n"),
        ("mysql_url_password", "tool output: stack trace", "Traceback (most recent call last):\n  File \"app/db.py\", line 14, in connect\n    engine = create_engine(\"mysql+pymysql://{u}:{p}@mysql.{h}.svc:3306/orders\")\nsqlalchemy.exc.OperationalError: (2003, \"Can't connect to MySQL server\")\n"),
        ("mongodb_srv_password", "code: TypeScript", "await mongoose.connect('mongodb+srv://{u}:{p}@cluster0.{h}.mongodb.net/app?retryWrites=true&w=majority');\n"),
        ("redis_url_password", "config: docker-compose.yml", "services:\n  worker:\n    environment:\n      REDIS_URL: redis://default:{p}@redis-{h}.cloud.example:16379/0\n"),
        ("amqp_url_password", "config: Celery settings", "CELERY_BROKER_URL = \"amqps://{u}:{p}@rabbit.{h}.example:5671/vhost\"\n"),
        ("mssql_connection_string", "config: appsettings.json", "{{\n  \"ConnectionStrings\": {{\n    \"Default\": \"Server=tcp:{h}.database.windows.net,1433;Initial Catalog=app;User ID={u};Password={p};Encrypt=True;\"\n  }}\n}}\n"),
        ("jdbc_password_param", "config: application.yml", "spring:\n  datasource:\n    url: jdbc:postgresql://pg.{h}.local:5432/app?user={u}&password={p}\n"),
        ("oracle_connect_string", "tool call: shell", "$ sqlplus {u}/{p}@//ora.{h}.corp:1521/ORCLPDB1\n"),
        ("clickhouse_url_password", "tool output: CI job log", "+ clickhouse-client --host ch.{h}.example --user {u} --password {p} --query 'SELECT 1'\n1\n"),
        ("elasticsearch_url_password", "code: Python", "es = Elasticsearch(\"https://elastic:{p}@es.{h}.example:9243\")\n"),
        ("smtp_url_password", "config: .env", "MAILER_DSN=smtp://{u}%40{h}.example:{p}@smtp.{h}.example:587\n"),
        ("ftp_url_password", "tool call: shell", "$ curl -T build.zip ftp://{u}:{p}@ftp.{h}.example/uploads/\n"),
        ("sqlalchemy_url_in_alembic", "config: alembic.ini", "[alembic]\nscript_location = migrations\nsqlalchemy.url = postgresql+psycopg://{u}:{p}@localhost:5433/{h}\n"),
        ("cassandra_password_yaml", "config: YAML", "cassandra:\n  contact-points: [cass1.{h}:9042]\n  username: {u}\n  password: {p}\n"),
        ("neo4j_auth_env", "config: docker-compose.yml", "  neo4j:\n    image: neo4j:5\n    environment:\n      NEO4J_AUTH: neo4j/{p}\n"),
        ("influxdb_token_url", "tool output: env | grep INFLUX", "INFLUX_URL=https://influx.{h}.example\nINFLUX_TOKEN={p}\n"),
        ("ldap_bind_password", "config: sssd.conf", "[domain/{h}]\nldap_uri = ldaps://ldap.{h}.corp\nldap_default_bind_dn = cn={u},ou=svc,dc={h},dc=corp\nldap_default_authtok = {p}\n"),
        ("rabbitmq_default_pass", "config: Dockerfile", "FROM rabbitmq:3-management\nENV RABBITMQ_DEFAULT_USER={u}\nENV RABBITMQ_DEFAULT_PASS={p}\n"),
    ]
    for kind, context, template in cases:
        password = d.pick([d.human_password, lambda: d.mixed(24), lambda: d.urlsafe_chars(32)])()
        if kind == "influxdb_token_url":
            password = d.b64url(64) + "=="
        if "{u}:{p}@" in template or "password={p}" in template:
            password = quote(password, safe="!*-._~")  # how a password must appear inside a URL
        text = template.format(u=f"{d.noun()}_svc", p=password, h=d.noun())
        out.add(kind, context, text, password)
    # A password with reserved characters has to be percent-encoded in a URL: the encoded form is what leaks.
    raw = f"{d.noun().capitalize()}@{d.number(10, 99)}/{d.noun()}#{d.number(100, 999)}"
    encoded = quote(raw, safe="")
    out.add("postgres_url_percent_encoded_password", "config: .env",
            f"DATABASE_URL=postgres://report_ro:{encoded}@10.0.{d.number(1, 9)}.{d.number(2, 250)}:5432/warehouse\n", encoded)


def auth_headers(d: Draw, out: Sink) -> None:
    host = d.noun()
    basic = base64.b64encode(f"{d.noun()}:{d.human_password()}".encode()).decode()
    out.add("basic_auth_header", "tool output: curl -v", f"> GET /v2/_catalog HTTP/2\n> Host: registry.{host}.example\n> authorization: Basic {basic}\n> user-agent: curl/8.5.0\n>\n< HTTP/2 200\n", basic)
    proxy = base64.b64encode(f"{d.noun()}:{d.mixed(16)}".encode()).decode()
    out.add("proxy_authorization_basic", "tool output: HTTP request dump", f"CONNECT pypi.org:443 HTTP/1.1\nHost: pypi.org:443\nProxy-Authorization: Basic {proxy}\n", proxy)
    opaque = d.urlsafe_chars(48)
    out.add("bearer_opaque_token", "tool output: HTTP request log", f"POST /api/v3/jobs HTTP/1.1\r\nHost: jobs.{host}.example\r\nAuthorization: Bearer {opaque}\r\nContent-Type: application/json\r\n\r\n{{\"queue\":\"low\"}}", opaque)
    tok = d.hexs(40)
    out.add("authorization_token_scheme", "tool call: httpie", f"$ http GET https://gitea.{host}.example/api/v1/user 'Authorization: token {tok}'\n", tok)
    okta = "00" + d.urlsafe_chars(40)
    out.add("okta_ssws_header", "code: shell", f"curl -s -H \"Authorization: SSWS {okta}\" https://{host}.okta.com/api/v1/users?limit=25\n", okta)
    genie = d.uuid()
    out.add("opsgenie_geniekey_header", "code: Python", f"headers = {{\"Authorization\": \"GenieKey {genie}\", \"Content-Type\": \"application/json\"}}\n", genie)
    splunk = d.uuid()
    out.add("splunk_hec_header", "tool call: shell", f"$ curl -k https://hec.{host}.example:8088/services/collector -H 'Authorization: Splunk {splunk}' -d '{{\"event\":\"deploy\"}}'\n", splunk)
    apikey = d.b64(30)
    out.add("elastic_apikey_header", "tool output: Kibana dev tools", f"GET /_cluster/health\nAuthorization: ApiKey {apikey}\n", apikey)
    xkey = d.mixed(32)
    out.add("x_api_key_header", "tool call: fetch (compact JSON arguments)", "fetch " + _compact({"url": f"https://api.{host}.example/v1/quotes", "headers": {"X-API-Key": xkey, "Accept": "application/json"}}), xkey)
    dd = d.hexs(32)
    out.add("dd_api_key_header", "tool output: curl command in CI", f"+ curl -X POST https://api.datadoghq.eu/api/v2/series -H 'DD-API-KEY: {dd}' -H 'Content-Type: application/json' -d @metrics.json\n", dd)
    bot = f"{d.b64url(18)}.{d.urlsafe_chars(6)}.{d.urlsafe_chars(38)}"
    out.add("discord_bot_header", "code: Go", f"req.Header.Set(\"Authorization\", \"Bot {bot}\")\n", bot)
    cookie = "s%3A" + d.urlsafe_chars(32) + "." + quote(d.b64(32), safe="")
    out.add("express_session_cookie", "tool output: curl -v response", f"< HTTP/1.1 302 Found\n< Location: /dashboard\n< Set-Cookie: connect.sid={cookie}; Path=/; HttpOnly\n", cookie)
    django = d.low(32)
    out.add("django_session_cookie", "tool call: shell", f"$ curl -b 'sessionid={django}; csrftoken={d.mixed(32)}' http://localhost:8000/admin/\n", django)
    aspnet = "CfDJ8" + d.urlsafe_chars(300)
    out.add("aspnet_auth_cookie", "tool output: browser devtools copy", f"Cookie: .AspNetCore.Identity.Application={aspnet}\n", aspnet)
    key_hdr = f"{d.uuid()}:{d.hexs(32)}"
    out.add("authorization_key_scheme", "code: JavaScript", f"const res = await fetch(url, {{ headers: {{ Authorization: `Key {key_hdr}` }} }});\n", key_hdr)
    pat_b64 = base64.b64encode(f":{d.low(52)}".encode()).decode()
    out.add("azure_devops_basic_pat", "config: GitHub Actions step", f"- run: git -c http.extraheader=\"AUTHORIZATION: Basic {pat_b64}\" clone https://dev.azure.com/{host}/app/_git/app\n", pat_b64)
    hmac_secret = d.b64(32)
    out.add("webhook_hmac_secret_in_test", "code: pytest", f"def test_signature():\n    secret = b\"{hmac_secret}\"\n    assert verify(secret, body, header)\n", hmac_secret)


def cli_arguments(d: Draw, out: Sink) -> None:
    host = d.noun()
    cases = [
        ("mysql_p_flag", "tool call: shell", "$ mysql -h db.{h}.internal -u root -p{p} -e 'SHOW DATABASES'\n"),
        ("psql_pgpassword_prefix", "tool call: shell", "$ PGPASSWORD='{p}' psql -h 127.0.0.1 -U postgres -c '\\dt'\n"),
        ("redis_cli_a_flag", "tool output: shell history", " 77  redis-cli -h cache.{h}.internal -a {p} --no-auth-warning INFO\n"),
        ("mongosh_password_flag", "tool call: shell", "$ mongosh \"mongodb://mongo.{h}:27017\" --username admin --password {p} --authenticationDatabase admin\n"),
        ("sshpass_p_flag", "code: shell script", "sshpass -p '{p}' rsync -av dist/ deploy@{h}.example:/var/www/\n"),
        ("curl_u_user_password", "tool call: shell", "$ curl -u ci-bot:{p} https://nexus.{h}.example/service/rest/v1/components?repository=maven-releases\n"),
        ("wget_password_flag", "tool call: shell", "$ wget --user=mirror --password={p} https://files.{h}.example/dumps/latest.sql.gz\n"),
        ("httpie_auth_flag", "tool call: shell", "$ http -a admin:{p} PUT :8080/api/settings maintenance:=true\n"),
        ("docker_login_p_flag", "tool output: CI job log", "+ docker login -u deployer -p {p} registry.{h}.example\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded\n"),
        ("helm_repo_password_flag", "tool call: shell", "$ helm repo add internal https://charts.{h}.example --username robot --password {p}\n"),
        ("kubectl_token_flag", "tool call: shell", "$ kubectl --server https://k8s.{h}.example:6443 --token={p} get pods -A\n"),
        ("vault_login_positional", "tool output: shell history", " 412  vault login {p}\n 413  vault kv get secret/app\n"),
        ("gh_with_token_herestring", "tool call: shell", "$ gh auth login --with-token <<< '{p}'\n"),
        ("npm_config_authtoken", "tool call: shell", "$ npm config set //npm.{h}.example/:_authToken {p}\n"),
        ("twine_p_flag", "tool call: shell", "$ twine upload -u __token__ -p {p} dist/*\n"),
        ("zip_P_flag", "tool call: shell", "$ zip -r -P {p} backup.zip exports/\n"),
        ("sevenzip_p_flag", "tool call: PowerShell", "PS> 7z a -p{p} -mhe=on secrets.7z .\\vault\\\n"),
        ("gpg_passphrase_flag", "code: shell script", "gpg --batch --yes --pinentry-mode loopback --passphrase '{p}' -d release.tar.gpg | tar x\n"),
        ("openssl_pass_arg", "tool call: shell", "$ openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{p}\n"),
        ("htpasswd_b_flag", "tool call: shell", "$ htpasswd -bc /etc/nginx/.htpasswd grafana {p}\n"),
        ("smbclient_user_percent", "tool call: shell", "$ smbclient //files.{h}.corp/share -U 'CORP\\builder%{p}' -c 'ls'\n"),
        ("ldapsearch_w_flag", "tool call: shell", "$ ldapsearch -x -H ldaps://ldap.{h}.corp -D 'cn=reader,dc={h},dc=corp' -w {p} '(uid=jdoe)'\n"),
        ("sqlcmd_P_flag", "tool call: PowerShell", "PS> sqlcmd -S tcp:sql.{h}.corp,1433 -U sa -P \"{p}\" -Q \"SELECT @@VERSION\"\n"),
        ("mosquitto_P_flag", "tool call: shell", "$ mosquitto_pub -h mqtt.{h}.example -u sensor01 -P {p} -t plant/temp -m 21.4\n"),
        ("az_login_sp_password", "tool output: CI job log", "+ az login --service-principal -u {uuid} -p {p} --tenant {uuid2}\n"),
        ("git_clone_token_url", "tool call: shell", "$ git clone https://oauth2:{p}@gitlab.{h}.example/platform/infra.git\n"),
        ("rclone_pass_flag", "tool call: shell", "$ rclone copy ./out webdav: --webdav-url https://dav.{h}.example --webdav-user sync --webdav-pass {p}\n"),
        ("ansible_extra_vars_password", "tool call: shell", "$ ansible-playbook site.yml -i prod -e 'ansible_become_password={p}'\n"),
        ("keytool_storepass", "tool call: shell", "$ keytool -importkeystore -srckeystore app.p12 -srcstoretype PKCS12 -destkeystore app.jks -srcstorepass {p} -deststorepass {p}\n"),
        ("restic_password_env_prefix", "tool output: cron log", "RESTIC_PASSWORD={p} restic -r s3:s3.{h}.example/backups backup /srv\n"),
        ("wrangler_secret_put_echo", "tool call: shell", "$ echo '{p}' | npx wrangler secret put SESSION_SECRET\n"),
        ("flyctl_secrets_set", "tool call: shell", "$ fly secrets set SESSION_KEY={p} -a {h}-api\n"),
        ("heroku_config_set", "tool call: shell", "$ heroku config:set JWT_SECRET={p} --app {h}-prod\n"),
        ("gh_secret_set_body", "tool call: shell", "$ gh secret set DEPLOY_KEY --body '{p}' --repo acme/{h}\n"),
        ("kubectl_create_secret_literal", "tool call: shell", "$ kubectl create secret generic api-creds --from-literal=password={p} -n {h}\n"),
        ("pg_dump_connstring_password", "tool call: shell", "$ pg_dump \"host=pg.{h}.internal user=backup password={p} dbname=app\" > app.sql\n"),
    ]
    for kind, context, template in cases:
        secret = d.pick([d.human_password, lambda: d.mixed(20), lambda: d.urlsafe_chars(28), lambda: d.hexs(32)])()
        if kind in ("vault_login_positional",):
            secret = "hvs." + d.urlsafe_chars(24)
        if kind in ("gh_with_token_herestring", "git_clone_token_url"):
            secret = d.pick(["ghp_" + d.mixed(36), "glpat-" + d.urlsafe_chars(20)])
        if kind == "twine_p_flag":
            secret = "pypi-AgEIcHlwaS5vcmc" + d.urlsafe_chars(120)
        if kind == "kubectl_token_flag":
            secret = d.jwt({"iss": "kubernetes/serviceaccount", "sub": f"system:serviceaccount:ci:{d.noun()}"})
        text = template.format(p=secret, h=host, uuid=d.uuid(), uuid2=d.uuid())
        out.add(kind, context, text, secret)


def prose(d: Draw, out: Sink) -> None:
    phrases = [
        ("password_prose_english_casual", "user message", "pw is {p} for the staging admin, don't commit it"),
        ("password_prose_english_gave_me", "user message", "the key they gave me is {p} — can you check if it still works against the sandbox?"),
        ("passphrase_prose_colon", "user message", "passphrase: {p}\n(that's for the signing key in ~/.gnupg)"),
        ("password_prose_german", "user message", "Das Passwort für den Testserver lautet {p}, bitte nur lokal verwenden."),
        ("password_prose_french", "user message", "le mot de passe de la base de recette est {p} si tu en as besoin"),
        ("password_prose_spanish", "user message", "La contraseña del usuario deploy es {p}, cámbiala después de probar."),
        ("password_prose_portuguese", "user message", "a senha do banco de homologação é {p}"),
        ("password_prose_italian", "user message", "La password dell'utente admin è {p} (ambiente di test)."),
        ("password_prose_dutch", "user message", "het wachtwoord van de acceptatieomgeving is {p}"),
        ("password_prose_polish", "user message", "hasło do panelu to {p}, zaloguj się jako operator"),
        ("password_prose_russian", "user message", "пароль от тестовой базы: {p}"),
        ("password_prose_ukrainian", "user message", "пароль адміністратора — {p}, потім зміню"),
        ("password_prose_japanese", "user message", "ステージングのDBパスワードは {p} です。"),
        ("password_prose_chinese", "user message", "测试环境数据库密码是 {p}，用完记得改掉"),
        ("password_prose_korean", "user message", "관리자 비밀번호는 {p} 입니다"),
        ("password_prose_turkish", "user message", "test sunucusunun şifresi {p}, sadece senin için"),
        ("password_prose_swedish", "user message", "lösenordet till testmiljön är {p}"),
        ("password_prose_czech", "user message", "heslo k testovací databázi je {p}"),
        ("password_prose_vietnamese", "user message", "mật khẩu máy chủ thử nghiệm là {p}"),
        ("password_prose_indonesian", "user message", "kata sandi server staging: {p}"),
        ("password_prose_hindi", "user message", "स्टेजिंग सर्वर का पासवर्ड {p} है"),
        ("password_prose_arabic", "user message", "كلمة المرور لخادم الاختبار هي {p}"),
        ("password_prose_greek", "user message", "ο κωδικός για τη βάση δοκιμών είναι {p}"),
        ("password_prose_finnish", "user message", "testipalvelimen salasana on {p}"),
        ("password_prose_assistant_echo", "assistant message", "I logged in with the credentials you gave (user `ops`, password `{p}`) and the migration ran cleanly."),
        ("password_prose_markdown_table", "assistant message", "| account | password |\n|---|---|\n| grafana admin | {p} |\n| readonly | (unchanged) |"),
        ("api_key_prose_no_label", "user message", "try with this one instead: {p}"),
        ("token_prose_after_question", "user message", "what scopes does this token need? {p} — it keeps returning 403"),
        ("password_prose_sms_style", "user message", "root / {p} on the jump host, port 2222"),
        ("wifi_password_prose", "user message", "the office wifi password is {p} if the runner needs network"),
    ]
    for kind, context, template in phrases:
        if kind in ("api_key_prose_no_label",):
            secret = "sk-proj-" + d.urlsafe_chars(74) + "T3BlbkFJ" + d.urlsafe_chars(74)
        elif kind == "token_prose_after_question":
            secret = "github_pat_11" + d.up(20) + "_" + d.mixed(59)
        elif kind == "passphrase_prose_colon":
            secret = d.passphrase(5)
        else:
            secret = d.pick([d.human_password, d.human_password, lambda: d.strong_password(18)])()
        out.add(kind, context, template.format(p=secret), secret)


def split_and_encoded(d: Draw, out: Sink) -> None:
    first, second = "sk_live_51" + d.mixed(40), d.mixed(57)
    out.add("stripe_key_split_python_concat", "code: Python",
            f"STRIPE_KEY = (\n    \"{first}\"\n    \"{second}\"\n)\n", first)
    head, tail = "ghp_" + d.mixed(18), d.mixed(18)
    out.add("github_token_split_js_concat", "code: JavaScript", f"const token = '{head}' +\n  '{tail}';\n", head)
    piece_a, piece_b = d.b64url(24), d.b64url(24)
    joined = f"{piece_a}\\\n{piece_b}"
    out.add("token_split_shell_continuation", "tool call: shell", f"$ curl -H \"Authorization: Bearer {joined}\" https://api.internal.example/v1/me\n", joined)
    # A terminal 80 columns wide breaks the key after the 58 characters that fit beside the label.
    wrapped = d.urlsafe_chars(90)
    out.add("api_key_wrapped_in_log", "tool output: terminal wrapped at 80 columns",
            f"[info] using API key: {wrapped[:58]}\n{wrapped[58:]} for region eu-west\n", wrapped[:58])
    json_pw = d.noun().capitalize() + "\"" + d.mixed(8) + "\\" + d.mixed(6)
    twice_escaped = json.dumps(json.dumps(json_pw))[3:-3]
    out.add("password_json_escaped_twice", "tool call: edit_file (compact JSON arguments)",
            "edit_file " + _compact({"path": "config/local.json", "new": json.dumps({"db": {"password": json_pw}})}), twice_escaped)
    nested = "xoxb-" + d.digits(12) + "-" + d.digits(13) + "-" + d.mixed(24)
    inner = json.dumps({"env": {"SLACK_BOT_TOKEN": nested}})
    out.add("slack_token_double_encoded_json", "tool output: MCP server config echoed as a JSON string",
            _compact({"result": inner}), nested)
    aws_secret = d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)
    encoded = quote(aws_secret, safe="")
    out.add("aws_secret_url_encoded_query", "tool output: proxy access log",
            f"10.2.0.14 - - \"GET /sync?access_key=AKIA{d.of('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567', 16)}&secret_key={encoded}&bucket=logs HTTP/1.1\" 200 512\n", encoded)
    sig = quote(d.b64(32), safe="")
    out.add("azure_sas_signature", "tool output: az storage blob generate-sas",
            f"\"https://{d.noun()}store.blob.core.windows.net/exports/report.csv?sp=r&st=2026-01-04T09:00:00Z&se=2026-01-05T09:00:00Z&spr=https&sv=2022-11-02&sr=b&sig={sig}\"\n", sig)
    gkey = "AIza" + d.urlsafe_chars(35)
    out.add("google_key_in_query_string", "tool output: requests error", f"requests.exceptions.HTTPError: 403 Client Error: Forbidden for url: https://maps.googleapis.com/maps/api/geocode/json?address=Main+St&key={gkey}\n", gkey)
    access = d.urlsafe_chars(40)
    out.add("access_token_query_param", "tool output: nginx access log", f"172.18.0.1 - - \"GET /api/export?format=csv&access_token={access} HTTP/1.1\" 200 18233 \"-\" \"python-requests/2.32.3\"\n", access)
    hook = f"T{d.up(10)}/B{d.up(10)}/{d.mixed(24)}"
    out.add("slack_webhook_url", "config: alertmanager.yml", f"receivers:\n  - name: oncall\n    slack_configs:\n      - api_url: https://hooks.slack.com/services/{hook}\n        channel: '#alerts'\n", hook.split("/")[-1])
    dhook = f"{d.digits(19)}/{d.urlsafe_chars(68)}"
    out.add("discord_webhook_url", "code: Python", f"WEBHOOK = \"https://discord.com/api/webhooks/{dhook}\"\n", dhook.split("/")[1])
    teams = d.hexs(32)
    out.add("teams_webhook_url", "config: .env", f"TEAMS_WEBHOOK=https://{d.noun()}.webhook.office.com/webhookb2/{d.uuid()}@{d.uuid()}/IncomingWebhook/{teams}/{d.uuid()}/V2{d.urlsafe_chars(40)}\n", teams)
    b64pw = base64.b64encode(d.human_password().encode()).decode()
    out.add("k8s_secret_data_base64", "tool output: kubectl get secret -o yaml",
            f"apiVersion: v1\ndata:\n  password: {b64pw}\n  username: {base64.b64encode(b'app').decode()}\nkind: Secret\nmetadata:\n  name: db-creds\n", b64pw)
    auth = base64.b64encode(f"ci-robot:{d.mixed(32)}".encode()).decode()
    out.add("docker_config_auth", "file: ~/.docker/config.json",
            json.dumps({"auths": {f"registry.{d.noun()}.example": {"auth": auth}}}, indent=2), auth)
    totp = d.b32(32)
    out.add("totp_seed_otpauth_uri", "tool output: script printing an enrolment URI",
            f"otpauth://totp/Acme:ops%40{d.noun()}.example?secret={totp}&issuer=Acme&digits=6\n", totp)
    app_secret = d.hexs(32)
    content = f"APP_ENV=prod\nAPP_SECRET={app_secret}\nTRUSTED_PROXIES=10.0.0.0/8\n"
    out.add("symfony_app_secret_escaped_env", "tool call: write_file (compact JSON arguments)",
            "write_file " + _compact({"path": ".env.prod.local", "content": content}), app_secret)


def framework_secrets(d: Draw, out: Sink) -> None:
    django = d.of("abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 50)
    out.add("django_secret_key", "code: settings.py", f"DEBUG = False\nSECRET_KEY = '{django}'\nALLOWED_HOSTS = ['*']\n", django)
    rails = d.hexs(128)
    out.add("rails_secret_key_base", "tool output: bin/rails credentials:show", f"secret_key_base: {rails}\naws:\n  region: eu-west-1\n", rails)
    laravel = "base64:" + d.b64(32)
    out.add("laravel_app_key", "config: .env", f"APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY={laravel}\nAPP_DEBUG=false\n", laravel[7:])
    fernet = d.b64url(32) + "="
    out.add("fernet_key", "code: Python", f"from cryptography.fernet import Fernet\n\nf = Fernet(b\"{fernet}\")\n", fernet)
    nextauth = d.b64(32)
    out.add("nextauth_secret", "tool output: vercel env pull", f"# Created by Vercel CLI\nNEXTAUTH_SECRET=\"{nextauth}\"\nNEXTAUTH_URL=\"http://localhost:3000\"\n", nextauth)
    jwt_secret = d.strong_password(40)
    out.add("jwt_signing_secret_yaml", "config: application.yml", f"security:\n  jwt:\n    secret: \"{jwt_secret}\"\n    expiry: 3600\n", jwt_secret)
    flask = d.hexs(48)
    out.add("flask_secret_key", "code: Python", f"app = Flask(__name__)\napp.config[\"SECRET_KEY\"] = \"{flask}\"\n", flask)
    phoenix = d.b64(48)
    out.add("phoenix_secret_key_base", "code: Elixir config", f"config :shop, ShopWeb.Endpoint,\n  secret_key_base: \"{phoenix}\"\n", phoenix)
    aes = d.hexs(64)
    out.add("aes_key_hex_constant", "code: C#", f"private static readonly byte[] Key = Convert.FromHexString(\"{aes}\");\n", aes)
    hmac = d.b64(48)
    out.add("hmac_key_rust_const", "code: Rust", f"const WEBHOOK_SIGNING_KEY: &str = \"{hmac}\";\n", hmac)
    gh_hook = d.hexs(40)
    out.add("github_webhook_secret", "tool call: gh api (compact JSON arguments)", "shell " + _compact({"command": f"gh api repos/acme/site/hooks -f config[url]=https://ci.example/hook -f config[secret]={gh_hook}"}), gh_hook)
    ansible = d.strong_password(28)
    out.add("ansible_vault_password_file", "tool output: cat .vault_pass", f"$ cat .vault_pass\n{ansible}\n", ansible)
    psk = d.strong_password(20)
    out.add("wpa_psk", "config: wpa_supplicant.conf", f"network={{\n    ssid=\"lab-{d.noun()}\"\n    psk=\"{psk}\"\n    key_mgmt=WPA-PSK\n}}\n", psk)
    ipsec = d.b64(24)
    out.add("ipsec_psk", "config: ipsec.secrets", f"# /etc/ipsec.secrets\n%any %any : PSK \"{ipsec}\"\n", ipsec)
    snmp = d.mixed(16)
    out.add("snmpv3_auth_password", "config: snmpd.conf", f"createUser monitor SHA \"{snmp}\" AES \"{d.mixed(16)}\"\n", snmp)
    sql_pw = d.human_password()
    out.add("sql_create_user_password", "tool output: migration SQL", f"CREATE USER reporting WITH LOGIN PASSWORD '{sql_pw}';\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;\n", sql_pw)
    mysql_pw = d.strong_password(18).replace("'", "")
    out.add("sql_identified_by", "code: SQL", f"CREATE USER 'etl'@'%' IDENTIFIED BY '{mysql_pw}';\n", mysql_pw)
    wp = d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!@#%^&*()-_[]{}<>~+=,.;:/?|", 64)
    out.add("wordpress_auth_salt", "code: wp-config.php", f"define( 'AUTH_KEY',         '{wp}' );\ndefine( 'WP_DEBUG', false );\n", wp)


def credential_files(d: Draw, out: Sink) -> None:
    host = d.noun()
    netrc = d.mixed(40)
    out.add("netrc_password", "tool output: cat ~/.netrc", f"$ cat ~/.netrc\nmachine api.{host}.example\n  login deploy\n  password {netrc}\n", netrc)
    gitcred = "ghp_" + d.mixed(36)
    out.add("git_credentials_store", "tool output: cat ~/.git-credentials", f"https://octo-ci:{gitcred}@github.com\n", gitcred)
    pypirc = d.human_password()
    out.add("pypirc_password", "file: ~/.pypirc", f"[distutils]\nindex-servers = internal\n\n[internal]\nrepository = https://pypi.{host}.example/simple/\nusername = uploader\npassword = {pypirc}\n", pypirc)
    npmrc = d.b64(24)
    out.add("npmrc_legacy_auth", "file: .npmrc", f"registry=https://npm.{host}.example/\n_auth={npmrc}\nalways-auth=true\n", npmrc)
    maven = d.human_password()
    out.add("maven_settings_password", "file: ~/.m2/settings.xml", f"<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>ci</username>\n      <password>{maven}</password>\n    </server>\n  </servers>\n</settings>\n", maven)
    gradle = d.mixed(32)
    out.add("gradle_properties_password", "file: ~/.gradle/gradle.properties", f"org.gradle.jvmargs=-Xmx2g\nsigning.keyId={d.hexs(8).upper()}\nsigning.password={gradle}\nossrhUsername=acme\n", gradle)
    nuget = d.mixed(24)
    out.add("nuget_clear_text_password", "file: nuget.config", f"<packageSourceCredentials>\n  <internal>\n    <add key=\"Username\" value=\"build\" />\n    <add key=\"ClearTextPassword\" value=\"{nuget}\" />\n  </internal>\n</packageSourceCredentials>\n", nuget)
    composer = d.hexs(40)
    out.add("composer_auth_json", "file: auth.json", json.dumps({"github-oauth": {"github.com": composer}, "http-basic": {}}, indent=4), composer)
    bundler = d.mixed(24)
    out.add("bundler_gem_source_credential", "file: .bundle/config", f"---\nBUNDLE_GEMS__{host.upper()}__EXAMPLE: \"builder:{bundler}\"\nBUNDLE_PATH: \"vendor/bundle\"\n", bundler)
    cargo = "cio" + d.mixed(32)
    out.add("cargo_credentials_toml", "file: ~/.cargo/credentials.toml", f"[registry]\ntoken = \"{cargo}\"\n", cargo)
    pipconf = d.urlsafe_chars(30)
    out.add("pip_conf_index_url_token", "file: pip.conf", f"[global]\nindex-url = https://__token__:{pipconf}@pkgs.{host}.example/pypi/simple/\n", pipconf)
    s3cfg = d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)
    out.add("s3cfg_secret_key", "file: ~/.s3cfg", f"[default]\naccess_key = {d.up(20)}\nsecret_key = {s3cfg}\nhost_base = s3.{host}.example\n", s3cfg)
    pgpass = d.human_password()
    out.add("pgpass_line", "file: ~/.pgpass", f"db.{host}.internal:5432:*:analytics:{pgpass}\n", pgpass)
    kube = d.hexs(64)
    out.add("kubeconfig_user_token", "file: ~/.kube/config", f"users:\n- name: ci\n  user:\n    token: {kube}\n", kube)
    kube_cert = d.b64(900)
    out.add("kubeconfig_client_key_data", "file: ~/.kube/config", f"users:\n- name: admin\n  user:\n    client-certificate-data: {d.b64(600)}\n    client-key-data: {kube_cert}\n", kube_cert)
    rclone = d.urlsafe_chars(40)
    out.add("rclone_obscured_password", "file: rclone.conf", f"[nas]\ntype = sftp\nhost = nas.{host}.lan\nuser = backup\npass = {rclone}\n", rclone)
    tfvars = d.strong_password(22).replace('"', "")
    out.add("terraform_tfvars_password", "file: prod.auto.tfvars", f"db_username = \"app\"\ndb_password = \"{tfvars}\"\ninstance_class = \"db.t4g.medium\"\n", tfvars)
    aws_cli = d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)
    out.add("aws_cli_json_output_secret", "tool output: aws iam create-access-key",
            json.dumps({"AccessKey": {"UserName": "ci", "AccessKeyId": "AKIA" + d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), "Status": "Active", "SecretAccessKey": aws_cli}}, indent=4), aws_cli)
    sts = "IQoJb3JpZ2luX2Vj" + d.b64(200).rstrip("=")
    out.add("aws_sts_session_token_json", "tool output: aws sts assume-role",
            json.dumps({"Credentials": {"AccessKeyId": "ASIA" + d.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16), "SecretAccessKey": d.b64(30), "SessionToken": sts}}, indent=4), sts[:200])


def jwts(d: Draw, out: Sink) -> None:
    claims = [
        ("jwt_supabase_service_role", "config: .env", "SUPABASE_SERVICE_ROLE_KEY={t}\n", {"iss": "supabase", "ref": d.low(20), "role": "service_role"}),
        ("jwt_in_local_storage_dump", "tool output: browser console", "> localStorage.getItem('auth')\n'{{\"accessToken\":\"{t}\",\"expiresIn\":3600}}'\n", {"sub": d.uuid(), "scope": "read write"}),
        ("jwt_in_cookie_header", "tool output: HTTP request dump", "GET /me HTTP/1.1\nHost: app.local\nCookie: theme=dark; access_token={t}\n", {"sub": str(d.number(1000, 9999)), "admin": True}),
        ("jwt_refresh_token_json", "tool output: curl token endpoint", "{{\"token_type\":\"Bearer\",\"expires_in\":300,\"refresh_token\":\"{t}\"}}\n", {"typ": "Refresh", "sid": d.uuid()}),
        ("jwt_in_pytest_fixture", "code: Python", "ADMIN_TOKEN = \"{t}\"  # minted against the staging IdP\n", {"iss": "https://id.staging.example", "roles": ["admin"]}),
        ("jwt_in_query_string", "tool output: websocket URL in log", "connecting to wss://rt.example.io/socket?vsn=2.0.0&token={t}\n", {"user_id": d.number(1, 99999)}),
        ("jwt_github_oidc_like", "tool output: CI debug log", "##[debug]id-token: {t}\n", {"aud": "sts.amazonaws.com", "repository": "acme/site"}),
    ]
    for kind, context, template, payload in claims:
        token = d.jwt(payload)
        out.add(kind, context, template.format(t=token), token)


def unknown_vendor_values(d: Draw, out: Sink) -> None:
    """Self-hosted tools and small vendors with no documented shape: only the name says it is a secret."""
    cases = [
        ("minio_root_password", "config: docker-compose.yml", "  minio:\n    environment:\n      MINIO_ROOT_USER: admin\n      MINIO_ROOT_PASSWORD: {v}\n"),
        ("harbor_robot_secret", "tool output: harbor API", "{{\"id\": 14, \"name\": \"robot$ci\", \"secret\": \"{v}\", \"expires_at\": -1}}\n"),
        ("keycloak_client_secret", "tool output: kcadm.sh get", "{{\n  \"clientId\" : \"grafana\",\n  \"secret\" : \"{v}\",\n  \"publicClient\" : false\n}}\n"),
        ("nextcloud_app_password", "config: rclone webdav", "[cloud]\ntype = webdav\nurl = https://cloud.example/remote.php/dav/files/me\nvendor = nextcloud\nbearer_token = {v}\n"),
        ("portainer_access_token", "tool call: shell", "$ curl -H 'X-API-Key: {v}' https://portainer.lan:9443/api/endpoints\n"),
        ("argocd_auth_token", "tool output: argocd account generate-token", "$ argocd account generate-token --account ci\n{v}\n"),
        ("jenkins_api_token", "tool call: shell", "$ curl -X POST -u admin:{v} https://jenkins.lan/job/build/buildWithParameters?BRANCH=main\n"),
        ("sonatype_nexus_password", "config: YAML", "nexus:\n  url: https://nexus.lan\n  user: deployer\n  pass: {v}\n"),
        ("gitea_runner_registration", "tool call: shell", "$ act_runner register --instance https://git.lan --token {v} --no-interactive\n"),
        ("mattermost_bot_token", "code: Go", "bot := model.NewAPIv4Client(\"https://chat.lan\")\nbot.SetToken(\"{v}\")\n"),
        ("home_assistant_long_lived_token", "config: YAML", "homeassistant:\n  url: http://ha.lan:8123\n  token: {v}\n"),
        ("proxmox_api_token", "config: Terraform HCL", "provider \"proxmox\" {{\n  endpoint  = \"https://pve.lan:8006/\"\n  api_token = \"terraform@pve!provider={v}\"\n}}\n"),
        ("unifi_controller_password", "code: Python", "controller = Controller(\"unifi.lan\", \"admin\", \"{v}\", port=8443)\n"),
        ("octopus_deploy_api_key", "tool call: PowerShell", "PS> $headers = @{{ 'X-Octopus-ApiKey' = '{v}' }}\n"),
        ("meilisearch_master_key", "config: docker-compose.yml", "  search:\n    image: getmeili/meilisearch:v1.8\n    command: meilisearch --master-key={v}\n"),
        ("typesense_api_key", "code: TypeScript", "new Typesense.Client({{ nodes: [{{ host: 'ts.lan', port: 8108, protocol: 'http' }}], apiKey: '{v}' }});\n"),
        ("authentik_token", "tool output: env | grep AUTHENTIK", "AUTHENTIK_HOST=https://sso.lan\nAUTHENTIK_TOKEN={v}\n"),
        ("woodpecker_agent_secret", "config: .env", "WOODPECKER_AGENT_SECRET={v}\nWOODPECKER_SERVER=ci.lan:9000\n"),
        ("plausible_secret_key_base", "config: plausible-conf.env", "BASE_URL=https://stats.lan\nSECRET_KEY_BASE={v}\n"),
        ("n8n_encryption_key", "config: docker run", "$ docker run -d -e N8N_ENCRYPTION_KEY={v} -p 5678:5678 n8nio/n8n\n"),
        ("cosign_private_key_password", "tool output: CI job log", "+ COSIGN_PASSWORD={v} cosign sign --key cosign.key ghcr.io/acme/api@sha256:{digest}\n"),
        ("drone_rpc_secret", "config: docker-compose.yml", "    environment:\n      - DRONE_RPC_SECRET={v}\n      - DRONE_SERVER_HOST=drone.lan\n"),
        ("grafana_admin_password_ini", "config: grafana.ini", "[security]\nadmin_user = admin\nadmin_password = {v}\n"),
        ("sftp_password_in_deploy_json", "config: .vscode/sftp.json", "{{\n  \"host\": \"web01.lan\",\n  \"username\": \"www\",\n  \"password\": \"{v}\",\n  \"remotePath\": \"/var/www\"\n}}\n"),
    ]
    for kind, context, template in cases:
        value = d.pick([lambda: d.mixed(32), lambda: d.hexs(48), lambda: d.urlsafe_chars(40), d.human_password, lambda: d.b64(30)])()
        if kind == "argocd_auth_token":
            value = d.jwt({"iss": "argocd", "sub": "ci:apiKey", "jti": d.uuid()})
        out.add(kind, context, template.format(v=value, digest=d.hexs(64)), value)


BUILDERS = [key_blocks, connection_strings, auth_headers, cli_arguments, prose, split_and_encoded, framework_secrets,
            credential_files, jwts, unknown_vendor_values]
