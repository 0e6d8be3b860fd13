"""Round 4 of issue 19: what real transcripts hold that looks random but only points at something (a page of a
listing, a request, an event, a file, an address), left alone by the name, flag or line around it; and the
secret families that slipped, caught by their shape. Every value here is made up for the test."""

from __future__ import annotations

import pytest

from nightshift.ingest.redact import redact

LOOK_ALIKES = [
    pytest.param('{"IsTruncated": true, "NextContinuationToken": "Kw8Vb2Nq5Lr1Xt7Zy4Mc0Pd3Hs6Jf9Ug2Ae5Ri8To1Wq4="}', id="s3-continuation-token"),
    pytest.param('"NextToken": "Tz4Qm8Vb1Xc5Nr9Lk2Jh6Gf0Ds3Aq7Wp4Eo8Ri1Ty5Uu9Ii2Oo6Pp3=="', id="aws-next-token"),
    pytest.param("aws logs filter-log-events --log-group-name /svc --next-token Hq3Wr6Et9Yu2Io5Pa8Sd1Fg4Hj7Kl0Zx3Cv6", id="next-token-flag"),
    pytest.param("aws dynamodb scan --table-name t --starting-token Pw2Lk5Jh8Gf1Ds4Aq7Zx0Cv3Bn6Mq9Wr2Et5==", id="starting-token-flag"),
    pytest.param('  "nextPageToken": "Cg8Kx3Vb6Nm9Lq2Wr5Et8Yu1Io4Pa7Sd0Fg",\n  "items": []', id="page-token"),
    pytest.param('{"cursor": "AAq7Zw2Xy5Vb8Nm1Lk4Jh7Gf0Ds3Aq6Wp9Eo2Ri5Tz8Uy1Io4Pa7Sd0Fg3Hj6Kl9Zx2Cv5Bn8", "has_more": true}', id="cursor-field"),
    pytest.param("./sync.sh --cursor Ty6Ui9Op2As5Df8Gh1Jk4Lz7Xc0Vb3Nm6Qw9Er2", id="cursor-flag"),
    pytest.param("aws s3api list-objects --bucket logs --marker Wd3Ef6Gh9Ij2Kl5Mn8Op1Qr4St7Uv0Wx3Yz6", id="marker-flag"),
    pytest.param('"ReceiptHandle": "AQEBq7Zw2Xy5Vb8Nm1Lk4Jh7Gf0Ds3Aq6Wp9Eo2Ri5Tz8Uy1Io4Pa7Sd0Fg3Hj6Kl9Zx2Cv5Bn8+Mq1"', id="queue-receipt-handle"),
    pytest.param("Idempotency-Key: Ld4Kf7Jg0Hh3Gi6Fj9Ek2Dl5Cm8Bn1Ao4Zp7Y", id="idempotency-key"),
    pytest.param('{"event": "Vr5Tb8Yn1Um4Ik7Ol0Pq3Ws6Ed9Rf", "type": "order.paid"}', id="event-id-by-name"),
    pytest.param("gdown --id 1Qm7vR2xN9bT4kLw8ZcY1pD6sHf3JgA0e5", id="id-flag"),
    pytest.param('{"playlist": "PLq7Zw2Xy5Vb8Nm1Lk4Jh7Gf0Ds3Aq6Wp9", "count": 12}', id="playlist-id"),
    pytest.param("redirecting to /callback?code=...&state=Xe4Rt7Yu0Io3Pa6Sd9Fg2Hj5Kl8Zx1Cv", id="oauth-state"),
    pytest.param("az storage blob list --container-name logs --prefix Nb6Mq9Wr2Et5Yu8Io1Pa4Sd7Fg0Hj/", id="prefix-flag"),
    # ids among others: a table's row, a log record, a line with a UUID or a ULID, a file, a ledger's address
    pytest.param("| 01HZX4M7Q2B9V6T3N8K5R1C0DE | Qd7Xv2Lk9Zr4Nb1Mw6Ty3Hs8Gp5 | shipped |", id="table-row-of-ids"),
    pytest.param("2026-04-01T09:15:02Z INFO GET /v2/orders req=Lm4Nb7Vc0Xz3Qw6Er9Ty2Ui5Op8As1Df status=200", id="log-record"),
    pytest.param("[Zx8Cv1Bn4Mq7Wr0Et3Yu6Io9Pa2S] POST /api/carts 201 14ms", id="request-id-in-a-log"),
    pytest.param("job 7c1e2a90-4b3d-4f5e-8a6b-0c9d8e7f6a5b artifact Hj2Kl5Zx8Cv1Bn4Mq7Wr0Et3Yu6Io9", id="beside-a-uuid"),
    pytest.param("saved upload to /tmp/Pa4Sd7Fg0Hj3Kl6Zx9Cv2Bn5Mq8Wr1Et.bin", id="random-file-name"),
    pytest.param("uploads/Gt5Hy8Uj1Ik4Ol7Pz0Xa3Sc6Dv9Fb2Gn.webp", id="upload-key"),
    pytest.param("/ip4/10.0.0.2/tcp/4001/p2p/12D3KooWq7Zw2Xy5Vb8Nm1Lk4Jh7Gf6Ds3Aq6Wp9Eo2Ri5Tz8U", id="peer-address"),
    pytest.param("solana transfer 9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin 0.5 --allow-unfunded-recipient", id="base58-address"),
    pytest.param('ETag: W/"Ty3Hs8Gp5Qd7Xv2Lk9Zr4Nb1Mw6"', id="weak-etag"),
    pytest.param("  Qd7Xv2Lk9Zr4Nb1Mw6Ty3Hs8Gp5Rr2Wk0Jc4Fa8Ue1  dist/app_bg.wasm", id="checksum-listing"),
    pytest.param("open the sheet 1Lk9Zr4Nb1Mw6Ty3Hs8Gp5Rr2Wk0Jc4Fa8Ue1Qd7Xv2 and sort by date", id="noun-before-the-id"),
    pytest.param("event Vr5Tb8Yn1Um4Ik7Ol0Pq3Ws6Ed9Rf processed by worker-3", id="event-noun"),
    # hashes with no algorithm named right before them
    pytest.param("$ openssl dgst -sha256 -binary dist/app.js | openssl base64 -A\nq3Zk8Lw0Vx7Nb2Rt5Yp9Hc4Mf6Js1Ag3De8Ku0Wi2O=", id="digest-printed-by-a-command"),
    pytest.param('{"app.js": "Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5Mc7Vs1Ny3QaXw", "app.css": "Lq2Wr5Et8Yu1Io4Pa7Sd0Fg3Hj6Kl9ZxQ"}', id="build-manifest"),
    pytest.param("Content-Digest: sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", id="content-digest-header"),
    pytest.param("  nanoid: V1StGXR8_Z5jdHi6B-myTqWz9Pk", id="nanoid-by-name"),
    pytest.param("S3 key: uploads/2026/01/Lq2Wr5Et8Yu1Io4Pa7Sd0Fg3Hj6Kl9Zx", id="dated-object-key"),
    pytest.param('{"id": "batch_Wq3Er6Ty9Ui2Op5As8Df1Gh4Jk7Lz0Xc3V", "status": "completed"}', id="prefixed-object-id-by-name"),
    pytest.param("Pay at https://checkout.kiln.io/c/pay/cs_test_Rt5Yu8Io2Pa4Sd7Fg1Hj3Kl6Zx9Cv0Bn4Mq7", id="prefixed-id-in-a-url-path"),
]


@pytest.mark.parametrize("text", LOOK_ALIKES)
def test_id_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the names and flags that mark ids still leave the credentials next to them alone... to be caught
        pytest.param('"SessionToken": "Tz4Qm8Vb1Xc5Nr9Lk2Jh6Gf0Ds3Aq7Wp4Eo8Ri1"', '"SessionToken": "[REDACTED:secret]"', id="session-token-not-a-page"),
        pytest.param("kiln push --token Hq3Wr6Et9Yu2Io5Pa8Sd1Fg4Hj7Kl0Zx3Cv6", "kiln push --token [REDACTED:secret]", id="token-flag-not-a-page"),
        pytest.param('{"refresh_token": "Cg8Kx3Vb6Nm9Lq2Wr5Et8Yu1Io4Pa7Sd0Fg"}', '{"refresh_token": "[REDACTED:secret]"}', id="refresh-token"),
        # a line that names a secret is no listing, however much else on it looks like one
        pytest.param("| staging | api token | Qd7Xv2Lk9Zr4Nb1Mw6Ty3Hs8Gp5Rr2W |", "| staging | api token | [REDACTED:secret] |", id="table-row-naming-a-token"),
        pytest.param("2026-04-01T09:15:02Z WARN auth retry Lm4Nb7Vc0Xz3Qw6Er9Ty2Ui5Op8As1Df", "2026-04-01T09:15:02Z WARN auth retry [REDACTED:secret]", id="log-record-saying-auth"),
        pytest.param("try Qm7vR2xN9bT4kLw8ZcY1pD6sHf3JgA0e5Uo.", "try [REDACTED:secret].", id="bare-token-ending-a-sentence"),
        pytest.param("Qd7Xv2Lk9Zr4Nb1Mw6Ty3Hs8Gp5Rr2Wk0Jc4Fa8Ue1 is the one", "[REDACTED:secret] is the one", id="line-start-not-a-listing"),
        pytest.param("the user token Vr5Tb8Yn1Um4Ik7Ol0Pq3Ws6Ed9Rf2Gh", "the user token [REDACTED:secret]", id="noun-then-token"),
        pytest.param("$ openssl rand -base64 32\nq3Zk8Lw0Vx7Nb2Rt5Yp9Hc4Mf6Js1Ag3De8Ku0Wi2O=", "$ openssl rand -base64 32\n[REDACTED:secret]", id="generated-not-a-digest"),
        pytest.param("curl 'https://api.kiln.io/v1/run?key=kn_live_Rt5Yu8Io2Pa4Sd7Fg1Hj3Kl6Zx9Cv0Bn4Mq7'", "curl 'https://api.kiln.io/v1/run?key=[REDACTED:secret]'", id="prefixed-token-in-a-query"),
    ],
)
def test_credential_beside_id_names_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a typed password holding the characters that end a bare value: & ( < ; :
        pytest.param("KILN_DB_PASSWORD=Harbor.Pebble482&qWz psql -h db1", "KILN_DB_PASSWORD=[REDACTED:secret] psql -h db1", id="ampersand-then-a-command"),
        pytest.param("export KILN_AUTH_TOKEN=Rq4LpZ(<Wm7Nx:;Tb2\nmake test", "export KILN_AUTH_TOKEN=[REDACTED:secret]\nmake test", id="brackets-and-semicolons"),
        pytest.param("[kiln]\nkiln_auth_token = Vd9Ke2(<Pl5Sx:;Qa8\nregion = eu", "[kiln]\nkiln_auth_token = [REDACTED:secret]\nregion = eu", id="ini-typed-run"),
        # a bytes literal under a secret name
        pytest.param("app.config['SECRET_KEY'] = b'4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d'", "app.config['SECRET_KEY'] = b'[REDACTED:secret]'", id="bytes-literal"),
        # the value stops where the next parameter of a query string starts
        pytest.param("GET /v1/items?api_token=Zx8Cv1Bn4Mq7(Wr0Et3&page=2", "GET /v1/items?api_token=[REDACTED:secret]&page=2", id="query-string-goes-on"),
    ],
)
def test_typed_value_family_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("TOKEN=REPLACE_ME", id="placeholder-after-a-bare-secret-word"),
        pytest.param("token=your-token-here", id="your-placeholder"),
        pytest.param("KILN_PASSWORD=$(pass show kiln/db)", id="command-substitution"),
        pytest.param("API_TOKEN=read_token(path) ; run", id="a-call"),
        pytest.param('    password = to_bytes(proxy_auth[1], name="proxy_auth")', id="a-call-with-an-index"),
    ],
)
def test_typed_value_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('KILN_TOKEN = os.environ.get("KILN_TOKEN", "Wq3Er6Ty9Ui2Op5As8Df1Gh4")', 'KILN_TOKEN = os.environ.get("KILN_TOKEN", "[REDACTED:secret]")', id="env-default-strong-name"),
        pytest.param('key = os.getenv("KILN_ADMIN_KEY", "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f")', 'key = os.getenv("KILN_ADMIN_KEY", "[REDACTED:secret]")', id="env-default-hex-under-a-key-name"),
        pytest.param('secret = ENV.fetch("KILN_SECRET", "Harbor-Pebble-42!x")', 'secret = ENV.fetch("KILN_SECRET", "[REDACTED:secret]")', id="env-fetch-typed"),
        pytest.param("I set `KILN_AUTH_TOKEN` to `7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c` and re-ran it.", "I set `KILN_AUTH_TOKEN` to `[REDACTED:secret]` and re-ran it.", id="set-name-to-value"),
        pytest.param('expect "Password:"\nsend "maple_Quartz519?Lk\\r"\n', 'expect "Password:"\nsend "[REDACTED:password]\\r"\n', id="expect-send"),
        pytest.param("child.expect('password: ')\nchild.sendline('Tundra#Lamp2291')", "child.expect('password: ')\nchild.sendline('[REDACTED:password]')", id="pexpect-sendline"),
        pytest.param("my KILN_API_KEY is 7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c, can you see why it fails?", "my KILN_API_KEY is [REDACTED:secret], can you see why it fails?", id="name-is-value"),
        pytest.param("I exported `KILN_LICENSE_KEY` as `3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c` and re-ran it.", "I exported `KILN_LICENSE_KEY` as `[REDACTED:secret]` and re-ran it.", id="exported-name-as-uuid"),
    ],
)
def test_said_where_it_goes_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('LOG_LEVEL = os.getenv("LOG_LEVEL", "debug-verbose")', id="env-default-not-a-secret"),
        pytest.param('API_KEY = os.environ.get("API_KEY", "your-api-key-here")', id="env-default-placeholder"),
        pytest.param('REGION = os.environ.get("KILN_REGION", "eu-west-1a-zone")', id="env-default-region"),
        pytest.param("I set `WORKER_COUNT` to `16` and the queue drained.", id="set-a-number"),
        pytest.param("Then set the_build_dir to dist/release-2024 and run it.", id="set-a-path"),
        pytest.param('expect "Password:"\nsend "$env(KILN_PASS)\\r"\n', id="expect-send-variable"),
    pytest.param("    KilnWorkloadAuth as KilnWorkloadAuth,", id="import-as-itself"),
    pytest.param("the cache_key is built_from_the_lockfile here", id="name-is-an-identifier"),
    ],
)
def test_said_where_it_goes_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("export KILN_THING=vqz_Rt5Yu8Io2Pa4Sd7Fg1Hj3K", "export KILN_THING=[REDACTED:secret]", id="short-vendor-token-in-env"),
        pytest.param("KILN_SERVICE_ROLE_KEY=eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZSJ9.Tq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5Mc7Vs1Ny3Qa", "KILN_SERVICE_ROLE_KEY=[REDACTED:jwt]", id="service-key-beside-anon"),
        pytest.param("KILN_HOOK: abq_Wq3Er6Ty9Ui2Op5As8Df1", "KILN_HOOK: [REDACTED:secret]", id="short-vendor-token-in-compose"),
        pytest.param("accounts: ['0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'],",
                     "accounts: ['[REDACTED:secret]'],", id="hardhat-account-key"),
        pytest.param("const w = new Wallet('0x5c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362319')",
                     "const w = new Wallet('[REDACTED:secret]')", id="wallet-key"),
    ],
)
def test_short_vendor_and_account_keys_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("export KILN_PRICE_BASIC=price_Rt5Yu8Io2Pa4Sd7Fg1Hj3K", id="env-names-the-object"),
        pytest.param("export KILN_PLAN_ID=pln_Wq3Er6Ty9Ui2Op5As8Df1", id="env-says-id"),
        pytest.param("tx: '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'", id="transaction-hash"),
        pytest.param("customer cus_Rt5Yu8Io2Pa4Sd7Fg1Hj3K paid", id="object-id-in-prose"),
        pytest.param("KILN_ANON_KEY=eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.Tq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5Mc7Vs1Ny3Qa", id="anon-key-the-browser-sees"),
    ],
)
def test_short_prefixed_ids_stay(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a key named for what it does: a UUID or a typed value is its credential too, not only a random one
        pytest.param("KILN_LICENSE_KEY=3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", "KILN_LICENSE_KEY=[REDACTED:secret]", id="uuid-under-license-key"),
        pytest.param('{"kilnAdminKey": "5b4a3f2e-1d0c-4b9a-8f7e-6d5c4b3a2f1e"}', '{"kilnAdminKey": "[REDACTED:secret]"}', id="uuid-under-camel-admin-key"),
        pytest.param("kiln:\n  signing_key: Tq8!vR2x#N9b\n", "kiln:\n  signing_key: [REDACTED:secret]\n", id="typed-under-signing-key"),
        pytest.param("KILN_MASTER_KEY='Pebble#4471?Harbor'", "KILN_MASTER_KEY='[REDACTED:secret]'", id="typed-under-master-key"),
        pytest.param("'kiln_admin_key' => '9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f',", "'kiln_admin_key' => '[REDACTED:secret]',", id="php-array"),
        pytest.param("<kilnLicenseKey>3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c</kilnLicenseKey>", "<kilnLicenseKey>[REDACTED:secret]</kilnLicenseKey>", id="xml-element"),
        pytest.param('const KILN_SDK_KEY: &str = "Harbor#4471?Pebble";', 'const KILN_SDK_KEY: &str = "[REDACTED:secret]";', id="typed-declaration"),
        pytest.param("define('KILN_WRITE_KEY', '5b4a3f2e-1d0c-4b9a-8f7e-6d5c4b3a2f1e');", "define('KILN_WRITE_KEY', '[REDACTED:secret]');", id="define-pair"),
        pytest.param('{"kilnPass": "Harbor#4471?Pebble"}', '{"kilnPass": "[REDACTED:secret]"}', id="camel-pass"),
        pytest.param("kilnPat: 9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f", "kilnPat: [REDACTED:secret]", id="camel-pat-hex"),
        pytest.param('<add key="kilnLicenseKey" value="3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c" />', '<add key="kilnLicenseKey" value="[REDACTED:secret]" />', id="name-and-value-fields"),
    ],
)
def test_credential_key_family_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("cache_key: 3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", id="uuid-under-cache-key"),
        pytest.param("partition_key=5b4a3f2e-1d0c-4b9a-8f7e-6d5c4b3a2f1e", id="uuid-under-partition-key"),
        pytest.param("KMS_KEY=3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", id="uuid-under-kms-key"),
        pytest.param("sort_key: created_at#2024", id="typed-looking-sort-key"),
        pytest.param('footer_key = "DIRECT_KEY_128"', id="identifier-under-a-key-name"),
        pytest.param('toolskey = "VS%0.f0COMNTOOLS" % version', id="format-string-under-a-key-name"),
        pytest.param("ACME_ADMIN_KEY=YOUR_ADMIN_KEY_HERE", id="placeholder-under-admin-key"),
        pytest.param("gpg_key: 3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c", id="uuid-under-gpg-key"),
        pytest.param("<cacheKey>3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c</cacheKey>", id="xml-cache-key"),
        pytest.param("'sort_key' => 'created_at_desc',", id="php-sort-key"),
        pytest.param("<hotKey>ctrl+shift+k2</hotKey>", id="keyboard-shortcut"),
        pytest.param('{"bypass": "3f2a1b0c-9d8e-4f7a-8b6c-5d4e3f2a1b0c"}', id="bypass-is-not-a-pass"),
        pytest.param("compat: 9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f", id="compat-is-not-a-pat"),
    ],
)
def test_credential_key_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("ENV['KILN_SIGNING_KEY'] = 'Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5'", "ENV['KILN_SIGNING_KEY'] = '[REDACTED:secret]'", id="name-in-brackets"),
        pytest.param('{"path": "c.json", "content": "{\\"kiln_admin_key\\": \\"9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f\\"}"}',
                     '{"path": "c.json", "content": "{\\"kiln_admin_key\\": \\"[REDACTED:secret]\\"}"}', id="name-in-json-in-json"),
        pytest.param("export default { kilnToken: 'Harbor#4471?Pebble', region: 'eu' };", "export default { kilnToken: '[REDACTED:secret]', region: 'eu' };", id="js-object-key"),
    ],
)
def test_name_in_code_family_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('results["token"] = NotifyKiln.unquote(results["user"])', id="call-under-a-bracketed-name"),
        pytest.param("signature = _create_signature_v2(secret, to_sign)", id="call-under-a-weak-name"),
        pytest.param('def convert(type_: Any, token: "Token", name: str | None = None):', id="quoted-type-annotation"),
        pytest.param("styles = { Token: '#000080', Comment: '#696969' }", id="colour-under-token"),
    ],
)
def test_name_in_code_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("kilnctl deploy -u ops -p Harbor#4471 --force", "kilnctl deploy -u ops -p [REDACTED:secret] --force", id="user-then-password-flag-any-tool"),
        pytest.param("mc alias set kiln http://10.0.0.5:9000 kilnadmin Gr4nite!Owl72", "mc alias set kiln http://10.0.0.5:9000 kilnadmin [REDACTED:secret]", id="s3-client-alias"),
    ],
)
def test_command_line_family_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("docker run -u 1000 -p 8080:80 nginx", id="user-and-port"),
        pytest.param("kilnctl -u admin -p 5432 db", id="user-and-a-number"),
        pytest.param("git add -u -p", id="flags-only"),
    ],
)
def test_command_line_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param('export KILN_TOKEN="Qz7Lk2Vb9Xw4Nm8R"\\\n"t3Yp6Hc1Wd5Fs0Ga"', 'export KILN_TOKEN="[REDACTED:secret]"\\\n"[REDACTED:secret]"', id="split-by-a-shell-continuation"),
        pytest.param('KILN_TOKEN = "Qz7Lk2Vb9Xw4Nm8R" + "t3Yp6Hc1Wd5Fs0Ga"', 'KILN_TOKEN = "[REDACTED:secret]" + "[REDACTED:secret]"', id="split-by-a-plus"),
        pytest.param("Authorization: Basic b3BzOkdyNG5pdGUhT3dsNzI=", "Authorization: Basic [REDACTED:authorization]", id="header-at-the-start-of-the-text"),
    ],
)
def test_split_and_leading_secrets_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('KILN_TOKEN="[REDACTED:secret]" "other-arg"', id="next-argument-without-digits"),
        pytest.param('password: "[REDACTED:secret]", user: "admin-2024"', id="next-field-after-a-comma"),
    ],
)
def test_literal_after_a_marker_stays(text):
    assert redact(text) == text


def test_password_escaped_twice_in_json_is_redacted_whole():
    # a file written by a tool call: the password holds a quote and a backslash, escaped once more in the JSON
    text = '{"path": "k.json", "new": "{\\"db\\": {\\"password\\": \\"Ash\\\\\\"q7Lm2Xv\\\\\\\\Pw9Tz\\"}}"}'
    assert redact(text) == '{"path": "k.json", "new": "{\\"db\\": {\\"password\\": \\"[REDACTED:secret]\\"}}"}'
