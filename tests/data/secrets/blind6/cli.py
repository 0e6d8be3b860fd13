"""Credentials given to command-line tools, known and made up, in every flag style: `-pVALUE`, `-p VALUE`,
`--password=VALUE`, `--token VALUE`, `/P:VALUE`, `-Password VALUE`, positional arguments and inline env."""
import json

from values import ALNUM, B58, LOWER_ALNUM, URLSAFE, b64, hexs, machine_password, pick


def _pw(rng):
    return machine_password(rng, rng.randrange(14, 26), symbols="!@%^*-_+=")


def _url_pw(rng):
    # userinfo of a URL: characters that need no percent-encoding
    return pick(rng, ALNUM + "-_.~", rng.randrange(14, 26))


def _tok(rng):
    return pick(rng, ALNUM, rng.randrange(24, 48))


# (kind, value maker, command template with {v})
COMMANDS = [
    ("cli-mysql-p-attached", _pw, "mysql -h 10.20.0.15 -u root -p{v} shop -e 'SHOW PROCESSLIST'"),
    ("cli-mysqldump-password-eq", _pw, "mysqldump --user=backup --password={v} --single-transaction shop > shop.sql"),
    ("cli-psql-pgpassword-inline", _pw, "PGPASSWORD={v} psql -h db.internal -U app -d app_prod -c '\\dt'"),
    ("cli-redis-cli-a", _tok, "redis-cli -h cache.internal -p 6380 -a {v} --no-auth-warning INFO keyspace"),
    ("cli-mongosh-p", _pw, "mongosh 'mongodb://db0.internal:27017/admin' -u root -p {v} --eval 'db.stats()'"),
    ("cli-sshpass-p", _pw, "sshpass -p '{v}' ssh -o StrictHostKeyChecking=no pi@192.168.1.40 uptime"),
    ("cli-curl-u-basic", _url_pw, "curl -fsS -u admin:{v} http://localhost:15672/api/overview"),
    ("cli-curl-bearer-header", _tok, "curl -X POST https://api.example.net/v1/jobs -H \"Authorization: Bearer {v}\" -d @job.json"),
    ("cli-curl-api-key-header", _tok, "curl -H 'x-api-key: {v}' https://api.shipfast.example/rates?zip=10115"),
    ("cli-wget-password", _pw, "wget --user=mirror --password='{v}' https://files.internal/releases/v2.tar.gz"),
    ("cli-htpasswd-b", _pw, "htpasswd -bB /etc/nginx/.htpasswd grafana '{v}'"),
    ("cli-docker-login-p", _tok, "docker login registry.gitlab.example -u ci-bot -p {v}"),
    ("cli-helm-repo-password", _pw, "helm repo add internal https://charts.internal --username ci --password {v}"),
    ("cli-vault-login-positional", lambda r: "hvs." + pick(r, URLSAFE, 24), "vault login {v}"),
    ("cli-az-login-sp-p", lambda r: f"{pick(r, ALNUM, 3)}8Q~{pick(r, ALNUM, 34)}", "az login --service-principal -u 5f1c0d2e-app -p {v} --tenant contoso.onmicrosoft.com"),
    ("cli-openssl-passin", _pw, "openssl pkcs12 -in client.p12 -nodes -passin pass:{v} -out client.pem"),
    ("cli-7z-p-attached", _pw, "7z a -p{v} -mhe=on backup.7z ./dumps"),
    ("cli-zip-P", _pw, "zip -r -P '{v}' handover.zip docs/"),
    ("cli-smbclient-percent", _pw, "smbclient //nas/share -U 'CORP\\svc_scan%{v}' -c 'ls'"),
    ("cli-ldapsearch-w", _pw, "ldapsearch -x -H ldaps://ldap.corp -D 'cn=admin,dc=corp' -w '{v}' '(uid=jdoe)'"),
    ("cli-mc-alias-positional", lambda r: pick(r, ALNUM, 40), "mc alias set minio http://127.0.0.1:9000 minioadmin {v}"),
    ("cli-aws-configure-set", lambda r: pick(r, ALNUM + "/+", 40), "aws configure set aws_secret_access_key {v} --profile staging"),
    ("cli-npm-config-authtoken", lambda r: "npm_" + pick(r, ALNUM, 36), "npm config set //registry.npmjs.org/:_authToken={v}"),
    ("cli-kubectl-token", lambda r: pick(r, LOWER_ALNUM, 6) + "." + pick(r, LOWER_ALNUM, 16), "kubectl --server https://10.0.0.1:6443 --token={v} get pods -A"),
    ("cli-kubectl-from-literal", _pw, "kubectl create secret generic db-creds --from-literal=username=app --from-literal=password='{v}'"),
    ("cli-sqlcmd-P", _pw, "sqlcmd -S tcp:sql01,1433 -U sa -P \"{v}\" -Q \"SELECT @@VERSION\""),
    ("cli-influx-token", lambda r: b64(r, 64, url=True), "influx query 'from(bucket:\"m\") |> range(start:-1h)' --org ops --token {v}"),
    ("cli-cqlsh-p", _pw, "cqlsh cass01 9042 -u cassandra -p {v}"),
    ("cli-mosquitto-P", _pw, "mosquitto_pub -h broker.local -u sensor -P {v} -t home/temp -m 21.5"),
    ("cli-rabbitmqctl-positional", _pw, "rabbitmqctl add_user metrics {v}"),
    ("cli-vault-kv-put", _pw, "vault kv put secret/billing stripe_webhook=on db_password={v}"),
    ("cli-terraform-var", _pw, "terraform apply -auto-approve -var 'db_password={v}' -var region=eu-central-1"),
    ("cli-docker-run-e", _tok, "docker run --rm -e API_TOKEN={v} -p 8080:8080 ghcr.io/acme/relay:2.3"),
    ("cli-gh-secret-set-body", _tok, "gh secret set DEPLOY_KEY --body '{v}' --repo acme/site"),
    ("cli-heroku-config-set", _tok, "heroku config:set PAYMENT_SECRET={v} -a shop-staging"),
    ("cli-fly-secrets-set", _tok, "fly secrets set SESSION_KEY={v} --app quiet-river-1234"),
    ("cli-netsh-wlan-key", _pw, "netsh wlan set hostednetwork mode=allow ssid=LabNet key={v}"),
    ("cli-net-use-windows", _pw, "net use Z: \\\\fs01\\projects /user:CORP\\builder {v} /persistent:no"),
    ("cli-runas-savecred", _pw, "psexec \\\\build07 -u CORP\\svc_ci -p {v} cmd /c ipconfig"),
    ("cli-powershell-password", _pw, "New-LocalUser -Name kiosk -Password (ConvertTo-SecureString '{v}' -AsPlainText -Force)"),
    ("cli-git-clone-token-url", lambda r: "ghp_" + pick(r, ALNUM, 36), "git clone https://x-access-token:{v}@github.com/acme/infra.git"),
    ("cli-pip-index-url", _url_pw, "pip install --index-url https://deploy:{v}@pypi.internal/simple acme-core==4.2"),
    ("cli-ansible-extra-vars", _pw, "ansible-playbook site.yml -e ansible_become_pass={v} -l web"),
    ("cli-rclone-obscure", _pw, "rclone obscure '{v}'"),
    ("cli-ftp-url", _url_pw, "lftp -e 'mirror -R dist /www; bye' ftp://deploy:{v}@ftp.host.example"),
    ("cli-gpg-passphrase", _pw, "gpg --batch --pinentry-mode loopback --passphrase '{v}' -d secrets.tar.gpg"),
    ("cli-keytool-storepass", _pw, "keytool -importcert -keystore truststore.jks -storepass {v} -file ca.crt -noprompt"),
    ("cli-nats-password", _pw, "nats sub 'orders.>' --server nats://nats:4222 --user app --password {v}"),
    ("cli-pgbench-url", _url_pw, "pgbench postgresql://bench:{v}@10.0.3.9:5432/bench -c 8 -T 60"),
    ("cli-snowsql-env", _pw, "SNOWSQL_PWD='{v}' snowsql -a xy12345 -u loader -q 'select 1'"),
    ("cli-sentry-cli-auth", lambda r: "sntryu_" + hexs(r, 64), "sentry-cli --auth-token {v} releases new 4.1.0"),
    ("cli-twine-password", lambda r: "pypi-AgEIcHlwaS5vcmc" + pick(r, URLSAFE, 60), "twine upload -u __token__ -p {v} dist/*"),
    ("cli-gem-push-env", lambda r: "rubygems_" + hexs(r, 48), "GEM_HOST_API_KEY={v} gem push acme-0.4.0.gem"),
    ("cli-cargo-publish-token", lambda r: "cio" + pick(r, ALNUM, 32), "cargo publish --token {v}"),
    ("cli-dotnet-nuget-push-k", lambda r: "oy2" + pick(r, LOWER_ALNUM, 43), "dotnet nuget push bin/Release/Acme.4.0.nupkg -k {v} -s https://api.nuget.org/v3/index.json"),
    ("cli-vsce-publish-p", lambda r: pick(r, LOWER_ALNUM, 52), "npx vsce publish -p {v}"),
    ("cli-octo-apikey", lambda r: "API-" + pick(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 26), "octo push --package app.1.2.0.zip --server https://deploy.corp --apiKey {v}"),
    ("cli-newrelic-k", lambda r: "NRAK-" + pick(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 27), "newrelic profile add --profile prod --region us --apiKey {v} --accountId 1234567"),
    ("cli-sshpass-env", _pw, "SSHPASS='{v}' sshpass -e rsync -az ./site/ www@web01:/var/www/"),
    ("cli-invented-short-t", lambda r: pick(r, B58, 20), "qhk deploy -t {v} --region fra"),
    ("cli-invented-long-api-key-eq", lambda r: "tw_" + pick(r, URLSAFE, 32), "tidectl sync --api-key={v} --dry-run"),
    ("cli-invented-k-attached", lambda r: hexs(r, 24), "lmctl push -k{v} ./model.gguf"),
    ("cli-invented-colon-flag", lambda r: pick(r, ALNUM, 28), "skyvault.exe /apikey:{v} /push C:\\build\\out"),
    ("cli-invented-plus-flag", lambda r: pick(r, ALNUM, 22), "frobnicate +auth {v} +verbose"),
    ("cli-invented-secret-key-space", lambda r: pick(r, URLSAFE, 36), "emberctl login --secret-key {v} --workspace ops"),
    ("cli-invented-positional-login", lambda r: pick(r, B58, 30), "corvid auth login {v}"),
    ("cli-invented-capital-K", lambda r: hexs(r, 32, True), "harrow ship -K {v} build/"),
    ("cli-invented-powershell-param", lambda r: pick(r, ALNUM, 30), "Publish-Lattice -Project infra -AccessToken {v} -Force"),
    ("cli-invented-double-dash-pass", _pw, "pebblectl connect db01 --pass {v}"),
    ("cli-invented-env-prefix", lambda r: pick(r, ALNUM, 26), "MOSSGATE_KEY={v} MOSSGATE_REGION=eu ./bin/mossgate-agent --once"),
    ("cli-invented-token-file-heredoc", lambda r: "kst-" + hexs(r, 28), "kelp auth login --with-token <<< '{v}'"),
    ("cli-gh-auth-with-token", lambda r: "ghp_" + pick(r, ALNUM, 36), "echo {v} | gh auth login --with-token"),
]


def _place(rng, command, index):
    style = index % 4
    if style == 0:
        return "tool_call", json.dumps({"command": command, "description": "run it"}, separators=(",", ":"))
    if style == 1:
        return "tool_output", f"$ {command}\n" + rng.choice(["ok", "done.", "Connected.", "exit status 0", "Login Succeeded"])
    if style == 2:
        return "user", f"run this for me: `{command}`"
    return "assistant", f"I ran:\n\n```sh\n{command}\n```\n\nand it finished without errors."


def items(rng):
    out = []
    for index, (kind, make, template) in enumerate(COMMANDS):
        value = make(rng)
        context, text = _place(rng, template.format(v=value), index)
        out.append({"kind": kind, "context": context, "text": text, "secret": value})
    return out
