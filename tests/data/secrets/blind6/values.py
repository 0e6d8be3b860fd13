"""Random value shapes. Every draw goes through the one seeded generator passed in, so no value is real."""
import base64
import string

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LOWER + UPPER + DIGITS
LOWER_ALNUM = LOWER + DIGITS
UPPER_ALNUM = UPPER + DIGITS
HEX = "0123456789abcdef"
B32 = UPPER + "234567"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
URLSAFE = ALNUM + "-_"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def pick(rng, alphabet, n):
    return "".join(rng.choice(alphabet) for _ in range(n))


def hexs(rng, n, upper=False):
    value = pick(rng, HEX, n)
    return value.upper() if upper else value


def raw(rng, nbytes):
    return bytes(rng.randrange(256) for _ in range(nbytes))


def b64(rng, nbytes, url=False, pad=True):
    data = raw(rng, nbytes)
    text = (base64.urlsafe_b64encode if url else base64.b64encode)(data).decode()
    return text if pad else text.rstrip("=")


def uuid4(rng):
    h = hexs(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{rng.choice('89ab')}{h[17:20]}-{h[20:]}"


def digits(rng, n):
    return rng.choice("123456789") + pick(rng, DIGITS, n - 1)


WORDS = (
    "harbor kestrel lantern maple quartz otter falcon willow ember cobalt juniper saffron meadow glacier "
    "orchid pepper thistle walnut copper marble tundra velvet cricket sparrow nimbus pebble fjord prairie "
    "raven cactus basil mango tango zephyr lotus cedar birch aspen "
).split()
SYMBOLS = "!#$%&*+-.=?@^_~"


def human_password(rng):
    """A password a person picks: words, digits and a symbol, at least 12 characters."""
    while True:
        style = rng.randrange(5)
        w1, w2 = rng.choice(WORDS), rng.choice(WORDS)
        if style == 0:
            value = f"{w1.capitalize()}{rng.choice(SYMBOLS)}{w2.capitalize()}{rng.randrange(10, 9999)}"
        elif style == 1:
            value = f"{w1}-{w2}-{rng.randrange(100, 9999)}{rng.choice(SYMBOLS)}"
        elif style == 2:
            leet = str.maketrans("aeio", "4310")
            value = f"{w1.capitalize().translate(leet)}{rng.randrange(1970, 2030)}{rng.choice(SYMBOLS)}{rng.choice(SYMBOLS)}"
        elif style == 3:
            value = pick(rng, ALNUM + SYMBOLS, rng.randrange(14, 22))
        else:
            value = f"{w1}{rng.choice(SYMBOLS)}{w2}{rng.choice(SYMBOLS)}{rng.choice(WORDS)}{rng.randrange(10)}"
        if len(value) >= 12:
            return value


def machine_password(rng, n=24, symbols="!@#%^*-_+="):
    return pick(rng, ALNUM + symbols, n)
