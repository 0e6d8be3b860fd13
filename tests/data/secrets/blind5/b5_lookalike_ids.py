"""Look-alikes from version control, build systems, package managers, containers and clouds:
hashes, digests, ids and cache keys that are random-looking but reveal nothing.

Each entry is (name, maker, count): the maker takes the Draw and returns (context, text).
"""

import base64
import hashlib

from b5_places import tool_call


def git_log_oneline(d):
    lines = [f"{d.hex(7)} {msg}" for msg in ("Fix flaky retry test", "Bump axios to 1.7.9", "Add CSV export", f"Merge pull request #{d.int(400, 499)} from acme/feat")]
    return "tool output: git log --oneline", "$ git log --oneline -4\n" + "\n".join(lines)


def git_log_full(d):
    return "tool output: git log", (
        f"commit {d.sha1()}\nMerge: {d.hex(9)} {d.hex(9)}\nAuthor: Dana Whit <dana@acme.io>\nDate:   Mon Dec 7 14:02:11 2026 +0100\n\n"
        f"    Merge branch 'release/3.{d.int(0, 9)}'\n\ncommit {d.sha1()}\nAuthor: Ren Ito <ren@acme.io>\n"
    )


def rebase_todo(d):
    return "file: git-rebase-todo", "\n".join(f"pick {d.hex(7)} {m}" for m in ("wip", "tests for parser", "fixup lint")) + f"\n\n# Rebase {d.hex(7)}..{d.hex(7)} onto {d.hex(7)} (3 commands)"


def ls_tree(d):
    return "tool output: git ls-tree", "\n".join(f"100644 blob {d.sha1()}\t{name}" for name in ("README.md", "pyproject.toml", "src/app.py"))


def actions_pinned(d):
    return "config: .github/workflows/ci.yml", (
        f"    steps:\n      - uses: actions/checkout@{d.sha1()} # v4.2.2\n      - uses: actions/setup-node@{d.sha1()} # v4.1.0\n"
        f"        with:\n          node-version: 22\n"
    )


def submodule_status(d):
    return "tool output: git submodule status", f" {d.sha1()} vendor/protos (v1.{d.int(2, 9)}.0)\n+{d.sha1()} third_party/fmt (11.0.2-3-g{d.hex(7)})"


def reflog(d):
    return "tool output: git reflog", "\n".join(f"{d.hex(9)} HEAD@{{{i}}}: {m}" for i, m in enumerate(("commit: tidy", "checkout: moving from main to fix/login", "pull: Fast-forward")))


def sha256sum(d):
    return "tool output: sha256sum", "$ sha256sum dist/*\n" + "\n".join(f"{d.sha256()}  dist/{n}" for n in ("app-linux-amd64.tar.gz", "app-darwin-arm64.tar.gz"))


def npm_integrity(d):
    digest = base64.b64encode(d.raw(64)).decode()
    return "file: package-lock.json", (
        f'    "node_modules/lodash": {{\n      "version": "4.17.21",\n      "resolved": "https://registry.npmjs.org/lodash/-/lodash-4.17.21.tgz",\n'
        f'      "integrity": "sha512-{digest}",\n      "license": "MIT"\n    }},'
    )


def yarn_lock(d):
    return "file: yarn.lock", (
        f'"chalk@npm:^5.3.0":\n  version: 5.3.0\n  resolution: "chalk@npm:5.3.0"\n  checksum: 10c0/{d.hex(128)}\n  languageName: node\n'
    )


def pnpm_lock(d):
    return "file: pnpm-lock.yaml", f"  /zod@3.23.8:\n    resolution: {{integrity: sha512-{base64.b64encode(d.raw(64)).decode()}}}\n    dev: false\n"


def go_sum(d):
    return "file: go.sum", (
        f"github.com/google/uuid v1.6.0 h1:{base64.b64encode(d.raw(32)).decode()}\n"
        f"github.com/google/uuid v1.6.0/go.mod h1:{base64.b64encode(d.raw(32)).decode()}"
    )


def cargo_lock(d):
    return "file: Cargo.lock", f'[[package]]\nname = "serde"\nversion = "1.0.215"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\nchecksum = "{d.sha256()}"\n'


def pip_hash(d):
    return "file: requirements.txt", f"requests==2.32.3 \\\n    --hash=sha256:{d.sha256()} \\\n    --hash=sha256:{d.sha256()}"


def poetry_lock(d):
    return "file: poetry.lock", f'files = [\n    {{file = "attrs-24.2.0-py3-none-any.whl", hash = "sha256:{d.sha256()}"}},\n]'


def terraform_lock(d):
    return "file: .terraform.lock.hcl", (
        f'provider "registry.terraform.io/hashicorp/aws" {{\n  version = "5.80.0"\n  hashes = [\n'
        f'    "h1:{base64.b64encode(d.raw(32)).decode()}",\n    "zh:{d.sha256()}",\n  ]\n}}'
    )


def docker_digest(d):
    return "tool output: docker pull", (
        f"$ docker pull node:22-alpine\n22-alpine: Pulling from library/node\n{d.hex(12)}: Pull complete\n{d.hex(12)}: Pull complete\n"
        f"Digest: sha256:{d.sha256()}\nStatus: Downloaded newer image for node:22-alpine"
    )


def docker_images(d):
    return "tool output: docker images", (
        "REPOSITORY          TAG       IMAGE ID       CREATED        SIZE\n"
        f"acme/api            dev       {d.hex(12)}   2 hours ago    412MB\n"
        f"postgres            16        {d.hex(12)}   3 weeks ago    438MB"
    )


def docker_ps(d):
    return "tool output: docker ps", (
        "CONTAINER ID   IMAGE            COMMAND                  STATUS         NAMES\n"
        f"{d.hex(12)}   redis:7          \"docker-entrypoint.s…\"   Up 3 minutes   shop-redis-1"
    )


def buildkit_log(d):
    return "tool output: docker build", (
        f"#5 [internal] load metadata for docker.io/library/python:3.12-slim\n#5 DONE 0.9s\n"
        f"#6 [1/5] FROM docker.io/library/python:3.12-slim@sha256:{d.sha256()}\n"
        f"#6 sha256:{d.sha256()} 3.51MB / 3.51MB 0.4s done\n#9 exporting to image\n#9 writing image sha256:{d.sha256()} done"
    )


def image_ref_pinned(d):
    return "config: Kubernetes manifest", f"      containers:\n      - name: api\n        image: ghcr.io/acme/api@sha256:{d.sha256()}\n"


def nix_store(d):
    path = d.chars("0123456789abcdfghijklmnpqrsvwxyz", 32)
    return "tool output: nix build", f"/nix/store/{path}-hello-2.12.1\nhash = \"sha256-{base64.b64encode(d.raw(32)).decode()}\";"


def bazel_output(d):
    return "tool output: bazel build", (
        f"INFO: Analyzed target //server:server (212 packages loaded, 8811 targets configured).\n"
        f"INFO: From Linking server/server: remote cache hit for ac/{d.sha256()}\nINFO: Build completed successfully, 1412 total actions"
    )


def gradle_scan(d):
    return "tool output: gradle build --scan", f"BUILD SUCCESSFUL in 41s\n23 actionable tasks: 9 executed, 14 up-to-date\n\nPublishing build scan...\nhttps://gradle.com/s/{d.chars('abcdefghijklmnopqrstuvwxyz234567', 13)}"


def webpack_assets(d):
    return "tool output: webpack build", (
        f"asset main.{d.hex(20)}.js 412 KiB [emitted] [immutable] [minimized] (name: main)\n"
        f"asset vendors.{d.hex(20)}.js 1.1 MiB [emitted] [immutable] [minimized]\nwebpack 5.97.1 compiled successfully in 8412 ms"
    )


def vite_assets(d):
    return "tool output: vite build", (
        f"dist/index.html                  0.46 kB │ gzip:  0.30 kB\ndist/assets/index-{d.b64url(8)}.css   12.10 kB │ gzip:  3.01 kB\n"
        f"dist/assets/index-{d.b64url(8)}.js   143.40 kB │ gzip: 46.12 kB\n✓ built in 2.31s"
    )


def sri_script(d):
    return "source: HTML", f'<script src="https://cdn.jsdelivr.net/npm/alpinejs@3.14.7/dist/cdn.min.js" integrity="sha384-{base64.b64encode(d.raw(48)).decode()}" crossorigin="anonymous" defer></script>'


def etag_headers(d):
    return "tool output: curl -I", f'HTTP/2 200\ncontent-type: image/png\netag: "{d.hex(32)}"\nx-amz-version-id: {d.b64url(32)}\ncache-control: max-age=31536000'


def s3_head_object(d):
    return "tool output: aws s3api head-object", (
        f'{{\n    "AcceptRanges": "bytes",\n    "LastModified": "2026-12-01T10:12:44+00:00",\n    "ContentLength": {d.int(1000, 9999999)},\n'
        f'    "ETag": "\\"{d.hex(32)}-{d.int(2, 40)}\\"",\n    "VersionId": "{d.b64url(32)}",\n    "ServerSideEncryption": "AES256"\n}}'
    )


def helm_pull_digest(d):
    return "tool output: helm pull", f"Pulled: registry-1.docker.io/bitnamicharts/redis:20.4.0\nDigest: sha256:{d.sha256()}"


def actions_cache_key(d):
    return "tool output: GitHub Actions log", (
        f"Cache restored successfully\nCache restored from key: node-cache-Linux-x64-npm-{d.sha256()}\n"
        f"Received {d.int(10, 300)} of {d.int(300, 400)} MB (100.0%), 41.2 MBs/sec"
    )


def turbo_hash(d):
    return "tool output: turbo run build", f"web:build: cache hit, replaying logs {d.hex(16)}\napi:build: cache miss, executing {d.hex(16)}\n\n Tasks:    2 successful, 2 total"


def elf_build_id(d):
    return "tool output: file", f"bin/server: ELF 64-bit LSB pie executable, x86-64, version 1 (SYSV), dynamically linked, BuildID[sha1]={d.sha1()}, not stripped"


def go_pseudo_version(d):
    return "file: go.mod", f"require (\n\tgithub.com/acme/protos v0.0.0-2026{d.int(1, 11):02d}{d.int(10, 28)}{d.digits(6)}-{d.hex(12)}\n\tgolang.org/x/sync v0.10.0\n)"


def version_strings(d):
    return "tool output: pip list", f"Package    Version\n---------- -----------------------------\nacme-core  4.2.0.dev{d.int(1, 90)}+g{d.hex(8)}.d2026120{d.int(1, 7)}\ntorch      2.5.1+cu124"


def image_tags(d):
    return "tool output: crane ls", "\n".join([f"sha-{d.hex(7)}", f"main-{d.hex(8)}-{d.digits(10)}", "1.4.2-alpine3.20", f"pr-{d.int(100, 999)}-{d.hex(7)}"])


def uuid_request_log(d):
    return "tool output: service log", (
        f"2026-12-07T21:14:0{d.int(0, 9)}Z INFO request_id={d.uuid4()} method=GET path=/v1/orders/{d.uuid4()} status=200 dur=12ms"
    )


def ulid_records(d):
    return "tool output: sqlite3 query", "id|status\n" + "\n".join(f"{d.ulid()}|{s}" for s in ("queued", "done", "failed"))


def ksuid_records(d):
    return "tool output: API response", f'{{"events":[{{"id":"{d.ksuid()}","type":"user.created"}},{{"id":"{d.ksuid()}","type":"user.updated"}}]}}'


def object_ids(d):
    return "tool output: mongosh", f"[\n  {{ _id: ObjectId('{d.object_id()}'), sku: 'A-100', qty: 3 }},\n  {{ _id: ObjectId('{d.object_id()}'), sku: 'B-220', qty: 1 }}\n]"


def snowflake_ids(d):
    return "tool output: Discord API response", f'{{"id": "{d.digits(19)}", "channel_id": "{d.digits(19)}", "author": {{"id": "{d.digits(18)}", "username": "deploy-bot"}}}}'


def traceparent(d):
    return "tool output: HTTP request dump", f"traceparent: 00-{d.hex(32)}-{d.hex(16)}-01\ntracestate: dd=s:1;t.dm:-0"


def otel_log(d):
    return "tool output: otel collector debug exporter", (
        f"ScopeSpans #0\nSpan #0\n    Trace ID       : {d.hex(32)}\n    Parent ID      : {d.hex(16)}\n    ID             : {d.hex(16)}\n"
        f"    Name           : GET /healthz\n    Kind           : Server"
    )


def datadog_log(d):
    return "tool output: service log", f'{{"message":"charge created","dd.trace_id":"{d.digits(19)}","dd.span_id":"{d.digits(19)}","dd.service":"billing","dd.version":"2.8.1"}}'


def xray_trace(d):
    return "tool output: aws xray get-trace-summaries", f'"Id": "1-{d.hex(8)}-{d.hex(24)}",\n"Duration": 0.214,\n"HasError": false'


def sentry_issue(d):
    return "assistant prose", f"The crash is Sentry issue BILLING-{d.upper_alnum(3)} (event `{d.hex(32)}`), first seen after release 2.8.1."


def aws_request_error(d):
    return "tool output: aws cli error", f"An error occurred (AccessDenied) when calling the PutObject operation: Access Denied (Service: S3, Status Code: 403, Request ID: {d.upper_alnum(16)}, Extended Request ID: {d.b64(48)})"


def aws_resource_ids(d):
    return "tool output: aws ec2 describe-instances", (
        f"INSTANCES\ti-0{d.hex(16)}\tt3.medium\tami-0{d.hex(16)}\trunning\nSECURITYGROUPS\tsg-0{d.hex(16)}\tweb\n"
        f"NETWORK\tsubnet-0{d.hex(16)}\tvpc-0{d.hex(16)}\teni-0{d.hex(16)}"
    )


def arns(d):
    account = d.digits(12)
    return "tool output: aws iam list-roles", (
        f'"Arn": "arn:aws:iam::{account}:role/ci-deployer",\n"RoleId": "AROA{d.b32(17)}",\n'
        f'"AssumeRolePolicyDocument": "arn:aws:iam::{account}:oidc-provider/token.actions.githubusercontent.com"'
    )


def cloudfront_ids(d):
    return "tool output: aws cloudfront list-distributions", f"{d.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 14)}\td{d.lower_alnum(13)}.cloudfront.net\tDeployed\tZ{d.upper_alnum(13)}"


def gcp_operation(d):
    return "tool output: gcloud", f"Waiting for operation [projects/acme-prod/locations/europe-west1/operations/operation-{d.digits(13)}-{d.hex(13)}-{d.hex(8)}-{d.hex(8)}]...done.\nproject number: {d.digits(12)}"


def azure_resource_id(d):
    return "tool output: az vm show", f'"id": "/subscriptions/{d.uuid4()}/resourceGroups/rg-web-prod/providers/Microsoft.Compute/virtualMachines/vm-web-01",\n"vmId": "{d.uuid4()}"'


def kubectl_pods(d):
    rows = [f"api-{d.lower_alnum(10)}-{d.lower_alnum(5)}   1/1     Running   0          3h{d.int(1, 59)}m" for _ in range(3)]
    return "tool output: kubectl get pods", "NAME                         READY   STATUS    RESTARTS   AGE\n" + "\n".join(rows)


def kubectl_describe_secret(d):
    return "tool output: kubectl describe secret", (
        f"Name:         stripe-keys\nNamespace:    prod\nLabels:       app=billing\nAnnotations:  <none>\n\nType:  Opaque\n\nData\n====\n"
        f"STRIPE_SECRET_KEY:      {d.int(100, 110)} bytes\nSTRIPE_WEBHOOK_SECRET:  38 bytes"
    )


def kubectl_get_secrets(d):
    return "tool output: kubectl get secrets", (
        "NAME                          TYPE                             DATA   AGE\n"
        f"db-credentials                Opaque                           2      {d.int(2, 90)}d\n"
        f"ghcr-pull                     kubernetes.io/dockerconfigjson   1      {d.int(2, 90)}d\n"
        f"sh.helm.release.v1.api.v{d.int(2, 40)}    helm.sh/release.v1               1      5h"
    )


def k8s_uids(d):
    return "tool output: kubectl get -o yaml (metadata)", (
        f"metadata:\n  creationTimestamp: \"2026-12-01T09:00:00Z\"\n  name: api\n  resourceVersion: \"{d.digits(8)}\"\n  uid: {d.uuid4()}\n"
        f"  annotations:\n    deployment.kubernetes.io/revision: \"{d.int(2, 60)}\"\n    checksum/config: {d.sha256()}"
    )


def stripe_object_ids(d):
    return "tool output: stripe CLI", f'{{\n  "id": "pi_3{d.alnum(23)}",\n  "object": "payment_intent",\n  "customer": "cus_{d.alnum(14)}",\n  "latest_charge": "ch_3{d.alnum(23)}"\n}}'


def slack_ids(d):
    return "tool output: Slack API response", f'{{"ok":true,"channel":"C0{d.upper_alnum(9)}","ts":"17{d.digits(8)}.{d.digits(6)}","message":{{"user":"U0{d.upper_alnum(9)}","team":"T0{d.upper_alnum(9)}"}}}}'


def llm_api_ids(d):
    return "tool output: API response", f'{{"id":"msg_01{d.alnum(22)}","type":"message","content":[{{"type":"tool_use","id":"toolu_01{d.alnum(22)}","name":"bash"}}],"request_id":"req_011C{d.alnum(20)}"}}'


def openai_ids(d):
    return "tool output: API response", f'{{"id": "chatcmpl-{d.alnum(29)}", "object": "chat.completion", "system_fingerprint": "fp_{d.hex(10)}", "model": "gpt-4o-2024-08-06"}}'


def twilio_sid(d):
    return "tool output: twilio api", f"SID                                 From          To            Status\nSM{d.hex(32)}  +15005550006  +14155552671  queued\nAccount: AC{d.hex(32)}"


def github_run_ids(d):
    return "tool output: gh run list", "\n".join(f"✓  CI  main  push  {d.digits(11)}  {d.int(1, 9)}m{d.int(10, 59)}s  about {d.int(2, 9)} hours ago" for _ in range(3))


def oauth_client_ids(d):
    return "config: auth.ts", f'GoogleProvider({{ clientId: "{d.digits(12)}-{d.lower_alnum(32)}.apps.googleusercontent.com", clientSecret: process.env.GOOGLE_CLIENT_SECRET! }})'


def github_app_client_id(d):
    return "config: app.yml", f"github:\n  app_id: {d.digits(6)}\n  client_id: Iv23li{d.alnum(14)}\n  installation_id: {d.digits(8)}"


def codebuild_id(d):
    return "tool output: aws codebuild", f'"id": "web-build:{d.uuid4()}",\n"buildNumber": {d.int(100, 9000)},\n"resolvedSourceVersion": "{d.sha1()}"'


def windows_guids(d):
    g = lambda: "{" + d.uuid4().upper() + "}"
    return "file: Shop.sln", f'Project("{g()}") = "Shop.Api", "src\\Shop.Api\\Shop.Api.csproj", "{g()}"\nEndProject'


def prometheus_metrics(d):
    return "tool output: curl /metrics", (
        f'http_requests_total{{pod="api-{d.lower_alnum(10)}-{d.lower_alnum(5)}",code="200"}} {d.int(1000, 999999)}\n'
        f'build_info{{revision="{d.sha1()}",version="2.8.1",goversion="go1.23.4"}} 1'
    )


def grafana_url(d):
    return "user prose", f"dashboard is here: https://grafana.acme.io/d/{d.b64url(14)}/api-latency?orgId=1&from=now-6h&var-pod=All"


def newrelic_guid(d):
    guid = base64.b64encode(f"{d.digits(7)}|APM|APPLICATION|{d.digits(9)}".encode()).decode().rstrip("=")
    return "tool output: newrelic entity search", f"name: billing-api\nentityGuid: {guid}\ndomain: APM\nreporting: true"


def jaeger_link(d):
    return "assistant prose", f"The slow span is in trace https://jaeger.acme.internal/trace/{d.hex(32)}?uiFind={d.hex(16)} — the DB call takes 1.8 s."


def long_numbers(d):
    return "tool output: psql", f" id                  | created_ns\n---------------------+---------------------\n {d.digits(19)} | 17{d.digits(17)}\n {d.digits(19)} | 17{d.digits(17)}"


def youtube_links(d):
    return "user prose", f"watch from 12:40 https://www.youtube.com/watch?v={d.b64url(11)}&t=760s and the slides are at https://bit.ly/{d.alnum(7)}"


def short_links(d):
    return "assistant prose", f"The release notes are linked from https://go.acme.io/r/{d.b58(10)} and the design doc from https://docs.google.com/document/d/{d.b64url(44)}/edit"


def css_colors(d):
    return "source: CSS", ":root {\n" + "\n".join(f"  --c-{n}: #{d.hex(6)};" for n in ("primary", "accent", "muted", "border")) + "\n}"


def cert_serials(d):
    return "tool output: openssl x509 -noout -serial -fingerprint", f"serial={d.hex(36).upper()}\nsha256 Fingerprint={':'.join(d.hex(2).upper() for _ in range(32))}"


def ghsa_ids(d):
    return "tool output: npm audit", f"# npm audit report\n\nnanoid  <3.3.8\nSeverity: moderate\nPredictable results in nanoid - https://github.com/advisories/GHSA-{d.lower_alnum(4)}-{d.lower_alnum(4)}-{d.lower_alnum(4)}\nfix available via `npm audit fix`"


def fly_secrets_list(d):
    return "tool output: fly secrets list", (
        "NAME                  DIGEST            CREATED AT\n"
        f"DATABASE_URL          {d.hex(16)}  2026-11-02T10:11:40Z\nSTRIPE_SECRET_KEY     {d.hex(16)}  2026-11-30T08:41:02Z"
    )


def sourcemap(d):
    mappings = ";".join(",".join(d.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", d.int(4, 7)) for _ in range(6)) for _ in range(3))
    return "file: main.js.map", f'{{"version":3,"sources":["../src/main.ts"],"names":["render","state"],"mappings":"{mappings}"}}'


def minified_js(d):
    name = lambda: d.chars("abcdefghijklmnopqrstuvwxyz", 1) + d.chars("abcdefghijklmnopqrstuvwxyz0123456789", 1)
    return "file: vendor.min.js", (
        f'!function(e,t){{"object"==typeof exports?module.exports=t():e.{name()}=t()}}(this,function(){{var {name()}="{d.hex(8)}",'
        f'{name()}=function(n){{return n.replace(/[A-Za-z0-9+/=]/g,"")}};return{{v:"3.2.1",h:"{d.b64url(22)}"}}}});'
    )


def data_uri(d):
    return "source: CSS", f".icon{{background:url(data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQ{d.b64(60)})}}"


def harmless_base64(d):
    text = d.pick(["hello from the staging cluster\n", '{"feature":"search","enabled":true}', "Bearer realm=\"api\"", "user=guest;theme=dark;lang=en"])
    encoded = base64.b64encode(text.encode()).decode()
    return "tool output: base64", f"$ echo '{encoded}' | base64 -d\n{text}"


def configmap_binary(d):
    return "tool output: kubectl get cm -o yaml", f"apiVersion: v1\nbinaryData:\n  favicon.ico: AAABAAEAEBAAAAEAIABoBAAAFgAAACgAAAAQAAAAIAAAAAEAIAAAAAAAAAQAAA{d.b64(30)}\nkind: ConfigMap"


def hash_test_vector(d):
    text = d.pick(["abc", "", "The quick brown fox jumps over the lazy dog"])
    return "tool output: python hashlib", f">>> hashlib.sha256({text!r}.encode()).hexdigest()\n'{hashlib.sha256(text.encode()).hexdigest()}'"


def tool_call_ids(d):
    return "tool call: Read arguments", tool_call({"file_path": f"/tmp/run-{d.uuid4()}/report.json", "offset": 0, "limit": 200})


GENERATORS = [
    ("git-log-oneline", git_log_oneline, 4), ("git-log-full-sha", git_log_full, 4), ("git-rebase-todo", rebase_todo, 3),
    ("git-ls-tree", ls_tree, 3), ("actions-pinned-sha", actions_pinned, 5), ("git-submodule-status", submodule_status, 3),
    ("git-reflog", reflog, 3), ("sha256sum-output", sha256sum, 4), ("npm-integrity", npm_integrity, 5), ("yarn-lock-checksum", yarn_lock, 4),
    ("pnpm-lock-integrity", pnpm_lock, 3), ("go-sum", go_sum, 5), ("cargo-lock-checksum", cargo_lock, 4), ("pip-hash", pip_hash, 4),
    ("poetry-lock-hash", poetry_lock, 3), ("terraform-lock-hashes", terraform_lock, 4), ("docker-pull-digest", docker_digest, 4),
    ("docker-images", docker_images, 3), ("docker-ps", docker_ps, 3), ("buildkit-log", buildkit_log, 4), ("image-pinned-digest", image_ref_pinned, 4),
    ("nix-store-hash", nix_store, 4), ("bazel-cache-key", bazel_output, 3), ("gradle-scan-url", gradle_scan, 3),
    ("webpack-asset-hashes", webpack_assets, 3), ("vite-asset-hashes", vite_assets, 4), ("sri-integrity", sri_script, 4),
    ("etag-version-id", etag_headers, 4), ("s3-head-object", s3_head_object, 3), ("helm-pull-digest", helm_pull_digest, 3),
    ("actions-cache-key", actions_cache_key, 4), ("turbo-task-hash", turbo_hash, 3), ("elf-build-id", elf_build_id, 3),
    ("go-pseudo-version", go_pseudo_version, 3), ("local-version-string", version_strings, 3), ("docker-image-tags", image_tags, 4),
    ("uuid-request-id", uuid_request_log, 5), ("ulid-record-ids", ulid_records, 4), ("ksuid-event-ids", ksuid_records, 3),
    ("mongo-object-ids", object_ids, 4), ("snowflake-ids", snowflake_ids, 3), ("w3c-traceparent", traceparent, 4),
    ("otel-trace-span-ids", otel_log, 4), ("datadog-trace-ids", datadog_log, 3), ("xray-trace-id", xray_trace, 3),
    ("sentry-event-id", sentry_issue, 3), ("aws-request-ids", aws_request_error, 4), ("aws-resource-ids", aws_resource_ids, 4),
    ("aws-arns-role-id", arns, 4), ("cloudfront-route53-ids", cloudfront_ids, 3), ("gcp-operation-id", gcp_operation, 3),
    ("azure-resource-id", azure_resource_id, 3), ("kubectl-pod-names", kubectl_pods, 4), ("kubectl-describe-secret", kubectl_describe_secret, 4),
    ("kubectl-get-secrets-list", kubectl_get_secrets, 3), ("k8s-uid-checksum", k8s_uids, 4), ("stripe-object-ids", stripe_object_ids, 4),
    ("slack-ids", slack_ids, 3), ("llm-api-ids", llm_api_ids, 4), ("openai-response-ids", openai_ids, 3), ("twilio-sids", twilio_sid, 3),
    ("gh-run-ids", github_run_ids, 3), ("google-oauth-client-id", oauth_client_ids, 3), ("github-app-client-id", github_app_client_id, 3),
    ("codebuild-id", codebuild_id, 3), ("windows-project-guids", windows_guids, 3), ("prometheus-metrics", prometheus_metrics, 4),
    ("grafana-dashboard-uid", grafana_url, 3), ("newrelic-entity-guid", newrelic_guid, 3), ("jaeger-trace-link", jaeger_link, 3),
    ("long-numeric-ids", long_numbers, 3), ("youtube-short-links", youtube_links, 4), ("doc-short-links", short_links, 3),
    ("css-colors", css_colors, 3), ("cert-serial-fingerprint", cert_serials, 3), ("ghsa-advisory-id", ghsa_ids, 3),
    ("fly-secrets-digests", fly_secrets_list, 3), ("sourcemap-mappings", sourcemap, 3), ("minified-js", minified_js, 4),
    ("data-uri-png", data_uri, 3), ("harmless-base64", harmless_base64, 4), ("configmap-binary-data", configmap_binary, 3),
    ("hash-test-vectors", hash_test_vector, 3), ("tool-call-temp-path-uuid", tool_call_ids, 3),
]
