"""Long random tokens with nothing around them that names a secret (issue 19): caught by their shape, while
the look-alikes of the same shape (digests, public keys, ids, paths, identifiers) stay. Every value here is
made up for the test."""

from __future__ import annotations

import pytest

from nightshift.ingest.redact import redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("try Qm7vR2xN9bT4kLw8ZcY1pD6sHf3JgA0e5Uo", "try [REDACTED:secret]", id="bare-in-prose"),
        pytest.param("export KILN_HOOK=zq_Vb7Nm2Xc4Lk9Jh3Gf6Ds1Aq8Wp5Eo0Ri2Ty7", "export KILN_HOOK=[REDACTED:secret]", id="unknown-name-and-prefix"),
        pytest.param("acme-cli deploy --site blog -k Rt5Yu8Io2Pa4Sd7Fg1Hj3Kl6Zx9Cv0Bn", "acme-cli deploy --site blog -k [REDACTED:secret]", id="unlisted-tool-argument"),
        pytest.param("Bearer-less header X-Kiln: Wq3Er6Ty9Ui2Op5As8Df1Gh4Jk7Lz0Xc", "Bearer-less header X-Kiln: [REDACTED:secret]", id="unknown-header"),
        pytest.param("urn.v1.Np4Qr7St0Uv3Wx6Yz9Ab2Cd5Ef8Gh1Ij", "[REDACTED:secret]", id="dotted-prefix"),
        pytest.param("key=gq3wnd8vz1xk5m0pt7rb2yc9hf4sj6la0ke3ui", "key=[REDACTED:secret]", id="lowercase-and-digits-long"),
    ],
)
def test_random_token_is_redacted(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("commit 4be1c0d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8", id="hex-sha"),
        pytest.param('"integrity": "sha512-Vq1Zt4Xw7Cb0Nm3Lk6Jh9Gf2Ds5Aq8Wp1Eo4Ri7Ty0Uu3Ii6Oo9Pp2=="', id="integrity"),
        pytest.param("github.com/x/y v1.2.0 h1:Rb8Ty3Ui6Op9As2Df5Gh8Jk1Lz4Xc7Vb0Nm3Qw6Er9=", id="go-sum"),
        pytest.param("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKq7Zw2Xy5Vb8Nm1Lk4Jh7Gf0Ds3Aq6Wp9Eo2Ri5T dev@box", id="ssh-public-key"),
        pytest.param("-----BEGIN CERTIFICATE-----\nMQ8vR2xN9bT4kLw8ZcY1pD6sHf3JgA0e5UoQiE7rWt2yB9nMk4Lp7Zs1Xd6Cf3Vg\n-----END CERTIFICATE-----", id="certificate"),
        pytest.param('<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgQm7vR2xN9bT4kLw8ZcY1pD6sHf3Jg">', id="data-uri"),
        pytest.param("see https://docs.example.com/d/Zk3Lm6Np9Qr2St5Uv8Wx1Yz4Ab7Cd0Ef/edit", id="url-path"),
        pytest.param('{"request_id": "Hq2Wr5Et8Yu1Io4Pa7Sd0Fg3Hj6Kl9Zx"}', id="id-name"),
        pytest.param("x-amz-id-2: Tg4Yh7Uj0Ik3Ol6Pz9Xa2Sc5Dv8Fb1Gn4Hm7Jq0We3Rt6", id="id-header"),
        pytest.param("customer cus_Qm7vR2xN9bT4kLw8ZcY1p paid", id="api-object-id"),
        pytest.param("class ThisIsAnotherRatherLongClassName42Factory", id="camel-case-identifier"),
        pytest.param("ls exports/report-9f8e7d6c-1a2b-3c4d-5e6f-7a8b9c0d1e2f.csv", id="uuid-in-a-file-name"),
        pytest.param("VGhpcyBpcyBqdXN0IGEgc2VudGVuY2UgaW4gYmFzZTY0Lg==", id="base64-of-prose"),
        pytest.param("age1qz7x3vd8k2mn5pl9rt4wy6hc0js2ue8ga5fk1dx7nb3zv9wq4tp", id="age-recipient"),
        pytest.param("Verify with:\n  minisign -Vm a.tgz -P RWQf8Kd2Lp5Xm9Zt3Vb6Nc1Qw4Er7Ty0Ui3Op6As9Df2", id="said-public"),
        pytest.param("peer: Nm3Lk6Jh9Gf2Ds5Aq8Wp1Eo4Ri7Ty0Uu3Ii6Oo9Pp2Zq=", id="wireguard-peer"),
    ],
)
def test_look_alike_of_the_same_shape_stays(text):
    assert redact(text) == text
