"""Places a `NAME = value` credential sits in a transcript. Each takes (rng, name, value) and gives
(context, text). PLAIN places put the value bare, so they only take values of token characters;
QUOTING places quote it and take any value."""
import json
import re

from values import hexs

TOKEN_CHARS = re.compile(r"[A-Za-z0-9._~+/=:-]+\Z")


def _lower(name):
    return name.lower()


def _camel(name):
    head, *rest = name.lower().split("_")
    return head + "".join(part.capitalize() for part in rest)


def _call(**arguments):
    # tool-call arguments as the readers render them: compact JSON
    return json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))


def env_dump(rng, name, value):
    lines = sorted([f"HOME=/home/{rng.choice(['dev', 'runner', 'ana', 'kofi'])}", "LANG=C.UTF-8",
                    "PATH=/usr/local/bin:/usr/bin:/bin", f"HOSTNAME={hexs(rng, 12)}", f"{name}={value}",
                    "SHLVL=1", "PWD=/srv/app", "TERM=xterm-256color"])
    return "tool_output", "$ env | sort\n" + "\n".join(lines)


def dotenv_cat(rng, name, value):
    return "tool_output", (f"$ cat .env.local\n# local overrides, do not commit\nNODE_ENV=development\nPORT={rng.randrange(3000, 9000)}\n"
                           f"{name}={value}\nLOG_LEVEL=debug\n")


def export_call(rng, name, value):
    return "tool_call", _call(command=f"export {name}='{value}' && npm run deploy:staging", timeout=120000)


def write_env_call(rng, name, value):
    content = f"DATABASE_URL=postgres://localhost:5432/app_dev\n{name}=\"{value}\"\nFEATURE_FLAGS=beta,search\n"
    return "tool_call", _call(file_path="/repo/.env", content=content)


def yaml_config(rng, name, value):
    return "tool_output", (f"# config/settings.yaml\nservice:\n  name: billing-worker\n  replicas: 2\n"
                           f"integrations:\n  {_lower(name)}: \"{value}\"\n  timeout_s: 30\n")


def compose_env(rng, name, value):
    return "tool_output", (f"services:\n  api:\n    image: ghcr.io/acme/api:1.{rng.randrange(40)}.0\n    environment:\n"
                           f"      - {name}={value}\n      - RUST_LOG=info\n    ports: [\"8080:8080\"]\n")


def actions_env(rng, name, value):
    return "tool_output", (f"jobs:\n  release:\n    runs-on: ubuntu-latest\n    env:\n      {name}: {value}\n"
                           f"      CI: true\n    steps:\n      - uses: actions/checkout@v4\n      - run: make release\n")


def toml_config(rng, name, value):
    return "tool_output", f"[server]\nport = 8443\n\n[credentials]\n{_lower(name)} = \"{value}\"\nregion = \"eu-west-1\"\n"


def ini_config(rng, name, value):
    return "tool_output", f"[default]\nendpoint = https://api.internal.example\n{_lower(name)} = {value}\nretries = 3\n"


def properties(rng, name, value):
    key = _lower(name).replace("_", ".")
    return "tool_output", f"spring.application.name=orders\n{key}={value}\nserver.port=8081\n"


def python_code(rng, name, value):
    var = _lower(name)
    return "tool_output", (f"import os\nimport httpx\n\n{var} = os.getenv(\"{name}\", \"{value}\")\n"
                           f"client = httpx.Client(headers={{\"Authorization\": f\"Bearer {{{var}}}\"}})\n")


def js_code(rng, name, value):
    return "tool_output", (f"// src/lib/client.ts\nconst {_camel(name)} = process.env.{name} ?? '{value}';\n"
                           f"export const api = createClient({{ key: {_camel(name)}, retries: 2 }});\n")


def go_code(rng, name, value):
    return "tool_output", (f"package config\n\n// TODO move to vault before release\nconst {_camel(name)} = \"{value}\"\n\n"
                           f"func Key() string {{ return {_camel(name)} }}\n")


def rust_code(rng, name, value):
    return "tool_output", (f"fn client() -> Client {{\n    let token = std::env::var(\"{name}\")\n"
                           f"        .unwrap_or_else(|_| \"{value}\".to_string());\n    Client::new(&token)\n}}\n")


def java_code(rng, name, value):
    return "tool_output", (f"public final class Secrets {{\n    private static final String {name} =\n"
                           f"        \"{value}\";\n    private Secrets() {{}}\n}}\n")


def csharp_settings(rng, name, value):
    body = {"Logging": {"LogLevel": {"Default": "Information"}}, "Integrations": {_camel(name): value}}
    return "tool_output", "$ cat appsettings.Development.json\n" + json.dumps(body, indent=2)


def ruby_code(rng, name, value):
    return "tool_output", f"# config/initializers/client.rb\nENV[\"{name}\"] ||= \"{value}\"\nClient.configure {{ |c| c.key = ENV[\"{name}\"] }}\n"


def php_code(rng, name, value):
    return "tool_output", f"<?php\n// wp-config.php excerpt\ndefine('{name}', '{value}');\ndefine('WP_DEBUG', false);\n"


def kotlin_code(rng, name, value):
    return "tool_output", f"object BuildKeys {{\n    const val {name} = \"{value}\"\n    const val TIMEOUT_MS = 15_000\n}}\n"


def swift_code(rng, name, value):
    return "tool_output", f"enum Keys {{\n    static let {_camel(name)} = \"{value}\"\n}}\n"


def shell_history(rng, name, value):
    n = rng.randrange(300, 2000)
    return "tool_output", (f"$ history | tail -4\n {n}  cd ~/src/infra\n {n + 1}  export {name}={value}\n"
                           f" {n + 2}  terraform plan -out plan.bin\n {n + 3}  history | tail -4\n")


def git_diff(rng, name, value):
    return "tool_output", (f"$ git diff HEAD~1 -- deploy/.env.production\ndiff --git a/deploy/.env.production b/deploy/.env.production\n"
                           f"index {hexs(rng, 7)}..{hexs(rng, 7)} 100644\n--- a/deploy/.env.production\n+++ b/deploy/.env.production\n"
                           f"@@ -3,3 +3,4 @@ APP_ENV=production\n LOG_FORMAT=json\n+{name}={value}\n CACHE_TTL=300\n")


def log_line(rng, name, value):
    return "tool_output", (f"2026-11-{rng.randrange(10, 30)}T0{rng.randrange(10)}:14:09.{rng.randrange(100, 999)}Z DEBUG "
                           f"settings loaded: {{'env': 'prod', '{_lower(name)}': '{value}', 'workers': 4}}\n")


def notebook_cell(rng, name, value):
    cell = {"cell_type": "code", "execution_count": rng.randrange(1, 40), "metadata": {},
            "source": ["import os\n", f"os.environ[\"{name}\"] = \"{value}\"\n", "df = load_frame()"]}
    return "tool_output", json.dumps(cell, indent=1)


def tfvars(rng, name, value):
    return "tool_output", f"# terraform.tfvars\nregion        = \"us-east-2\"\n{_lower(name)} = \"{value}\"\ninstance_type = \"t3.small\"\n"


def dockerfile(rng, name, value):
    return "tool_output", f"FROM python:3.12-slim\nWORKDIR /app\nENV {name}={value}\nCOPY . .\nCMD [\"python\", \"-m\", \"app\"]\n"


def systemd_unit(rng, name, value):
    return "tool_output", (f"[Unit]\nDescription=sync worker\n\n[Service]\nEnvironment=\"{name}={value}\"\n"
                           f"ExecStart=/usr/local/bin/syncd --once\nRestart=on-failure\n")


def powershell(rng, name, value):
    return "tool_call", _call(command=f"$env:{name} = \"{value}\"; .\\scripts\\publish.ps1 -Verbose", shell="powershell")


def cmd_set(rng, name, value):
    return "tool_output", f"C:\\src\\app> set {name}={value}\nC:\\src\\app> npm start\n> app@2.1.0 start\n"


def k8s_stringdata(rng, name, value):
    return "tool_output", (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-env\n  namespace: prod\ntype: Opaque\n"
                           f"stringData:\n  {name}: \"{value}\"\n")


def helm_values(rng, name, value):
    return "tool_output", f"# values-prod.yaml\nimage:\n  tag: v3.{rng.randrange(20)}.1\nsecrets:\n  {_camel(name)}: '{value}'\n"


def fish_shell(rng, name, value):
    return "tool_output", f"# ~/.config/fish/conf.d/work.fish\nset -gx EDITOR nvim\nset -gx {name} '{value}'\n"


def makefile(rng, name, value):
    return "tool_output", f"{name} ?= {value}\n\ndeploy:\n\t./bin/ship --env prod\n"


def sql_insert(rng, name, value):
    return "tool_call", _call(query=f"INSERT INTO integration_settings (name, value) VALUES ('{_lower(name)}', '{value}');",
                              database="app_prod")


def xml_config(rng, name, value):
    return "tool_output", (f"<configuration>\n  <appSettings>\n    <add key=\"{name}\" value=\"{value}\" />\n"
                           f"    <add key=\"Environment\" value=\"Staging\" />\n  </appSettings>\n</configuration>\n")


def vscode_launch(rng, name, value):
    body = {"version": "0.2.0", "configurations": [{"type": "node", "request": "launch", "name": "api",
                                                    "env": {name: value, "DEBUG": "api:*"}}]}
    return "tool_output", json.dumps(body, indent=4)


def crash_report(rng, name, value):
    body = {"event_id": hexs(rng, 32), "level": "error", "exception": {"type": "HTTPError", "value": "401 Unauthorized"},
            "extra": {"environ": {name: value, "PYTHONPATH": "/app"}}}
    return "tool_output", json.dumps(body)


def elixir_config(rng, name, value):
    return "tool_output", f"import Config\n\nconfig :shop, Shop.Client,\n  {_lower(name)}: \"{value}\",\n  pool_size: 10\n"


def r_code(rng, name, value):
    return "tool_output", f"library(httr2)\nSys.setenv({name} = \"{value}\")\nreq <- request(base_url)\n"


def perl_code(rng, name, value):
    return "tool_output", f"use strict;\nmy %cfg = (\n    {_lower(name)} => '{value}',\n    timeout => 20,\n);\n"


def lua_config(rng, name, value):
    return "tool_output", f"-- nvim plugin setup\nrequire('assistant').setup({{\n  {_lower(name)} = \"{value}\",\n  model = \"fast\",\n}})\n"


def nix_config(rng, name, value):
    return "tool_output", f"  systemd.services.sync.environment = {{\n    {name} = \"{value}\";\n    RUST_BACKTRACE = \"1\";\n  }};\n"


def dart_code(rng, name, value):
    return "tool_output", f"class Env {{\n  static const {_camel(name)} = '{value}';\n}}\n"


def user_paste(rng, name, value):
    lead = rng.choice(["here's what I have in my shell rn:", "this is my env, still 401:", "fyi current setup ->",
                       "pasting from 1password, dont judge"])
    return "user", f"{lead}\n\n{name}={value}\n\nwhy does the client still say unauthorized?"


def user_inline(rng, name, value):
    product = name.split("_")[0].capitalize()
    return "user", rng.choice([f"The {product} key is {value} - put it wherever the app reads it from.",
                               f"use this {product.lower()} token: {value}",
                               f"{product} creds for the sandbox: {value} (rotate after the demo pls)"])


def assistant_note(rng, name, value):
    return "assistant", (f"I added `{name}` to `.env` with the value `{value}` you gave me and restarted the dev server; "
                         f"the 401 is gone.")


def fly_secrets(rng, name, value):
    return "tool_output", f"$ cat ~/.bashrc | grep -n {name}\n{rng.randrange(40, 140)}:export {name}=\"{value}\"\n"


PLAIN = [env_dump, dotenv_cat, compose_env, actions_env, ini_config, properties, shell_history, git_diff,
         dockerfile, cmd_set, makefile, user_paste, user_inline]
QUOTING = [export_call, write_env_call, yaml_config, toml_config, python_code, js_code, go_code, rust_code,
           java_code, csharp_settings, ruby_code, php_code, kotlin_code, swift_code, log_line, notebook_cell,
           tfvars, systemd_unit, powershell, k8s_stringdata, helm_values, fish_shell, sql_insert, xml_config,
           vscode_launch, crash_report, elixir_config, r_code, perl_code, lua_config, nix_config, dart_code,
           assistant_note, fly_secrets]


def fits(place, value):
    """Whether `value` can sit in `place` without breaking its syntax."""
    if place in PLAIN:
        return bool(TOKEN_CHARS.match(value))
    bad = {"'": "'" in value, '"': '"' in value or "\\" in value or "$" in value}
    single = place in (export_call, log_line, helm_values, fish_shell, sql_insert, php_code, perl_code, dart_code)
    return not (bad["'"] if single else bad['"'])
