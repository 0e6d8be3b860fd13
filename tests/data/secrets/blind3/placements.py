"""Where a named credential shows up in a coding agent's transcript: one function per place.

Each takes (draw, NAME, value) and returns (context, text) with the value verbatim in the text. NAME is
the environment-variable spelling; code places derive their own spelling from it.
"""

from __future__ import annotations

import json

from shapes import Draw


def _camel(name: str) -> str:
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.lower().split("_"))


def _snake(name: str) -> str:
    return name.lower()


def env_dump(d: Draw, name, value):
    lines = [f"HOME=/home/{d.noun()}", "LANG=C.UTF-8", f"{name}={value}", "PATH=/usr/local/bin:/usr/bin:/bin",
             f"PWD=/srv/{d.noun()}", "SHLVL=2", "TERM=xterm-256color"]
    return "tool output: env | sort", "$ env | sort\n" + "\n".join(sorted(lines)) + "\n"


def dotenv(d: Draw, name, value):
    port = d.number(3000, 9000)
    return "config: .env", f"# local overrides, not committed\nNODE_ENV=development\nPORT={port}\n{name}=\"{value}\"\nLOG_LEVEL=debug\n"


def tool_call_export(d: Draw, name, value):
    args = {"command": f"export {name}={value} && ./scripts/smoke.sh --env staging", "timeout": 120}
    return "tool call: shell (compact JSON arguments)", "shell " + json.dumps(args, separators=(",", ":"))


def k8s_env(d: Draw, name, value):
    app = d.noun()
    text = (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {app}-api\nspec:\n  template:\n    spec:\n"
            f"      containers:\n        - name: api\n          image: registry.internal/{app}:1.{d.number(0, 30)}.{d.number(0, 9)}\n"
            f"          env:\n            - name: {name}\n              value: \"{value}\"\n")
    return "config: Kubernetes deployment YAML", text


def toml_section(d: Draw, name, value):
    return "config: TOML", f"[integrations.{d.noun()}]\nenabled = true\n{_snake(name)} = \"{value}\"\nretries = {d.number(2, 6)}\n"


def ini_section(d: Draw, name, value):
    return "config: INI", f"[{d.noun()}]\nendpoint = https://api.{d.noun()}.example\n{_snake(name)} = {value}\ntimeout = 30\n"


def hcl_provider(d: Draw, name, value):
    text = (f"variable \"{_snake(name)}\" {{\n  type      = string\n  default   = \"{value}\"\n}}\n\n"
            f"module \"{d.noun()}\" {{\n  source = \"./modules/{d.noun()}\"\n  token  = var.{_snake(name)}\n}}\n")
    return "config: Terraform HCL", text


def xml_appsettings(d: Draw, name, value):
    text = (f"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <appSettings>\n"
            f"    <add key=\"Environment\" value=\"Staging\" />\n    <add key=\"{_camel(name)}\" value=\"{value}\" />\n"
            f"  </appSettings>\n</configuration>\n")
    return "config: web.config XML", text


def properties_file(d: Draw, name, value):
    key = name.lower().replace("_", ".")
    return "config: application.properties", f"server.port=8080\nspring.application.name={d.noun()}\n{key}={value}\n"


def compose_env(d: Draw, name, value):
    svc = d.noun()
    text = (f"services:\n  {svc}:\n    build: .\n    ports:\n      - \"{d.number(3000, 9000)}:8080\"\n"
            f"    environment:\n      - {name}={value}\n      - TZ=UTC\n")
    return "config: docker-compose.yml", text


def dockerfile_env(d: Draw, name, value):
    text = (f"FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            f"ENV {name}={value}\nCOPY . .\nCMD [\"python\", \"-m\", \"{d.noun()}\"]\n")
    return "config: Dockerfile", text


def ci_log(d: Draw, name, value):
    job = d.number(1000, 99999)
    text = (f"Run ./ci/publish.sh\n  ./ci/publish.sh\n  shell: /usr/bin/bash -e {{0}}\n  env:\n    {name}: {value}\n"
            f"+ echo 'publishing build {job}'\npublishing build {job}\n")
    return "tool output: CI job log", text


def shell_history(d: Draw, name, value):
    n = d.number(200, 1900)
    text = (f"$ history | tail -4\n {n}  cd ~/src/{d.noun()}\n {n + 1}  export {name}='{value}'\n"
            f" {n + 2}  make run\n {n + 3}  history | tail -4\n")
    return "tool output: shell history", text


def git_diff(d: Draw, name, value):
    path = f"config/{d.noun()}.yml"
    text = (f"diff --git a/{path} b/{path}\nindex {d.hexs(7)}..{d.hexs(7)} 100644\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -3,4 +3,5 @@ defaults:\n   region: eu-central-1\n-  {_snake(name)}: ${{{name}}}\n+  {_snake(name)}: {value}\n"
            f"   retries: 3\n")
    return "tool output: git diff", text


def python_code(d: Draw, name, value):
    text = (f"import os\n\nimport httpx\n\nos.environ.setdefault(\"{name}\", \"{value}\")\n\n"
            f"client = httpx.Client(base_url=\"https://api.{d.noun()}.example\", timeout=20)\n")
    return "code: Python", text


def js_code(d: Draw, name, value):
    text = (f"import {{ createClient }} from './client.js';\n\nexport const client = createClient({{\n"
            f"  region: 'eu',\n  {_camel(name)}: '{value}',\n}});\n")
    return "code: JavaScript", text


def ts_code(d: Draw, name, value):
    text = f"const config: Record<string, string> = {{\n  baseUrl: process.env.BASE_URL ?? '',\n  {_camel(name)}: \"{value}\",\n}};\n"
    return "code: TypeScript", text


def go_code(d: Draw, name, value):
    return "code: Go", f"package main\n\nconst (\n\tapiBase = \"https://api.{d.noun()}.example\"\n\t{_camel(name)} = \"{value}\"\n)\n"


def rust_code(d: Draw, name, value):
    return "code: Rust", f"fn client() -> Client {{\n    let {_snake(name)} = \"{value}\";\n    Client::new({_snake(name)})\n}}\n"


def java_code(d: Draw, name, value):
    return "code: Java", f"public final class Settings {{\n    private static final String {name} = \"{value}\";\n}}\n"


def csharp_code(d: Draw, name, value):
    text = f"var options = new ClientOptions\n{{\n    Endpoint = new Uri(\"https://{d.noun()}.example\"),\n    {_camel(name).capitalize()} = \"{value}\",\n}};\n"
    return "code: C#", text


def ruby_code(d: Draw, name, value):
    return "code: Ruby", f"Rails.application.configure do\n  config.x.{_snake(name)} = ENV.fetch(\"{name}\", \"{value}\")\nend\n"


def php_code(d: Draw, name, value):
    return "code: PHP", f"<?php\nreturn [\n    'driver' => 'http',\n    '{_snake(name)}' => '{value}',\n];\n"


def shell_script(d: Draw, name, value):
    return "code: shell script", f"#!/usr/bin/env bash\nset -euo pipefail\n: \"${{{name}:={value}}}\"\nexec ./bin/worker --queue default\n"


def helm_values(d: Draw, name, value):
    text = (f"replicaCount: 2\nimage:\n  repository: ghcr.io/acme/{d.noun()}\n  tag: \"{d.number(1, 9)}.{d.number(0, 20)}.0\"\n"
            f"secrets:\n  {_camel(name)}: {value}\n")
    return "config: Helm values.yaml", text


def tfstate(d: Draw, name, value):
    state = {"version": 4, "terraform_version": "1.7.5", "resources": [{
        "mode": "managed", "type": "kubernetes_secret", "name": d.noun(),
        "instances": [{"attributes": {"data": {_snake(name): value}, "type": "Opaque"}}]}]}
    return "tool output: terraform.tfstate", json.dumps(state, indent=2)


def notebook_cell(d: Draw, name, value):
    cell = {"cell_type": "code", "execution_count": d.number(1, 40), "metadata": {},
            "source": ["import os\n", f"os.environ[\"{name}\"] = \"{value}\"\n"], "outputs": []}
    return "file: Jupyter notebook cell (JSON)", json.dumps(cell, indent=1)


def k8s_string_data(d: Draw, name, value):
    text = (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {d.noun()}-creds\ntype: Opaque\nstringData:\n"
            f"  {_snake(name)}: '{value}'\n")
    return "config: Kubernetes Secret stringData", text


def powershell(d: Draw, name, value):
    return "tool call: PowerShell", f"PS C:\\src\\{d.noun()}> $env:{name} = \"{value}\"\nPS C:\\src\\{d.noun()}> npm run dev\n"


def fish_shell(d: Draw, name, value):
    return "config: fish config", f"# ~/.config/fish/config.fish\nset -gx EDITOR nvim\nset -gx {name} {value}\n"


def systemd_unit(d: Draw, name, value):
    text = (f"[Unit]\nDescription={d.noun()} worker\n\n[Service]\nEnvironment=\"{name}={value}\"\n"
            f"ExecStart=/usr/local/bin/{d.noun()}-worker\nRestart=on-failure\n")
    return "config: systemd unit", text


def gitlab_ci(d: Draw, name, value):
    text = f"deploy:\n  stage: deploy\n  variables:\n    {name}: \"{value}\"\n  script:\n    - ./deploy.sh production\n"
    return "config: .gitlab-ci.yml", text


def debug_log(d: Draw, name, value):
    settings = {"env": "staging", _snake(name): value, "workers": d.number(2, 16)}
    return "tool output: application debug log", f"2026-03-0{d.number(1, 9)} 10:4{d.number(0, 9)}:12 DEBUG settings loaded: {settings!r}\n"


def assistant_prose(d: Draw, name, value):
    return "assistant message", f"Done. I put `{name}={value}` into `.env.local` so the dev server picks it up; restart `npm run dev` to apply it."


def user_prose(d: Draw, name, value):
    return "user message", f"ok here is the {name.lower().replace('_', ' ')} from the dashboard: {value} — please wire it into the config"


def appsettings_json(d: Draw, name, value):
    doc = {"Logging": {"LogLevel": {"Default": "Information"}}, "Integrations": {_pascal(name): value}}
    return "config: appsettings.json", json.dumps(doc, indent=2)


PLACES = [env_dump, dotenv, tool_call_export, k8s_env, toml_section, ini_section, hcl_provider, xml_appsettings,
          properties_file, compose_env, dockerfile_env, ci_log, shell_history, git_diff, python_code, js_code,
          ts_code, go_code, rust_code, java_code, csharp_code, ruby_code, php_code, shell_script, helm_values,
          tfstate, notebook_cell, k8s_string_data, powershell, fish_shell, systemd_unit, gitlab_ci, debug_log,
          assistant_prose, user_prose, appsettings_json]
