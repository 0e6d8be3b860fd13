"""Where a transcript shows a named credential: each place turns (variable, value) into (context, text).

Tool outputs and configuration files come first, because that is where agents meet credentials most:
environment dumps, container and cluster tooling, CI logs, cloud CLIs, crash reports and HTTP bodies.
"""

import json
import re

SHELL_SAFE = re.compile(r"^[A-Za-z0-9_./:@%+=,-]+$")


def snake(var):
    return var.lower()


def camel(var):
    head, *rest = var.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def pascal(var):
    return "".join(part.capitalize() for part in var.lower().split("_"))


def kebab(var):
    return var.lower().replace("_", "-")


def dotted(var):
    return var.lower().replace("_", ".")


def sh(value):
    """The value as a shell word: bare when nothing in it needs quoting."""
    return value if SHELL_SAFE.match(value) else f"'{value}'"


def yaml_scalar(d, value):
    if re.match(r"^[A-Za-z0-9_./+-][A-Za-z0-9_./+=-]*$", value) and not value.isdigit():
        return d.pick([value, f'"{value}"', f"'{value}'"])
    return f'"{value}"'


def tool_call(args):
    """A tool call's arguments as the transcript readers render them: compact JSON."""
    return json.dumps(args, separators=(",", ":"), ensure_ascii=False)


def service(var):
    return var.split("_")[0].lower()


def env_dump(d, var, value):
    lines = [
        f"HOSTNAME=dev-{d.hex(12)}", "HOME=/home/dev", "LANG=C.UTF-8", "PATH=/usr/local/bin:/usr/bin:/bin",
        "SHELL=/bin/bash", "TERM=xterm-256color", f"{var}={value}", f"PWD=/workspace/{service(var)}-svc",
        "NODE_ENV=development", "SHLVL=2",
    ]
    lines.sort()
    return "tool output: env | sort", "$ env | sort\n" + "\n".join(lines)


def printenv_grep(d, var, value):
    other = f"{var.split('_')[0]}_REGION=eu-west-1" if d.int(0, 1) else f"{var.split('_')[0]}_TIMEOUT=30"
    return "tool output: printenv | grep", f"$ printenv | grep -i {service(var)}\n{other}\n{var}={value}"


def windows_set(d, var, value):
    return "tool output: cmd set", (
        f"C:\\Users\\dev\\src> set\nALLUSERSPROFILE=C:\\ProgramData\nAPPDATA=C:\\Users\\dev\\AppData\\Roaming\n"
        f"COMPUTERNAME=DESKTOP-{d.upper_alnum(7)}\n{var}={value}\nNUMBER_OF_PROCESSORS=8\nOS=Windows_NT"
    )


def powershell_env(d, var, value):
    return "tool output: Get-ChildItem Env:", (
        f"PS C:\\src> Get-ChildItem Env: | Where-Object Name -like '{var.split('_')[0]}*'\n\n"
        f"Name                           Value\n----                           -----\n{var:<30} {value}\n"
    )


def dotenv_cat(d, var, value):
    quoted = d.pick([value, f'"{value}"']) if SHELL_SAFE.match(value) else f'"{value}"'
    return "tool output: cat .env", (
        f"$ cat .env\n# local settings, do not commit\nAPP_ENV=local\nDATABASE_URL=postgres://localhost:5432/app\n"
        f"{var}={quoted}\nLOG_LEVEL=debug\n"
    )


def docker_inspect(d, var, value):
    body = {
        "Id": d.sha256(), "Name": f"/{service(var)}-worker-1",
        "Config": {"Hostname": d.hex(12), "Env": [f"{var}={value}", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "PYTHON_VERSION=3.12.7"], "Image": f"registry.internal/{service(var)}-worker:1.{d.int(0, 40)}.{d.int(0, 9)}"},
    }
    text = json.dumps([body], indent=4)
    return "tool output: docker inspect", f"$ docker inspect {service(var)}-worker-1 --format '{{{{json .}}}}' | jq '[{{Id, Name, Config}}]'\n{text}"


def docker_run_call(d, var, value):
    command = f"docker run --rm -e {var}={sh(value)} -p 8080:8080 ghcr.io/acme/{service(var)}-bridge:latest"
    return "tool call: Bash arguments", tool_call({"command": command, "description": "Start the bridge container locally"})


def compose_config(d, var, value):
    return "tool output: docker compose config", (
        f"$ docker compose config\nname: shop\nservices:\n  api:\n    build:\n      context: /home/dev/shop\n"
        f"      dockerfile: Dockerfile\n    environment:\n      {var}: {yaml_scalar(d, value)}\n      PORT: \"8000\"\n"
        f"    networks:\n      default: null\n"
    )


def kubectl_deploy_yaml(d, var, value):
    return "tool output: kubectl get deploy -o yaml", (
        f"$ kubectl get deploy {service(var)}-sync -n integrations -o yaml\napiVersion: apps/v1\nkind: Deployment\n"
        f"metadata:\n  name: {service(var)}-sync\n  namespace: integrations\n  uid: {d.uuid4()}\nspec:\n  template:\n"
        f"    spec:\n      containers:\n      - name: sync\n        env:\n        - name: {var}\n"
        f"          value: {yaml_scalar(d, value)}\n        - name: LOG_FORMAT\n          value: json\n"
    )


def kubectl_configmap(d, var, value):
    return "tool output: kubectl get configmap -o yaml", (
        f"$ kubectl get cm app-config -o yaml\napiVersion: v1\ndata:\n  FEATURE_FLAGS: beta,search\n"
        f"  {var}: {yaml_scalar(d, value)}\nkind: ConfigMap\nmetadata:\n  name: app-config\n"
        f"  resourceVersion: \"{d.digits(8)}\"\n"
    )


def kubectl_exec_env(d, var, value):
    return "tool output: kubectl exec env", (
        f"$ kubectl exec -it deploy/{service(var)}-api -- env | grep -v KUBERNETES\nHOSTNAME={service(var)}-api-"
        f"{d.lower_alnum(10)}-{d.lower_alnum(5)}\n{var}={value}\nHOME=/root"
    )


def helm_get_values(d, var, value):
    return "tool output: helm get values", (
        f"$ helm get values {service(var)} -n platform\nUSER-SUPPLIED VALUES:\nreplicaCount: 2\n"
        f"{service(var)}:\n  {camel('_'.join(var.split('_')[1:]) or 'key')}: "
        f"{yaml_scalar(d, value)}\nimage:\n  tag: v{d.int(1, 4)}.{d.int(0, 20)}.{d.int(0, 9)}\n"
    )


def helm_set_call(d, var, value):
    command = (f"helm upgrade --install {service(var)} charts/{service(var)} -n platform "
               f"--set secrets.{camel(var)}={sh(value)} --wait")
    return "tool call: Bash arguments", tool_call({"command": command, "timeout": 300000})


def github_actions_log(d, var, value):
    stamp = f"2026-11-{d.int(10, 28)}T0{d.int(0, 9)}:{d.int(10, 59)}:{d.int(10, 59)}.{d.digits(7)}Z"
    return "tool output: gh run view --log", (
        f"build\tRun tests\t{stamp} ##[group]Run make test\nbuild\tRun tests\t{stamp} make test\n"
        f"build\tRun tests\t{stamp} shell: /usr/bin/bash -e {{0}}\nbuild\tRun tests\t{stamp} env:\n"
        f"build\tRun tests\t{stamp}   {var}: {value}\nbuild\tRun tests\t{stamp}   CI: true\n"
        f"build\tRun tests\t{stamp} ##[endgroup]"
    )


def gitlab_ci_log(d, var, value):
    return "tool output: GitLab job log", (
        f"Running with gitlab-runner 17.{d.int(0, 6)}.{d.int(0, 3)} (a1b2c3d4)\n  on shared-runner-{d.int(1, 9)} "
        f"{d.alnum(8)}, system ID: s_{d.hex(12)}\nExecuting \"step_script\" stage of the job script\n"
        f"$ export {var}={sh(value)}\n$ ./scripts/deploy.sh\nDeploying to staging...\n"
    )


def jenkins_console(d, var, value):
    return "tool output: Jenkins console", (
        f"[Pipeline] sh\n+ set -x\n+ export {var}={value}\n+ {var}={value}\n+ ./gradlew publish\n"
        f"> Task :publish UP-TO-DATE\n\nBUILD SUCCESSFUL in {d.int(3, 59)}s"
    )


def terraform_output(d, var, value):
    body = {snake(var): {"sensitive": True, "type": "string", "value": value},
            "endpoint": {"sensitive": False, "type": "string", "value": f"https://{service(var)}.internal.example.net"}}
    return "tool output: terraform output -json", "$ terraform output -json\n" + json.dumps(body, indent=2)


def tfvars(d, var, value):
    return "config: terraform.tfvars", (
        f"region      = \"eu-central-1\"\ninstance    = \"t3.small\"\n{snake(var)} = \"{value}\"\n"
    )


def python_traceback(d, var, value):
    return "tool output: pytest --showlocals traceback", (
        f"    def connect(settings):\n>       client = Client(settings[\"{var}\"], timeout=5)\n"
        f"E       ConnectionError: HTTPSConnectionPool(host='api.{service(var)}.io', port=443): Max retries exceeded\n\n"
        f"settings   = {{'{var}': '{value}', 'TIMEOUT': 5, 'REGION': 'us-east-1'}}\n\n"
        f"src/{service(var)}_client.py:41: ConnectionError"
    )


def node_error(d, var, value):
    return "tool output: node stack trace", (
        f"AxiosError: Request failed with status code 401\n    at settle (node_modules/axios/lib/core/settle.js:19:12)\n"
        f"  config: {{\n    url: 'https://api.{service(var)}.com/v2/items',\n    method: 'get',\n"
        f"    headers: Object [AxiosHeaders] {{\n      Accept: 'application/json',\n"
        f"      'X-Api-Key': '{value}'\n    }},\n  }},\n  code: 'ERR_BAD_REQUEST'"
    )


def go_panic(d, var, value):
    return "tool output: go panic", (
        f"panic: dial tcp: lookup {service(var)}.internal: no such host\n\ngoroutine 1 [running]:\n"
        f"main.mustConnect(...)\n\t/app/cmd/server/main.go:57\n"
        f"config: &config.Config{{Port:8080, {pascal(var)}:\"{value}\", Debug:true}}\nexit status 2"
    )


def spring_binding_failure(d, var, value):
    return "tool output: Spring Boot startup failure", (
        f"***************************\nAPPLICATION FAILED TO START\n***************************\n\nDescription:\n\n"
        f"Failed to bind properties under '{dotted(var)}' to java.time.Duration:\n\n"
        f"    Property: {dotted(var)}\n    Value: \"{value}\"\n    Origin: System Environment Property \"{var}\"\n"
        f"    Reason: failed to convert java.lang.String to java.time.Duration"
    )


def sentry_event(d, var, value):
    body = {"event_id": d.hex(32), "level": "error", "platform": "python",
            "exception": {"values": [{"type": "KeyError", "value": "'customer_id'"}]},
            "extra": {"sys.argv": ["worker.py"], "env": {var: value, "WORKERS": "4"}}}
    return "tool output: Sentry event JSON", json.dumps(body, indent=2)


def http_response_body(d, var, value):
    body = {"id": d.int(1000, 99999), "name": f"{service(var)}-ci", "scopes": ["read", "write"],
            "token": value, "created_at": "2026-11-30T10:14:03Z"}
    return "tool output: curl POST response", (
        f"$ curl -s -X POST https://api.{service(var)}.dev/v1/tokens -d name={service(var)}-ci\n"
        + json.dumps(body, indent=2)
    )


def curl_verbose(d, var, value):
    return "tool output: curl -v", (
        f"*   Trying 203.0.113.{d.int(2, 250)}:443...\n* Connected to api.{service(var)}.io port 443\n"
        f"> GET /v1/me HTTP/2\n> Host: api.{service(var)}.io\n> user-agent: curl/8.5.0\n"
        f"> authorization: Bearer {value}\n> accept: */*\n>\n< HTTP/2 200\n< content-type: application/json"
    )


def write_call(d, var, value):
    content = f"# generated by setup\n{var}={value}\nDEBUG=false\n"
    return "tool call: Write arguments", tool_call({"file_path": "/home/dev/app/.env.local", "content": content})


def edit_call(d, var, value):
    old = f'{snake(var)} = os.environ["{var}"]'
    new = f'{snake(var)} = os.environ.get("{var}", "{value}")'
    return "tool call: Edit arguments", tool_call({"file_path": "src/settings.py", "old_string": old, "new_string": new})


def git_diff(d, var, value):
    return "tool output: git diff", (
        f"diff --git a/config/.env.staging b/config/.env.staging\nindex {d.hex(7)}..{d.hex(7)} 100644\n"
        f"--- a/config/.env.staging\n+++ b/config/.env.staging\n@@ -3,3 +3,4 @@ APP_ENV=staging\n"
        f" LOG_LEVEL=info\n SENTRY_ENVIRONMENT=staging\n+{var}={value}\n"
    )


def shell_history(d, var, value):
    n = d.int(300, 1900)
    return "tool output: history", (
        f"$ history | tail -4\n {n}  cd ~/src/{service(var)}\n {n + 1}  export {var}={sh(value)}\n"
        f" {n + 2}  make run\n {n + 3}  history | tail -4"
    )


def yaml_config(d, var, value):
    return "config: application.yaml", (
        f"server:\n  port: 8080\nintegrations:\n  {service(var)}:\n    enabled: true\n"
        f"    {camel('_'.join(var.split('_')[1:]) or 'key')}: {yaml_scalar(d, value)}\n    timeout: 10s\n"
    )


def toml_config(d, var, value):
    return "config: settings.toml", (
        f"[server]\nbind = \"0.0.0.0:3000\"\n\n[{service(var)}]\n{snake('_'.join(var.split('_')[1:]) or 'key')} = "
        f"\"{value}\"\nretries = 3\n"
    )


def ini_config(d, var, value):
    return "config: app.ini", f"[default]\nregion = us-west-2\n\n[{service(var)}]\n{snake(var)} = {value}\n"


def java_properties(d, var, value):
    return "config: application.properties", (
        f"spring.datasource.url=jdbc:postgresql://db:5432/app\n{dotted(var)}={value}\nlogging.level.root=INFO\n"
    )


def dotnet_appsettings(d, var, value):
    body = {"Logging": {"LogLevel": {"Default": "Information"}},
            pascal(var.split("_")[0]): {pascal("_".join(var.split("_")[1:]) or "KEY"): value}}
    return "config: appsettings.Development.json", json.dumps(body, indent=2)


def xml_config(d, var, value):
    return "config: Web.config", (
        f"<configuration>\n  <appSettings>\n    <add key=\"Environment\" value=\"Staging\" />\n"
        f"    <add key=\"{pascal(var)}\" value=\"{value}\" />\n  </appSettings>\n</configuration>"
    )


def python_source(d, var, value):
    return "source: Python", (
        f"import os\n\n# TODO move to the vault before the release\n{var} = os.getenv(\"{var}\", \"{value}\")\n"
    )


def js_source(d, var, value):
    return "source: JavaScript", (
        f"const client = create{pascal(service(var))}Client({{\n  {camel(var)}: '{value}',\n  retries: 2,\n}});\n"
    )


def ts_source(d, var, value):
    return "source: TypeScript", (
        f"export const config = {{\n  region: \"eu\",\n  {camel(var)}: process.env.{var} ?? \"{value}\",\n}} as const;\n"
    )


def go_source(d, var, value):
    return "source: Go", f"package main\n\nconst {camel(var)} = \"{value}\"\n\nfunc main() {{ run({camel(var)}) }}\n"


def rust_source(d, var, value):
    return "source: Rust", (
        f"fn client() -> Client {{\n    let {snake(var)} = std::env::var(\"{var}\")\n"
        f"        .unwrap_or_else(|_| \"{value}\".to_string());\n    Client::new(&{snake(var)})\n}}\n"
    )


def ruby_source(d, var, value):
    return "source: Ruby", f"{pascal(service(var))}.configure do |config|\n  config.{snake(var)} = '{value}'\nend\n"


def php_source(d, var, value):
    return "source: PHP", f"<?php\nreturn [\n    '{snake(var)}' => env('{var}', '{value}'),\n    'timeout' => 15,\n];\n"


def csharp_source(d, var, value):
    return "source: C#", f"private const string {pascal(var)} = \"{value}\";\n"


def notebook_cell(d, var, value):
    cell = {"cell_type": "code", "execution_count": d.int(1, 40), "metadata": {}, "outputs": [],
            "source": ["import os\n", f"os.environ[\"{var}\"] = \"{value}\"\n"]}
    return "file: notebook.ipynb", json.dumps(cell, indent=1)


def systemd_show(d, var, value):
    return "tool output: systemctl show", (
        f"$ systemctl show {service(var)}-agent --property=Environment\n"
        f"Environment=LANG=C.UTF-8 {var}={value} RUST_LOG=info"
    )


def heroku_config(d, var, value):
    return "tool output: heroku config", (
        f"$ heroku config -a {service(var)}-prod\n=== {service(var)}-prod Config Vars\n"
        f"DATABASE_URL: postgres://u{d.hex(6)}@ec2.compute.example.com:5432/d{d.hex(6)}\n{var}: {value}\nWEB_CONCURRENCY: 2"
    )


def ssm_parameter(d, var, value):
    body = {"Parameter": {"Name": f"/prod/{service(var)}/{snake(var)}", "Type": "SecureString", "Value": value,
                          "Version": d.int(1, 9), "ARN": f"arn:aws:ssm:us-east-1:{d.digits(12)}:parameter/prod/{service(var)}/{snake(var)}"}}
    return "tool output: aws ssm get-parameter", (
        f"$ aws ssm get-parameter --name /prod/{service(var)}/{snake(var)} --with-decryption\n" + json.dumps(body, indent=4)
    )


def secretsmanager_value(d, var, value):
    inner = json.dumps({var: value, "region": "us-east-1"})
    body = {"ARN": f"arn:aws:secretsmanager:us-east-1:{d.digits(12)}:secret:prod/{service(var)}-{d.alnum(6)}",
            "Name": f"prod/{service(var)}", "SecretString": inner, "VersionStages": ["AWSCURRENT"]}
    return "tool output: aws secretsmanager get-secret-value", json.dumps(body, indent=4)


def vault_kv_get(d, var, value):
    return "tool output: vault kv get", (
        f"$ vault kv get secret/{service(var)}\n======= Secret Path =======\nsecret/data/{service(var)}\n\n"
        f"======= Metadata =======\nKey                Value\n---                -----\ncreated_time       2026-10-02T08:11:45Z\n"
        f"version            {d.int(1, 12)}\n\n====== Data ======\nKey{' ' * 16}Value\n---{' ' * 16}-----\n"
        f"{snake(var):<19}{value}"
    )


def doppler_table(d, var, value):
    width = max(len(value), 10) + 2
    return "tool output: doppler secrets", (
        f"┌{'─' * 26}┬{'─' * width}┐\n│ NAME{' ' * 21}│ VALUE{' ' * (width - 6)}│\n├{'─' * 26}┼{'─' * width}┤\n"
        f"│ {var:<25}│ {value:<{width - 1}}│\n└{'─' * 26}┴{'─' * width}┘"
    )


def keyvault_show(d, var, value):
    body = {"attributes": {"enabled": True, "recoveryLevel": "Recoverable+Purgeable"},
            "id": f"https://kv-{service(var)}-prod.vault.azure.net/secrets/{kebab(var)}/{d.hex(32)}",
            "name": kebab(var), "value": value}
    return "tool output: az keyvault secret show", json.dumps(body, indent=2)


def gcloud_secret_access(d, var, value):
    return "tool output: gcloud secrets versions access", (
        f"$ gcloud secrets versions access latest --secret={kebab(var)} --project=acme-prod\n{value}"
    )


def structured_log(d, var, value):
    body = {"ts": f"2026-12-0{d.int(1, 7)}T1{d.int(0, 9)}:{d.int(10, 59)}:02.{d.digits(3)}Z", "level": "debug",
            "msg": "client configured", "config": {snake(var): value, "base_url": f"https://api.{service(var)}.io"}}
    return "tool output: service log (JSON lines)", json.dumps(body, separators=(",", ":"))


def makefile(d, var, value):
    return "config: Makefile", f"{var} ?= {value}\n\ndeploy:\n\t./bin/deploy --env prod\n"


def dockerfile(d, var, value):
    return "config: Dockerfile", f"FROM python:3.12-slim\nWORKDIR /app\nENV {var}={value}\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n"


def docker_history(d, var, value):
    return "tool output: docker history --no-trunc", (
        f"IMAGE          CREATED BY                                              SIZE\n"
        f"<missing>      CMD [\"python\" \"-m\" \"app\"]                             0B\n"
        f"<missing>      ENV {var}={value}                                       0B\n"
        f"<missing>      WORKDIR /app                                            0B"
    )


def actions_workflow(d, var, value):
    return "config: .github/workflows/deploy.yml", (
        f"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      {var}: {yaml_scalar(d, value)}\n"
        f"    steps:\n      - uses: actions/checkout@v4\n      - run: ./deploy.sh\n"
    )


def sql_insert(d, var, value):
    return "source: SQL seed", (
        f"INSERT INTO integration_credentials (provider, label, secret_value)\nVALUES ('{service(var)}', 'default', '{value}');"
    )


def user_prose(d, var, value):
    templates = [
        f"ok here's the {service(var)} key, use it for the test run: {value}",
        f"The {var} is {value} — please don't commit it",
        f"set {var} to {value} and rerun the failing job",
        f"I rotated it, new one: {value}",
        f"{value}\n\nthat's the {service(var)} token from the dashboard",
    ]
    return "user prose", d.pick(templates)


def assistant_prose(d, var, value):
    templates = [
        f"I added `{var}={value}` to `.env.local`; it is git-ignored, so it stays on this machine.",
        f"The failing call used `{value}` as the {service(var)} key, which the API rejects as expired.",
        f"Done. The container now starts with `{var}` set to `{value}`.",
    ]
    return "assistant prose", d.pick(templates)


ALL = [
    env_dump, printenv_grep, windows_set, powershell_env, dotenv_cat, docker_inspect, docker_run_call,
    compose_config, kubectl_deploy_yaml, kubectl_configmap, kubectl_exec_env, helm_get_values, helm_set_call,
    github_actions_log, gitlab_ci_log, jenkins_console, terraform_output, tfvars, python_traceback, node_error,
    go_panic, spring_binding_failure, sentry_event, http_response_body, curl_verbose, write_call, edit_call,
    git_diff, shell_history, yaml_config, toml_config, ini_config, java_properties, dotnet_appsettings,
    xml_config, python_source, js_source, ts_source, go_source, rust_source, ruby_source, php_source,
    csharp_source, notebook_cell, systemd_show, heroku_config, ssm_parameter, secretsmanager_value,
    vault_kv_get, doppler_table, keyvault_show, gcloud_secret_access, structured_log, makefile, dockerfile,
    docker_history, actions_workflow, sql_insert, user_prose, assistant_prose,
]
