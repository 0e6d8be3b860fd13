"""Redaction by the shapes secrets take rather than by vendor (issue 19): prose in many languages, values
a command takes as a plain argument, a name and its value in separate fields, cookies, webhook URLs,
literals given to a client, one-time-password seeds. Every value here is made up for the test."""

from __future__ import annotations

import pytest

from nightshift.ingest.redact import redact

RANDOM = "Zx9Yw8Vu7Ts6Rq5Po4NmLk3Jh2Gf1Ed"  # 31 mixed characters: random-looking, no vendor prefix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # prose, in the languages people write to their agent in; the sentence around the value stays
        pytest.param("Le mot de passe de la base est Willow@Meadow8902, merci", "Le mot de passe de la base est [REDACTED:password], merci", id="fr"),
        pytest.param("Das Kennwort lautet: Kr4ken!See", "Das Kennwort lautet: [REDACTED:password]", id="de"),
        pytest.param("Lösenordet till servern är Fj4ll!Ren", "Lösenordet till servern är [REDACTED:password]", id="sv-with-ending"),
        pytest.param("Veritabanı şifresi: Den1z#Mavi", "Veritabanı şifresi: [REDACTED:password]", id="tr-with-ending"),
        pytest.param("数据库密码是 Ember#Copper5886，别外传", "数据库密码是 [REDACTED:password]，别外传", id="zh"),
        pytest.param("DBのパスワードはSak4ura#Hanaです", "DBのパスワードは[REDACTED:password]です", id="ja-no-spaces"),
        pytest.param("서버 비밀번호는 Ha9eul!Sky 입니다", "서버 비밀번호는 [REDACTED:password] 입니다", id="ko"),
        pytest.param("Пароль от сервера: Saffron$Thistle8728", "Пароль от сервера: [REDACTED:password]", id="ru"),
        pytest.param("รหัสผ่านคือ Chang#Mai55", "รหัสผ่านคือ [REDACTED:password]", id="th-verb-against-word"),
        pytest.param("user admin, pass Willow^Copper5679", "user admin, pass [REDACTED:password]", id="pass-without-separator"),
        pytest.param("login as admin / basalt267!DUN", "login as admin / [REDACTED:password]", id="login-as"),
        pytest.param("use Tr1cky!Pass as the password for staging", "use [REDACTED:password] as the password for staging", id="value-first"),
        pytest.param("creds: admin/Forest#Lamp83", "creds: admin/[REDACTED:password]", id="creds-user-slash-password"),
        pytest.param(f"I created an API key for the pipeline: {RANDOM}\nthanks", "I created an API key for the pipeline: [REDACTED:secret]\nthanks", id="key-in-prose"),
        pytest.param("Unseal Key 1: oqvWe8Xy5z4sVJCpki0zBuEVQOZfWJkWYPdlKnWaG78=", "Unseal Key 1: [REDACTED:secret]", id="numbered-key"),
        pytest.param("$ heroku auth:token\n f3b82849-f62f-4ff7-9a0a-9b5c45357a0e\n", "$ heroku auth:token\n [REDACTED:secret]\n", id="printed-by-a-command"),
        pytest.param("the 2fa setup key is hpci qgbe sjpj mded zu4h v7zr vhxa vijm", "the 2fa setup key is [REDACTED:secret]", id="totp-seed-in-groups"),
        pytest.param("Recovery codes:\n  4f8k2-9d3mx\n  7hq2p-k3l9s\n", "Recovery codes:\n  [REDACTED:secret]\n  [REDACTED:secret]\n", id="recovery-codes"),
        # credentials given to command-line tools, also inside a tool call's JSON arguments
        pytest.param('{"command":"docker login registry.acme.io -u ci -p owek=si6j=iclm%q0CUvcz"}', '{"command":"docker login registry.acme.io -u ci -p [REDACTED:secret]"}', id="json-argv"),
        pytest.param("net use Z: \\\\fs01\\shared Copper*Velvet4279 /user:ACME\\jdoe", "net use Z: \\\\fs01\\shared [REDACTED:secret] /user:ACME\\jdoe", id="net-use"),
        pytest.param("snyk auth ad904191-c6c3-48f6-8c77-2332f3ebe307", "snyk auth [REDACTED:secret]", id="snyk-auth"),
        pytest.param(f"setx GITHUB_TOKEN {RANDOM}", "setx GITHUB_TOKEN [REDACTED:secret]", id="setx-name-value"),
        pytest.param("htpasswd -b -c /etc/nginx/.htpasswd grafana 'Orbit@Pepper9401'", "htpasswd -b -c /etc/nginx/.htpasswd grafana '[REDACTED:secret]'", id="htpasswd-options"),
        pytest.param("ipmitool -I lanplus -H 10.0.9.21 -U ADMIN -P 'Meadow#Orbit8494' power status", "ipmitool -I lanplus -H 10.0.9.21 -U ADMIN -P '[REDACTED:secret]' power status", id="ipmitool"),
        pytest.param("smbclient //fs/share -U admin%Tr0ub4dor&3 -c ls", "smbclient //fs/share -U admin%[REDACTED:secret] -c ls", id="smbclient"),
        pytest.param("xfreerdp /v:10.0.0.5 /u:admin /p:Gr4nite!Hill", "xfreerdp /v:10.0.0.5 /u:admin /p:[REDACTED:secret]", id="windows-option"),
        pytest.param("sqlplus scott/T1ger#2024@//db:1521/ORCL", "sqlplus scott/[REDACTED:secret]@//db:1521/ORCL", id="sqlplus"),
        pytest.param('dsn := "app:Sh4dow!Fox@tcp(db:3306)/shop"', 'dsn := "app:[REDACTED:secret]@tcp(db:3306)/shop"', id="go-dsn"),
        # a name and its value in two fields, or a name given to a call
        pytest.param('[{"name": "DB_PASSWORD", "value": "Gl4cier!Peak"}]', '[{"name": "DB_PASSWORD", "value": "[REDACTED:secret]"}]', id="json-name-value"),
        pytest.param(f"  - name: API_TOKEN\n    value: {RANDOM}\n", "  - name: API_TOKEN\n    value: [REDACTED:secret]\n", id="k8s-env"),
        pytest.param(f'<add key="StorageKey" value="{RANDOM}" />', '<add key="StorageKey" value="[REDACTED:secret]" />', id="dotnet-appsettings"),
        pytest.param("define('DB_PASSWORD', 'Lun4r#Tide88');", "define('DB_PASSWORD', '[REDACTED:secret]');", id="php-define"),
        pytest.param(f'co = cohere.Client("{RANDOM}")', 'co = cohere.Client("[REDACTED:secret]")', id="client-literal"),
        # values that carry a session or a webhook's secret, and vendor prefixes nobody listed
        pytest.param(f"< Set-Cookie: connect.sid=s%3A{RANDOM}.sa8bExSyDF7; Path=/", "< Set-Cookie: connect.sid=[REDACTED:secret]; Path=/", id="cookie"),
        pytest.param(f"https://discord.com/api/webhooks/226042880267176740/{RANDOM}", "https://discord.com/api/webhooks/[REDACTED:secret]", id="webhook-path"),
        pytest.param(f"https://maker.ifttt.com/trigger/deploy/with/key/{RANDOM}", "https://maker.ifttt.com/trigger/deploy/with/key/[REDACTED:secret]", id="key-in-url-path"),
        pytest.param(f"git clone https://{RANDOM}@github.com/acme/api.git", "git clone https://[REDACTED:secret]@github.com/acme/api.git", id="token-as-url-user"),
        pytest.param("rubygems_4f8a2b9c1d3e4f5a6b7c8d9e0f1a2b3c4f8a2b9c1d3e4f5a", "rubygems_[REDACTED:secret]", id="unknown-vendor-prefix"),
        pytest.param("ALGOLIA_ADMIN_KEY=a411c8463ece1b4c8c578bed4a6e65bc", "ALGOLIA_ADMIN_KEY=[REDACTED:secret]", id="hex-under-key-name"),
        pytest.param("APP_KEY=base64:q8Zr3X9vK2mN5pL7tY1wE4uI6oA0sD3fG5hJ8kL1zXc=", "APP_KEY=[REDACTED:secret]", id="base64-prefixed"),
        pytest.param("$ openssl rand -hex 32\n4f8a2b9c1d3e4f5a6b7c8d9e0f1a2b3c4f8a2b9c1d3e4f5a6b7c8d9e0f1a2b3c\n", "$ openssl rand -hex 32\n[REDACTED:secret]\n", id="generated"),
        pytest.param("jdbc:oracle:thin:scott/T1ger#2024@//db:1521/ORCL", "jdbc:oracle:thin:scott/[REDACTED:secret]@//db:1521/ORCL", id="oracle-thin"),
        pytest.param(f".example.com\tTRUE\t/\tTRUE\t0\tsessionid\t{RANDOM}\n", ".example.com\tTRUE\t/\tTRUE\t0\tsessionid\t[REDACTED:secret]\n", id="cookie-jar"),
        pytest.param('{"kty": "EC", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "d": "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}',
                     '{"kty": "EC", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "d": "[REDACTED:secret]"}', id="jwk-private-member"),
        pytest.param(f"curl -H 'X-JFrog-Art-Api: AKCp8{RANDOM}' https://x", "curl -H 'X-JFrog-Art-Api: [REDACTED:secret]' https://x", id="api-header"),
        pytest.param("nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5", "[REDACTED:private_key]", id="nostr-secret-key"),
        pytest.param("client.run('MTA4NzY1NDMyMTA5ODc2NTQzMg.GhJkLm.AbCdEfGhIjKlMnOpQrStUvWxYz0123456789ab')", "client.run('[REDACTED:discord]')", id="discord-bot-token"),
        pytest.param("pass_phrase = Tr0ub4dor3x", "pass_phrase = [REDACTED:secret]", id="oci-pass-phrase"),
        # every value under a Kubernetes Secret's data: is a secret once decoded, whatever its name
        pytest.param("kind: Secret\ndata:\n  MY_VAR: SHVudGVyMi1odW50ZXI=\n", "kind: Secret\ndata:\n  MY_VAR: [REDACTED:secret]\n", id="k8s-secret-data"),
        # round 2 (blind batch 2): shapes, not vendors
        pytest.param("TOKEN=xoxb-1234-ABCD!tail_of_it_9", "TOKEN=[REDACTED:secret]", id="name-wins-over-a-partial-shape"),
        pytest.param(f"> Authorization: GenieKey {RANDOM}", "> Authorization: GenieKey [REDACTED:authorization]", id="any-auth-scheme"),
        pytest.param(f'proxy_set_header Authorization "Basic {RANDOM}";', 'proxy_set_header Authorization "Basic [REDACTED:authorization]";', id="nginx-auth-header"),
        pytest.param(f'const SIGNING_SECRET: &str = "{RANDOM}";', 'const SIGNING_SECRET: &str = "[REDACTED:secret]";', id="typed-declaration"),
        pytest.param(f'apiToken := "{RANDOM}"', 'apiToken := "[REDACTED:secret]"', id="go-short-declaration"),
        pytest.param(f'api_key <- "{RANDOM}"', 'api_key <- "[REDACTED:secret]"', id="r-assignment"),
        pytest.param("shippo_live_3f9a1c7e5b2d8f4a6c0e9b1d7f3a5c8e3f9a1c7e", "shippo_live_[REDACTED:secret]", id="prefix-with-environment"),
        pytest.param(f"mapbox sk.eyJ1IjoiYWNtZSIsImEiOiJjbDk4In0.{RANDOM}", "mapbox [REDACTED:mapbox]", id="mapbox-secret"),
        pytest.param("'password' => 'Mar1gold!Fen',", "'password' => '[REDACTED:secret]',", id="php-array"),
        pytest.param("echo 'Mar1gold!Fen' | docker login -u ci --password-stdin", "echo '[REDACTED:secret]' | docker login -u ci --password-stdin", id="echo-to-stdin"),
        pytest.param("npm config set NPM_TOKEN Mar1gold!Fen", "npm config set NPM_TOKEN [REDACTED:secret]", id="config-set-name-value"),
        pytest.param("snmpwalk -v2c -c Mar1gold!Fen 10.0.0.1", "snmpwalk -v2c -c [REDACTED:secret] 10.0.0.1", id="snmp-community"),
        pytest.param(f'{{"sensitive": true, "type": "string", "value": "Mar1gold!Fen"}}', '{"sensitive": true, "type": "string", "value": "[REDACTED:secret]"}', id="terraform-sensitive"),
        pytest.param("tokens {\n  agent = \"6f1c2a9e-3b7d-4e5f-8a0b-1c2d3e4f5a6b\"\n}", "tokens {\n  agent = \"[REDACTED:secret]\"\n}", id="block-named-for-secrets"),
        pytest.param(f"| service | token |\n|---|---|\n| ci | `{RANDOM}` |", "| service | token |\n|---|---|\n| ci | `[REDACTED:secret]` |", id="table-column"),
        pytest.param('the passphrase is "amber ladder violet copper"', 'the passphrase is "[REDACTED:password]"', id="quoted-passphrase"),
        pytest.param("alerts@example.com:Mar1gold!Fen", "alerts@example.com:[REDACTED:secret]", id="login-colon-password"),
        pytest.param("$ cat ~/.vault_pass\nQ3rT9xLm2Vb8Nc4Kd7Yh1Ue6\n", "$ cat ~/.vault_pass\n[REDACTED:secret]\n", id="printed-secret-file"),
        pytest.param(f"мой токен: {RANDOM}", "мой токен: [REDACTED:secret]", id="token-word-ru"),
        pytest.param("NAME          VALUE\nDB_PASSWORD   Mar1gold!Fen\n", "NAME          VALUE\nDB_PASSWORD   [REDACTED:secret]\n", id="name-value-columns"),
        pytest.param(f"│ STRIPE_KEY │ {RANDOM} │", "│ STRIPE_KEY │ [REDACTED:secret] │", id="box-drawn-table"),
        # the same shapes in a file a tool call writes: JSON escapes the quotes and line ends
        pytest.param(f'{{"content":"const SIGNING_SECRET: &str = \\"{RANDOM}\\";\\n"}}', '{"content":"const SIGNING_SECRET: &str = [REDACTED:secret];\\n"}', id="typed-declaration-in-json"),
        pytest.param('{"content":"tokens {\\n  agent = \\"6f1c2a9e-3b7d-4e5f-8a0b-1c2d3e4f5a6b\\"\\n}"}', '{"content":"tokens {\\n  agent = \\"[REDACTED:secret]\\"\\n}"}', id="block-in-json"),
        pytest.param('{"content":"relay alerts@example.com:Mar1gold!Fen\\n"}', '{"content":"relay alerts@example.com:[REDACTED:secret]\\n"}', id="login-password-in-json"),
    ],
)
def test_a_secret_is_found_by_its_shape(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the password is too short; La contraseña es incorrecta. 密码错误，请重试", id="prose-about-passwords"),
        pytest.param("password reset link sent to dev42@example.com", id="email-after-password"),
        pytest.param("tests pass: 42 passed, 0 failed; we pass user_id2 to the handler", id="pass-as-a-verb"),
        pytest.param("Token usage: prompt_tokens=1841 completion_tokens=312", id="token-counts"),
        pytest.param("the key fingerprint is 4f8a2b9c1d3e4f5a6b7c8d9e0f1a2b3c", id="key-fingerprint"),
        pytest.param("Public key: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p", id="public-key"),
        pytest.param("key: ${KEY:-default-key-2024}", id="shell-default"),
        pytest.param('{"keys": [{"kty": "RSA", "kid": "8lrzKC2tbNz94bbhLQe3Np9PTYk6iTiKB1xzFIH7CMs"}]}', id="jwks-key-id"),
        pytest.param('{"name": "API_TOKEN_TTL", "value": "3600"}\n- name: SECRET_NAME\n  value: prod-db-credentials', id="value-fields-of-other-names"),
        pytest.param('{"Key": "reports/2026/11/summary.pdf", "Size": 48122}', id="object-key-path"),
        pytest.param("STRIPE_SECRET_KEY=sk_test_...\napi_key: ••••••••\n{\"token\": \"TODO\"}", id="placeholders"),
        pytest.param("password: ENC[AES256_GCM,data:,iv:,tag:,type:str]\ndb:\n  password: !vault |", id="encrypted-and-tagged"),
        pytest.param("net user jdoe /domain; setx PATH \"%PATH%;C:\\tools\"; aws configure set region eu-west-1", id="commands-without-secrets"),
        pytest.param("https://github.com/acme/api/settings/hooks/412345678 and https://user@example.com/x", id="urls-with-ids"),
        pytest.param("customer cus_jTHCX4AnIPhU91 paid invoice in_T3nY7CBKSn27a1UvtIw3uzAz", id="object-ids"),
        pytest.param("Cookie: theme=dark; lang=en-US", id="plain-cookies"),
        pytest.param("2fa is enabled for 14 of 15 members; recovery codes were regenerated on 2026-11-02", id="otp-words-without-values"),
        pytest.param("kind: ConfigMap\ndata:\n  MY_VAR: SHVudGVyMi1odW50ZXI=\n", id="configmap-data"),
        pytest.param("kind: Secret\ndata:\n  username: YWRtaW4tdXNlcjE=\n  host: ZGIuaW50ZXJuYWw=\n  config.json: eyJkZWJ1ZyI6IHRydWV9\n", id="k8s-secret-public-parts"),
        pytest.param("login: 2026-12-07T10:00:00Z; password: v2.3.1-rc1", id="dates-and-versions"),
        pytest.param("Cache restored from key: Linux-pip-4bea08fb629f4493318709bd91e1cec83f8201a73f7825139c4898ba4687fea9", id="cache-key"),
        pytest.param("STRIPE_SECRET_KEY=sk_live_REPLACE_ME\nSENTRY_AUTH_TOKEN=sntrys_xxxxxxxxxxxxxxxx", id="placeholder-after-a-prefix"),
        pytest.param("DATABASE_URL: postgres://app:********@db.example.com:5432/app", id="masked-url-password"),
        pytest.param('{"username":"guest","password":null,"token":null}', id="json-nulls"),
        pytest.param("git clone git@github.com:acme-corp/infra.git; scp a deploy@web01.example.com:backup-2024.tar", id="scp-targets"),
        pytest.param("| host | key |\n|---|---|\n| web1 | SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8 |", id="table-of-fingerprints"),
        pytest.param("W: GPG error: https://repo.example.com stable InRelease: NO_PUBKEY ABC3316FDC44327E", id="gpg-pubkey-id"),
        pytest.param("mapbox public token pk.eyJ1IjoiYWNtZSIsImEiOiJjbDk4In0.Zx9Yw8Vu7Ts6Rq5Po4NmLk", id="mapbox-public"),
        pytest.param("API_KEY       REPLACE_ME\nDB_PASSWORD   ${DB_PASSWORD}\npassword_reset_token expired", id="columns-without-values"),
    ],
)
def test_a_look_alike_of_those_shapes_is_left_alone(text):
    assert redact(text) == text
