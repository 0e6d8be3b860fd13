"""Round 5 of issue 19: families of secrets widened by their shape and the name or flag next to them, not by a
vendor's or a tool's name, each with the look-alikes of the same context that must stay. Every value here is
made up for the test."""

from __future__ import annotations

import pytest

from nightshift.ingest.redact import redact

TOKEN = "Xk4p9Lq2Rm7Tz1Wv5Nb"  # 19 characters: under the length the scan for unnamed tokens takes alone
SHORT = "q7Zx2Lm9Pw4Kd8Rn"  # 16


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a flag of a tool nobody listed: by the flag's name and the value's shape
        pytest.param(f"kilnctl push -t {SHORT}", "kilnctl push -t [REDACTED:secret]", id="t-flag"),
        pytest.param(f"acme-cli -k {SHORT} build.zip", "acme-cli -k [REDACTED:secret] build.zip", id="k-flag"),
        pytest.param(f"fooctl -a {TOKEN} status", "fooctl -a [REDACTED:secret] status", id="a-flag"),
        pytest.param(f"acme-cli -T {SHORT} upload", "acme-cli -T [REDACTED:secret] upload", id="capital-t-flag"),
        pytest.param(f"acme-cli --auth {SHORT}", "acme-cli --auth [REDACTED:secret]", id="auth-flag"),
        pytest.param(f"acme-cli --access {SHORT} upload", "acme-cli --access [REDACTED:secret] upload", id="access-flag"),
        pytest.param(f"fooctl --bearer {TOKEN} run", "fooctl --bearer [REDACTED:secret] run", id="bearer-flag"),
        pytest.param(f"fooctl --credential {TOKEN} run", "fooctl --credential [REDACTED:secret] run", id="credential-flag"),
        pytest.param("fooctl --license 9fa3c07e1b2d4e5f60718293a4b5c6d7", "fooctl --license [REDACTED:secret]", id="hex-license"),
        pytest.param(f'["fooctl", "--token", "{TOKEN}"]', '["fooctl", "--token", "[REDACTED:secret]"]', id="json-argv-token"),
        pytest.param(f'["fooctl", "--auth", "{TOKEN}"]', '["fooctl", "--auth", "[REDACTED:secret]"]', id="json-argv-auth"),
        # or as a plain argument to a settings command
        pytest.param(f"fooctl auth add {TOKEN}", "fooctl auth add [REDACTED:secret]", id="auth-add"),
        pytest.param(f"fooctl token set {TOKEN}", "fooctl token set [REDACTED:secret]", id="token-set"),
        pytest.param(f"fooctl activate {TOKEN}", "fooctl activate [REDACTED:secret]", id="activate"),
    ],
)
def test_token_given_to_any_tool_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("docker build -t myapp:1.4.2 .", id="image-tag"),
        pytest.param("sort -t , -k 2 data.csv", id="sort-keys"),
        pytest.param("timeout -k 5 30 cmd", id="kill-after"),
        pytest.param("pytest -k test_login_flow2", id="test-selection"),
        pytest.param("ffmpeg -t 00:00:30 -i in.mp4", id="duration"),
        pytest.param("fooctl -t Qm7vR2xN9bT4kL/latest", id="path-with-a-random-segment"),
        pytest.param("fooctl --auth oauth2 run", id="auth-scheme"),
        pytest.param("npm publish --access public", id="access-level"),
        pytest.param("fooctl --key-id 3f2a1b0c run", id="key-id"),
        pytest.param("fooctl --cache-key Xk4p9Lq2Rm7Tz1Wv5Nb run", id="cache-key-flag"),
        pytest.param("fooctl --commit 9fa3c07e1b2d4e5f60718293a4b5c6d7e8f90a1b", id="commit-flag"),
        pytest.param("fooctl --session 9fa3c07e1b2d4e5f60718293a4b5c6d7e8f90a1b", id="sha-under-a-weak-flag"),
        pytest.param("fooctl --token $KILN_TOKEN", id="variable"),
        pytest.param("conda activate analysis-env", id="activate-an-environment"),
        pytest.param("fooctl token set --ttl 3600", id="token-set-an-option"),
    ],
)
def test_tool_argument_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a short token of a vendor nobody listed, outside an environment variable: by the name next to it
        pytest.param(f'[kiln]\napi = "{SHORT}"', '[kiln]\napi = "[REDACTED:secret]"', id="ini-api"),
        pytest.param(f'{{"bearer": "{SHORT}"}}', '{"bearer": "[REDACTED:secret]"}', id="json-bearer"),
        pytest.param(f'{{"webhookSigning": "{SHORT}"}}', '{"webhookSigning": "[REDACTED:secret]"}', id="json-signing"),
        pytest.param(f"webhook: wh_{SHORT}", "webhook: [REDACTED:secret]", id="yaml-webhook"),
        pytest.param(f'kiln.configure(api="{SHORT}")', 'kiln.configure(api="[REDACTED:secret]")', id="keyword-argument"),
        pytest.param(f"KILN_KEY := {SHORT}", "KILN_KEY := [REDACTED:secret]", id="makefile"),
        pytest.param(f'#define KILN_API_KEY "{SHORT}"', '#define KILN_API_KEY "[REDACTED:secret]"', id="c-define"),
        pytest.param(f'client := kiln.New("{TOKEN}")', 'client := kiln.New("[REDACTED:secret]")', id="go-constructor"),
        pytest.param(f'kiln = Kiln::Client.new("{TOKEN}")', 'kiln = Kiln::Client.new("[REDACTED:secret]")', id="ruby-constructor"),
        pytest.param(f"jwt: {SHORT}", "jwt: [REDACTED:secret]", id="yaml-jwt"),
    ],
)
def test_short_token_by_its_name_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('api = "https://api.kiln.io/v2"', id="api-url"),
        pytest.param('{"bearer": "Bearer"}', id="scheme-name"),
        pytest.param("openapi: 3.0.3", id="openapi-version"),
        pytest.param("license: Apache-2.0", id="license-name"),
        pytest.param("PBKDF2HMAC = rust_openssl.kdf.PBKDF2HMAC", id="attribute-path"),
        pytest.param("SIGNATURE_HMAC = SIGNATURE_HMAC_SHA1  # deprecated", id="constant-name"),
        pytest.param('with ws_client.connect("http://localhost:8000/ws") as ws:', id="connect-to-an-address"),
        pytest.param('TestConfigurable.configure("tornado.test.util_test.TestConfig2")', id="configure-a-class"),
        pytest.param('err := errors.New("kiln: token expired at startup")', id="error-message"),
    ],
)
def test_short_token_look_alike_stays(text):
    assert redact(text) == text


ID = "Xk4p9Lq2Rm7Tz1Wv5Nb3Qa8c"  # 24 characters, random: the shape of a key, but the words around it say id


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(f"ref {ID} is the one to look at", id="ref"),
        pytest.param(f"the trace id was {ID}", id="trace-id-was"),
        pytest.param(f"deploy hash {ID}", id="hash"),
        pytest.param(f"digest {ID} matches", id="digest"),
        pytest.param(f"version {ID} is live", id="version"),
        pytest.param(f"the sha is {ID}", id="sha-is"),
        pytest.param(f"span {ID} took 40ms", id="span"),
        pytest.param(f"operation {ID} is still running", id="operation"),
        pytest.param(f"incident {ID} was closed", id="incident"),
        pytest.param(f"the run ID is {ID}", id="run-id-is"),
        pytest.param(f"build #{ID}", id="build-number"),
        pytest.param(f"Reference {ID}", id="reference"),
        pytest.param(f"cf-ray: {ID}", id="ray-header"),
        pytest.param(f"traceparent: 00-{ID}-01", id="traceparent"),
    ],
)
def test_id_named_in_prose_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the same nouns next to a word that says secret are no listing
        pytest.param(f"the build token is {ID}", "the build token is [REDACTED:secret]", id="build-token"),
        pytest.param(f"api key of the ref {ID}", "api key of the ref [REDACTED:secret]", id="api-key-on-the-line"),
    ],
)
def test_id_noun_beside_a_secret_word_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a password typed with no word for it, or a weak one: by its shape (letters, digits, a symbol)
        pytest.param("try it with Kelp7-Marrow!2 and tell me if it logs in", "try it with [REDACTED:password] and tell me if it logs in", id="try-it-with"),
        pytest.param("it's Qwx9#lumen42 btw", "it's [REDACTED:password] btw", id="its"),
        pytest.param("ok, use Fennel$Drift88 for now", "ok, use [REDACTED:password] for now", id="use"),
        pytest.param("the new one is Wren!Sable2026", "the new one is [REDACTED:password]", id="the-new-one-is"),
        pytest.param("Try logging in with 'Mossy#Gable19' instead", "Try logging in with '[REDACTED:password]' instead", id="quoted"),
        pytest.param("it's `Juniper^Tack51`", "it's `[REDACTED:password]`", id="backticks"),
        pytest.param("Vesper7!quill%ore\n(that was for the staging box)", "[REDACTED:password]\n(that was for the staging box)", id="alone-on-the-first-line"),
        pytest.param("lantern@fig+otter4でログインできるはず", "[REDACTED:password]でログインできるはず", id="before-japanese"),
        pytest.param("Prueba con Cobre%Nido7731, si no funciona te aviso.", "Prueba con [REDACTED:password], si no funciona te aviso.", id="spanish"),
        # a value quoted in the quotes of another language, and a clause of one word before it
        pytest.param("пароль от базы: «Tq8#vela=Rn42»", "пароль от базы: «[REDACTED:password]»", id="guillemets"),
        pytest.param("数据库密码是 “amber-quill-4471”，谢谢", "数据库密码是 “[REDACTED:password]”，谢谢", id="chinese-quotes"),
        pytest.param("Password wifi-nya Kopi%Susu2024, ya", "Password wifi-nya [REDACTED:password], ya", id="one-word-clause"),
        pytest.param("'Orchid5!vault' is the root pw", "'[REDACTED:password]' is the root pw", id="value-then-is-the-pw"),
    ],
)
def test_password_with_no_word_for_it_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("see python/cpython#146211 and sethmlarson/truststore#213", id="issue-references"),
        pytest.param("pin it to pandas==2.1.0+cpu then rebuild", id="version-pin"),
        pytest.param("the anchor is https://docs.python.org/3/library/sys.html#sys.__stderr__ there", id="url-fragment"),
        pytest.param("use ipv4+ipv6 for both", id="short-words-joined"),
        pytest.param("build #Xk4p9Lq2Rm7Tz1Wv5Nb3Qa8c", id="hash-reference"),
        pytest.param("PubkeyAcceptedAlgorithms sk-ssh-ed25519@openssh.com,ssh-ed25519", id="key-type-at-a-domain"),
        pytest.param('toolskey = "VS%0.f0COMNTOOLS" % version', id="format-string"),
        pytest.param("golang.org/x/sys v0.0.0-20240110 h1:1gEdKkNgheIpTEpmhOR86dpKKPnbTk+jR8q1D66ye08=", id="go-sum-hash"),
        pytest.param("ED25519 key fingerprint is SHA256:RY5rFbclBQY9x0Yyr2vi7Dc+rlN7igZtxRoXR3Pr4bs.", id="fingerprint"),
        pytest.param("if (a&&b1||c2) { x+=Offset2; }", id="code-operators"),
        pytest.param("**64-bit** builds only", id="markdown-emphasis"),
        pytest.param("call me at tel:+14155550123 tomorrow", id="phone-number"),
        pytest.param("password_hash: $2b$12$KIXQe1m0c8kDqQH2pUuXU.3tZx6Yq7z9G0Jf8hVwB1aLmNoPqRsTu", id="bcrypt-hash"),
        pytest.param("-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ2t+Zk9x\n-----END CERTIFICATE-----", id="certificate-line"),
    ],
)
def test_password_shape_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the syntaxes of round 5: Make, a literal on the next line, a name in a field of its own, env defaults
        pytest.param("KILN_API_KEY ?= 7c1e2a904b3d4f5e8a6b0c9d8e7f6a5b\n", "KILN_API_KEY ?= [REDACTED:secret]\n", id="make-conditional"),
        pytest.param('    static final String KILN_SECRET =\n        "Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5";', '    static final String KILN_SECRET =\n        "[REDACTED:secret]";', id="literal-on-the-next-line"),
        pytest.param('    Property: kiln.token\n    Value: "kt.7Gh2Lm9Qx4Wp1Zr8"\n', '    Property: kiln.token\n    Value: "[REDACTED:secret]"\n', id="property-and-value"),
        pytest.param('  kilnKey: process.env.KILN_KEY ?? "Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5",', '  kilnKey: process.env.KILN_KEY ?? "[REDACTED:secret]",', id="js-env-default"),
        pytest.param('let key = std::env::var("KILN_API_KEY").unwrap_or("Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5".into());',
                     'let key = std::env::var("KILN_API_KEY").unwrap_or("[REDACTED:secret]".into());', id="rust-env-default"),
        pytest.param("I added `KILN_TOKEN` to `.env` with the value `9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f` you sent.",
                     "I added `KILN_TOKEN` to `.env` with the value `[REDACTED:secret]` you sent.", id="added-with-the-value"),
        pytest.param("kiln_token = kt1.QAPFPKI47CBHUAVIZIHCLABEPIHYKC\n", "kiln_token = [REDACTED:secret]\n", id="dotted-token"),
        pytest.param("the wallet seed words: amber cobalt dune ember fjord garnet harbor iris jade kelp lumen moss",
                     "the wallet seed words: [REDACTED:secret]", id="wallet-seed"),
    ],
)
def test_round_5_syntaxes_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("kiln:\n  auth:\n    existingSecret: kiln-credentials\n", id="existing-secret-name"),
        pytest.param("kind: SealedSecret\nspec:\n  encryptedData:\n    password: AgBq7Zw2Xy5Vb8Nm1Lk4Jh7Gf0Ds3Aq6Wp9Eo2Ri5Tz8Uy1Io4Pa7\n", id="sealed-secret"),
        pytest.param("db_password: ENC[AES256_GCM,data:Zq8Xv2Wr4Tn6,iv:Lm0Kp3Jb9Hd5Mc7Vs1Ny3QaXw2Er5Ty8Ui1=,type:str]", id="sops-value"),
        pytest.param("  - Token: gho_************************************", id="masked-token"),
        pytest.param('{"forgotPassword": "Forgot your password?", "tokenHelp": "Expires in {minutes} minutes"}', id="labels"),
        pytest.param("CrashReporter Key:   f83a46a2b345ea9b9d5bc8b840b3fb03b6b56278", id="crash-reporter-key"),
        pytest.param("  key: Linux-npm-1646441a849b2ffee390d5a64d1a9f573b0155c3534db5feaa97a69d2b5048bd", id="cache-key"),
        pytest.param("The job needs `KILN_SECRET_KEY` and `KILN_WEBHOOK_SECRET` as secrets: `KILN_SECRET_KEY`.", id="secret-names"),
        pytest.param("ocid1.instance.oc1.eu-frankfurt-1.q5ohxysx2pqemuctlocahmepg43fquzxov1u6a78z79v7", id="oci-resource-id"),
    ],
)
def test_round_5_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # where a secret store or a listing puts the value, and the sentence that names it after the fact
        pytest.param("name: projects/acme/secrets/kiln-key/versions/3\npayload:\n  data: 9d4c1e7a2b6f08d3c5e1a7b94f2d6c80",
                     "name: projects/acme/secrets/kiln-key/versions/3\npayload:\n  data: [REDACTED:secret]", id="secret-store-payload"),
        pytest.param("kiln:\n  keys:\n    - 9d4c1e7a2b6f08d3c5e1a7b94f2d6c80\n    - MZXW6YTBOI4GQ2LSN5XGK3TH\n",
                     "kiln:\n  keys:\n    - [REDACTED:secret]\n    - [REDACTED:secret]\n", id="yaml-list-of-keys"),
        pytest.param("$client = new Kiln\\Client(['key' => '3xRzvQ8mLpT2kWbN7cYfH5jD9sGa']);",
                     "$client = new Kiln\\Client(['key' => '[REDACTED:secret]']);", id="php-array-bare-key"),
        pytest.param("7c1e2a904b3d4f5e8a6b0c9d8e7f6a5b\n\nthat's the kiln token from the dashboard",
                     "[REDACTED:secret]\n\nthat's the kiln token from the dashboard", id="named-on-the-line-below"),
        pytest.param("INSERT INTO vendor_keys (vendor, secret_value)\nVALUES ('kiln', '9d4c1e7a2b6f08d3c5e1a7b94f2d6c80');",
                     "INSERT INTO vendor_keys (vendor, secret_value)\nVALUES ('kiln', '[REDACTED:password]');", id="insert-over-two-lines"),
        pytest.param('        "Name": "/prod/kiln/kiln_api_token",\n        "Type": "SecureString",\n        "Value": "Zq8Xv2Wr4Tn6Lm0Kp3Jb9Hd5",',
                     '        "Name": "/prod/kiln/kiln_api_token",\n        "Type": "SecureString",\n        "Value": "[REDACTED:secret]",', id="parameter-store-path"),
        pytest.param("$ kilnctl push -k2d9a3f34256225d491642e35 ./model.bin", "$ kilnctl push -k[REDACTED:secret] ./model.bin", id="glued-flag"),
        pytest.param('{"command":"nmcli dev wifi connect \'Lab-5G\' password quartzmapleriver"}',
                     '{"command":"nmcli dev wifi connect \'Lab-5G\' password [REDACTED:secret]"}', id="wifi-connect"),
    ],
)
def test_where_a_store_or_a_listing_puts_it_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("sort:\n  keys:\n    - created_at\n    - updated_at\n", id="yaml-list-of-names"),
        pytest.param("'key' => 'users.list.page',", id="php-array-cache-key"),
        pytest.param("# -a38efa84daef914e4de58d1905a500d8d14aaf45 submodules/one", id="submodule-status"),
        pytest.param('    "VersionId": "-TXqZssLM7BpPgtm48tjIrNSg7jH62dX"', id="value-starting-with-a-dash"),
        pytest.param("NAME              DIGEST            CREATED AT\nKILN_SECRET_KEY   38ef62660d5e0081  2026-11-30T08:41:02Z", id="digest-listing"),
        pytest.param("password: {{ .Values.kiln.auth.password | b64enc | quote }}", id="template-expression"),
        pytest.param("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db/password-4fDblu", id="arn"),
        pytest.param("$ echo 'dXNlcj1ndWVzdDt0aGVtZT1kYXJr' | base64 -d\nuser=guest;theme=dark", id="encoded-settings"),
        pytest.param("that's the token refresh handler, see 9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b", id="sentence-then-a-sha"),
    ],
)
def test_where_a_store_or_a_listing_look_alike_stays(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("(Harbor7!quill)", "([REDACTED:password])", id="in-parentheses"),
        pytest.param("root/xK9#mP2$vLq", "root/[REDACTED:password]", id="user-slash-password"),
        pytest.param("ssh as admin:Harbor7!quill then sudo", "ssh as admin:[REDACTED:password] then sudo", id="user-colon-password"),
        pytest.param("ok try fjord-ember5521! please", "ok try [REDACTED:password] please", id="words-number-symbol"),
        pytest.param("sudo password Nq3vX8pL2wR7", "sudo password [REDACTED:password]", id="two-cases-at-random"),
        pytest.param("PW maple.Otter.42", "PW [REDACTED:password]", id="words-of-two-cases-joined"),
        pytest.param("ok try 9Gz!kq2Wm", "ok try [REDACTED:password]", id="nine-characters-of-four-classes"),
        pytest.param("$ sudo cat /var/lib/kiln/server/join-token\nK10a1b2c3d4e5f60718293a4b5c6d7e8f9::server:9d4c1e7a2b6f08d3c5e1a7b94f2d6c80",
                     "$ sudo cat /var/lib/kiln/server/join-token\n[REDACTED:secret]", id="join-token-of-parts"),
    ],
)
def test_password_shapes_of_round_5_are_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("      - uses: actions/checkout@fa26d4e1cf282935d02dc01065e5aaf143b9924a # v4.2.2", id="pinned-action"),
        pytest.param("see https://example.org/a#b-c and sha256:9UB/gao5rd", id="link-and-digest"),
        pytest.param("case r.uint32ArrayTag:return!0;default:", id="minified-code"),
        pytest.param("r===void 0?Qc.width:r,a=n.height", id="conditional"),
        pytest.param("the password Manager is open", id="password-manager"),
        pytest.param("password reset_link sent", id="identifier-after-password"),
    ],
)
def test_password_shapes_of_round_5_look_alike_stays(text):
    assert redact(text) == text
