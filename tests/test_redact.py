"""Secret redaction: each kind is caught, look-alikes are left alone."""

from __future__ import annotations

import base64
import re
import time

import pytest

from nightshift.ingest.redact import redact, redact_obj

# Fake secrets of the right shape (none of them is real).
OPENAI = "sk-proj-Xq7vR2mN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nM4xKv"
OPENAI_LEGACY = "sk-" + "Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78St90UvWx"
ANTHROPIC = "sk-ant-api03-Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe-dCbA_98765"
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkRldiJ9.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo\n4lgOEePzNm0tRgeLezV6ffAt0gunVTLw\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(f"my key is {OPENAI} ok", "my key is [REDACTED:openai] ok", id="openai-project"),
        pytest.param(OPENAI_LEGACY, "[REDACTED:openai]", id="openai-legacy"),
        pytest.param(f"key={ANTHROPIC}", "key=[REDACTED:anthropic]", id="anthropic"),
        pytest.param(f"id {AWS_ID} here", "id [REDACTED:aws_access_key] here", id="aws-access-key-id"),
        pytest.param(f"aws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1", "aws_secret_access_key = [REDACTED:aws_secret_key]\nregion = eu-west-1", id="aws-secret-ini"),
        pytest.param(f"AWS_SECRET_ACCESS_KEY={AWS_SECRET}", "AWS_SECRET_ACCESS_KEY=[REDACTED:aws_secret_key]", id="aws-secret-env"),
        pytest.param(f"export GITHUB_TOKEN={GITHUB}", "export GITHUB_TOKEN=[REDACTED:github]", id="github-in-assignment"),
        pytest.param("gho_" + "Z" * 36, "[REDACTED:github]", id="github-oauth"),
        pytest.param("ghs_" + "x9" * 18, "[REDACTED:github]", id="github-server"),
        pytest.param("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", "[REDACTED:github]", id="github-fine-grained"),
        pytest.param("glpat-Ab1Cd2Ef3Gh4Ij5Kl6Mn", "[REDACTED:gitlab]", id="gitlab"),
        pytest.param("SLACK=xoxb-1234567890-0987654321-AbCdEfGhIjKl", "SLACK=[REDACTED:slack]", id="slack"),
        pytest.param("sk_live_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED:stripe]", id="stripe-secret"),
        pytest.param("rk_live_4eC39HqLyjWDarjtT1zdp7dc", "[REDACTED:stripe]", id="stripe-restricted"),
        pytest.param("AIzaSyA-1a2b3c4d5e6f7g8h9i0jKLMNOPQRSTU", "[REDACTED:google_api_key]", id="google"),
        pytest.param("//registry.npmjs.org/:_authToken=npm_" + "a1b2C3d4" * 4 + "e5f6", "//registry.npmjs.org/:_authToken=[REDACTED:npm]", id="npm"),
        pytest.param("password = pypi-AgEIcHlwaS5vcmc" + "Q1w2E3r4T5y6" * 6 + "\n", "password = [REDACTED:pypi]\n", id="pypi"),
        pytest.param(f"Cookie: session={JWT};", "Cookie: session=[REDACTED:jwt];", id="jwt"),
        pytest.param(f"before\n{PEM}\nafter", "before\n[REDACTED:private_key]\nafter", id="private-key"),
        pytest.param("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU", "[REDACTED:private_key]", id="private-key-clipped"),
        pytest.param("postgres://app:s3cr3t-P4ss@db.internal:5432/shop", "postgres://app:[REDACTED:url_password]@db.internal:5432/shop", id="url-password"),
        pytest.param("curl -H 'Authorization: Bearer abc.def-ghi_123' https://x", "curl -H 'Authorization: Bearer [REDACTED:authorization]' https://x", id="authorization-header"),
        pytest.param('{"Authorization": "Basic dXNlcjpwYXNzd29yZA=="}', '{"Authorization": "Basic [REDACTED:authorization]"}', id="authorization-json"),
        pytest.param("token: Bearer 4f9a1c2e8b7d6e5f4a3b2c1d", "token: Bearer [REDACTED:bearer]", id="bare-bearer"),
        pytest.param("DB_PASSWORD=hunter2", "DB_PASSWORD=[REDACTED:secret]", id="env-password"),
        pytest.param('client_secret="abc123xyz"', 'client_secret="[REDACTED:secret]"', id="quoted-client-secret"),
        pytest.param('{"api_key": "abcd-1234", "user": "dev"}', '{"api_key": "[REDACTED:secret]", "user": "dev"}', id="json-api-key"),
        pytest.param("{'passwd': 'letmein!'}", "{'passwd': '[REDACTED:secret]'}", id="python-dict"),
        pytest.param('apiKey = "q1w2e3r4"', 'apiKey = "[REDACTED:secret]"', id="camel-case-assignment"),
        pytest.param("mysql -h db -u root -pS3cr3t-Pw! shop", "mysql -h db -u root -p[REDACTED:secret] shop", id="mysql-glued-p"),
        pytest.param("sshpass -p 'Harbor!93' ssh h", "sshpass -p '[REDACTED:secret]' ssh h", id="sshpass"),
        pytest.param("curl -u admin:Orbit%27x https://h", "curl -u admin:[REDACTED:secret] https://h", id="curl-user"),
        pytest.param("h:5432:db:app:Nimbus*14\n", "h:5432:db:app:[REDACTED:secret]\n", id="pgpass"),
        pytest.param("the db password is Meadow#55, ok", "the db password is [REDACTED:password], ok", id="prose-password"),
        pytest.param("<password>Fjord-38</password>", "<password>[REDACTED:secret]</password>", id="xml"),
        pytest.param("https://api.example.com/v1?access_token=q1w2e3r4&page=2", "https://api.example.com/v1?access_token=[REDACTED:secret]&page=2", id="query-string"),
    ],
)
def test_each_kind_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("commit 4be1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3 fixes it", id="git-sha"),
        pytest.param("thread 019cb1f2-6a3e-7d10-9b8e-2f4c1a7e5d33 resumed", id="uuid"),
        pytest.param(base64.b64encode(b"The quick brown fox jumps over the lazy dog, twice over.").decode(), id="base64-of-text"),
        pytest.param("git@github.com:acme/acme-api.git and https://github.com/acme/acme-api", id="git-remotes"),
        pytest.param("https://user@example.com/x and http://localhost:8080/a@b", id="url-without-password"),
        pytest.param("the task-list-item-checkbox-wrapper-element and ask-the-user-about-it-please", id="words-with-sk"),
        pytest.param("pip install scikit-learn; sk-learn is a nickname", id="sk-learn"),
        pytest.param("max_tokens=1000 token_count=3 PWD=/home/dev passwords=3", id="names-that-only-contain-a-word"),
        pytest.param("Bearer authentication is a basic configuration-management topic", id="bearer-in-prose"),
        pytest.param("token=None api_key=${OPENAI_API_KEY} password=\"$DB_PASSWORD\" secret=<your-secret>", id="placeholders"),
        pytest.param("if token == 'abc': self._token = self.var.set(token)\n", id="code-comparison-and-call"),
        pytest.param("api_key=api_key, password=settings.db.password, token=make_token(user)", id="code-arguments"),
        pytest.param("Always use pnpm instead of npm in this repo. The secret to speed is caching.", id="prose"),
        pytest.param("AKIAIOSFODNN7EXAMPLEXYZ", id="longer-than-an-aws-id"),
        pytest.param("deploy:\n  ssh_private_key_path: ~/.ssh/deploy_ed25519\n", id="key-path-not-a-key"),
        pytest.param('"@solana/spl-token": "^0.4.0",\n"jsonwebtoken": "9.0.2"', id="versions-under-token-names"),
        pytest.param("mysql -u root -p shop; mkdir -p a; ssh -p 2222 h; docker run -u 1000:1000 x", id="flags-that-take-no-password"),
        pytest.param("DB_PASSWORD=op://Eng/pg/password GITHUB_TOKEN=*** KEY_FILE=/run/secrets/k", id="references-and-masks"),
        pytest.param("the password is too short and the token is expired", id="prose-about-passwords"),
    ],
)
def test_look_alikes_are_left_alone(text):
    assert redact(text) == text


def test_redaction_is_idempotent():
    text = f"k={OPENAI} postgres://a:b1c2d3@h/db Authorization: Bearer abcdefgh123 password=hunter2 {PEM}"
    once = redact(text)
    assert redact(once) == once
    assert OPENAI not in once and "hunter2" not in once and "b1c2d3" not in once


def test_redact_obj_walks_nested_data():
    data = {
        "messages": [{"role": "user", "content": f"my key {OPENAI}"}, {"n": 3, "ok": True, "none": None}],
        "headers": {"password": "plain-words", "Api-Key": "short", "max_tokens": "100"},
        "tuple": ("x", GITHUB),
    }
    assert redact_obj(data) == {
        "messages": [{"role": "user", "content": "my key [REDACTED:openai]"}, {"n": 3, "ok": True, "none": None}],
        "headers": {"password": "[REDACTED:secret]", "Api-Key": "[REDACTED:secret]", "max_tokens": "100"},
        "tuple": ["x", "[REDACTED:github]"],
    }


def test_large_text_is_redacted_in_linear_time():
    # ~4 MB of ordinary transcript-like text with a secret now and then. Against one regex pass over every word of
    # the same text, timed here (the machine may be busy): redaction takes 6-9x that; a backtracking pattern, 100x+.
    line = "[tool output]\nExit code: 0\nsrc/app.py:41: value = compute(total, limit=50)  # see https://docs.example.com/a\n"
    text = (line * 400 + f"OPENAI_API_KEY={OPENAI}\n") * 100
    redact("compile the patterns first")
    started = time.perf_counter()
    re.sub(r"\w+", "x", text)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    redacted = redact(text)
    elapsed = time.perf_counter() - started
    assert redacted.count("[REDACTED:openai]") == 100
    assert elapsed < 40 * baseline, f"redacting {len(text):,} characters took {elapsed / baseline:.0f}x one regex pass over its words"
