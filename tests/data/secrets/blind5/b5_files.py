"""Credential files and blocks: dotfiles of tools, private keys, framework secrets, SQL and cluster joins."""

import base64
import json
import textwrap

from b5_places import tool_call
from b5_values import b64, jwt


def _wrapped(d, nbytes, width=64):
    return "\n".join(textwrap.wrap(d.b64(nbytes), width))


def _pem(d, label, nbytes, headers=""):
    body = _wrapped(d, nbytes)
    return f"-----BEGIN {label}-----\n{headers}{body}\n-----END {label}-----", body


def rsa_key_cat(d):
    block, body = _pem(d, "RSA PRIVATE KEY", 1190)
    return "tool output: cat id_rsa", f"$ cat deploy/id_rsa\n{block}\n", body


def pkcs8_in_env(d):
    block, body = _pem(d, "PRIVATE KEY", 1216)
    escaped = block.replace("\n", "\\n")
    return "config: .env", f'JWT_PRIVATE_KEY="{escaped}"\nJWT_ISSUER=auth.acme.io\n', body.replace("\n", "\\n")


def ec_key_yaml(d):
    block, body = _pem(d, "EC PRIVATE KEY", 121)
    indented = block.replace("\n", "\n    ")
    return "config: values.yaml", f"signer:\n  privateKey: |\n    {indented}\n", body.replace("\n", "\n    ")


def openssh_key_write(d):
    body = "\n".join(textwrap.wrap("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW" + d.b64(330), 70))
    block = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\n-----END OPENSSH PRIVATE KEY-----\n"
    text = tool_call({"file_path": "/home/dev/.ssh/id_ed25519_ci", "content": block})
    return "tool call: Write arguments", text, body.replace("\n", "\\n")


def encrypted_key(d):
    headers = f"Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,{d.hex(32).upper()}\n\n"
    block, body = _pem(d, "RSA PRIVATE KEY", 1200, headers)
    return "tool output: cat server.key", block, body


def pgp_private_block(d):
    body = _wrapped(d, 900)
    block = f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{body}\n={d.b64(3)}\n-----END PGP PRIVATE KEY BLOCK-----"
    return "user prose", "this is the signing key for the apt repo, import it on the builder:\n" + block, body


def gcp_service_account(d):
    key_body = d.b64(1190)
    pem = "-----BEGIN PRIVATE KEY-----\n" + "\n".join(textwrap.wrap(key_body, 64)) + "\n-----END PRIVATE KEY-----\n"
    body = {"type": "service_account", "project_id": "acme-data-prod", "private_key_id": d.hex(40),
            "private_key": pem, "client_email": "etl@acme-data-prod.iam.gserviceaccount.com", "client_id": d.digits(21)}
    text = json.dumps(body, indent=2)
    secret = "\\n".join(textwrap.wrap(key_body, 64))
    return "tool output: cat sa-key.json", text, secret


def kubeconfig_client_key(d):
    data = b64("-----BEGIN RSA PRIVATE KEY-----\n" + _wrapped(d, 600) + "\n-----END RSA PRIVATE KEY-----\n")
    text = (f"users:\n- name: kind-dev\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=\n"
            f"    client-key-data: {data}\n")
    return "config: kubeconfig", text, data


def wireguard_conf(d):
    key = d.b64(32)
    text = (f"[Interface]\nPrivateKey = {key}\nAddress = 10.8.0.5/32\nDNS = 1.1.1.1\n\n[Peer]\n"
            f"PublicKey = {d.b64(32)}\nEndpoint = vpn.acme.example:51820\nAllowedIPs = 0.0.0.0/0")
    return "tool output: cat wg0.conf", text, key


def netrc(d):
    pw = d.alnum(40)
    return "tool output: cat ~/.netrc", f"$ cat ~/.netrc\nmachine api.heroku.com\n  login dev@acme.io\n  password {pw}\n", pw


def pgpass(d):
    pw = d.password(18)
    return "config: ~/.pgpass", f"db.prod.internal:5432:billing:billing_ro:{pw}\nlocalhost:5432:*:postgres:postgres\n", pw


def npmrc(d):
    token = "npm_" + d.alnum(36)
    return "config: .npmrc", f"@acme:registry=https://npm.pkg.github.com\n//registry.npmjs.org/:_authToken={token}\nfund=false\n", token


def pypirc(d):
    token = "pypi-AgEIcHlwaS5vcmcCJ" + d.b64url(120)
    return "config: ~/.pypirc", f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {token}\n", token


def maven_settings(d):
    pw = d.b64(24)
    text = (f"<settings>\n  <servers>\n    <server>\n      <id>ossrh</id>\n      <username>acme-release</username>\n"
            f"      <password>{pw}</password>\n    </server>\n  </servers>\n</settings>")
    return "config: ~/.m2/settings.xml", text, pw


def gradle_properties(d):
    pw = d.password(20)
    return "config: gradle.properties", f"org.gradle.jvmargs=-Xmx2g\nsigning.keyId={d.hex(8).upper()}\nsigning.password={pw}\nossrhUsername=acme\n", pw


def yarnrc(d):
    token = "npm_" + d.alnum(36)
    return "config: .yarnrc.yml", f"nodeLinker: node-modules\nnpmScopes:\n  acme:\n    npmAlwaysAuth: true\n    npmAuthToken: {token}\n", token


def cargo_credentials(d):
    token = "cio" + d.alnum(32)
    return "config: ~/.cargo/credentials.toml", f"[registry]\ntoken = \"{token}\"\n", token


def composer_auth(d):
    token = "ghp_" + d.alnum(36)
    body = {"github-oauth": {"github.com": token}, "http-basic": {}}
    return "config: auth.json", json.dumps(body, indent=4), token


def nuget_config(d):
    pw = d.chars("abcdefghijklmnopqrstuvwxyz234567", 52)
    text = (f"<packageSourceCredentials>\n  <AcmeFeed>\n    <add key=\"Username\" value=\"az\" />\n"
            f"    <add key=\"ClearTextPassword\" value=\"{pw}\" />\n  </AcmeFeed>\n</packageSourceCredentials>")
    return "config: nuget.config", text, pw


def s3cfg(d):
    secret = d.b64(30)
    return "config: ~/.s3cfg", f"[default]\naccess_key = AKIA{d.b32(16)}\nsecret_key = {secret}\nhost_base = s3.amazonaws.com\n", secret


def aws_credentials_file(d):
    secret = d.b64(30)
    text = f"[default]\naws_access_key_id = AKIA{d.b32(16)}\naws_secret_access_key = {secret}\nregion = eu-west-1\n"
    return "tool output: cat ~/.aws/credentials", "$ cat ~/.aws/credentials\n" + text, secret


def adc_json(d):
    token = "1//0" + d.b64url(99)
    body = {"client_id": f"{d.digits(12)}-{d.lower_alnum(32)}.apps.googleusercontent.com",
            "client_secret": "GOCSPX-" + d.b64url(28), "refresh_token": token, "type": "authorized_user"}
    return "tool output: cat application_default_credentials.json", json.dumps(body, indent=2), token


def gh_hosts_yml(d):
    token = "gho_" + d.alnum(36)
    return "config: ~/.config/gh/hosts.yml", f"github.com:\n    user: octo-dev\n    oauth_token: {token}\n    git_protocol: https\n", token


def terraformrc(d):
    token = d.alnum(14) + ".atlasv1." + d.alnum(67)
    return "config: ~/.terraformrc", f'credentials "app.terraform.io" {{\n  token = "{token}"\n}}\n', token


def git_credentials(d):
    token = "ghp_" + d.alnum(36)
    return "tool output: cat ~/.git-credentials", f"https://octo-dev:{token}@github.com\n", token


def rclone_conf(d):
    obscured = d.b64url(40)
    return "config: rclone.conf", f"[offsite]\ntype = sftp\nhost = backup.example.net\nuser = rclone\npass = {obscured}\n", obscured


def my_cnf(d):
    pw = d.password(16)
    return "config: ~/.my.cnf", f"[client]\nuser=root\npassword=\"{pw}\"\nhost=127.0.0.1\n", pw


def wpa_supplicant(d):
    psk = d.passphrase(3, "") + d.digits(3)
    return "config: wpa_supplicant.conf", f'network={{\n    ssid="Lab-IoT"\n    psk="{psk}"\n    key_mgmt=WPA-PSK\n}}', psk


def ansible_inventory(d):
    pw = d.human_password()
    return "config: inventory.ini", f"[db]\ndb01 ansible_host=10.1.2.3 ansible_user=ubuntu ansible_become_password={pw}\n", pw


def django_secret(d):
    value = d.chars("abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 50)
    return "source: Python (Django settings)", f"DEBUG = False\nSECRET_KEY = '{value}'\nALLOWED_HOSTS = ['shop.example.com']\n", value


def rails_secret_key_base(d):
    value = d.hex(128)
    return "tool output: bin/rails credentials:show", f"secret_key_base: {value}\naws:\n  region: eu-west-1\n", value


def rails_master_key(d):
    value = d.hex(32)
    return "tool output: cat config/master.key", f"$ cat config/master.key\n{value}", value


def laravel_app_key(d):
    value = "base64:" + d.b64(32)
    return "config: .env", f"APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY={value}\nAPP_DEBUG=false\n", value


def fernet_key(d):
    value = base64.urlsafe_b64encode(d.raw(32)).decode()
    return "source: Python", f"from cryptography.fernet import Fernet\n\nf = Fernet(b\"{value}\")\n", value


def nextauth_secret(d):
    value = d.b64(32)
    return "tool output: vercel env pull", f"# Created by Vercel CLI\nNEXTAUTH_SECRET=\"{value}\"\nNEXTAUTH_URL=\"http://localhost:3000\"\n", value


def jwt_secret_js(d):
    value = d.alnum(48)
    return "source: JavaScript", f"const token = jwt.sign({{ sub: user.id }}, '{value}', {{ expiresIn: '1h' }});", value


def phoenix_secret(d):
    value = d.b64(48)
    return "config: config/prod.secret.exs", f"config :shop, ShopWeb.Endpoint,\n  secret_key_base: \"{value}\"\n", value


def sql_create_user(d):
    pw = d.password(18)
    return "source: SQL migration", f"CREATE USER reporting WITH PASSWORD '{pw}';\nGRANT SELECT ON ALL TABLES IN SCHEMA public TO reporting;", pw


def sql_identified_by(d):
    pw = d.human_password()
    return "tool output: mysql client", f"mysql> ALTER USER 'app'@'%' IDENTIFIED BY '{pw}';\nQuery OK, 0 rows affected (0.02 sec)", pw


def sql_connection_update(d):
    token = d.b64url(32)
    return "source: SQL", f"UPDATE integrations SET config = jsonb_set(config, '{{api_token}}', '\"{token}\"') WHERE id = 42;", token


def kubeadm_join(d):
    token = f"{d.chars('abcdefghijklmnopqrstuvwxyz0123456789', 6)}.{d.chars('abcdefghijklmnopqrstuvwxyz0123456789', 16)}"
    text = f"kubeadm join 10.0.0.10:6443 --token {token} \\\n\t--discovery-token-ca-cert-hash sha256:{d.sha256()}"
    return "tool output: kubeadm init", text, token


def swarm_join(d):
    token = f"SWMTKN-1-{d.lower_alnum(50)}-{d.lower_alnum(25)}"
    return "tool output: docker swarm init", f"    docker swarm join --token {token} 192.168.99.100:2377", token


def k3s_token(d):
    token = f"K10{d.hex(64)}::server:{d.hex(32)}"
    return "tool output: cat node-token", f"$ sudo cat /var/lib/rancher/k3s/server/node-token\n{token}", token


def mnemonic(d):
    words = " ".join(d.word() for _ in range(12))
    return "user prose", f"test wallet seed (testnet only!!): {words}", words


def crash_report_env(d):
    token = d.b64url(36)
    text = (f"Crash Report\nProcess: sync-agent [{d.int(1000, 60000)}]\nVersion: 3.4.1 (build 8812)\n"
            f"Exception Type: EXC_BAD_ACCESS (SIGSEGV)\n\nEnvironment:\n  SYNC_SERVER=https://sync.acme.example\n"
            f"  SYNC_DEVICE_SECRET={token}\n  TMPDIR=/var/folders/xy/T/\n")
    return "tool output: crash report", text, token


def har_entry(d):
    token = d.b64url(40)
    body = {"request": {"method": "GET", "url": "https://app.acme.example/api/me",
                        "headers": [{"name": "accept", "value": "application/json"}, {"name": "x-session-token", "value": token}]}}
    return "file: session.har", json.dumps(body, indent=2), token


def keyring_call(d):
    pw = d.password(16)
    return "source: Python", f'keyring.set_password("acme-vpn", "jdoe", "{pw}")', pw


def tfstate_password(d):
    pw = d.password(24)
    body = {"mode": "managed", "type": "aws_db_instance", "name": "main",
            "instances": [{"attributes": {"engine": "postgres", "username": "app", "password": pw, "port": 5432}}]}
    return "tool output: grep -A12 aws_db_instance terraform.tfstate", json.dumps(body, indent=2), pw


def token_request_response(d):
    token = jwt(d, {"aud": ["https://kubernetes.default.svc"], "sub": "system:serviceaccount:ci:builder", "exp": 1796500000}, alg="RS256", sig_bytes=256)
    body = {"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1", "status": {"token": token, "expirationTimestamp": "2026-12-08T13:00:00Z"}}
    return "tool output: kubectl create token -o json", json.dumps(body, indent=2), token


def putty_ppk(d):
    lines = textwrap.wrap(d.b64(160), 64)
    text = ("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops@jump\nPublic-Lines: 2\n"
            f"{_wrapped(d, 51)}\nPrivate-Lines: {len(lines)}\n" + "\n".join(lines) + f"\nPrivate-MAC: {d.hex(64)}")
    return "tool output: type jump.ppk", text, "\n".join(lines)


def notebook_environ_output(d):
    token = "hf_" + d.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 34)
    cell = {"cell_type": "code", "execution_count": 3, "source": ["dict(os.environ)"],
            "outputs": [{"output_type": "execute_result", "data": {"text/plain": [f"{{'HOME': '/root', 'HF_TOKEN': '{token}', 'CUDA_VISIBLE_DEVICES': '0'}}"]}}]}
    return "file: train.ipynb (output cell)", json.dumps(cell, indent=1), token


def bare_password_reply(d):
    pw = d.password(17)
    return "user prose (the whole message)", pw, pw


CASES = [
    ("private-key-rsa-pem", rsa_key_cat), ("private-key-pkcs8-escaped-env", pkcs8_in_env), ("private-key-ec-yaml", ec_key_yaml),
    ("private-key-openssh-tool-call", openssh_key_write), ("private-key-encrypted-pem", encrypted_key),
    ("private-key-pgp-block", pgp_private_block), ("gcp-service-account-json", gcp_service_account),
    ("kubeconfig-client-key-data", kubeconfig_client_key), ("wireguard-private-key", wireguard_conf),
    ("netrc-password", netrc), ("pgpass-password", pgpass), ("npmrc-auth-token", npmrc), ("pypirc-password", pypirc),
    ("maven-settings-password", maven_settings), ("gradle-signing-password", gradle_properties),
    ("yarnrc-npm-auth-token", yarnrc), ("cargo-credentials-token", cargo_credentials),
    ("composer-github-oauth", composer_auth), ("nuget-cleartext-password", nuget_config), ("s3cfg-secret-key", s3cfg),
    ("aws-credentials-file", aws_credentials_file), ("gcloud-adc-refresh-token", adc_json), ("gh-hosts-oauth-token", gh_hosts_yml),
    ("terraformrc-token", terraformrc), ("git-credentials-file", git_credentials), ("rclone-obscured-pass", rclone_conf),
    ("my-cnf-password", my_cnf), ("wpa-psk", wpa_supplicant), ("ansible-become-password", ansible_inventory),
    ("django-secret-key", django_secret), ("rails-secret-key-base", rails_secret_key_base),
    ("rails-master-key", rails_master_key), ("laravel-app-key", laravel_app_key), ("fernet-key", fernet_key),
    ("nextauth-secret", nextauth_secret), ("jwt-signing-secret-literal", jwt_secret_js),
    ("phoenix-secret-key-base", phoenix_secret), ("sql-create-user-password", sql_create_user),
    ("sql-identified-by", sql_identified_by), ("sql-jsonb-api-token", sql_connection_update),
    ("kubeadm-join-token", kubeadm_join), ("docker-swarm-join-token", swarm_join), ("k3s-node-token", k3s_token),
    ("wallet-mnemonic", mnemonic), ("crash-report-device-secret", crash_report_env), ("har-session-token", har_entry),
    ("python-keyring-password", keyring_call), ("tfstate-db-password", tfstate_password),
    ("k8s-token-request-response", token_request_response), ("putty-ppk-private-lines", putty_ppk),
    ("notebook-output-environ-token", notebook_environ_output), ("prose-bare-password-reply", bare_password_reply),
]
