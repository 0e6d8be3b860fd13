"""Secrets where the place is the point: key blocks, connection strings, headers, command-line flags,
prose in many languages, values split, escaped or percent-encoded. Each builder returns
[(kind, context, text, secret)]; `secret` is only the secret part of `text`, verbatim.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote


def _b64_lines(d, n_bytes: int, width: int = 64) -> str:
    blob = base64.b64encode(bytes(d.rng.randrange(256) for _ in range(n_bytes))).decode()
    return "\n".join(blob[i : i + width] for i in range(0, len(blob), width))


def key_blocks(d):
    out = []
    for kind, label, size, context in [
        ("rsa_private_key", "RSA PRIVATE KEY", 1190, "cat deploy/id_rsa"),
        ("pkcs8_private_key", "PRIVATE KEY", 1216, "tool output: cat certs/server.key"),
        ("ec_private_key", "EC PRIVATE KEY", 121, "kubectl get secret tls -o yaml | yq .data (decoded)"),
        ("openssh_private_key", "OPENSSH PRIVATE KEY", 400, "cat ~/.ssh/id_ed25519"),
        ("encrypted_private_key", "ENCRYPTED PRIVATE KEY", 1300, "Ansible vars file"),
        ("pgp_private_key", "PGP PRIVATE KEY BLOCK", 900, "gpg --export-secret-keys --armor"),
    ]:
        body = _b64_lines(d, size, 70 if "OPENSSH" in label else 64)
        out.append((kind, context, f"-----BEGIN {label}-----\n{body}\n-----END {label}-----\n", body))
    # The same kind of block inside a JSON string, newlines escaped as an agent's tool call carries it.
    body = _b64_lines(d, 400, 70)
    escaped = body.replace("\n", "\\n")
    args = json.dumps({"path": "/root/.ssh/id_ed25519", "content": "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                       + body + "\n-----END OPENSSH PRIVATE KEY-----\n"})
    out.append(("openssh_key_in_json", "write_file tool call (JSON)", args, escaped))
    p8 = _b64_lines(d, 138)
    out.append(("apple_p8_key", "Swift package: AuthKey constant",
                f'let authKey = """\n-----BEGIN PRIVATE KEY-----\n{p8}\n-----END PRIVATE KEY-----\n"""\n', p8))
    gsa = _b64_lines(d, 1216).replace("\n", "\\n")
    sa = ('{\n  "type": "service_account",\n  "project_id": "orbit-prod-4471",\n  "private_key_id": "'
          + d.shape("{hex40}") + '",\n  "private_key": "-----BEGIN PRIVATE KEY-----\\n' + gsa
          + '\\n-----END PRIVATE KEY-----\\n",\n  "client_email": "ci@orbit-prod-4471.iam.gserviceaccount.com"\n}')
    out.append(("gcp_service_account_key", "cat gcp-sa.json", sa, gsa))
    wg = d.shape("{bs43}") + "="
    out.append(("wireguard_private_key", "/etc/wireguard/wg0.conf",
                f"[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = {wg}\nListenPort = 51820\n", wg))
    ppk = _b64_lines(d, 300)
    out.append(("putty_private_key", "PuTTY key file", "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"
                f"Comment: build-box\nPrivate-Lines: 5\n{ppk}\nPrivate-MAC: {d.shape('{hex64}')}\n", ppk))
    return out


def connection_strings(d):
    out = []
    for kind, template, context in [
        ("postgres_url", "postgresql://app_rw:{pw}@db.internal.acme.io:5432/orders?sslmode=require", "DATABASE_URL in fly secrets list"),
        ("mysql_url", "mysql://root:{pw}@127.0.0.1:3306/wp", "wp-cli output"),
        ("mongodb_srv_url", "mongodb+srv://svc-reporting:{pw}@cluster0.x7kqa.mongodb.net/?retryWrites=true", "mongosh invocation"),
        ("redis_url", "rediss://default:{pw}@eu1-keen-cod-3388.upstash.io:6379", "Celery broker setting"),
        ("amqp_url", "amqps://ingest:{pw}@rabbit.svc.cluster.local:5671/%2Fprod", "worker log line"),
        ("mssql_ado", "Server=tcp:sql-orbit.database.windows.net,1433;User ID=sqladmin;Password={pw};Encrypt=True;", "appsettings.json ConnectionStrings"),
        ("jdbc_password", "jdbc:postgresql://pg.acme.io:5432/ledger?user=ledger&password={pw}", "Spring Boot startup log"),
        ("oracle_dsn", "scott/{pw}@//ora.acme.io:1521/ORCLPDB1", "sqlplus command"),
        ("clickhouse_url", "clickhouse://analyst:{pw}@ch.acme.io:9440/events?secure=true", "dbt profiles.yml"),
        ("ldap_bind", "ldaps://cn=svc-sync,ou=services,dc=acme,dc=io:{pw}@ldap.acme.io", "LDAP sync config"),
        ("smtp_url", "smtp://postmaster%40mg.acme.io:{pw}@smtp.mailgun.org:587", "MAILER_DSN in .env.local"),
        ("sftp_url", "sftp://deploy:{pw}@files.partner.example:22/inbox", "rclone config show"),
        ("git_remote_basic", "https://x-access-token:{pw}@github.com/acme/orbit.git", "git remote -v"),
        ("nats_url", "nats://bridge:{pw}@nats.acme.io:4222", "NATS leaf config"),
    ]:
        pw = d.password() if kind not in {"git_remote_basic"} else d.shape("ghs_{an36}")
        safe = quote(pw, safe="") if "://" in template else pw
        text = template.format(pw=safe)
        out.append((kind, context, text, safe))
    pw = d.shape("{an6}/{an5}+{an6}=")
    enc = quote(pw, safe="")
    out.append(("postgres_url_percent_encoded", "psql command in shell history",
                f"psql 'postgres://reporter:{enc}@10.0.4.17/metrics' -c 'select 1'", enc))
    return out


def auth_headers(d):
    out = []
    basic = base64.b64encode(f"deployer:{d.password()}".encode()).decode()
    for kind, header, secret in [
        ("bearer_opaque", "Authorization: Bearer {s}", d.shape("{bu48}")),
        ("basic_auth_header", "Authorization: Basic {s}", basic),
        ("token_scheme_header", "Authorization: Token token={s}", d.shape("{hex40}")),
        ("api_key_header", "X-Api-Key: {s}", d.shape("{an40}")),
        ("vault_token_header", "X-Vault-Token: {s}", d.shape("hvs.CAESI{bu90}")),
        ("apim_subscription_key", "Ocp-Apim-Subscription-Key: {s}", d.shape("{hex32}")),
        ("session_cookie", "Cookie: theme=dark; sessionid={s}; lang=en", d.shape("{lc32}")),
        ("set_cookie_jwt", "Set-Cookie: __Secure-auth={s}; Path=/; HttpOnly; Secure", d.shape("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI{bu60}.{bu43}")),
        ("private_token_header", "PRIVATE-TOKEN: {s}", d.shape("glpat-{bu20}")),
        ("x_auth_token_header", "X-Auth-Token: {s}", d.shape("{hex64}")),
        ("proxy_authorization", "Proxy-Authorization: Basic {s}", base64.b64encode(f"squid:{d.password()}".encode()).decode()),
        ("bearer_lowercase_http2", "authorization: bearer {s}", d.shape("{an20}.{bu40}")),
        ("negotiate_token", "Authorization: Negotiate {s}", d.shape("YII{bs200}")),
        ("dpop_bound_token", "Authorization: DPoP {s}", d.shape("eyJhbGciOiJFUzI1NiJ9.eyJjbmYi{bu80}.{bu86}")),
    ]:
        text = ("> GET /v2/projects HTTP/1.1\n> Host: api.acme.io\n> " + header.format(s=secret)
                + "\n> Accept: */*\n")
        out.append((kind, "curl -v output", text, secret))
    return out


def cli_flags(d):
    pw = d.password
    rows = [
        ("mysql_p_flag", "mysql -h db1 -u admin -p{s} shop < dump.sql", pw()),
        ("pg_password_env_inline", "PGPASSWORD={s} pg_dump -h pg1 -U backup app > app.sql", pw()),
        ("docker_login_p", "docker login registry.acme.io -u ci -p {s}", d.shape("{an32}")),
        ("helm_repo_password", "helm repo add internal https://charts.acme.io --username ci --password {s}", pw()),
        ("curl_user_flag", "curl -u admin:{s} https://jenkins.acme.io/api/json", pw()),
        ("httpie_auth", "http -a deploy:{s} POST https://api.acme.io/releases tag=v4", pw()),
        ("wget_password", "wget --user=mirror --password={s} https://repo.acme.io/pkg.tgz", pw()),
        ("sshpass_p", "sshpass -p '{s}' ssh ops@10.2.0.9 uptime", pw()),
        ("redis_cli_a", "redis-cli -h cache1 -a {s} INFO keyspace", d.shape("{an32}")),
        ("mongosh_password", "mongosh --host mdb1 -u root --password {s} --authenticationDatabase admin", pw()),
        ("gh_auth_stdin", "echo {s} | gh auth login --with-token", d.shape("ghp_{an36}")),
        ("vault_login_token", "vault login {s}", d.shape("hvs.{bu90}")),
        ("az_login_secret", "az login --service-principal -u {u} -p {s} --tenant acme.onmicrosoft.com".replace("{u}", d.uuid()), d.shape("{an3}8Q~{bu34}")),
        ("npm_config_token", "npm config set //registry.npmjs.org/:_authToken {s}", d.shape("npm_{an36}")),
        ("kubectl_token_flag", "kubectl --server https://k8s.acme.io --token {s} get pods", d.shape("eyJhbGciOiJSUzI1NiIsImtpZCI6I{bu60}.{bu200}.{bu120}")),
        ("terraform_var_flag", "terraform apply -var 'db_password={s}' -auto-approve", pw()),
        ("ansible_extra_vars", "ansible-playbook site.yml -e ansible_become_password={s}", pw()),
        ("openssl_pass_arg", "openssl pkcs12 -export -in c.pem -inkey k.pem -out c.p12 -passout pass:{s}", pw()),
        ("rclone_obscured_pass", "rclone config create b2 b2 account 0014{h} key {s}".replace("{h}", d.shape("{hex8}")), d.shape("K001{an27}")),
        ("twine_upload_p", "twine upload -u __token__ -p {s} dist/*", d.shape("pypi-AgEIcHlwaS5vcmc{bu100}")),
        ("sqlcmd_P", "sqlcmd -S tcp:sql1,1433 -U sa -P '{s}' -Q 'SELECT 1'", pw()),
        ("psql_positional_conninfo", "psql \"host=pg2 user=etl password={s} dbname=dw\"", pw()),
        ("git_clone_token_url", "git clone https://oauth2:{s}@gitlab.acme.io/infra/net.git", d.shape("glpat-{bu20}")),
        ("skopeo_creds", "skopeo copy --dest-creds bot:{s} docker://a/b docker://c/d", d.shape("{an40}")),
        ("mc_alias_set", "mc alias set prod https://s3.acme.io minio-admin {s}", d.shape("{an40}")),
        ("sf_cli_password", "snowsql -a xy12345 -u LOADER --password {s}", pw()),
        ("argocd_login", "argocd login cd.acme.io --username admin --password {s} --grpc-web", pw()),
        ("pscp_pw", "pscp -pw {s} build.zip ops@files.acme.io:/drop/", pw()),
    ]
    return [(kind, "shell command", cmd.format(s=s), s) for kind, cmd, s in rows]


def prose(d):
    rows = [
        ("pw_prose_en_casual", "pw for the staging box is {s} btw"),
        ("pw_prose_en_formal", "Please use the following passphrase to unlock the archive: {s}"),
        ("pw_prose_en_gave_me", "the key they gave me is {s} — not sure if it's still valid"),
        ("pw_prose_fr", "Le mot de passe du serveur de recette est {s}, merci de ne pas le partager."),
        ("pw_prose_de", "Das Passwort für die Datenbank lautet {s} (bitte nach dem Test ändern)."),
        ("pw_prose_es", "la contraseña del wifi de la oficina es {s}"),
        ("pw_prose_pt", "A senha do painel admin é {s}"),
        ("pw_prose_it", "la password dell'utente root è {s}"),
        ("pw_prose_nl", "het wachtwoord is {s}, werkt alleen via VPN"),
        ("pw_prose_pl", "hasło do konta serwisowego: {s}"),
        ("pw_prose_tr", "sunucu şifresi {s} olarak değiştirildi"),
        ("pw_prose_ru", "пароль от базы: {s}"),
        ("pw_prose_uk", "новий пароль адміністратора — {s}"),
        ("pw_prose_ja", "ステージングのパスワードは {s} です"),
        ("pw_prose_zh", "测试环境的密码是 {s}，用完请改掉"),
        ("pw_prose_ko", "관리자 비밀번호는 {s} 입니다"),
        ("pw_prose_vi", "mật khẩu máy chủ là {s}"),
        ("pw_prose_sv", "lösenordet till backup-servern är {s}"),
        ("pw_prose_cs", "heslo k databázi je {s}"),
        ("pw_prose_id", "kata sandinya {s}, jangan disebar ya"),
        ("pw_prose_hi", "सर्वर का पासवर्ड {s} है"),
        ("pw_prose_ar", "كلمة المرور الجديدة هي {s}"),
        ("passphrase_colon", "passphrase: {s}"),
        ("pin_and_secret_in_list", "Creds for the demo tenant:\n- user: demo-admin\n- secret: {s}\n- MFA: disabled"),
        ("pw_in_commit_message", "commit 3f1e... \n\n    temp: hardcode login (admin / {s}) until SSO lands"),
    ]
    return [(kind, "user message" if "commit" not in kind else "git log", text.format(s=(s := d.password())), s)
            for kind, text in rows]


def mangled(d):
    out = []
    tok = d.shape("xoxb-{dig11}-{dig13}-{an24}")
    split = tok[:20] + "\\\n  " + tok[20:]
    out.append(("token_split_backslash", "shell script", f"curl -H \"Authorization: Bearer {tok[:20]}\\\n  {tok[20:]}\" https://slack.com/api/auth.test", split))
    key = d.shape("sk-proj-{bu74}T3BlbkFJ{bu74}")
    concat = f'API_KEY = (\n    "{key[:60]}"\n    "{key[60:]}"\n)\n'
    out.append(("token_split_python_concat", "Python source", concat, key[60:]))
    inner = json.dumps({"env": {"STRIPE_SECRET_KEY": (sk := d.shape("sk_live_51{an22}{an75}"))}})
    out.append(("token_double_escaped_json", "tool result (JSON in JSON)", json.dumps({"output": inner}), sk))
    pw = d.password() + "\"/\\x"
    escaped = json.dumps(pw)[1:-1]
    out.append(("password_json_escaped", "tool-call arguments (JSON)", json.dumps({"db_password": pw}), escaped))
    q = d.shape("{bs40}")
    out.append(("secret_urlencoded_query", "access log", f'GET /oauth/token?client_id=web&client_secret={quote(q, safe="")}&grant_type=client_credentials HTTP/1.1" 200', quote(q, safe="")))
    sig = quote(d.shape("{bs43}="), safe="")
    out.append(("azure_sas_signature", "az storage blob url output", f"https://orbitdata.blob.core.windows.net/exports/q1.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T00:00:00Z&sig={sig}", sig))
    s3sig = d.shape("{hex64}")
    out.append(("s3_presigned_signature", "aws s3 presign output", f"https://bucket.s3.amazonaws.com/a.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA{d.shape('{AN16}')}%2F20260301%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature={s3sig}", s3sig))
    hook = d.shape("T{AN8}/B{AN10}/{an24}")
    out.append(("slack_webhook_url", "n8n workflow JSON", json.dumps({"url": f"https://hooks.slack.com/services/{hook}"}), hook))
    disc = d.shape("{dig18}/{bu68}")
    out.append(("discord_webhook_url", "Python source", f'WEBHOOK = "https://discord.com/api/webhooks/{disc}"\n', disc))
    teams = d.shape("{hex32}")
    out.append(("teams_webhook_url", "PowerShell", f"Invoke-RestMethod -Uri 'https://acme.webhook.office.com/webhookb2/{d.uuid()}@{d.uuid()}/IncomingWebhook/{teams}/{d.uuid()}' -Method Post", teams))
    dsn = d.shape("{hex32}")
    out.append(("sentry_dsn", "sentry.client.config.ts", f"Sentry.init({{ dsn: \"https://{dsn}@o{d.shape('{dig6}')}.ingest.us.sentry.io/{d.shape('{dig7}')}\" }});", dsn))
    k8s = base64.b64encode(d.password().encode() + b"-" + d.shape("{an12}").encode()).decode()
    out.append(("k8s_secret_data_base64", "kubectl get secret db -o yaml", f"apiVersion: v1\ndata:\n  password: {k8s}\n  username: YXBw\nkind: Secret\n", k8s))
    auth = base64.b64encode(f"robot$ci:{d.shape('{an32}')}".encode()).decode()
    out.append(("docker_config_auth", "cat ~/.docker/config.json", json.dumps({"auths": {"harbor.acme.io": {"auth": auth}}}, indent=2), auth))
    npmrc = d.shape("npm_{an36}")
    out.append(("npmrc_auth_token", "cat .npmrc", f"@acme:registry=https://npm.pkg.github.com\n//npm.pkg.github.com/:_authToken={npmrc}\n", npmrc))
    netrc = d.password()
    out.append(("netrc_password", "cat ~/.netrc", f"machine api.heroku.com\n  login ops@acme.io\n  password {netrc}\n", netrc))
    pgpass = d.password()
    out.append(("pgpass_line", "cat ~/.pgpass", f"db.acme.io:5432:*:replicator:{pgpass}\n", pgpass))
    gitcred = d.shape("ghp_{an36}")
    out.append(("git_credentials_file", "cat ~/.git-credentials", f"https://octo-bot:{gitcred}@github.com\n", gitcred))
    pipconf = d.password()
    out.append(("pip_index_url_password", "pip.conf", f"[global]\nindex-url = https://__token__:{quote(pipconf, safe='')}@pypi.acme.io/simple\n", quote(pipconf, safe="")))
    return out


def frameworks(d):
    rows = [
        ("django_secret_key", "settings.py", "SECRET_KEY = '{s}'\n", d.shape("django-insecure-{lc20}#{lc8}&{lc20}")),
        ("rails_secret_key_base", "config/credentials (decrypted)", "secret_key_base: {s}\n", d.shape("{hex128}")),
        ("laravel_app_key", ".env", "APP_KEY=base64:{s}\n", d.shape("{bs43}=")),
        ("flask_secret_key", "app.py", "app.config['SECRET_KEY'] = b'{s}'\n", d.shape("{hex48}")),
        ("nextauth_secret", ".env.local", "NEXTAUTH_SECRET={s}\n", d.shape("{bs43}=")),
        ("jwt_signing_secret", "config/jwt.go", "var jwtKey = []byte(\"{s}\")\n", d.shape("{an48}")),
        ("symfony_app_secret", ".env", "APP_SECRET={s}\n", d.shape("{hex32}")),
        ("phoenix_secret_key_base", "config/prod.secret.exs", "secret_key_base: \"{s}\",\n", d.shape("{bs64}")),
        ("aspnet_machine_key", "web.config", '<machineKey validationKey="{s}" decryption="AES" />\n', d.shape("{HEX128}")),
        ("ansible_vault_password", "ansible.cfg + vault pass file", "$ cat .vault_pass\n{s}\n", d.password()),
        ("kube_bootstrap_token", "kubeadm join command", "kubeadm join 10.0.0.1:6443 --token {s} --discovery-token-ca-cert-hash sha256:" + d.shape("{hex64}"), d.shape("{lc6}.{lc16}")),
        ("k3s_node_token", "cat /var/lib/rancher/k3s/server/node-token", "{s}\n", d.shape("K10{hex64}::server:{hex32}")),
        ("consul_acl_token", "consul members -token", "consul members -token={s}\n", d.uuid()),
        ("nomad_token", "env", "NOMAD_TOKEN={s}\n", d.uuid()),
        ("hmac_webhook_secret_unknown_vendor", "webhook settings page (copied)", "Signing secret: {s}\n", d.shape("whsk_{bu40}")),
        ("unknown_vendor_named_key", "zshrc", "export ACMEPAY_PRIVATE_KEY={s}\n", d.shape("{an44}")),
        ("jwt_service_account", "kubectl describe", "token:      {s}\n", d.shape("eyJhbGciOiJSUzI1NiIsImtpZCI6Ik{bu40}.eyJpc3Mi{bu300}.{bu342}")),
        ("jwt_in_local_storage", "browser devtools console", "> localStorage.getItem('access_token')\n'{s}'\n", d.shape("eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJ1aWQi{bu90}.{bu86}")),
        ("ssh_password_expect", "expect script", "expect \"password:\"\nsend \"{s}\\r\"\n", d.password()),
        ("sql_create_user", "migration.sql", "CREATE USER reporting WITH PASSWORD '{s}';\n", d.password()),
        ("sql_alter_login", "T-SQL", "ALTER LOGIN etl WITH PASSWORD = N'{s}';\n", d.password()),
        ("redis_requirepass", "redis.conf", "bind 0.0.0.0\nrequirepass {s}\n", d.shape("{an40}")),
        ("wifi_psk", "wpa_supplicant.conf", "network={{\n  ssid=\"lab\"\n  psk=\"{s}\"\n}}\n", d.password()),
        ("smtp_password_yaml", "Grafana grafana.ini", "[smtp]\nuser = alerts@acme.io\npassword = \"\"\"{s}\"\"\"\n", d.password()),
    ]
    return [(kind, ctx, text.format(s=s), s) for kind, ctx, text, s in rows]


BUILDERS = [key_blocks, connection_strings, auth_headers, cli_flags, prose, mangled, frameworks]
