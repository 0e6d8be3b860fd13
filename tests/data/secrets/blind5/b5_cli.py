"""Credentials handed to command-line tools: flags, glued flags, positional arguments, inline env.

Each case is (kind, maker); a maker takes the Draw and returns (context, text, secret). About half of
the commands arrive as a Bash tool call's JSON arguments, the rest as shell history or a terminal.
"""

from b5_places import tool_call


def _shown(d, command):
    """A command as a tool call or as a terminal line, whichever the draw picks."""
    if d.int(0, 1):
        return "tool call: Bash arguments", tool_call({"command": command})
    return "tool output: terminal", f"$ {command}"


def _host(d):
    return d.pick(["db.internal", "10.0.4.17", "pg-primary.prod.svc", "mysql.staging.lan", "127.0.0.1"])


def mysql_glued(d):
    pw = d.password(14)
    return (*_shown(d, f"mysql -h {_host(d)} -u app -p{pw} orders -e 'SELECT COUNT(*) FROM orders'"), pw)


def mysql_long(d):
    pw = d.human_password()
    return (*_shown(d, f"mysqldump --user=root --password='{pw}' --single-transaction shop > shop.sql"), pw)


def pg_inline_env(d):
    pw = d.password(18)
    return (*_shown(d, f"PGPASSWORD={pw} psql -h {_host(d)} -U reporting -d analytics -c '\\dt'"), pw)


def mongosh_flag(d):
    pw = d.password(16)
    return (*_shown(d, f"mongosh --host {_host(d)} -u admin -p {pw} --authenticationDatabase admin"), pw)


def redis_cli(d):
    pw = d.alnum(32)
    return (*_shown(d, f"redis-cli -h cache.internal -a {pw} --no-auth-warning INFO keyspace"), pw)


def curl_user(d):
    pw = d.human_password()
    return (*_shown(d, f"curl -u deploy:{pw} https://nexus.corp.example/service/rest/v1/repositories"), pw)


def wget_password(d):
    pw = d.password(15)
    return (*_shown(d, f"wget --user=ci --password={pw} https://files.example.org/builds/latest.tar.gz"), pw)


def sshpass(d):
    pw = d.human_password()
    return (*_shown(d, f"sshpass -p '{pw}' ssh -o StrictHostKeyChecking=no ops@{d.ip()} uptime"), pw)


def docker_login(d):
    pw = d.alnum(24)
    return (*_shown(d, f"docker login registry.gitlab.com -u ci-bot -p {pw}"), pw)


def helm_repo_add(d):
    pw = d.b64url(20)
    return (*_shown(d, f"helm repo add internal https://charts.corp.example --username robot --password {pw}"), pw)


def keytool_storepass(d):
    pw = d.password(16)
    return (*_shown(d, f"keytool -importcert -alias corp-ca -file ca.pem -keystore truststore.jks -storepass {pw} -noprompt"), pw)


def openssl_passout(d):
    pw = d.human_password()
    return (*_shown(d, f"openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{pw}"), pw)


def htpasswd_batch(d):
    pw = d.password(14)
    return (*_shown(d, f"htpasswd -bc /etc/nginx/.htpasswd admin {pw}"), pw)


def rabbitmqctl_positional(d):
    pw = d.alnum(20)
    return (*_shown(d, f"rabbitmqctl add_user orders_svc {pw}"), pw)


def minio_alias(d):
    secret = d.alnum(40)
    return (*_shown(d, f"mc alias set prod https://minio.corp.example minioadmin {secret}"), secret)


def vault_login(d):
    token = "hvs." + d.b64url(24)
    return (*_shown(d, f"vault login {token}"), token)


def gh_with_token(d):
    token = "ghp_" + d.alnum(36)
    return (*_shown(d, f"echo {token} | gh auth login --with-token"), token)


def npm_config_set(d):
    token = "npm_" + d.alnum(36)
    return (*_shown(d, f"npm config set //registry.npmjs.org/:_authToken={token}"), token)


def lftp_user(d):
    pw = d.password(13)
    return (*_shown(d, f"lftp -u uploader,{pw} sftp://ftp.partner.example -e 'mirror -R dist /www; bye'"), pw)


def smbclient(d):
    pw = d.human_password()
    return (*_shown(d, f"smbclient //fileserver/finance -U 'CORP\\jdoe%{pw}' -c 'ls'"), pw)


def az_login(d):
    secret = d.alnum(3) + "8Q~" + d.b64url(34)
    return (*_shown(d, f"az login --service-principal -u {d.uuid4()} -p {secret} --tenant {d.uuid4()}"), secret)


def influx_token(d):
    token = d.b64url(86) + "=="
    return (*_shown(d, f"influx query 'from(bucket:\"metrics\") |> range(start:-1h)' --org acme --token {token}"), token)


def cmdkey(d):
    pw = d.human_password()
    return "tool output: PowerShell", f"PS C:\\> cmdkey /add:build01.corp.local /user:CORP\\svc_build /pass:{pw}", pw


def net_use(d):
    pw = d.password(15)
    return "tool output: cmd", f"C:\\> net use Z: \\\\nas01\\backup /user:backup {pw} /persistent:no", pw


def securestring(d):
    pw = d.human_password()
    return "source: PowerShell", (
        f"$pw = ConvertTo-SecureString '{pw}' -AsPlainText -Force\n"
        f"$cred = New-Object System.Management.Automation.PSCredential('svc_deploy', $pw)"
    ), pw


def made_up_api_key_flag(d):
    key = "dpl_" + d.b58(32)
    return (*_shown(d, f"deployctl push --project storefront --api-key {key} ./build"), key)


def made_up_short_k(d):
    key = d.hex(24)
    return (*_shown(d, f"qkctl sync -k {key} --dry-run"), key)


def made_up_t(d):
    token = d.b64url(28)
    return (*_shown(d, f"stashctl upload -t {token} backups/2026-12-07.tar.zst"), token)


def made_up_secret_eq(d):
    secret = d.alnum(22)
    return (*_shown(d, f"./frob --endpoint=https://frob.example --secret={secret} --verbose"), secret)


def made_up_capital_p(d):
    pw = d.human_password()
    return (*_shown(d, f"lumen login -U ops@example.com -P {pw}"), pw)


def made_up_pass(d):
    pw = d.password(17)
    return (*_shown(d, f"tapectl restore --vault offsite --pass {pw} --to /srv/restore"), pw)


def made_up_positional(d):
    token = d.b32(26)
    return (*_shown(d, f"beaconctl register edge-07 {token}"), token)


def made_up_inline_env(d):
    token = "rly_" + d.alnum(30)
    return (*_shown(d, f"RELAY_TOKEN={token} npx relay-cli tunnel 3000"), token)


def made_up_token_colon(d):
    token = d.alnum(20)
    return (*_shown(d, f"pipectl --auth=token:{token} status"), token)


def httpie_header(d):
    token = d.b64url(40)
    return (*_shown(d, f"http GET https://api.internal.example/v3/jobs 'X-Auth-Token:{token}'"), token)


def kubectl_create_secret(d):
    pw = d.password(20)
    return (*_shown(d, f"kubectl create secret generic db-creds --from-literal=username=app --from-literal=password={pw} -n prod"), pw)


def docker_build_arg(d):
    token = "ghp_" + d.alnum(36)
    return (*_shown(d, f"docker build --build-arg GITHUB_TOKEN={token} -t api:dev ."), token)


def git_clone_token(d):
    token = "glpat-" + d.b64url(20)
    return (*_shown(d, f"git clone https://oauth2:{token}@gitlab.com/acme/payments.git"), token)


def pip_index_url(d):
    token = d.alnum(28)
    return (*_shown(d, f"pip install --index-url https://__token__:{token}@pypi.corp.example/simple/ acme-core==4.2.0"), token)


def ansible_extra_vars(d):
    pw = d.human_password()
    return (*_shown(d, f"ansible-playbook site.yml -i prod.ini -e ansible_become_password={pw}"), pw)


def sqlcmd(d):
    pw = d.password(16)
    return (*_shown(d, f"sqlcmd -S tcp:{_host(d)},1433 -U sa -P '{pw}' -Q 'SELECT @@VERSION'"), pw)


def ldapsearch(d):
    pw = d.password(14)
    return (*_shown(d, f"ldapsearch -x -H ldaps://ldap.corp.example -D 'cn=svc,dc=corp,dc=example' -w {pw} '(uid=jdoe)'"), pw)


def nmcli_wifi(d):
    pw = d.passphrase(3, "")
    return (*_shown(d, f"nmcli dev wifi connect 'Office-5G' password {pw}"), pw)


def psql_url(d):
    pw = d.password(16)
    return (*_shown(d, f"psql 'postgresql://etl:{pw}@{_host(d)}:5432/warehouse?sslmode=require'"), pw)


def zip_password(d):
    pw = d.human_password()
    return (*_shown(d, f"7z a -p{pw} -mhe=on handover.7z ./exports"), pw)


def gpg_passphrase(d):
    pw = d.passphrase(4, " ")
    return "tool output: terminal", f"$ gpg --batch --pinentry-mode loopback --passphrase \"{pw}\" -d secrets.json.gpg", pw


def expect_script(d):
    pw = d.password(15)
    return "source: expect script", f"spawn ssh admin@{d.ip()}\nexpect \"password:\"\nsend \"{pw}\\r\"\ninteract", pw


CASES = [
    ("cli-mysql-glued-p", mysql_glued), ("cli-mysqldump-password", mysql_long), ("cli-pgpassword-inline", pg_inline_env),
    ("cli-mongosh-p", mongosh_flag), ("cli-redis-cli-a", redis_cli), ("cli-curl-u", curl_user),
    ("cli-wget-password", wget_password), ("cli-sshpass-p", sshpass), ("cli-docker-login-p", docker_login),
    ("cli-helm-repo-password", helm_repo_add), ("cli-keytool-storepass", keytool_storepass),
    ("cli-openssl-passout", openssl_passout), ("cli-htpasswd-b", htpasswd_batch),
    ("cli-rabbitmqctl-positional", rabbitmqctl_positional), ("cli-mc-alias-positional", minio_alias),
    ("cli-vault-login-positional", vault_login), ("cli-gh-with-token", gh_with_token),
    ("cli-npm-config-authtoken", npm_config_set), ("cli-lftp-u", lftp_user), ("cli-smbclient-percent", smbclient),
    ("cli-az-login-p", az_login), ("cli-influx-token", influx_token), ("cli-cmdkey-pass", cmdkey),
    ("cli-net-use-positional", net_use), ("cli-powershell-securestring", securestring),
    ("cli-made-up-api-key", made_up_api_key_flag), ("cli-made-up-k", made_up_short_k), ("cli-made-up-t", made_up_t),
    ("cli-made-up-secret-eq", made_up_secret_eq), ("cli-made-up-capital-p", made_up_capital_p),
    ("cli-made-up-pass", made_up_pass), ("cli-made-up-positional", made_up_positional),
    ("cli-made-up-inline-env", made_up_inline_env), ("cli-made-up-token-colon", made_up_token_colon),
    ("cli-httpie-header", httpie_header), ("cli-kubectl-from-literal", kubectl_create_secret),
    ("cli-docker-build-arg", docker_build_arg), ("cli-git-clone-token", git_clone_token),
    ("cli-pip-index-url", pip_index_url), ("cli-ansible-extra-vars", ansible_extra_vars), ("cli-sqlcmd-p", sqlcmd),
    ("cli-ldapsearch-w", ldapsearch), ("cli-nmcli-wifi", nmcli_wifi), ("cli-psql-url", psql_url),
    ("cli-7z-glued-p", zip_password), ("cli-gpg-passphrase", gpg_passphrase), ("cli-expect-send", expect_script),
]
