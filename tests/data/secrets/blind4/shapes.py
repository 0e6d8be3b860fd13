"""Random values in the shapes credentials and harmless ids take, from one seeded generator.

A shape is a template like "ghp_{an36}": each {CLASSn} is n characters drawn from the alphabet CLASS names
in ALPHABETS (letters only, so the count that follows is never ambiguous), {uuid} a random UUID. Nothing here is a real credential: every value is drawn at random.
"""

from __future__ import annotations

import random
import re
import string

ALPHABETS = {
    "an": string.ascii_letters + string.digits,
    "lc": string.ascii_lowercase + string.digits,
    "AN": string.ascii_uppercase + string.digits,
    "hex": "0123456789abcdef",
    "HEX": "0123456789ABCDEF",
    "bs": string.ascii_letters + string.digits + "+/",
    "bu": string.ascii_letters + string.digits + "-_",
    "lb": string.ascii_lowercase + "234567",
    "UB": string.ascii_uppercase + "234567",
    "dig": string.digits,
    "low": string.ascii_lowercase,
    "pw": string.ascii_letters + string.digits + "!#%*+-.:=?@^_~",
}
FIELD = re.compile(r"\{(uuid|[a-zA-Z]+)(\d*)\}")


class Draw:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def chars(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.chars(ALPHABETS["hex"], 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{self.rng.choice('89ab')}{h[17:20]}-{h[20:]}"

    def shape(self, template: str) -> str:
        def one(match: re.Match) -> str:
            name, count = match.group(1), match.group(2)
            if name == "uuid":
                return self.uuid()
            return self.chars(ALPHABETS[name], int(count or 1))
        return FIELD.sub(one, template)

    def pick(self, options):
        return self.rng.choice(list(options))

    def password(self) -> str:
        """A human-made password: words, digits and a symbol, the kind people type into chat."""
        words = ["Lantern", "quokka", "Marble", "tundra", "Orbit", "saffron", "Pylon", "glacier", "Vesper",
                 "cobalt", "Nimbus", "juniper", "Falcon", "ember", "Tessel", "morrow"]
        return (self.pick(words) + self.pick("!#%*+-.@_") + self.pick(words) + self.shape("{dig3}")
                + self.pick("!?$&") + self.shape("{an3}"))
