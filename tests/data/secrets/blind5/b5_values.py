"""Random values of the shapes credentials and ids take, all drawn from one seeded generator."""

import base64
import hashlib
import json
import string
import uuid

HEX = "0123456789abcdef"
UPPER_HEX = "0123456789ABCDEF"
DIGITS = string.digits
LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = LOWER + DIGITS
UPPER_ALNUM = UPPER + DIGITS
BASE32 = UPPER + "234567"
BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BASE64 = ALNUM + "+/"
BASE64URL = ALNUM + "-_"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
# Symbols that survive shells, URLs and JSON without escaping, so a password drawn from them is
# always a plain substring of the text it sits in.
PASSWORD_SYMBOLS = "!#%*+-.=?@^_~"

WORDS = (
    "amber anvil birch bramble cactus canyon cedar cobalt comet coral cricket dune ember falcon fern "
    "fjord garnet glacier granite harbor hazel heron indigo juniper kestrel lagoon lantern lichen "
    "maple meadow mesa nectar nimbus obsidian orchid osprey otter pebble pepper quartz quill raven "
    "reef saffron sequoia sparrow spruce thistle timber topaz tundra umber velvet walnut willow "
    "yarrow zephyr"
).split()


class Draw:
    """Every random value of the corpus comes through here, in generation order."""

    def __init__(self, rng):
        self.rng = rng

    def chars(self, alphabet, n):
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def hex(self, n):
        return self.chars(HEX, n)

    def alnum(self, n):
        return self.chars(ALNUM, n)

    def lower_alnum(self, n):
        return self.chars(LOWER_ALNUM, n)

    def upper_alnum(self, n):
        return self.chars(UPPER_ALNUM, n)

    def digits(self, n):
        # A leading zero would make ids look padded; real numeric ids rarely start with 0.
        return self.rng.choice("123456789") + self.chars(DIGITS, n - 1)

    def b32(self, n):
        return self.chars(BASE32, n)

    def b58(self, n):
        return self.chars(BASE58, n)

    def b64url(self, n):
        return self.chars(BASE64URL, n)

    def raw(self, nbytes):
        return bytes(self.rng.randrange(256) for _ in range(nbytes))

    def b64(self, nbytes):
        return base64.b64encode(self.raw(nbytes)).decode()

    def b64url_bytes(self, nbytes):
        return base64.urlsafe_b64encode(self.raw(nbytes)).decode().rstrip("=")

    def uuid4(self):
        return str(uuid.UUID(bytes=self.raw(16), version=4))

    def pick(self, seq):
        return self.rng.choice(seq)

    def int(self, lo, hi):
        return self.rng.randint(lo, hi)

    def word(self):
        return self.rng.choice(WORDS)

    def password(self, n=16):
        """A human-made-looking strong password: letters, digits and shell-safe symbols."""
        while True:
            value = self.chars(ALNUM + PASSWORD_SYMBOLS, n)
            if any(c.isdigit() for c in value) and any(c in PASSWORD_SYMBOLS for c in value):
                return value

    def human_password(self):
        """What people actually type: a word, a capital, digits, a symbol, sometimes repeated."""
        word = self.word()
        shapes = (
            lambda: word.capitalize() + self.digits(4) + self.pick("!#%*") + self.word(),
            lambda: self.word() + "-" + word + "-" + self.digits(3),
            lambda: word.upper()[:3] + self.chars(LOWER, 5) + self.digits(2) + "!" + self.digits(3),
            lambda: self.word().capitalize() + "_" + word.capitalize() + self.digits(4),
            lambda: self.chars(ALNUM, 6) + self.pick("@#%") + word + self.digits(2),
        )
        value = self.pick(shapes)()
        return value if len(value) >= 12 else value + self.digits(12 - len(value))

    def passphrase(self, words=4, sep="-"):
        return sep.join(self.word() for _ in range(words))

    def sha1(self):
        return hashlib.sha1(self.raw(20)).hexdigest()

    def sha256(self):
        return hashlib.sha256(self.raw(32)).hexdigest()

    def ulid(self):
        return self.chars("01234567", 1) + self.chars(CROCKFORD, 25)

    def ksuid(self):
        return self.chars("0123456789", 1) + self.chars(ALNUM, 26)

    def object_id(self):
        return "6" + self.hex(23)

    def ip(self):
        return f"10.{self.int(0, 255)}.{self.int(0, 255)}.{self.int(2, 254)}"


def b64(text):
    return base64.b64encode(text.encode()).decode()


def b64url_json(obj):
    raw = json.dumps(obj, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def jwt(draw, claims, alg="HS256", sig_bytes=32):
    header = b64url_json({"alg": alg, "typ": "JWT"})
    return f"{header}.{b64url_json(claims)}.{draw.b64url_bytes(sig_bytes)}"
