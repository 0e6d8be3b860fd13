"""Seeded draws of the character shapes credentials and harmless ids take.

One Draw object is threaded through the whole generation, so the order of the calls fixes every value;
none of them is a real credential.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string

HEX = "0123456789abcdef"
ALNUM = string.ascii_letters + string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
LOWER_DIGITS = string.ascii_lowercase + string.digits
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
NIX32 = "0123456789abcdfghijklmnpqrsvwxyz"

# Invented vocabulary for human passwords, passphrases and harmless names.
SYLLABLES = ["bram", "tolu", "vex", "kiri", "mondo", "pala", "quin", "rusk", "sela", "tarn", "ulo", "wend",
             "yarra", "zeph", "cobb", "drin", "fenn", "gale", "hobb", "lark", "mire", "nock", "orrin", "plum"]
NOUNS = ["kettle", "anchor", "pylon", "barley", "cinder", "dune", "fjord", "gravel", "hamlet", "isthmus",
         "jasper", "kiln", "lagoon", "mortar", "nettle", "oxbow", "parsnip", "quill", "rampart", "sorrel",
         "trellis", "umber", "vellum", "wicket", "yarrow", "zither", "bellows", "cairn", "dormer", "eddy"]


class Draw:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def of(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def hexs(self, length: int) -> str:
        return self.of(HEX, length)

    def mixed(self, length: int) -> str:
        return self.of(ALNUM, length)

    def up(self, length: int) -> str:
        return self.of(UPPER_DIGITS, length)

    def low(self, length: int) -> str:
        return self.of(LOWER_DIGITS, length)

    def digits(self, length: int) -> str:
        return str(self.rng.randint(1, 9)) + self.of(string.digits, length - 1)

    def b32(self, length: int) -> str:
        return self.of(BASE32, length)

    def b64(self, nbytes: int) -> str:
        return base64.b64encode(self.rng.randbytes(nbytes)).decode()

    def b64url(self, nbytes: int) -> str:
        return base64.urlsafe_b64encode(self.rng.randbytes(nbytes)).decode().rstrip("=")

    def urlsafe_chars(self, length: int) -> str:
        return self.of(ALNUM + "-_", length)

    def uuid(self) -> str:
        raw = self.hexs(32)
        return f"{raw[:8]}-{raw[8:12]}-4{raw[13:16]}-{self.rng.choice('89ab')}{raw[17:20]}-{raw[20:]}"

    def pick(self, options):
        return self.rng.choice(options)

    def number(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def noun(self) -> str:
        return self.pick(NOUNS)

    def human_password(self) -> str:
        """What a person types: words, a capital, digits, a symbol; never shorter than 12 characters."""
        style = self.number(0, 3)
        first, second = self.rng.sample(NOUNS, 2)
        if style == 0:
            return f"{first.capitalize()}{self.pick('!@%*?.')}{second}{self.number(100, 9999)}"
        if style == 1:
            return f"{self.pick(SYLLABLES)}{self.number(10, 99)}{first.upper()}{self.pick('.-_+')}{second}"
        if style == 2:
            return f"{first}-{second}-{self.pick(NOUNS)}-{self.number(1, 99)}"
        return f"{first[0].upper()}{first[1:]}{self.number(1000, 99999)}{self.pick('!?+')}{self.pick(SYLLABLES)}"

    def strong_password(self, length: int = 24) -> str:
        return self.of(ALNUM + "!#$%^&*()-_=+[]{}:,.?~", length)

    def passphrase(self, words: int = 5) -> str:
        return " ".join(self.rng.sample(NOUNS, words))

    def mnemonic(self, words: int = 12) -> str:
        return " ".join(self.rng.choice(NOUNS + SYLLABLES) for _ in range(words))

    def pem_lines(self, nbytes: int) -> list[str]:
        body = self.b64(nbytes)
        return [body[i : i + 64] for i in range(0, len(body), 64)]

    def jwt(self, claims: dict) -> str:
        def segment(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).decode().rstrip("=")

        header = segment(json.dumps({"alg": self.pick(["HS256", "RS256", "ES256"]), "typ": "JWT"}, separators=(",", ":")).encode())
        payload = segment(json.dumps(claims, separators=(",", ":")).encode())
        return f"{header}.{payload}.{segment(self.rng.randbytes(self.pick([32, 64, 256])))}"

    def sha256_of_noise(self) -> str:
        return hashlib.sha256(self.rng.randbytes(24)).hexdigest()
