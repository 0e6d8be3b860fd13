"""Credentials that arrive encoded or wrapped: base64 in cluster and registry files, percent-encoding,
JSON escaped twice, values split over lines, JWTs, headers, cookies and URLs.

`secret` is always the text as it stands in the transcript (the base64, the percent-encoded form), since
that is what a reader could copy.
"""

import json
from urllib.parse import quote

from b5_places import tool_call
from b5_values import b64, jwt


def _url_password(d):
    """A password with characters a URL must percent-encode."""
    return d.alnum(6) + d.pick(["@", ":", "/", "#", "?"]) + d.alnum(5) + d.pick(["%", "&", "+", "!"]) + d.digits(3)


def k8s_secret_yaml(d):
    pw = d.password(20)
    encoded = b64(pw)
    text = (f"$ kubectl get secret pg-app -n prod -o yaml\napiVersion: v1\ndata:\n  password: {encoded}\n"
            f"  username: {b64('app')}\nkind: Secret\nmetadata:\n  name: pg-app\n  namespace: prod\ntype: Opaque")
    return "tool output: kubectl get secret -o yaml", text, encoded


def k8s_secret_json(d):
    token = "xoxb-" + d.digits(11) + "-" + d.digits(13) + "-" + d.alnum(24)
    encoded = b64(token)
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "slack-bot"}, "data": {"SLACK_BOT_TOKEN": encoded}, "type": "Opaque"}
    return "tool output: kubectl get secret -o json", json.dumps(body, indent=4), encoded


def k8s_jsonpath_decoded(d):
    pw = d.alnum(24)
    text = f"$ kubectl get secret grafana-admin -o jsonpath='{{.data.admin-password}}' | base64 -d\n{pw}"
    return "tool output: kubectl jsonpath | base64 -d", text, pw


def docker_config_auth(d):
    token = "dckr_pat_" + d.b64url(27)
    encoded = b64("builder:" + token)
    body = {"auths": {"https://index.docker.io/v1/": {"auth": encoded}}, "credsStore": ""}
    return "tool output: cat ~/.docker/config.json", "$ cat ~/.docker/config.json\n" + json.dumps(body, indent="\t"), encoded


def dockerconfigjson_secret(d):
    inner = json.dumps({"auths": {"ghcr.io": {"auth": b64("acme-bot:ghp_" + d.alnum(36))}}}, separators=(",", ":"))
    encoded = b64(inner)
    text = (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: ghcr-pull\ntype: kubernetes.io/dockerconfigjson\n"
            f"data:\n  .dockerconfigjson: {encoded}\n")
    return "config: Kubernetes image pull secret", text, encoded


def basic_auth_header(d):
    encoded = b64("api:" + d.password(18))
    text = f"GET /internal/metrics HTTP/1.1\nHost: metrics.corp.example\nAuthorization: Basic {encoded}\nAccept: */*"
    return "tool output: HTTP request dump", text, encoded


def git_extraheader(d):
    encoded = b64("x-access-token:ghs_" + d.alnum(36))
    text = ("$ git config -l\ncore.repositoryformatversion=0\ncore.bare=false\nremote.origin.url=https://github.com/acme/api\n"
            f"http.https://github.com/.extraheader=AUTHORIZATION: basic {encoded}\nbranch.main.remote=origin")
    return "tool output: git config -l", text, encoded


def git_config_insteadof(d):
    token = "ghp_" + d.alnum(36)
    text = (f"$ git config -l --show-origin | grep url\nfile:/home/dev/.gitconfig\turl.https://{token}@github.com/.insteadof=https://github.com/")
    return "tool output: git config -l", text, token


def percent_encoded_postgres(d):
    encoded = quote(_url_password(d), safe="")
    text = f"DATABASE_URL=postgresql://billing:{encoded}@db.prod.internal:5432/billing?sslmode=verify-full"
    return "config: .env", text, encoded


def percent_encoded_mongo(d):
    encoded = quote(_url_password(d), safe="")
    text = f'client = MongoClient("mongodb+srv://reporter:{encoded}@cluster0.ab1cd.mongodb.net/?retryWrites=true")'
    return "source: Python", text, encoded


def percent_encoded_query(d):
    token = d.b64(30)
    encoded = quote(token, safe="")
    text = f"GET https://api.partner.example/v1/export?format=csv&access_token={encoded} -> 200 OK (4.1 MB)"
    return "tool output: proxy log", text, encoded


def query_api_key(d):
    key = d.hex(32)
    text = f'fetch(`https://api.weatherly.example/v2/forecast?q=${{city}}&appid={key}&units=metric`)'
    return "source: JavaScript", text, key


def redis_url(d):
    pw = d.alnum(32)
    return "config: .env", f"REDIS_URL=rediss://default:{pw}@eu1-fast-owl-3312.upstash.io:6379", pw


def amqp_url(d):
    pw = d.password(16)
    return "config: docker-compose.yml", f"    environment:\n      CELERY_BROKER_URL: amqp://celery:{pw}@rabbitmq:5672/prod\n", pw


def jdbc_password(d):
    pw = d.password(15)
    text = f"spring.datasource.url=jdbc:sqlserver://sql01:1433;databaseName=erp;user=erp_app;password={pw};encrypt=true"
    return "config: application.properties", text, pw


def odbc_string(d):
    pw = d.human_password()
    text = f'"ConnectionStrings": {{ "Default": "Server=tcp:acme.database.windows.net,1433;User ID=acmeadmin;Password={pw};Encrypt=True;" }}'
    return "config: appsettings.json", text, pw


def azure_storage_connstring(d):
    key = d.b64(64)
    text = f"AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=acmeassets;AccountKey={key};EndpointSuffix=core.windows.net"
    return "tool output: env", text, key


def azure_sas_query(d):
    sig = quote(d.b64(32), safe="")
    text = (f"https://acmeassets.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o&sp=rl"
            f"&se=2027-01-31T00:00:00Z&st=2026-12-01T00:00:00Z&spr=https&sig={sig}")
    return "user prose", "download link for the report: " + text, sig


def slack_webhook(d):
    path = f"T{d.upper_alnum(10)}/B{d.upper_alnum(10)}/{d.alnum(24)}"
    text = f"curl -X POST -H 'Content-type: application/json' --data '{{\"text\":\"deploy done\"}}' https://hooks.slack.com/services/{path}"
    return "tool call: Bash arguments", tool_call({"command": text}), path


def discord_webhook(d):
    token = d.b64url(68)
    text = f'DISCORD_WEBHOOK = "https://discord.com/api/webhooks/{d.digits(19)}/{token}"'
    return "source: Python", text, token


def teams_webhook(d):
    secret = d.hex(32)
    text = (f"teams_url: https://acme.webhook.office.com/webhookb2/{d.uuid4()}@{d.uuid4()}/IncomingWebhook/"
            f"{secret}/{d.uuid4()}/V2{d.b64url(20)}")
    return "config: alerts.yaml", text, secret


def double_escaped_json(d):
    token = d.alnum(40)
    inner = json.dumps({"command": f"curl -H 'Content-Type: application/json' -d '{json.dumps({'apiToken': token})}' https://hooks.internal/run"})
    return "tool call: nested JSON arguments", json.dumps({"name": "shell", "arguments": inner}), token


def double_escaped_env(d):
    key = "sk-ant-api03-" + d.b64url(93) + "AA"
    inner = json.dumps({"env": {"ANTHROPIC_API_KEY": key}, "cmd": ["python", "eval.py"]})
    outer = json.dumps({"type": "function_call", "arguments": json.dumps({"payload": inner})})
    return "transcript: function call, JSON escaped twice", outer, key


def split_shell_continuation(d):
    first, second = d.b64url(24), d.b64url(24)
    text = f'curl https://api.ledgerly.example/v1/sync \\\n  -H "Authorization: Bearer {first}\\\n{second}" \\\n  -d @payload.json'
    return "tool output: shell script", text, f"{first}\\\n{second}"


def split_python_concat(d):
    first, second = d.hex(20), d.hex(20)
    text = f'API_SECRET = (\n    "{first}"\n    "{second}"\n)\n'
    return "source: Python", text, f'{first}"\n    "{second}'


def split_yaml_folded(d):
    first, second = d.b64(30), d.b64(30)
    text = f"signing:\n  key: >-\n    {first}\n    {second}\n  algorithm: HS512\n"
    return "config: values.yaml", text, f"{first}\n    {second}"


def jwt_bearer_header(d):
    token = jwt(d, {"sub": d.uuid4(), "org": "acme", "scope": "admin", "iat": 1764900000 + d.int(0, 999999), "exp": 1796436000})
    return "tool output: curl -v", f"> POST /v1/admin/users HTTP/1.1\n> Authorization: Bearer {token}\n> Content-Type: application/json", token


def jwt_in_localstorage(d):
    token = jwt(d, {"uid": d.int(1000, 99999), "email": "qa@acme.io", "iat": 1764000000 + d.int(0, 99999)}, alg="RS256", sig_bytes=256)
    body = {"authToken": token, "theme": "dark", "lastRoute": "/billing"}
    return "tool output: browser localStorage dump", json.dumps(body, indent=2), token


def jwt_k8s_sa(d):
    token = jwt(d, {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "ci", "sub": "system:serviceaccount:ci:deployer"}, alg="RS256", sig_bytes=256)
    text = (f"users:\n- name: deployer\n  user:\n    token: {token}\ncontexts:\n- context:\n    cluster: prod\n    user: deployer\n  name: prod")
    return "config: kubeconfig", text, token


def session_cookie(d):
    value = d.b64url(43)
    return "tool output: curl -i", f"HTTP/1.1 302 Found\nLocation: /dashboard\nSet-Cookie: __Host-session={value}; Path=/; Secure; HttpOnly; SameSite=Lax", value


def express_cookie(d):
    value = "s%3A" + d.b64url(32) + "." + d.b64url(43)
    return "user prose", f"copied from devtools: Cookie: connect.sid={value}; theme=dark", value


def rails_cookie(d):
    value = d.b64(80).rstrip("=") + "--" + d.hex(40)
    return "tool output: HTTP request dump", f"Cookie: _shop_session={value}\nUser-Agent: Mozilla/5.0", value


def api_key_header_custom(d):
    value = d.upper_alnum(24)
    return "source: Python", f'resp = requests.get(url, headers={{"X-Partner-Key": "{value}", "Accept": "application/json"}})', value


def token_scheme_header(d):
    value = d.hex(40)
    return "tool output: HTTP request dump", f"GET /api/v2/projects HTTP/2\nauthorization: Token token={value}\nx-request-id: {d.uuid4()}", value


def otpauth_seed(d):
    seed = d.b32(32)
    text = f"otpauth://totp/Acme:ops@acme.io?secret={seed}&issuer=Acme&algorithm=SHA1&digits=6"
    return "user prose", "the 2FA QR decodes to " + text, seed


def oauth_token_response(d):
    access, refresh = d.b64url(43), d.b64url(64)
    body = {"access_token": access, "token_type": "Bearer", "expires_in": 3600, "refresh_token": refresh, "scope": "read write"}
    return "tool output: OAuth token endpoint", json.dumps(body), refresh


def oauth_client_credentials(d):
    secret = d.b64url(40)
    text = f"curl -s https://auth.acme.example/oauth/token -d grant_type=client_credentials -d client_id=reporting -d client_secret={secret}"
    return "tool call: Bash arguments", tool_call({"command": text}), secret


def gh_auth_status_show(d):
    token = "gho_" + d.alnum(36)
    text = ("$ gh auth status --show-token\ngithub.com\n  ✓ Logged in to github.com account octo-dev (keyring)\n"
            "  - Active account: true\n  - Git operations protocol: https\n"
            f"  - Token: {token}\n  - Token scopes: 'gist', 'read:org', 'repo', 'workflow'")
    return "tool output: gh auth status --show-token", text, token


def aws_configure_get(d):
    secret = d.b64(30)
    return "tool output: aws configure get", f"$ aws configure get aws_secret_access_key --profile prod\n{secret}", secret


def aws_sts_credentials(d):
    secret = d.b64(30)
    body = {"Credentials": {"AccessKeyId": "ASIA" + d.b32(16), "SecretAccessKey": secret,
                            "SessionToken": "IQoJb3JpZ2luX2Vj" + d.b64(60), "Expiration": "2026-12-08T12:00:00+00:00"}}
    return "tool output: aws sts assume-role", json.dumps(body, indent=4), secret


def gcloud_print_token(d):
    token = "ya29.c." + d.b64url(180)
    return "tool output: gcloud auth print-access-token", f"$ gcloud auth print-access-token\n{token}", token


def az_get_access_token(d):
    token = jwt(d, {"aud": "https://management.azure.com/", "iss": f"https://sts.windows.net/{d.uuid4()}/", "oid": d.uuid4()}, alg="RS256", sig_bytes=256)
    body = {"accessToken": token, "expiresOn": "2026-12-08 13:04:11.000000", "subscription": d.uuid4(), "tenant": d.uuid4(), "tokenType": "Bearer"}
    return "tool output: az account get-access-token", json.dumps(body, indent=2), token


def heroku_auth_token(d):
    token = "HRKU-AA" + d.b64url(58)
    return "tool output: heroku auth:token", f"$ heroku auth:token\n ›   Warning: token will expire 01/07/2027\n{token}", token


CASES = [
    ("k8s-secret-data-base64", k8s_secret_yaml), ("k8s-secret-json-base64", k8s_secret_json),
    ("k8s-jsonpath-decoded", k8s_jsonpath_decoded), ("docker-config-auth-base64", docker_config_auth),
    ("k8s-dockerconfigjson", dockerconfigjson_secret), ("basic-auth-header", basic_auth_header),
    ("git-extraheader-basic", git_extraheader), ("git-config-insteadof-token", git_config_insteadof),
    ("url-postgres-percent-encoded", percent_encoded_postgres), ("url-mongo-percent-encoded", percent_encoded_mongo),
    ("url-query-access-token-encoded", percent_encoded_query), ("url-query-appid", query_api_key),
    ("url-rediss-password", redis_url), ("url-amqp-password", amqp_url), ("jdbc-password-param", jdbc_password),
    ("ado-connection-string-password", odbc_string), ("azure-storage-connection-string", azure_storage_connstring),
    ("azure-sas-signature", azure_sas_query), ("slack-webhook-path", slack_webhook),
    ("discord-webhook-token", discord_webhook), ("teams-webhook-secret", teams_webhook),
    ("json-escaped-twice-token", double_escaped_json), ("json-escaped-twice-anthropic", double_escaped_env),
    ("split-shell-continuation", split_shell_continuation), ("split-python-concat", split_python_concat),
    ("split-yaml-folded", split_yaml_folded), ("jwt-bearer-header", jwt_bearer_header),
    ("jwt-localstorage", jwt_in_localstorage), ("jwt-k8s-service-account", jwt_k8s_sa),
    ("cookie-host-session", session_cookie), ("cookie-express-sid", express_cookie), ("cookie-rails-session", rails_cookie),
    ("header-custom-partner-key", api_key_header_custom), ("header-token-scheme", token_scheme_header),
    ("totp-seed-otpauth", otpauth_seed), ("oauth-refresh-token", oauth_token_response),
    ("oauth-client-secret-form", oauth_client_credentials), ("gh-auth-status-show-token", gh_auth_status_show),
    ("aws-configure-get-secret", aws_configure_get), ("aws-sts-secret-access-key", aws_sts_credentials),
    ("gcloud-access-token", gcloud_print_token), ("azure-cli-access-token", az_get_access_token),
    ("heroku-auth-token-output", heroku_auth_token),
]
