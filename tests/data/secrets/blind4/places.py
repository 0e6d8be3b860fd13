"""Where a credential shows up in a coding agent's transcript: each place turns (draw, name, value) into
(context, text). The value is written verbatim; the frame around it is invented filler.
"""

from __future__ import annotations

import json


def _lower(name: str) -> str:
    return name.lower()


def _camel(name: str) -> str:
    head, *rest = name.lower().split("_")
    return head + "".join(part.title() for part in rest)


def _pascal(name: str) -> str:
    return "".join(part.title() for part in name.lower().split("_"))


def env_dump(d, name, value):
    lines = ["HOSTNAME=runner-7c4f", "PATH=/usr/local/bin:/usr/bin:/bin", f"{name}={value}",
             "LANG=C.UTF-8", f"HOME=/home/{d.pick(['dev', 'ci', 'build'])}"]
    return "tool output (printenv)", "$ printenv | sort\n" + "\n".join(sorted(lines))


def dotenv(d, name, value):
    return ".env file", f"# local only\nAPP_ENV=development\nPORT=8{d.shape('{dig3}')}\n{name}=\"{value}\"\nLOG_LEVEL=debug\n"


def tool_call_json(d, name, value):
    args = {"command": f"export {name}='{value}' && make deploy", "timeout_ms": 120000}
    return "tool-call arguments (JSON)", json.dumps({"name": "shell", "arguments": json.dumps(args)})


def yaml_config(d, name, value):
    return "config.yaml", f"service:\n  name: billing-sync\n  {_lower(name)}: {value}\n  retries: 3\n"


def helm_values(d, name, value):
    return "Helm values.yaml", (f"image:\n  repository: ghcr.io/acme/api\n  tag: 2.{d.shape('{dig1}')}.0\n"
                                f"env:\n  - name: {name}\n    value: \"{value}\"\n")


def toml_config(d, name, value):
    return "settings.toml", f"[integrations]\nenabled = true\n{_lower(name)} = \"{value}\"\n"


def ini_config(d, name, value):
    return "app.ini", f"[credentials]\n; rotated by ops\n{_lower(name)} = {value}\nregion = eu-west-1\n"


def hcl_tfvars(d, name, value):
    return "terraform.tfvars", f"project = \"orbit\"\n{_lower(name)} = \"{value}\"\n"


def tfstate(d, name, value):
    state = {"version": 4, "resources": [{"type": "kubernetes_secret", "name": "app", "instances": [
        {"attributes": {"data": {_lower(name): value}, "id": "default/app"}}]}]}
    return "terraform.tfstate", json.dumps(state, indent=2)


def xml_config(d, name, value):
    return "appsettings.xml", f'<configuration>\n  <add key="{_camel(name)}" value="{value}" />\n</configuration>\n'


def properties(d, name, value):
    return "application.properties", f"server.port=8080\nintegration.{_camel(name)}={value}\n"


def compose(d, name, value):
    return "docker-compose.yml", (f"services:\n  worker:\n    image: acme/worker:latest\n    environment:\n"
                                  f"      {name}: {value}\n")


def dockerfile(d, name, value):
    return "Dockerfile", f"FROM python:3.12-slim\nENV {name}={value}\nRUN pip install -r requirements.txt\n"


def ci_log(d, name, value):
    return "CI log", (f"2026-03-0{d.shape('{dig1}')}T10:11:12Z ##[group]Run ./scripts/publish.sh\n"
                      f"+ {name}={value} ./scripts/publish.sh --dry-run\nPublishing 3 artifacts\n")


def shell_history(d, name, value):
    return "shell history", f"  501  cd ~/src/orbit\n  502  export {name}={value}\n  503  make test\n"


def git_diff(d, name, value):
    return "git diff", (f"diff --git a/config/local.env b/config/local.env\n--- a/config/local.env\n"
                        f"+++ b/config/local.env\n@@ -1,2 +1,3 @@\n APP=orbit\n+{name}={value}\n")


def python_code(d, name, value):
    return "Python source", f"import os\n\n{name} = os.environ.get(\"{name}\", \"{value}\")\n"


def js_code(d, name, value):
    return "JavaScript source", f"const client = createClient({{\n  {_camel(name)}: '{value}',\n}});\n"


def ts_code(d, name, value):
    return "TypeScript source", f"export const {_camel(name)}: string = \"{value}\";\n"


def go_code(d, name, value):
    return "Go source", f"package config\n\nconst {_pascal(name)} = \"{value}\"\n"


def rust_code(d, name, value):
    return "Rust source", f"const {name}: &str = \"{value}\";\n"


def java_code(d, name, value):
    return "Java source", f"private static final String {name} = \"{value}\";\n"


def csharp_code(d, name, value):
    return "C# source", f"var settings = new Settings {{ {_pascal(name)} = @\"{value}\" }};\n"


def ruby_code(d, name, value):
    return "Ruby source", f"Rails.application.configure do\n  config.x.{_lower(name)} = '{value}'\nend\n"


def php_code(d, name, value):
    return "PHP source", f"<?php\nreturn [\n    '{_lower(name)}' => '{value}',\n];\n"


def notebook(d, name, value):
    cell = {"cell_type": "code", "source": [f"{_lower(name)} = \"{value}\"\n", "client.connect()\n"]}
    return "Jupyter notebook cell", json.dumps(cell, indent=1)


def stack_trace(d, name, value):
    return "stack trace", (f"Traceback (most recent call last):\n  File \"sync.py\", line 41, in run\n"
                           f"    login(key=cfg[\"{_lower(name)}\"])\nAuthError: rejected credential "
                           f"'{value}' (401)\n")


def http_response(d, name, value):
    body = json.dumps({"id": d.shape("{dig6}"), "name": "deploy-bot", _lower(name): value})
    return "HTTP response body", f"HTTP/1.1 201 Created\nContent-Type: application/json\n\n{body}\n"


def powershell(d, name, value):
    return "PowerShell", f"PS C:\\src> $env:{name} = \"{value}\"\nPS C:\\src> npm run release\n"


def k8s_secret_string(d, name, value):
    return "Kubernetes Secret (stringData)", (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\n"
                                             f"stringData:\n  {name}: '{value}'\n")


def github_actions(d, name, value):
    return "GitHub Actions workflow", (f"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n"
                                       f"      {name}: {value}\n    steps:\n      - run: ./deploy.sh\n")


def systemd_unit(d, name, value):
    return "systemd unit", f"[Service]\nEnvironment=\"{name}={value}\"\nExecStart=/opt/app/bin/serve\n"


def user_prose(d, name, value):
    return "user message", d.pick([
        f"here's the {name} you asked for: {value} — don't commit it pls",
        f"ok try again with {value}, that's the new {_lower(name)}",
        f"I rotated it, {name} is now {value}",
    ])


def assistant_prose(d, name, value):
    return "assistant message", f"I set `{name}` to `{value}` in your shell and re-ran the failing step."


PLACES = [env_dump, dotenv, tool_call_json, yaml_config, helm_values, toml_config, ini_config, hcl_tfvars,
          tfstate, xml_config, properties, compose, dockerfile, ci_log, shell_history, git_diff, python_code,
          js_code, ts_code, go_code, rust_code, java_code, csharp_code, ruby_code, php_code, notebook,
          stack_trace, http_response, powershell, k8s_secret_string, github_actions, systemd_unit,
          user_prose, assistant_prose]
# Places where a value with a space or quote would break the syntax shown, so such values are kept out.
NO_SPACES = {env_dump, tool_call_json, ci_log, shell_history, dockerfile, git_diff, properties}
