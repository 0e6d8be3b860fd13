#!/usr/bin/env python3
"""Write the blind secret corpus (tuning.json, heldout.json) beside this script.

Written by a helper who never read the redactor's rules or its tests (see README.md). Every value is
drawn from random.Random(VALUE_SEED), so none is a real credential; each sits in the context a
transcript shows it in. The split is drawn from random.Random(SPLIT_SEED) in generation order.

    python tests/data/secrets/blind/make_corpus.py          # write both files
    python tests/data/secrets/blind/make_corpus.py --check  # regenerate in memory, compare, exit 1 on a difference
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import string
import sys
from pathlib import Path

VALUE_SEED = 6151
SPLIT_SEED = 2207
HELDOUT_P = 0.5
HERE = Path(__file__).resolve().parent

WORDS = ["harbor", "maple", "quartz", "falcon", "velvet", "cobalt", "lantern", "meadow", "orbit", "saffron",
         "tundra", "willow", "ember", "glacier", "juniper", "nimbus", "pepper", "violet", "copper", "thistle"]


class Values:
    """Seeded random values in the shapes real credentials take."""

    def __init__(self, seed: int):
        self.r = random.Random(seed)

    def pick(self, alphabet: str, n: int) -> str:
        return "".join(self.r.choice(alphabet) for _ in range(n))

    def alnum(self, n: int) -> str:
        return self.pick(string.ascii_letters + string.digits, n)

    def hex(self, n: int) -> str:
        return self.pick("0123456789abcdef", n)

    def upper(self, n: int) -> str:
        return self.pick(string.ascii_uppercase + string.digits, n)

    def lower(self, n: int) -> str:
        return self.pick(string.ascii_lowercase + string.digits, n)

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self.r.randbytes(nbytes)).decode()

    def urlsafe(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(self.r.randbytes(nbytes)).decode().rstrip("=")

    def base32(self, n: int) -> str:
        return self.pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n)

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.r.choice('89ab')}{h[17:20]}-{h[20:]}"

    def password(self) -> str:
        """A human-chosen password: two words, a symbol, digits (always >= 12 characters)."""
        a, b = self.r.sample(WORDS, 2)
        return f"{a.capitalize()}{self.r.choice('!#$%&*@^')}{b.capitalize()}{self.r.randint(10, 9999)}"

    def strong(self, n: int = 20) -> str:
        return self.pick(string.ascii_letters + string.digits + "!#%^*-_=+", n)

    def pem(self, nbytes: int) -> str:
        body = self.b64(nbytes)
        return "\n".join(body[i : i + 64] for i in range(0, len(body), 64))

    def jwt(self, claims: dict) -> str:
        def part(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")

        return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{self.urlsafe(32)}"


def call(tool: str, **args) -> str:
    """A tool call's arguments as the readers render them: compact JSON, newlines escaped."""
    return f"tool_call {tool} " + json.dumps(args, separators=(",", ":"))


def escaped(value: str) -> str:
    """How `value` appears inside a JSON string."""
    return json.dumps(value)[1:-1]


def b64s(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def build_secrets(v: Values) -> list[dict]:
    items: list[dict] = []

    def add(kind: str, context: str, secret: str, text: str) -> None:
        assert secret in text, (kind, context)
        items.append({"kind": kind, "context": context, "secret": secret, "text": text})

    # ---- cloud providers
    akid = "AKIA" + v.upper(16)
    aws_secret = v.alnum(30) + "/" + v.alnum(5) + "+" + v.alnum(3)
    add("aws_access_key_id", "tool output: cat ~/.aws/credentials", akid,
        f"$ cat ~/.aws/credentials\n[default]\naws_access_key_id = {akid}\naws_secret_access_key = <redacted by me>\nregion = eu-west-1\n")
    add("aws_secret_access_key", "config: ini", aws_secret,
        f"[profile deploy]\naws_access_key_id = AKIA{v.upper(16)}\naws_secret_access_key = {aws_secret}\noutput = json\n")
    aws_secret2 = v.alnum(40)
    add("aws_secret_access_key", "tool output: env dump", aws_secret2,
        f"$ env | sort\nAWS_DEFAULT_REGION=us-east-2\nAWS_SECRET_ACCESS_KEY={aws_secret2}\nHOME=/home/dev\nPATH=/usr/local/bin:/usr/bin\n")
    sess = "IQoJb3JpZ2luX2VjE" + v.alnum(200) + "=="
    add("aws_session_token", "tool output: aws sts", sess,
        '$ aws sts assume-role --role-arn arn:aws:iam::123456789012:role/ci --role-session-name ci\n'
        f'{{\n    "Credentials": {{\n        "AccessKeyId": "ASIA{v.upper(16)}",\n        "SessionToken": "{sess}",\n'
        '        "Expiration": "2026-12-07T21:00:00+00:00"\n    }}\n}}\n')
    gkey = v.pem(1190)
    add("gcp_service_account_key", "config: json", escaped(gkey),
        '{\n  "type": "service_account",\n  "project_id": "shop-prod-4412",\n  "private_key_id": "' + v.hex(40) + '",\n'
        '  "private_key": "-----BEGIN PRIVATE KEY-----\\n' + escaped(gkey) + '\\n-----END PRIVATE KEY-----\\n",\n'
        '  "client_email": "deployer@shop-prod-4412.iam.gserviceaccount.com"\n}\n')
    gapi = "AIza" + v.pick(string.ascii_letters + string.digits + "-_", 35)
    add("gcp_api_key", "user prose", gapi,
        f"ok so the maps thing is failing, heres the key i used {gapi} — is it restricted to the wrong referrer?")
    add("gcp_api_key", "tool-call args", (g2 := "AIza" + v.pick(string.ascii_letters + string.digits + "-_", 35)),
        call("shell", command=f"curl -s 'https://translation.googleapis.com/language/translate/v2?key={g2}&q=hallo&target=en'"))
    azkey = v.b64(64)
    add("azure_storage_account_key", "connection string", azkey,
        f"AZURE_STORAGE_CONNECTION_STRING=\"DefaultEndpointsProtocol=https;AccountName=shopassets;AccountKey={azkey};EndpointSuffix=core.windows.net\"\n")
    azcs = v.alnum(3) + "8Q~" + v.pick(string.ascii_letters + string.digits + "_.~-", 31)
    add("azure_client_secret", "tool output: az ad sp create", azcs,
        '$ az ad sp create-for-rbac --name gh-deploy\n{\n  "appId": "' + v.uuid() + '",\n  "displayName": "gh-deploy",\n'
        f'  "password": "{azcs}",\n  "tenant": "{v.uuid()}"\n}}\n')
    sas = v.urlsafe(32).replace("-", "%2B").replace("_", "%2F") + "%3D"
    add("azure_sas_token", "assistant prose", sas,
        f"The upload fails because the SAS URL expired. The one in your script is `https://shopassets.blob.core.windows.net/exports?sv=2022-11-02&ss=b&srt=co&sp=rwl&se=2026-12-01T00:00:00Z&sig={sas}` — generate a new one.")
    ado = v.pick("abcdefghijklmnopqrstuvwxyz234567", 52)
    add("azure_devops_pat", "tool output: git remote -v", ado,
        f"$ git remote -v\norigin\thttps://build:{ado}@dev.azure.com/contoso/shop/_git/shop (fetch)\norigin\thttps://build:{ado}@dev.azure.com/contoso/shop/_git/shop (push)\n")
    add("azure_devops_pat", "config: .env", (a2 := v.pick("abcdefghijklmnopqrstuvwxyz234567", 52)),
        f"# pipelines\nAZURE_DEVOPS_EXT_PAT={a2}\nAZDO_ORG=https://dev.azure.com/contoso\n")
    do = "dop_v1_" + v.hex(64)
    add("digitalocean_token", "shell history", do,
        f"  501  doctl auth init\n  502  export DIGITALOCEAN_ACCESS_TOKEN={do}\n  503  doctl compute droplet list\n")
    lin = v.hex(64)
    add("linode_token", "config: terraform tfvars", lin, f'region       = "eu-central"\nlinode_token = "{lin}"\ninstance_type = "g6-standard-2"\n')
    hc = v.alnum(64)
    add("hetzner_token", "config: shell export", hc, f"# ~/.bashrc.d/cloud.sh\nexport HCLOUD_TOKEN='{hc}'\nexport HCLOUD_CONTEXT=prod\n")
    cft = v.pick(string.ascii_letters + string.digits + "_-", 40)
    add("cloudflare_api_token", "tool output: curl -v", cft,
        f"> GET /client/v4/user/tokens/verify HTTP/2\n> Host: api.cloudflare.com\n> user-agent: curl/8.5.0\n> authorization: Bearer {cft}\n> accept: */*\n>\n< HTTP/2 200\n")
    cfg = v.hex(37)
    add("cloudflare_global_api_key", "tool-call args", cfg,
        call("shell", command=f"curl -s https://api.cloudflare.com/client/v4/zones -H 'X-Auth-Email: ops@example.org' -H 'X-Auth-Key: {cfg}'"))
    ali = v.alnum(30)
    add("alibaba_access_key_secret", "config: yaml", ali,
        f"oss:\n  endpoint: oss-cn-hangzhou.aliyuncs.com\n  access_key_id: LTAI{v.alnum(20)}\n  access_key_secret: {ali}\n  bucket: shop-media\n")
    ibm = v.pick(string.ascii_letters + string.digits + "-_", 44)
    add("ibm_cloud_api_key", "user prose", ibm, f"I created an IBM Cloud API key for the pipeline: {ibm}\nCan you wire it into the deploy job?")
    hvs = "hvs." + v.pick(string.ascii_letters + string.digits + "_-", 24)
    add("vault_token", "tool output: vault login", hvs,
        f"$ vault login -method=userpass username=dev\nSuccess! You are now authenticated.\n\nKey                  Value\n---                  -----\ntoken                {hvs}\ntoken_accessor       {v.alnum(24)}\ntoken_duration       768h\n")
    hvs2 = "hvs.CAESI" + v.pick(string.ascii_letters + string.digits + "_-", 90)
    add("vault_token", "tool-call args", hvs2, call("shell", command=f"VAULT_TOKEN={hvs2} vault kv get -field=url secret/shop/db"))
    unseal = v.b64(32)
    add("vault_unseal_key", "tool output: vault operator init", unseal,
        f"Unseal Key 1: {unseal}\n\nInitial Root Token: hvs.{v.alnum(24)}\n\nVault initialized with 1 key shares and a key threshold of 1.\n")
    dpl = f"dp.st.prd.{v.alnum(43)}"
    add("doppler_service_token", "config: github actions env", dpl,
        f"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      DOPPLER_TOKEN: {dpl}\n    steps:\n      - uses: actions/checkout@v4\n")
    hk = v.uuid()
    add("heroku_api_key", "tool output: heroku auth", hk, f"$ heroku auth:token\n {hk}\n$ export HEROKU_API_KEY={hk}\n")
    fly = "FlyV1 fm2_" + v.urlsafe(180)
    add("flyio_token", "config: .env", fly[6:], f'FLY_API_TOKEN="{fly}"\nFLY_APP=shop-api\n')
    vc = v.alnum(24)
    add("vercel_token", "tool-call args", vc, call("shell", command=f"npx vercel deploy --prod --token {vc} --yes"))
    nf = "nfp_" + v.alnum(36)
    add("netlify_token", "tool output: ci log", nf,
        f"2026-12-05T10:12:01.223Z Run netlify deploy --prod\n2026-12-05T10:12:01.224Z   NETLIFY_AUTH_TOKEN: {nf}\n2026-12-05T10:12:01.224Z   NETLIFY_SITE_ID: shop-docs\n")
    rnd = "rnd_" + v.alnum(28)
    add("render_api_key", "assistant prose", rnd, f"I set the deploy hook with your Render key `{rnd}`; rotate it after, since it is now in this chat.")

    # ---- AI and developer platforms
    oa = "sk-proj-" + v.pick(string.ascii_letters + string.digits + "_-", 120) + "T3BlbkFJ" + v.alnum(20)
    add("openai_api_key", "config: .env", oa, f"OPENAI_API_KEY={oa}\nOPENAI_MODEL=gpt-4.1-mini\n")
    add("openai_api_key", "user prose", (o2 := "sk-" + v.alnum(48)), f"uh it says 401, my key is {o2} can u check if its the old format")
    an = "sk-ant-api03-" + v.pick(string.ascii_letters + string.digits + "_-", 93) + "AA"
    add("anthropic_api_key", "tool-call args", an,
        call("write_file", path=".env.local", content=f"ANTHROPIC_API_KEY={an}\nLOG_LEVEL=debug\n"))
    hf = "hf_" + v.alnum(34)
    add("huggingface_token", "tool output: shell", hf,
        f"$ huggingface-cli login --token {hf}\nToken is valid (permission: write).\nYour token has been saved to /home/dev/.cache/huggingface/token\n")
    co = v.alnum(40)
    add("cohere_api_key", "code: python", co, f'import cohere\n\nco = cohere.Client("{co}")\nresp = co.chat(message="hi")\n')
    rep = "r8_" + v.alnum(37)
    add("replicate_token", "config: shell export", rep, f"export REPLICATE_API_TOKEN={rep}\n")
    gq = "gsk_" + v.alnum(52)
    add("groq_api_key", "config: toml", gq, f'[providers.groq]\nbase_url = "https://api.groq.com/openai/v1"\napi_key = "{gq}"\n')
    mi = v.alnum(32)
    add("mistral_api_key", "tool output: docker inspect", mi,
        f'$ docker inspect shop-llm --format "{{{{json .Config.Env}}}}"\n["PATH=/usr/local/sbin:/usr/local/bin","MISTRAL_API_KEY={mi}","PYTHONUNBUFFERED=1"]\n')

    # ---- source hosting, CI, registries
    ghp = "ghp_" + v.alnum(36)
    add("github_pat_classic", "tool output: cat .git-credentials", ghp, f"$ cat ~/.git-credentials\nhttps://octo-dev:{ghp}@github.com\n")
    add("github_pat_classic", "user prose", (g3 := "ghp_" + v.alnum(36)), f"use this one for the bot: {g3} (repo scope only)")
    ghf = "github_pat_11" + v.upper(22) + "_" + v.alnum(59)
    add("github_pat_fine_grained", "tool-call args", ghf, call("shell", command=f"GH_TOKEN={ghf} gh pr list --state open"))
    gho = "gho_" + v.alnum(36)
    add("github_oauth_token", "config: yaml", gho, f"github.com:\n    user: octo-dev\n    oauth_token: {gho}\n    git_protocol: https\n")
    ghs = "ghs_" + v.alnum(36)
    add("github_app_token", "tool output: ci log", ghs,
        f"##[group]Run git push\ngit push https://x-access-token:{ghs}@github.com/acme/shop.git HEAD:main\n##[endgroup]\n")
    glp = "glpat-" + v.pick(string.ascii_letters + string.digits + "_-", 20)
    add("gitlab_pat", "config: npmrc", glp,
        f"@acme:registry=https://gitlab.example.com/api/v4/projects/42/packages/npm/\n//gitlab.example.com/api/v4/projects/42/packages/npm/:_authToken={glp}\n")
    glr = "glrt-" + v.pick(string.ascii_letters + string.digits + "_-", 20)
    add("gitlab_runner_token", "config: toml", glr,
        f'[[runners]]\n  name = "build-01"\n  url = "https://gitlab.example.com"\n  token = "{glr}"\n  executor = "docker"\n')
    bb = "ATBB" + v.alnum(32)
    add("bitbucket_app_password", "shell history", bb, f"  88  git clone https://jdoe:{bb}@bitbucket.org/acme/infra.git\n  89  cd infra\n")
    atl = "ATATT3xFfGF0" + v.pick(string.ascii_letters + string.digits + "_-", 170) + "=" + v.upper(8)
    add("atlassian_api_token", "tool-call args", atl,
        call("shell", command=f"curl -s -u jdoe@acme.io:{atl} https://acme.atlassian.net/rest/api/3/myself"))
    lin_api = "lin_api_" + v.alnum(40)
    add("linear_api_key", "config: .env", lin_api, f"LINEAR_API_KEY={lin_api}\nLINEAR_TEAM=ENG\n")
    ntn = "ntn_" + v.alnum(46)
    add("notion_token", "user prose", ntn, f"Notion integration secret is {ntn}, the database id is in the URL")
    ntn2 = "secret_" + v.alnum(43)
    add("notion_token_legacy", "code: javascript", ntn2, f'const notion = new Client({{ auth: "{ntn2}" }});\n')
    npm = "npm_" + v.alnum(36)
    add("npm_token", "config: npmrc", npm, f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={npm}\nalways-auth=true\n")
    pypi = "pypi-AgEIcHlwaS5vcmc" + v.urlsafe(120)
    add("pypi_token", "config: pypirc", pypi, f"[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = {pypi}\n")
    dck = "dckr_pat_" + v.pick(string.ascii_letters + string.digits + "_-", 27)
    add("dockerhub_pat", "cli: docker login -p", dck, f"$ docker login -u acmebuild -p {dck}\nWARNING! Using --password via the CLI is insecure. Use --password-stdin.\nLogin Succeeded\n")
    ci = "CCIPAT_" + v.alnum(22) + "_" + v.hex(40)
    add("circleci_token", "config: shell export", ci, f"export CIRCLE_TOKEN={ci}\n")
    bk = "bkua_" + v.hex(40)
    add("buildkite_token", "tool-call args", bk, call("shell", command=f"curl -H 'Authorization: Bearer {bk}' https://api.buildkite.com/v2/builds"))
    jf = "AKCp8" + v.alnum(68)
    add("jfrog_api_key", "config: pip.conf", jf,
        f"[global]\nindex-url = https://ci-bot:{jf}@acme.jfrog.io/artifactory/api/pypi/pypi/simple\ntimeout = 60\n")
    tfc = v.alnum(14) + ".atlasv1." + v.alnum(67)
    add("terraform_cloud_token", "config: terraformrc", tfc, f'credentials "app.terraform.io" {{\n  token = "{tfc}"\n}}\n')
    pul = "pul-" + v.hex(40)
    add("pulumi_token", "tool output: ci log", pul, f"+ export PULUMI_ACCESS_TOKEN={pul}\n+ pulumi up --yes --stack prod\n")
    sq = "squ_" + v.hex(40)
    add("sonarqube_token", "cli: flag", sq, f"$ sonar-scanner -Dsonar.projectKey=shop -Dsonar.host.url=https://sonar.acme.io -Dsonar.token={sq}\n")
    sn = v.uuid()
    add("snyk_token", "config: github actions env", sn, f"    - name: snyk\n      run: snyk test\n      env:\n        SNYK_TOKEN: {sn}\n")
    gl_run = "gldt-" + v.pick(string.ascii_letters + string.digits + "_-", 20)
    add("gitlab_deploy_token", "tool-call args", gl_run,
        call("shell", command=f"docker login registry.gitlab.example.com -u gitlab+deploy-token-7 --password {gl_run}"))

    # ---- messaging, webhooks
    xoxb = f"xoxb-{v.r.randint(10**11, 10**12)}-{v.r.randint(10**11, 10**12)}-{v.alnum(24)}"
    add("slack_bot_token", "code: python", xoxb, f'from slack_sdk import WebClient\nclient = WebClient(token="{xoxb}")\n')
    xoxp = f"xoxp-{v.r.randint(10**11, 10**12)}-{v.r.randint(10**11, 10**12)}-{v.r.randint(10**11, 10**12)}-{v.hex(32)}"
    add("slack_user_token", "user prose", xoxp, f"my slack token: {xoxp}\nplease post the release notes to #eng")
    xapp = f"xapp-1-A{v.upper(10)}-{v.r.randint(10**12, 10**13)}-{v.hex(64)}"
    add("slack_app_token", "config: .env", xapp, f"SLACK_APP_TOKEN={xapp}\nSLACK_SOCKET_MODE=true\n")
    swh = f"https://hooks.slack.com/services/T{v.upper(8)}/B{v.upper(10)}/{v.alnum(24)}"
    add("slack_webhook_url", "config: yaml", swh.split("services/")[1],
        f"alerting:\n  slack:\n    channel: '#alerts'\n    webhook_url: {swh}\n")
    dwh = f"https://discord.com/api/webhooks/{v.r.randint(10**17, 10**18)}/{v.pick(string.ascii_letters + string.digits + '_-', 68)}"
    add("discord_webhook_url", "tool-call args", dwh.split("webhooks/")[1],
        call("shell", command=f"curl -H 'Content-Type: application/json' -d '{{\"content\":\"deploy done\"}}' {dwh}"))
    dbt = f"{b64s(str(v.r.randint(10**17, 10**18))).rstrip('=')}.{v.pick(string.ascii_letters + string.digits + '_-', 6)}.{v.pick(string.ascii_letters + string.digits + '_-', 38)}"
    add("discord_bot_token", "config: .env", dbt, f"DISCORD_TOKEN={dbt}\nDISCORD_GUILD=shop-community\n")
    tmw = f"https://acme.webhook.office.com/webhookb2/{v.uuid()}@{v.uuid()}/IncomingWebhook/{v.hex(32)}/{v.uuid()}"
    add("teams_webhook_url", "config: json", tmw.split("IncomingWebhook/")[1],
        '{\n  "notifications": {\n    "teams": "' + tmw + '",\n    "on": ["failure"]\n  }\n}\n')
    tg = f"{v.r.randint(10**9, 10**10)}:AA{v.pick(string.ascii_letters + string.digits + '_-', 33)}"
    add("telegram_bot_token", "tool output: curl", tg,
        f"$ curl -s https://api.telegram.org/bot{tg}/getMe\n{{\"ok\":true,\"result\":{{\"id\":7,\"is_bot\":true,\"first_name\":\"shopbot\"}}}}\n")
    tw = v.hex(32)
    add("twilio_auth_token", "config: yaml", tw, f"twilio:\n  account_sid: AC{v.hex(32)}\n  auth_token: {tw}\n  from: '+15005550006'\n")
    twk = "SK" + v.hex(32)
    add("twilio_api_key", "tool-call args", twk,
        call("write_file", path="config/sms.json", content=json.dumps({"api_key": twk, "api_secret": "see vault"}, indent=2)))
    sg = f"SG.{v.pick(string.ascii_letters + string.digits + '_-', 22)}.{v.pick(string.ascii_letters + string.digits + '_-', 43)}"
    add("sendgrid_api_key", "config: java properties", sg, f"mail.provider=sendgrid\nmail.sendgrid.api-key={sg}\nmail.from=noreply@acme.io\n")
    mg = "key-" + v.hex(32)
    add("mailgun_api_key", "cli: curl -u", mg,
        f"$ curl -s --user 'api:{mg}' https://api.mailgun.net/v3/mg.acme.io/messages -F from=ops@acme.io -F to=me@acme.io -F text=test\n")
    mc = v.hex(32) + "-us21"
    add("mailchimp_api_key", "assistant prose", mc, f"Your Mailchimp key ({mc}) is for datacenter us21, so the base URL must be https://us21.api.mailchimp.com/3.0.")
    pm = v.uuid()
    add("postmark_server_token", "config: .env", pm, f"POSTMARK_SERVER_TOKEN={pm}\nMAIL_FROM=hello@acme.io\n")
    smtp = v.password()
    add("smtp_password", "config: yaml", smtp,
        f"mail:\n  host: smtp.office365.com\n  port: 587\n  username: noreply@acme.io\n  password: \"{smtp}\"\n")

    # ---- payment, commerce
    sk = "sk_live_" + v.alnum(99)
    add("stripe_secret_key", "tool output: stack trace", sk,
        "Traceback (most recent call last):\n  File \"/app/billing/client.py\", line 41, in charge\n    raise ConfigError(f\"bad settings: {settings!r}\")\n"
        f"billing.errors.ConfigError: bad settings: {{'api_base': 'https://api.stripe.com', 'api_key': '{sk}', 'timeout': 30}}\n")
    add("stripe_secret_key", "user prose", (sk2 := "sk_test_" + v.alnum(99)), f"here is the test key {sk2} dont worry its test mode")
    rk = "rk_live_" + v.alnum(99)
    add("stripe_restricted_key", "config: docker-compose", rk,
        f"services:\n  billing:\n    image: acme/billing:2.4\n    environment:\n      - STRIPE_KEY={rk}\n      - PORT=8080\n")
    wh = "whsec_" + v.alnum(32)
    add("stripe_webhook_secret", "tool output: stripe listen", wh,
        f"$ stripe listen --forward-to localhost:4242/webhook\n> Ready! You are using Stripe API Version [2024-06-20]. Your webhook signing secret is {wh} (^C to quit)\n")
    pp = v.pick(string.ascii_letters + string.digits + "-_", 80)
    add("paypal_client_secret", "config: .env", pp, f"PAYPAL_CLIENT_ID=A{v.alnum(79)}\nPAYPAL_CLIENT_SECRET={pp}\nPAYPAL_MODE=live\n")
    sqa = "EAAA" + v.pick(string.ascii_letters + string.digits + "-_", 60)
    add("square_access_token", "code: ruby", sqa, f"client = Square::Client.new(\n  access_token: '{sqa}',\n  environment: 'production'\n)\n")
    shp = "shpat_" + v.hex(32)
    add("shopify_access_token", "tool-call args", shp,
        call("shell", command=f"curl -s -H 'X-Shopify-Access-Token: {shp}' https://acme-store.myshopify.com/admin/api/2024-10/products.json"))
    shs = "shpss_" + v.hex(32)
    add("shopify_shared_secret", "config: toml", shs, f'[shopify]\napi_key = "public-app-id"\napi_secret = "{shs}"\n')
    adyen = "AQE" + v.pick(string.ascii_letters + string.digits + "+/", 90)
    add("adyen_api_key", "config: xml", adyen,
        f'<adyen>\n  <merchantAccount>AcmeECOM</merchantAccount>\n  <apiKey>{adyen}</apiKey>\n</adyen>\n')
    bt = v.hex(32)
    add("braintree_private_key", "config: java properties", bt, f"braintree.environment=production\nbraintree.merchantId=acme\nbraintree.privateKey={bt}\n")

    # ---- observability, ops
    dd = v.hex(32)
    add("datadog_api_key", "tool output: kubectl describe", dd,
        f"Containers:\n  agent:\n    Image: gcr.io/datadoghq/agent:7\n    Environment:\n      DD_API_KEY:  {dd}\n      DD_SITE:     datadoghq.eu\n")
    dda = v.hex(40)
    add("datadog_app_key", "config: terraform tfvars", dda, f'datadog_api_url = "https://api.datadoghq.eu/"\ndatadog_app_key = "{dda}"\n')
    nr = "NRAK-" + v.upper(27)
    add("newrelic_api_key", "config: yaml", nr, f"newrelic:\n  account_id: 3311200\n  user_api_key: {nr}\n")
    snt = "sntrys_" + v.urlsafe(120)
    add("sentry_auth_token", "config: .sentryclirc", snt, f"[auth]\ntoken={snt}\n\n[defaults]\norg=acme\nproject=web\n")
    gs = f"glsa_{v.alnum(32)}_{v.hex(8)}"
    add("grafana_service_account_token", "tool-call args", gs,
        call("shell", command=f"curl -s -H 'Authorization: Bearer {gs}' http://grafana:3000/api/dashboards/home"))
    gc = "glc_" + v.urlsafe(96)
    add("grafana_cloud_token", "config: yaml", gc, f"remote_write:\n  - url: https://prometheus-prod-01-eu-west-0.grafana.net/api/prom/push\n    basic_auth:\n      username: 733120\n      password: {gc}\n")
    pd = v.pick(string.ascii_letters + string.digits + "+-_", 20)
    add("pagerduty_token", "config: shell export", pd, f"export PAGERDUTY_TOKEN=\"{pd}\"\n")
    pmk = f"PMAK-{v.hex(24)}-{v.hex(34)}"
    add("postman_api_key", "user prose", pmk, f"Postman key: {pmk}. Could you export the collection for me?")
    dapi = "dapi" + v.hex(32)
    add("databricks_token", "config: databrickscfg", dapi, f"[DEFAULT]\nhost  = https://adb-4411.3.azuredatabricks.net\ntoken = {dapi}\n")
    ng = f"2{v.alnum(26)}_{v.alnum(21)}"
    add("ngrok_authtoken", "config: yaml", ng, f'version: "2"\nauthtoken: {ng}\ntunnels:\n  web:\n    proto: http\n    addr: 3000\n')
    ts = f"tskey-auth-k{v.alnum(11)}CNTRL-{v.alnum(33)}"
    add("tailscale_auth_key", "tool-call args", ts, call("shell", command=f"sudo tailscale up --authkey={ts} --hostname=ci-runner"))
    okta = "00" + v.pick(string.ascii_letters + string.digits + "-_", 40)
    add("okta_api_token", "tool output: curl -v", okta,
        f"> GET /api/v1/users?limit=1 HTTP/1.1\n> Host: acme.okta.com\n> Authorization: SSWS {okta}\n> Accept: application/json\n")
    a0 = v.pick(string.ascii_letters + string.digits + "-_", 64)
    add("auth0_client_secret", "config: .env", a0, f"AUTH0_DOMAIN=acme.eu.auth0.com\nAUTH0_CLIENT_ID={v.alnum(32)}\nAUTH0_CLIENT_SECRET={a0}\n")
    goc = "GOCSPX-" + v.pick(string.ascii_letters + string.digits + "-_", 28)
    add("google_oauth_client_secret", "config: json", goc,
        '{"web":{"client_id":"1234-abc.apps.googleusercontent.com","project_id":"acme-login","client_secret":"' + goc + '","redirect_uris":["http://localhost:8080/cb"]}}\n')
    fcm = "AAAA" + v.pick(string.ascii_letters + string.digits + "-_", 7) + ":APA91b" + v.pick(string.ascii_letters + string.digits + "-_", 134)
    add("firebase_server_key", "code: javascript", fcm,
        f"await fetch('https://fcm.googleapis.com/fcm/send', {{\n  headers: {{ Authorization: 'key={fcm}' }},\n}});\n")
    alg = v.hex(32)
    add("algolia_admin_key", "config: .env", alg, f"ALGOLIA_APP_ID=L2ZQ8UXE0M\nALGOLIA_ADMIN_KEY={alg}\n")
    mbx = "sk." + v.jwt({"u": "acme", "a": "clx" + v.lower(20)}).split(".", 1)[1]
    add("mapbox_secret_token", "tool output: env dump", mbx, f"MAPBOX_DOWNLOADS_TOKEN={mbx}\nNODE_ENV=production\n")
    oai_org = "sess-" + v.alnum(40)
    add("openai_session_key", "assistant prose", oai_org, f"The value you pasted (`{oai_org}`) is a browser session key, not an API key — do not use it in scripts.")

    # ---- private key blocks
    rsa = v.pem(1190)
    add("rsa_private_key", "tool output: cat id_rsa", rsa,
        f"$ cat ~/.ssh/deploy_rsa\n-----BEGIN RSA PRIVATE KEY-----\n{rsa}\n-----END RSA PRIVATE KEY-----\n")
    ossh = v.pem(400)
    add("openssh_private_key", "user prose", ossh,
        f"here's the deploy key, paste it into the secret:\n-----BEGIN OPENSSH PRIVATE KEY-----\n{ossh}\n-----END OPENSSH PRIVATE KEY-----\nthanks")
    ossh2 = v.pem(400)
    add("openssh_private_key", "tool-call args", escaped(ossh2),
        call("write_file", path="/home/dev/.ssh/id_ed25519", content=f"-----BEGIN OPENSSH PRIVATE KEY-----\n{ossh2}\n-----END OPENSSH PRIVATE KEY-----\n"))
    ec = v.pem(121)
    add("ec_private_key", "config: yaml", ec.replace("\n", "\n    "),
        "tls:\n  key: |\n    -----BEGIN EC PRIVATE KEY-----\n    " + ec.replace("\n", "\n    ") + "\n    -----END EC PRIVATE KEY-----\n")
    p8 = v.pem(1218)
    add("pkcs8_private_key", "tool output: openssl", p8,
        f"$ openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null\n-----BEGIN PRIVATE KEY-----\n{p8}\n-----END PRIVATE KEY-----\n")
    enc = v.pem(1300)
    add("encrypted_private_key", "config: file", enc, f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{enc}\n-----END ENCRYPTED PRIVATE KEY-----\n")
    dsa = v.pem(440)
    add("dsa_private_key", "tool output: cat", dsa, f"$ cat legacy/id_dsa\n-----BEGIN DSA PRIVATE KEY-----\n{dsa}\n-----END DSA PRIVATE KEY-----\n")
    pgp = v.pem(900)
    add("pgp_private_key", "tool output: gpg", pgp,
        f"$ gpg --export-secret-keys --armor release@acme.io\n-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{pgp}\n={v.b64(3)}\n-----END PGP PRIVATE KEY BLOCK-----\n")
    ppk_pub, ppk_priv = v.pem(51), v.pem(90)
    add("putty_private_key", "tool output: cat .ppk", ppk_priv,
        f"$ cat deploy.ppk\nPuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy@acme\nPublic-Lines: 2\n{ppk_pub}\nPrivate-Lines: 1\n{ppk_priv}\nPrivate-MAC: {v.hex(64)}\n")
    age = "AGE-SECRET-KEY-1" + v.pick("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)
    add("age_secret_key", "tool output: age-keygen", age,
        f"$ age-keygen\n# created: 2026-12-07T18:02:11Z\n# public key: age1{v.pick('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n{age}\n")
    wg = v.b64(32)
    add("wireguard_private_key", "config: ini", wg,
        f"[Interface]\nPrivateKey = {wg}\nAddress = 10.8.0.2/24\n\n[Peer]\nPublicKey = {v.b64(32)}\nEndpoint = vpn.acme.io:51820\n")
    x509k = v.pem(1190)
    add("rsa_private_key", "tool output: kubectl get secret tls -o yaml", b64s(f"-----BEGIN RSA PRIVATE KEY-----\n{x509k}\n-----END RSA PRIVATE KEY-----\n"),
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata:\n  name: shop-tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM=\n"
        f"  tls.key: {b64s(f'-----BEGIN RSA PRIVATE KEY-----{chr(10)}{x509k}{chr(10)}-----END RSA PRIVATE KEY-----{chr(10)}')}\n")

    # ---- tokens, JWTs, sessions, signing keys
    jwt1 = v.jwt({"sub": "user_8812", "role": "admin", "iat": 1765100000, "exp": 1765186400})
    add("jwt", "tool output: curl -v", jwt1,
        f"* Connected to api.acme.io (10.0.4.12) port 443\n> GET /v1/orders HTTP/1.1\n> Host: api.acme.io\n> Authorization: Bearer {jwt1}\n>\n< HTTP/1.1 200 OK\n")
    jwt2 = v.jwt({"iss": "supabase", "ref": v.lower(20), "role": "service_role", "iat": 1735000000, "exp": 2050576000})
    add("supabase_service_role_key", "config: .env", jwt2, f"SUPABASE_URL=https://{v.lower(20)}.supabase.co\nSUPABASE_SERVICE_ROLE_KEY={jwt2}\n")
    jwt3 = v.jwt({"sub": "42", "scope": "orders:write", "exp": 1765186400})
    add("jwt", "user prose", jwt3, f"the token from localStorage is {jwt3}\nit expires in an hour so be quick lol")
    rmk = v.hex(32)
    add("rails_master_key", "tool output: cat config/master.key", rmk, f"$ cat config/master.key\n{rmk}\n$ bin/rails credentials:edit\n")
    add("rails_master_key", "config: github actions env", (rmk2 := v.hex(32)), f"    env:\n      RAILS_ENV: production\n      RAILS_MASTER_KEY: {rmk2}\n")
    dj = v.pick(string.ascii_lowercase + string.digits + "!@#$%^&*(-_=+)", 50)
    add("django_secret_key", "code: python settings", dj, f"DEBUG = False\nSECRET_KEY = '{dj}'\nALLOWED_HOSTS = ['shop.acme.io']\n")
    fl = v.hex(48)
    add("flask_secret_key", "code: python", fl, f"app = Flask(__name__)\napp.config['SECRET_KEY'] = '{fl}'\n")
    lv = "base64:" + v.b64(32)
    add("laravel_app_key", "config: .env", lv[7:], f"APP_NAME=Shop\nAPP_ENV=production\nAPP_KEY={lv}\nAPP_DEBUG=false\n")
    js = v.strong(40)
    add("jwt_signing_secret", "config: yaml", js, f"auth:\n  jwt:\n    algorithm: HS256\n    secret: '{js}'\n    ttl: 3600\n")
    na = v.b64(32)
    add("nextauth_secret", "config: .env", na, f"NEXTAUTH_URL=https://shop.acme.io\nNEXTAUTH_SECRET={na}\n")
    ghw = v.hex(40)
    add("github_webhook_secret", "assistant prose", ghw,
        f"Set the webhook secret in the repo settings to `{ghw}` and put the same value in WEBHOOK_SECRET on the server.")
    totp = v.base32(32)
    add("totp_seed", "tool output: otpauth uri", totp,
        f"$ zbarimg qr.png\nQR-Code:otpauth://totp/Acme:jdoe@acme.io?secret={totp}&issuer=Acme&algorithm=SHA1&digits=6&period=30\n")
    totp2 = " ".join(v.base32(4).lower() for _ in range(8))
    add("totp_seed", "user prose", totp2, f"the 2fa setup key they showed me is {totp2} — can you put it in the password manager script?")
    codes = "\n".join(f"{v.hex(5)}-{v.hex(5)}" for _ in range(8))
    add("recovery_codes", "tool output: cat", codes, f"$ cat ~/Downloads/github-recovery-codes.txt\n{codes}\n")
    sid = "s%3A" + v.urlsafe(24) + "." + v.urlsafe(32)
    add("session_cookie", "tool output: curl -v", sid,
        f"< HTTP/1.1 302 Found\n< Location: /dashboard\n< Set-Cookie: connect.sid={sid}; Path=/; HttpOnly; Secure\n< Content-Length: 28\n")
    rsess = v.hex(32)
    add("session_cookie", "tool-call args", rsess,
        call("shell", command=f"curl -s -b '_shop_session={rsess}; locale=de' https://shop.acme.io/account/orders"))
    unk1 = v.alnum(48)
    add("unknown_bearer_token", "tool output: curl -v", unk1,
        f"> POST /v2/ingest HTTP/2\n> Host: api.tracklytics.dev\n> x-api-key: {unk1}\n> content-type: application/json\n")
    unk2 = v.urlsafe(30)
    add("unknown_vendor_api_key", "config: .env", unk2, f"FOOBAR_ANALYTICS_API_KEY={unk2}\nFOOBAR_ANALYTICS_REGION=eu\n")
    unk3 = v.hex(64)
    add("unknown_vendor_secret", "config: shell export", unk3, f"export WIDGETCO_CLIENT_SECRET={unk3}\n")
    unk4 = v.alnum(36)
    add("unknown_vendor_token", "config: yaml", unk4, f"integrations:\n  quillhub:\n    endpoint: https://api.quillhub.io\n    token: {unk4}\n")
    unk5 = v.pick(string.ascii_letters + string.digits + "+/", 44)
    add("unknown_vendor_signing_key", "config: toml", unk5, f'[webhooks.partner]\nsigning_key = "{unk5}"\nurl = "https://partner.example/hook"\n')
    unk6 = v.alnum(32)
    add("unknown_vendor_access_token", "code: python", unk6, f'HEADERS = {{"X-Access-Token": "{unk6}", "Accept": "application/json"}}\n')
    enck = v.hex(64)
    add("encryption_key", "config: .env", enck, f"FIELD_ENCRYPTION_KEY={enck}\n")
    hmac = v.b64(48)
    add("hmac_secret", "config: java properties", hmac, f"security.hmac.secret={hmac}\nsecurity.hmac.algorithm=HmacSHA256\n")
    basic_user, basic_pw = "svc-report", v.password()
    basic = b64s(f"{basic_user}:{basic_pw}")
    add("basic_auth_header", "tool output: curl -v", basic, f"> GET /reports/daily.csv HTTP/1.1\n> Host: intranet.acme.io\n> Authorization: Basic {basic}\n")
    dcfg = b64s(f"acmebuild:{v.strong(24)}")
    add("docker_config_auth", "tool output: cat ~/.docker/config.json", dcfg,
        '$ cat ~/.docker/config.json\n{\n\t"auths": {\n\t\t"registry.acme.io": {\n\t\t\t"auth": "' + dcfg + '"\n\t\t}\n\t}\n}\n')
    kcd = b64s(f"-----BEGIN EC PRIVATE KEY-----\n{v.pem(121)}\n-----END EC PRIVATE KEY-----\n")
    add("kubeconfig_client_key_data", "tool output: kubectl config view --raw", kcd,
        f"users:\n- name: admin@prod\n  user:\n    client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n    client-key-data: {kcd}\n")
    kct = v.jwt({"iss": "kubernetes/serviceaccount", "sub": "system:serviceaccount:ci:deployer"})
    add("kubeconfig_token", "config: kubeconfig", kct, f"users:\n- name: ci-deployer\n  user:\n    token: {kct}\ncontexts: []\n")
    k8pw = v.password()
    add("k8s_secret_data_password", "tool output: kubectl get secret -o yaml", b64s(k8pw),
        f"apiVersion: v1\ndata:\n  password: {b64s(k8pw)}\n  username: {b64s('shop')}\nkind: Secret\nmetadata:\n  name: db-creds\n  namespace: shop\ntype: Opaque\n")
    k8url = f"postgresql://shop:{v.strong(18)}@db.shop.svc:5432/shop"
    add("k8s_secret_data_database_url", "config: kubernetes secret", b64s(k8url),
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop-env\ndata:\n  DATABASE_URL: {b64s(k8url)}\n  LOG_LEVEL: {b64s('info')}\n")
    anv = v.password()
    add("ansible_become_password", "config: ini inventory", anv,
        f"[web]\nweb1.acme.io ansible_user=deploy ansible_become_password='{anv}'\n")
    wpa = v.password()
    add("wifi_psk", "config: wpa_supplicant", wpa, f'network={{\n    ssid="Acme-Office"\n    psk="{wpa}"\n    key_mgmt=WPA-PSK\n}}\n')
    snmp = v.strong(16)
    add("snmp_community", "config: snmpd.conf", snmp, f"sysLocation  rack 4\nrocommunity {snmp} 10.0.0.0/8\n")
    mvn = v.password()
    add("maven_settings_password", "config: xml", mvn,
        f"<settings>\n  <servers>\n    <server>\n      <id>acme-releases</id>\n      <username>ci</username>\n      <password>{mvn}</password>\n    </server>\n  </servers>\n</settings>\n")
    gr = v.strong(24)
    add("gradle_properties_password", "config: java properties", gr, f"org.gradle.jvmargs=-Xmx2g\nsigningPassword={gr}\nossrhUsername=acme\n")
    comp = "ghp_" + v.alnum(36)
    add("composer_auth_token", "config: json", comp, '{\n    "github-oauth": {\n        "github.com": "' + comp + '"\n    }\n}\n')

    # ---- connection strings
    for scheme, host, port, db, kind in [
        ("postgresql", "db.acme.internal", 5432, "shop", "conn_postgres"),
        ("mysql", "mysql-primary", 3306, "orders", "conn_mysql"),
        ("mongodb+srv", "cluster0.x1y2z.mongodb.net", None, "app", "conn_mongodb"),
        ("redis", "cache.acme.internal", 6379, "0", "conn_redis"),
        ("amqp", "rabbit.acme.internal", 5672, "%2F", "conn_amqp"),
        ("ftp", "files.acme.io", 21, "upload", "conn_ftp"),
        ("smtps", "smtp.mailhost.io", 465, "", "conn_smtp"),
        ("mssql+pyodbc", "sql01.acme.local", 1433, "erp?driver=ODBC+Driver+18", "conn_sqlalchemy_mssql"),
        ("clickhouse", "ch.acme.internal", 9000, "events", "conn_clickhouse"),
        ("https", "elastic.acme.io", 9200, "", "conn_elasticsearch"),
    ]:
        pw = v.password() if v.r.random() < 0.5 else v.strong(18).replace("%", "")
        hostport = host if port is None else f"{host}:{port}"
        url = f"{scheme}://app_user:{pw}@{hostport}/{db}"
        ctx = v.r.choice(["config: .env", "tool output: stack trace", "tool-call args", "config: yaml", "assistant prose"])
        if ctx == "config: .env":
            text = f"DATABASE_URL={url}\nPOOL_SIZE=10\n" if kind != "conn_redis" else f"REDIS_URL={url}\n"
        elif ctx == "tool output: stack trace":
            text = (f"sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed\n"
                    f"[engine url: {url}]\n(Background on this error at: https://sqlalche.me/e/20/e3q8)\n")
        elif ctx == "tool-call args":
            text = call("shell", command=f"python manage.py check --database-url '{url}'")
        elif ctx == "config: yaml":
            text = f"storage:\n  url: {url}\n  retries: 3\n"
        else:
            text = f"Connecting with `{url}` works from your laptop, so the firewall is the issue, not the credentials."
        add(kind, ctx, pw, text)
    jdbcpw = v.password()
    add("conn_jdbc", "config: java properties", jdbcpw,
        f"spring.datasource.url=jdbc:postgresql://db:5432/shop?user=shop&password={jdbcpw}&sslmode=require\nspring.jpa.hibernate.ddl-auto=validate\n")
    adopw = v.password()
    add("conn_adonet", "config: json appsettings", adopw,
        '{\n  "ConnectionStrings": {\n    "Default": "Server=tcp:sql01.acme.local,1433;Database=Erp;User Id=erp_app;Password=' + adopw + ';Encrypt=True;"\n  }\n}\n')
    ldpw = v.password()
    add("ldap_bind_password", "config: yaml", ldpw,
        f"ldap:\n  url: ldaps://dc1.acme.local:636\n  bind_dn: CN=svc-git,OU=Service,DC=acme,DC=local\n  bind_password: {ldpw}\n")
    odbc = v.password()
    add("conn_odbc", "config: ini", odbc, f"[ERP]\nDriver=ODBC Driver 18 for SQL Server\nServer=sql01.acme.local\nUID=report\nPWD={odbc}\n")
    snow = v.password()
    add("conn_snowflake", "code: python", snow,
        f"engine = create_engine(\n    'snowflake://analyst:{snow}@acme-xy12345/analytics/public?warehouse=WH'\n)\n")

    # ---- credentials on command lines
    my = v.password()
    add("cli_mysql_p", "shell history", my, f"  311  mysql -u root -p{my} -h 127.0.0.1 shop < dump.sql\n  312  ls\n")
    add("cli_mysql_p", "tool-call args", (my2 := v.strong(16)), call("shell", command=f"mysqldump -uroot --password={my2} orders > /tmp/orders.sql"))
    pg = v.password()
    add("cli_pgpassword_env", "tool-call args", pg, call("shell", command=f"PGPASSWORD={pg} psql -h db.acme.internal -U shop -c 'select 1'"))
    add("cli_pgpassword_env", "tool output: ci log", (pg2 := v.strong(20)),
        f"Run PGPASSWORD='{pg2}' pg_dump -h $DB_HOST -U backup shop > backup.sql\n  pg_dump: dumping contents of table public.orders\n")
    rc = v.strong(24)
    add("cli_redis_cli_a", "shell history", rc, f"redis-cli -h cache.acme.internal -a '{rc}' --no-auth-warning INFO keyspace\n")
    dl = v.strong(22)
    add("cli_docker_login_p", "tool-call args", dl, call("shell", command=f"docker login registry.acme.io -u ci -p {dl}"))
    sp = v.password()
    add("cli_sshpass", "shell history", sp, f"  77  sshpass -p '{sp}' ssh -o StrictHostKeyChecking=no root@10.0.3.14\n")
    add("cli_sshpass", "tool-call args", (sp2 := v.password()), call("shell", command=f"sshpass -p {sp2} scp build.tar.gz deploy@web1:/srv/"))
    cu = v.password()
    add("cli_curl_user", "tool-call args", cu, call("shell", command=f"curl -u admin:{cu} -X POST https://jenkins.acme.io/job/shop/build"))
    add("cli_curl_user", "user prose", (cu2 := v.password()), f"I ran curl -u jdoe:{cu2} https://nexus.acme.io/service/rest/v1/status and it gives 401??")
    nu = v.password()
    add("cli_net_use", "tool output: powershell", nu,
        f"PS C:\\> net use Z: \\\\fs01\\shared {nu} /user:ACME\\jdoe /persistent:no\nThe command completed successfully.\n")
    mp = v.password()
    add("cli_mongosh_p", "tool-call args", mp, call("shell", command=f"mongosh 'mongodb://db1:27017/app' -u app -p '{mp}' --eval 'db.stats()'"))
    ht = v.password()
    add("cli_htpasswd_b", "shell history", ht, f"htpasswd -b -c /etc/nginx/.htpasswd grafana '{ht}'\n")
    osl = v.strong(20)
    add("cli_openssl_pass", "tool-call args", osl,
        call("shell", command=f"openssl pkcs12 -export -in cert.pem -inkey key.pem -out bundle.p12 -passout pass:{osl}"))
    azp = v.password()
    add("cli_az_login_password", "shell history", azp, f"az login -u deploy@acme.onmicrosoft.com -p '{azp}'\n")
    gen_pw = v.strong(20)
    add("cli_password_flag", "tool output: ps aux", gen_pw,
        f"$ ps aux | grep backup\nroot  4412  0.3  1.1 backup-agent --server=backup.acme.io --user=ops --password={gen_pw} --daily\n")
    smb = v.password()
    add("cli_smbclient", "tool-call args", smb, call("shell", command=f"smbclient //fs01/finance -U 'ACME\\jdoe%{smb}' -c 'ls'"))
    wget = v.password()
    add("cli_wget_password", "shell history", wget, f"wget --user=release --password='{wget}' https://artifacts.acme.io/shop-2.4.tar.gz\n")
    git_url = v.strong(18).replace("%", "").replace("@", "").replace("#", "")
    add("cli_git_clone_credentials", "tool-call args", git_url,
        call("shell", command=f"git clone https://deploy:{git_url}@git.acme.io/infra/terraform.git"))
    ipmi = v.password()
    add("cli_ipmitool_p", "shell history", ipmi, f"ipmitool -I lanplus -H 10.0.9.21 -U ADMIN -P '{ipmi}' chassis power status\n")

    # ---- credential files
    netrc = v.password()
    add("netrc_password", "tool output: cat ~/.netrc", netrc, f"$ cat ~/.netrc\nmachine api.heroku.com\n  login jdoe@acme.io\n  password {netrc}\nmachine git.acme.io login deploy password {v.strong(20)}\n")
    pgp_line = v.password()
    add("pgpass_line", "tool output: cat ~/.pgpass", pgp_line, f"$ cat ~/.pgpass\ndb.acme.internal:5432:shop:shop_app:{pgp_line}\n")
    pgp_line2 = v.strong(20).replace(":", "")
    add("pgpass_line", "tool-call args", pgp_line2,
        call("write_file", path="/home/dev/.pgpass", content=f"*:5432:*:analytics:{pgp_line2}\n"))
    pipc = v.password()
    add("pip_conf_credentials", "config: pip.conf", pipc,
        f"[global]\nextra-index-url = https://pypi-user:{pipc}@pypi.acme.io/simple/\n")
    npma = b64s(f"ci:{v.strong(16)}")
    add("npmrc_auth_basic", "config: npmrc", npma, f"registry=https://nexus.acme.io/repository/npm/\n_auth={npma}\nemail=ci@acme.io\n")
    htp = v.password()
    add("git_diff_config_password", "tool output: git diff", htp,
        f"diff --git a/config/database.yml b/config/database.yml\nindex 3e1f2a9..b7c44d0 100644\n--- a/config/database.yml\n+++ b/config/database.yml\n"
        f"@@ -4,7 +4,7 @@ production:\n   adapter: postgresql\n   host: db.acme.internal\n   username: shop\n-  password: <%= ENV['DB_PASSWORD'] %>\n+  password: {htp}\n   pool: 10\n")
    htp2 = v.strong(26)
    add("git_diff_env_secret", "tool output: git show", htp2,
        f"commit {v.hex(40)}\nAuthor: J Doe <jdoe@acme.io>\n\n    temp: hardcode key for demo\n\ndiff --git a/.env b/.env\n--- a/.env\n+++ b/.env\n@@ -1,2 +1,3 @@\n APP_ENV=staging\n+PAYMENTS_SECRET={htp2}\n LOG_LEVEL=info\n")
    comp2 = v.password()
    add("docker_compose_password", "config: docker-compose", comp2,
        f"services:\n  db:\n    image: postgres:16\n    environment:\n      POSTGRES_USER: shop\n      POSTGRES_PASSWORD: {comp2}\n")
    tfv = v.password()
    add("terraform_tfvars_password", "config: terraform tfvars", tfv, f'db_username = "admin"\ndb_password = "{tfv}"\ninstance_class = "db.t3.medium"\n')
    iniw = v.password()
    add("ini_password", "config: ini", iniw, f"[database]\nhost = localhost\nuser = wp\npassword = {iniw}\n")
    xmlpw = v.password()
    add("xml_attribute_password", "config: xml", xmlpw,
        f'<Resource name="jdbc/shop" auth="Container" type="javax.sql.DataSource"\n          username="shop" password="{xmlpw}" url="jdbc:mysql://db:3306/shop"/>\n')
    phpw = v.password()
    add("php_config_password", "code: php", phpw, f"<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\ndefine( 'DB_PASSWORD', '{phpw}' );\n")
    tomlpw = v.password()
    add("toml_password", "config: toml", tomlpw, f'[database]\nhost = "127.0.0.1"\nuser = "app"\npassword = "{tomlpw}"\n')
    jsonpw = v.password()
    add("json_password", "tool-call args", jsonpw,
        call("write_file", path="config/local.json", content=json.dumps({"db": {"user": "app", "password": jsonpw}}, indent=2)))

    # ---- passwords in prose, several languages
    for lang, sentence in [
        ("en", "the db password is {p} btw, dont commit it"),
        ("en", "Login for the staging admin panel: user admin, pass {p}"),
        ("de", "Das Passwort für den Server lautet {p}, bitte nicht weitergeben."),
        ("fr", "Le mot de passe de la base est {p} — je le change demain."),
        ("es", "La contraseña del router es {p}, la cambié ayer."),
        ("pt", "A senha do banco de dados é {p}"),
        ("it", "la password di root è {p} ma funziona solo da VPN"),
        ("nl", "Het wachtwoord van de NAS is {p}"),
        ("pl", "Hasło do serwera to {p}"),
        ("sv", "lösenordet till wifi:t är {p}"),
        ("ru", "Пароль от сервера: {p}"),
        ("ja", "サーバーのパスワードは {p} です"),
        ("zh", "数据库密码是 {p}，别外传"),
    ]:
        pw = v.password()
        add(f"prose_password_{lang}" if lang != "en" else "prose_password_en", "user prose", pw, sentence.replace("{p}", pw))
    pw = v.password()
    add("prose_password_assistant", "assistant prose", pw,
        f"I've reset the account. The temporary password is {pw}; you'll be asked to change it at the first login.")
    return items


def build_lookalikes(v: Values) -> list[dict]:
    items: list[dict] = []

    def add(name: str, context: str, text: str) -> None:
        assert name not in {x["name"] for x in items}, name
        items.append({"name": name, "context": context, "text": text})

    # ---- git SHAs, short and long
    for i in range(6):
        add(f"git log oneline {i}", "tool output: git log",
            "$ git log --oneline -4\n" + "".join(f"{v.hex(7)} {m}\n" for m in ["fix typo in README", "bump deps", "add retry to uploader", "Merge pull request #88 from acme/fix-ci"]))
    for i in range(4):
        add(f"git log full sha {i}", "tool output: git log",
            f"commit {v.hex(40)}\nAuthor: Jane Doe <jane@acme.io>\nDate:   Mon Dec 7 10:{10 + i}:00 2026 +0100\n\n    refactor: split the uploader\n")
    for i in range(3):
        add(f"git diff index line {i}", "tool output: git diff",
            f"diff --git a/src/app.py b/src/app.py\nindex {v.hex(7)}..{v.hex(7)} 100644\n--- a/src/app.py\n+++ b/src/app.py\n@@ -1,3 +1,3 @@\n-VERSION = '1.{i}.0'\n+VERSION = '1.{i}.1'\n")
    add("git rev-parse HEAD", "tool-call args", call("shell", command=f"git checkout {v.hex(40)} && git rev-parse HEAD"))
    add("git blame", "tool output: git blame", "".join(f"{v.hex(8)} (Jane Doe 2026-11-0{k} {k + 10}) line {k}\n" for k in range(1, 5)))
    add("assistant cites commit", "assistant prose", f"The regression came in with {v.hex(12)} (\"cache the token lookup\"); reverting that commit fixes it.")
    add("github commit url", "user prose", f"see https://github.com/acme/shop/commit/{v.hex(40)} for the change that broke it")
    add("ci log checkout sha", "tool output: ci log", f"Run actions/checkout@v4\n  HEAD is now at {v.hex(7)} chore: release 2.4.1\n  GITHUB_SHA={v.hex(40)}\n")
    add("git reflog", "tool output: git reflog", "".join(f"{v.hex(7)} HEAD@{{{k}}}: commit: wip {k}\n" for k in range(4)))
    add("go.sum pseudo-version", "config: go.sum", f"golang.org/x/sys v0.0.0-20240110-{v.hex(12)} h1:{v.b64(32)}\n")

    # ---- UUIDs and ids
    for i in range(4):
        add(f"request id header {i}", "tool output: curl -v", f"< HTTP/2 500\n< content-type: application/json\n< x-request-id: {v.uuid()}\n< date: Mon, 07 Dec 2026 10:00:0{i} GMT\n")
    add("trace id in log", "tool output: app log", f"2026-12-07T10:11:12Z ERROR trace_id={v.hex(32)} span_id={v.hex(16)} upstream timed out\n")
    add("order uuid in prose", "user prose", f"order {v.uuid()} was charged twice, can you look at the logs?")
    add("k8s uid", "tool output: kubectl get pod -o yaml", f"metadata:\n  name: web-7d9f\n  namespace: shop\n  uid: {v.uuid()}\n  resourceVersion: \"889123\"\n")
    add("terraform state lineage", "tool output: cat terraform.tfstate", f'{{\n  "version": 4,\n  "terraform_version": "1.9.5",\n  "serial": 42,\n  "lineage": "{v.uuid()}"\n}}\n')
    add("uuid in sql", "tool-call args", call("sql", query=f"SELECT * FROM orders WHERE id = '{v.uuid()}'"))
    add("correlation id json log", "tool output: app log", json.dumps({"level": "info", "msg": "order placed", "correlation_id": v.uuid(), "ms": 41}) + "\n")
    add("aws request id", "tool output: aws cli", f"An error occurred (AccessDenied) when calling the GetObject operation. RequestId: {v.upper(16)} HostId: {v.b64(56)}\n")
    add("docker container id", "tool output: docker ps", f"$ docker ps --no-trunc -q\n{v.hex(64)}\n{v.hex(64)}\n")
    add("docker short ids", "tool output: docker ps", f"CONTAINER ID   IMAGE          STATUS\n{v.hex(12)}   postgres:16    Up 2 hours\n{v.hex(12)}   redis:7        Up 2 hours\n")
    add("stripe object ids", "assistant prose", f"The charge ch_{v.alnum(24)} belongs to customer cus_{v.alnum(14)}; refund it from the dashboard.")
    add("slack channel ids", "config: yaml", f"slack:\n  channel_id: C{v.upper(10)}\n  user_id: U{v.upper(10)}\n")
    add("aws arn", "tool output: aws cli", '{\n    "Arn": "arn:aws:iam::123456789012:role/ci-deployer",\n    "RoleId": "AROA' + v.upper(17) + '"\n}\n')
    add("google doc url", "user prose", f"the spec is here https://docs.google.com/document/d/{v.pick(string.ascii_letters + string.digits + '_-', 44)}/edit")

    # ---- lock-file and content hashes
    for i in range(4):
        add(f"package-lock integrity {i}", "config: package-lock.json",
            f'    "node_modules/lib{i}": {{\n      "version": "4.{i}.2",\n      "resolved": "https://registry.npmjs.org/lib{i}/-/lib{i}-4.{i}.2.tgz",\n      "integrity": "sha512-{v.b64(64)}"\n    }},\n')
    add("yarn.lock checksum", "config: yarn.lock", f'"left-pad@^1.3.0":\n  version "1.3.0"\n  resolved "https://registry.yarnpkg.com/left-pad/-/left-pad-1.3.0.tgz#{v.hex(40)}"\n  integrity sha1-{v.b64(20)}\n')
    add("pnpm lock resolution", "config: pnpm-lock.yaml", f"  /chalk@5.3.0:\n    resolution: {{integrity: sha512-{v.b64(64)}}}\n    engines: {{node: ^12.17.0}}\n")
    add("cargo lock checksum", "config: Cargo.lock", f'[[package]]\nname = "serde"\nversion = "1.0.210"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{v.hex(64)}"\n')
    add("poetry lock hashes", "config: poetry.lock", f'files = [\n    {{file = "requests-2.32.3-py3-none-any.whl", hash = "sha256:{v.hex(64)}"}},\n]\n')
    add("pip requirements hash", "config: requirements.txt", f"requests==2.32.3 \\\n    --hash=sha256:{v.hex(64)} \\\n    --hash=sha256:{v.hex(64)}\n")
    add("nix hash", "config: nix", f'src = fetchFromGitHub {{\n  owner = "acme";\n  repo = "tool";\n  rev = "v1.2.0";\n  hash = "sha256-{v.b64(32)}";\n}};\n')
    add("subresource integrity", "code: html", f'<script src="https://cdn.jsdelivr.net/npm/alpinejs@3.14.1/dist/cdn.min.js" integrity="sha384-{v.b64(48)}" crossorigin="anonymous"></script>\n')
    add("go.sum line", "config: go.sum", f"github.com/spf13/cobra v1.8.1 h1:{v.b64(32)}\ngithub.com/spf13/cobra v1.8.1/go.mod h1:{v.b64(32)}\n")
    add("webpack hashed filenames", "tool output: build", f"dist/assets/index-{v.hex(8)}.js   142.31 kB\ndist/assets/index-{v.hex(8)}.css   12.04 kB\n")
    add("gradle verification metadata", "config: xml", f'<component group="com.google.guava" name="guava" version="33.0.0-jre">\n  <artifact name="guava-33.0.0-jre.jar">\n    <sha256 value="{v.hex(64)}" origin="Generated by Gradle"/>\n  </artifact>\n</component>\n')

    # ---- docker digests, checksums
    for i in range(3):
        add(f"docker image digest {i}", "tool output: docker pull",
            f"$ docker pull python:3.11-slim\n3.11-slim: Pulling from library/python\nDigest: sha256:{v.hex(64)}\nStatus: Downloaded newer image for python:3.11-slim\n")
    add("compose pinned digest", "config: docker-compose", f"services:\n  web:\n    image: nginx@sha256:{v.hex(64)}\n    ports: ['8080:80']\n")
    add("k8s image digest", "config: yaml", f"containers:\n  - name: api\n    image: ghcr.io/acme/api@sha256:{v.hex(64)}\n")
    add("sha256sum output", "tool output: sha256sum", f"$ sha256sum dist/*\n{v.hex(64)}  dist/shop-2.4.1.tar.gz\n{v.hex(64)}  dist/shop-2.4.1-py3-none-any.whl\n")
    add("md5sum output", "tool output: md5sum", f"$ md5sum backup.sql\n{v.hex(32)}  backup.sql\n")
    add("shasum in prose", "assistant prose", f"The download matches: SHA-256 {v.hex(64)} is what the release page lists.")
    add("etag header", "tool output: curl -I", f'HTTP/2 200\ncontent-type: application/zip\netag: "{v.hex(32)}"\nlast-modified: Sat, 05 Dec 2026 08:00:00 GMT\n')
    add("s3 etag listing", "tool output: aws s3api", '{\n    "Key": "reports/2026/11/summary.pdf",\n    "ETag": "\\"' + v.hex(32) + '\\"",\n    "Size": 48122\n}\n')
    add("git lfs pointer", "tool output: cat", f"version https://git-lfs.github.com/spec/v1\noid sha256:{v.hex(64)}\nsize 1048576\n")
    add("terraform lock hashes", "config: .terraform.lock.hcl", f'provider "registry.terraform.io/hashicorp/aws" {{\n  version = "5.70.0"\n  hashes = [\n    "h1:{v.b64(32)}",\n    "zh:{v.hex(64)}",\n  ]\n}}\n')
    add("gpg key fingerprint", "tool output: gpg --list-keys", f"pub   ed25519 2025-01-10 [SC]\n      {v.hex(40).upper()}\nuid           [ultimate] Release Bot <release@acme.io>\n")
    add("ssh host key fingerprint", "tool output: ssh", f"The authenticity of host 'web1 (10.0.3.14)' can't be established.\nED25519 key fingerprint is SHA256:{v.b64(32).rstrip('=')}.\n")
    add("tls cert fingerprint", "tool output: openssl x509", f"SHA256 Fingerprint={':'.join(v.hex(2).upper() for _ in range(32))}\n")

    # ---- versions under token/key names
    add("token version field", "config: yaml", "auth:\n  token_version: 3.2.1\n  key_rotation_days: 90\n")
    add("api key header version", "config: json", '{"api_key_version": "2024-06-20", "stripe_api_version": "2024-06-20"}\n')
    add("secret scanner version", "tool output: pip list", "Package          Version\n---------------- -------\ndetect-secrets   1.5.0\nkeyring          25.4.1\npyjwt            2.9.0\n")
    add("tokenizer settings", "config: json", '{\n  "tokenizer_class": "LlamaTokenizer",\n  "max_tokens": 4096,\n  "bos_token": "<s>",\n  "eos_token": "</s>"\n}\n')
    add("password policy", "config: yaml", "password_policy:\n  min_length: 12\n  require_symbols: true\n  max_age_days: 90\n")
    add("key count setting", "config: toml", "[cache]\nmax_keys = 100000\nkey_prefix = \"shop:\"\nttl_seconds = 600\n")
    add("token usage", "tool output: app log", "usage: prompt_tokens=1841 completion_tokens=312 total_tokens=2153\n")

    # ---- public keys and certificates
    for i in range(3):
        add(f"ssh-ed25519 public key {i}", "tool output: cat id_ed25519.pub", f"$ cat ~/.ssh/id_ed25519.pub\nssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{v.b64(32)[:43]} dev{i}@laptop\n")
    add("ssh-rsa authorized_keys", "config: authorized_keys", f"ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQ{v.b64(380)} deploy@ci\n")
    add("pem public key", "tool output: openssl", f"$ openssl rsa -in key.pem -pubout\nwriting RSA key\n-----BEGIN PUBLIC KEY-----\n{v.pem(294)}\n-----END PUBLIC KEY-----\n")
    add("pem certificate", "tool output: cat", f"$ cat chain.pem\n-----BEGIN CERTIFICATE-----\n{v.pem(900)}\n-----END CERTIFICATE-----\n")
    add("pgp public key block", "user prose", f"my public key for the release signing:\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n{v.pem(400)}\n-----END PGP PUBLIC KEY BLOCK-----\n")
    add("age public recipient", "config: .sops.yaml", f"creation_rules:\n  - path_regex: secrets/.*\\.yaml\n    age: age1{v.pick('qpzry9x8gf2tvdw0s3jn54khce6mua7l', 58)}\n")
    add("wireguard public key", "config: ini", f"[Peer]\nPublicKey = {v.b64(32)}\nAllowedIPs = 10.8.0.0/24\nEndpoint = vpn.acme.io:51820\n")
    add("known_hosts line", "config: known_hosts", f"github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{v.b64(32)[:43]}\n")
    add("jwks public", "tool output: curl", json.dumps({"keys": [{"kty": "RSA", "kid": v.hex(16), "use": "sig", "e": "AQAB", "n": v.urlsafe(256)}]}) + "\n")

    # ---- placeholders in docs and examples
    for i, (ctx, text) in enumerate([
        ("docs: readme", "Set your key first:\n\n    export OPENAI_API_KEY=<your-api-key>\n"),
        ("docs: readme", "```yaml\nslack:\n  token: xoxb-xxxxxxxxxxxx-xxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx\n```\n"),
        ("config: .env.example", "DATABASE_URL=postgresql://user:password@localhost:5432/dbname\nSECRET_KEY=changeme\n"),
        ("config: .env.example", "STRIPE_SECRET_KEY=sk_test_...\nSTRIPE_WEBHOOK_SECRET=whsec_...\n"),
        ("docs: readme", "Replace `YOUR_TOKEN_HERE` with the token from the settings page.\n"),
        ("config: yaml", "auth:\n  api_key: \"REPLACE_ME\"\n  secret: \"<secret>\"\n"),
        ("assistant prose", "Put the token in `~/.config/gh/hosts.yml` as `oauth_token: <token>` — never paste the real value here."),
        ("tool output: masked", "Run ./deploy.sh\n  API_TOKEN: ***\n  DB_PASSWORD: ***\n"),
        ("docs: readme", "curl -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/me\n"),
        ("docs: readme", "Default login is admin / admin; change it after the first start.\n"),
        ("config: json", '{"apiKey": "", "password": null, "token": "TODO"}\n'),
        ("tool output: masked", "password: ********\napi_key: ••••••••\n"),
    ]):
        add(f"placeholder {i}", ctx, text)

    # ---- references to secrets, not secrets
    for i, (ctx, text) in enumerate([
        ("config: github actions env", "    env:\n      NPM_TOKEN: ${{ secrets.NPM_TOKEN }}\n      AWS_SECRET_ACCESS_KEY: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n"),
        ("config: shell", 'curl -H "Authorization: Bearer $API_KEY" "$BASE_URL/items"\n'),
        ("code: python", 'api_key = os.environ["OPENAI_API_KEY"]\npassword = os.getenv("DB_PASSWORD")\n'),
        ("code: javascript", "const secret = process.env.JWT_SECRET;\nconst token = process.env.GITHUB_TOKEN ?? '';\n"),
        ("config: docker-compose", "    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it in .env}\n"),
        ("config: helm template", "        - name: DB_PASSWORD\n          value: {{ .Values.db.password | quote }}\n"),
        ("config: kubernetes", "        env:\n          - name: API_KEY\n            valueFrom:\n              secretKeyRef:\n                name: api-creds\n                key: api-key\n"),
        ("config: terraform", 'resource "aws_db_instance" "main" {\n  password = var.db_password\n  username = "admin"\n}\n'),
        ("config: ansible", "mysql_root_password: \"{{ vault_mysql_root_password }}\"\n"),
        ("code: python", "conn = psycopg.connect(f\"postgresql://{user}:{password}@{host}/shop\")\n"),
        ("config: yaml", "db:\n  password: !vault |\n    secret/data/shop/db#password\n"),
        ("config: spring", "spring.datasource.password=${DB_PASSWORD}\n"),
        ("code: rust", 'let key = std::env::var("STRIPE_SECRET_KEY").expect("STRIPE_SECRET_KEY not set");\n'),
        ("config: sops", "password: ENC[AES256_GCM,data:,iv:,tag:,type:str]\n"),
    ]):
        add(f"secret reference {i}", ctx, text)

    # ---- paths and key names without values
    add("ssh key path yaml", "config: yaml", "deploy:\n  host: web1.acme.io\n  ssh_private_key_path: ~/.ssh/id_ed25519\n")
    add("ssh config identity file", "config: ssh_config", "Host web1\n  HostName 10.0.3.14\n  User deploy\n  IdentityFile ~/.ssh/deploy_ed25519\n")
    add("tls key path", "config: nginx", "ssl_certificate     /etc/ssl/acme/fullchain.pem;\nssl_certificate_key /etc/ssl/acme/privkey.pem;\n")
    add("password file path", "config: ini", "[backup]\npassword_file = /run/secrets/backup_password\ntoken_file = /var/run/secrets/kubernetes.io/serviceaccount/token\n")
    add("gcp credentials path", "config: .env", "GOOGLE_APPLICATION_CREDENTIALS=/home/dev/keys/shop-prod-sa.json\n")
    add("key names listed", "assistant prose", "You need three variables: STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and DATABASE_URL. Set them in the Render dashboard, not in the repo.")
    add("env var names only", "tool output: printenv names", "$ env | cut -d= -f1 | grep -i -E 'key|token|secret'\nAWS_ACCESS_KEY_ID\nAWS_SECRET_ACCESS_KEY\nGITHUB_TOKEN\n")
    add("kubectl secret list", "tool output: kubectl get secrets", "NAME                  TYPE                                  DATA   AGE\ndb-creds              Opaque                                2      41d\nshop-tls              kubernetes.io/tls                     2      41d\n")
    add("vault path", "user prose", "the key lives at secret/data/shop/stripe in vault, field api_key")
    add("test fixture password word", "code: python", "def test_rejects_short_password(client):\n    resp = client.post('/signup', data={'email': 'a@b.c', 'password': ''})\n    assert resp.status_code == 400\n")
    add("password validator code", "code: python", "def check_password(password: str) -> bool:\n    return len(password) >= 12 and any(c.isdigit() for c in password)\n")
    add("html password input", "code: html", '<label for="password">Password</label>\n<input type="password" id="password" name="password" autocomplete="current-password">\n')
    add("password reset prose", "user prose", "i forgot my password again, how do i reset it on the staging box?")
    add("token type enum", "code: typescript", "export enum TokenType {\n  Access = 'access_token',\n  Refresh = 'refresh_token',\n}\n")
    add("oauth flow description", "assistant prose", "The client exchanges the authorization code for an access token at /oauth/token, then stores the refresh token server-side.")
    add("secret manager cli no value", "tool-call args", call("shell", command="aws secretsmanager describe-secret --secret-id prod/shop/db"))
    add("gh secret set from file", "tool-call args", call("shell", command="gh secret set NPM_TOKEN < ~/.npm-token"))
    add("psql without password", "tool-call args", call("shell", command="psql -h localhost -U postgres -W -d shop"))
    add("mysql prompt for password", "shell history", "mysql -u root -p shop\n")
    add("docker login stdin", "shell history", 'echo "$CR_PAT" | docker login ghcr.io -u acme-bot --password-stdin\n')

    # ---- base64 of non-secret data
    add("configmap base64 binaryData", "config: kubernetes", f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: banner\nbinaryData:\n  banner.txt: {b64s('Welcome to the Acme shop staging cluster. Be nice.')}\n")
    add("data uri small png", "code: css", f".icon {{ background: url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQ{v.b64(60)}); }}\n")
    add("base64 json payload in log", "tool output: app log", f"received event payload={b64s(json.dumps({'event': 'order.created', 'id': 1842, 'total': 42.5}))}\n")
    add("configmap properties base64", "tool output: kubectl get configmap", f"data:\n  app.properties: {b64s('server.port=8080')}\n  LOG_LEVEL: info\n")
    add("base64 readme snippet", "assistant prose", f"`{b64s('hello, world')}` is just \"hello, world\" in base64 — nothing sensitive there.")
    add("email mime base64", "tool output: mail", f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n{b64s('Hi team, the release is out. Notes are on the wiki.')}\n")

    # ---- CSS colours, long ids in URLs, misc
    add("css colours", "code: css", ":root {\n  --brand: #1e88e5;\n  --brand-dark: #0d47a1;\n  --accent: #ffb300;\n  --bg: #fafafa;\n}\n")
    add("tailwind config colours", "code: javascript", "colors: { primary: '#6d28d9', secondary: '#0ea5e9', danger: '#dc2626' }\n")
    add("youtube url", "user prose", f"this talk explains it well https://www.youtube.com/watch?v={v.pick(string.ascii_letters + string.digits + '_-', 11)}&t=300s")
    add("s3 public object key", "assistant prose", f"The public asset is at https://acme-public.s3.amazonaws.com/media/{v.hex(32)}/hero-{v.hex(16)}.jpg and can be cached.")
    add("figma url", "user prose", f"design: https://www.figma.com/file/{v.alnum(22)}/Checkout-flow?node-id=12-40")
    add("npm package tarball url", "tool output: npm", "npm http fetch GET 200 https://registry.npmjs.org/react/-/react-18.3.1.tgz 42ms (cache miss)\n")
    add("ipv6 and mac", "tool output: ip addr", "2: eth0: <BROADCAST,MULTICAST,UP> mtu 1500\n    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff\n    inet6 fe80::42:acff:fe11:2/64 scope link\n")
    add("hex dump", "tool output: xxd", "00000000: 7f45 4c46 0201 0100 0000 0000 0000 0000  .ELF............\n00000010: 0300 3e00 0100 0000 6010 0000 0000 0000  ..>.....`.......\n")
    add("random seed in config", "config: yaml", "training:\n  seed: 1337\n  batch_size: 64\n  learning_rate: 0.0003\n")
    add("long numeric ids", "tool output: api", '{"tweet_id": "1866254123456789012", "user_id": "44196397"}\n')
    add("semver and build metadata", "tool output: cli", "shop-cli 2.4.1+build.20261207.a1b2c3d (linux/amd64)\n")
    add("mongo object ids", "tool output: mongosh", f'[ {{ _id: ObjectId("{v.hex(24)}"), sku: "TSHIRT-M" }}, {{ _id: ObjectId("{v.hex(24)}"), sku: "MUG" }} ]\n')
    add("sentry event id", "tool output: app log", f"Sentry captured event {v.hex(32)} (level=error)\n")
    add("cloudformation stack id", "tool output: aws cli", f'"StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-prod/{v.uuid()}"\n')
    add("npm audit advisory", "tool output: npm audit", "# npm audit report\n\nsemver  <7.5.2\nSeverity: moderate\nsemver vulnerable to Regular Expression Denial of Service - https://github.com/advisories/GHSA-c2qf-rxjj-qqgw\n")
    add("pytest node ids", "tool output: pytest", "FAILED tests/test_auth.py::test_token_refresh[expired-token] - AssertionError\nFAILED tests/test_auth.py::test_password_reset - KeyError: 'token'\n")
    add("jwt library discussion", "assistant prose", "PyJWT's `jwt.decode(token, key, algorithms=[\"HS256\"])` verifies the signature; pass `options={\"verify_exp\": True}` too.")
    add("openapi security scheme", "config: openapi yaml", "components:\n  securitySchemes:\n    ApiKeyAuth:\n      type: apiKey\n      in: header\n      name: X-API-Key\n")
    add("cron with ids", "config: crontab", "0 3 * * * /usr/local/bin/backup --job 8f3c --retain 14\n")
    add("base58 bitcoin tx url", "user prose", f"tx on the explorer: https://mempool.space/tx/{v.hex(64)}")
    add("ulid ids", "tool output: app log", f"job {v.pick('0123456789ABCDEFGHJKMNPQRSTVWXYZ', 26)} finished in 3.2s\n")
    add("nanoid short link", "user prose", f"the short link is https://acme.link/{v.alnum(10)} if anyone needs it")
    add("sha in docker build output", "tool output: docker build", f" => => writing image sha256:{v.hex(64)}\n => => naming to docker.io/acme/api:latest\n")
    add("pip download cache", "tool output: pip", f"Using cached https://files.pythonhosted.org/packages/{v.hex(2)}/{v.hex(2)}/{v.hex(60)}/requests-2.32.3-py3-none-any.whl (64 kB)\n")
    add("python hash randomization", "tool output: python", f">>> import hashlib; hashlib.sha1(b'shop').hexdigest()\n'{v.hex(40)}'\n")
    add("k8s pod names", "tool output: kubectl get pods", f"NAME                        READY   STATUS\napi-{v.lower(10)}-{v.lower(5)}   1/1     Running\nworker-{v.lower(10)}-{v.lower(5)}   1/1     Running\n")
    add("gitlab pipeline ids", "tool output: ci log", f"Running with gitlab-runner 17.5.0 (v17.5.0)\n  on build-01 {v.alnum(8)}, system ID: s_{v.hex(12)}\n")
    return items


def generate() -> tuple[dict, dict]:
    values = Values(VALUE_SEED)
    secrets = build_secrets(values)
    lookalikes = build_lookalikes(values)
    split = random.Random(SPLIT_SEED)
    parts = {"tuning": {"secrets": [], "lookalikes": []}, "heldout": {"secrets": [], "lookalikes": []}}
    for key, items in (("secrets", secrets), ("lookalikes", lookalikes)):
        for item in items:
            parts["heldout" if split.random() < HELDOUT_P else "tuning"][key].append(item)
    return parts["tuning"], parts["heldout"]


def dump(part: dict) -> str:
    return json.dumps(part, ensure_ascii=False, indent=1) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the files with a fresh generation; write nothing")
    args = parser.parse_args()
    tuning, heldout = generate()
    wanted = {"tuning.json": dump(tuning), "heldout.json": dump(heldout)}
    if args.check:
        stale = [n for n, text in wanted.items() if not (HERE / n).is_file() or (HERE / n).read_text(encoding="utf-8") != text]
        if stale:
            print(f"differs from what make_corpus.py writes: {', '.join(stale)}", file=sys.stderr)
            return 1
        print("tuning.json and heldout.json are what make_corpus.py writes")
        return 0
    for name, text in wanted.items():
        (HERE / name).write_text(text, encoding="utf-8")
    for name, part in (("tuning", tuning), ("heldout", heldout)):
        kinds = len({s["kind"] for s in part["secrets"]})
        print(f"{name}: {len(part['secrets'])} secrets of {kinds} kinds, {len(part['lookalikes'])} look-alikes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
