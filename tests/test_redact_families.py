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
