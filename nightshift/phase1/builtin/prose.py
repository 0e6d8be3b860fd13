"""The user's own prose: their messages cut into sentences, without pasted code, logs, injected blocks
or pasted lists of someone else's rules, and without the filler in front of what a sentence says."""

from __future__ import annotations

import re



PASTED_LIST_ITEMS = 3
# A line opening a harness-injected block (<environment_context>, <system-reminder>) a reader missed.
_OPEN_TAG = re.compile(r"^<([A-Za-z][\w-]*)(?:\s[^>]*)?>")
_FENCES = ("```", "~~~")
# A line of only dashes fences a pasted document ("---\n## Contributing\n...\n---") as ``` fences code.
_RULE_LINE = re.compile(r"^-{3,}$")
_CODE_OR_LOG_LINE = re.compile(
    r"""^(?:\$\s|>|\#!|\#include|[<{\[]
      |(?:def|class|import|from\s+\S+\s+import|function|const|let|var|return|package|public|private)\s
      |(?:SELECT|INSERT|UPDATE|DELETE)\s
      |Traceback\s\(most|File\s".*",\sline\s\d
      |at\s+[\w.$<>]+\(
      |\[?\d{4}-\d\d-\d\d[\sT]\d\d:\d\d
      |(?:ERROR|WARN(?:ING)?|INFO|DEBUG|FATAL)\b[:\]\s]
      |E\s{2,})
    |[;{}]\s*$""",
    re.X,
)
_CODE_SYMBOLS = re.compile(r"[{}\[\]()<>=;$\\|&*#@%]")
_BULLET = re.compile(r"^(?:[-*+\u2022]|\d+[.)])\s+")
_SENTENCE_BREAK = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<=[.!?])\s+")
# Filler a user puts before the rule itself ("ok, so please always ...", "Third, ...", "By the way, ...").
_LEAD_WORDS = re.compile(
    r"^(?:(?:please|pls|plz|kindly|bitte|also|and|so|ok(?:ay)?|btw|by\s+the\s+way|oh|ah|but|hey|well|now|note"
    r"|(?:it'?s\s+|it\s+is\s+|is\s+)?(?:very\s+|super\s+|really\s+)?important|sorry|i\s+forgot\s+to\s+(?:say|mention|tell\s+you)"
    r"|the\s+thing\s+is|rule|again|just|one\s+more\s+thing|first(?:ly)?|second(?:ly)?|third(?:ly)?|finally|lastly"
    r"|from\s+now\s+on|going\s+forward|moving\s+forward|from\s+here\s+on|for\s+(?:context|reference)|fwiw"
    r"|to\s+be\s+clear|to\s+clarify|as\s+a\s+reminder|from\s+today(?:\s+on)?|let'?s|until\s+then)\b[\s,:;!.-]*)+",
    re.I,
)
# An answer word that only opens the message: "No, I said uv", "Great. Tests here ...".
_INTERJECTION = re.compile(
    r"^(?:(?:(?:it'?s|is|that'?s)\s+(?=ok|okay|fine|good|great|cool|nice|perfect))?(?:no|nope|nein|nee|nej|n[aã]o|yes|yep|yeah|ja|sim|ah|oh|hmm+|great|good"
    r"|cool|nice|perfect|fine|thanks|thank\s+you|thx|ty|ok(?:ay)?|sure"
    r"|right|alright|wait|incorrect|not\s+quite|wrong(?:\s+again)?|dude|man|bro|come\s+on|geez|jeez|gosh|oops|seriously|sigh|stop)\s*[,.!]+"
    # a correction opener needs no comma: "actually the config lives in ...", "ugh thats the old package"
    r"|(?:actually|ugh+|nah+|hm+|uh+|um+|erm+|hold\s+on|no\s+no+|not\s+like\s+that)\b[,.!:;-]*)\s*",
    re.I,
)
# Words that make a list the user's own: "my rules:", "conventions for this repo:", "remember these".
_OWN_LIST = re.compile(
    r"\b(?:my|our)\s+(?:\w+\s+)?(?:rules?|conventions?|preferences?|guidelines?|standards?)\b"
    r"|\b(?:rules?|conventions?)\s+(?:for|in|of)\s+(?:this|the|our)\b|\b(?:remember|keep\s+in\s+mind|from\s+now\s+on|going\s+forward)\b",
    re.I,
)
# A line that introduces someone else's text: "tighten the wording of this README section:", "my
# colleague wrote:", "here is the spec:". What follows it in the message is the document, not the user.
_PASTE_INTRO = re.compile(
    r"(?:\b(?:this|these|the\s+following|following|below|here'?s|here\s+is|here\s+are|attached)\b.*"
    r"\b(?:section|readme|docs?|documentation|spec|specification|text|paragraphs?|e-?mail|message|description|comment"
    r"|issue|ticket|page|guide|policy|review|feedback|changelog|notes?|post|draft|summary|announcement|proposal|rfc"
    r"|excerpt|wording|copy|answer|reply|instructions)\b.*"
    r"|\b(?:says?|said|wrote|writes|posted|sent|replied|suggested|proposed)\s*)[:\u2026]\s*$",
    re.I,
)


# Double quotes around at least one whole sentence (a quoted word or command has no sentence end inside).
_QUOTED_SENTENCES = re.compile(r'["\u201c][^"\u201c\u201d]*?\w[.!?]["\u201d]')


def _strip_lead(sentence: str) -> str:
    """The sentence without the filler and answer words in front of what it says."""
    while True:
        stripped = _LEAD_WORDS.sub("", _INTERJECTION.sub("", sentence, count=1), count=1)
        if stripped == sentence or not stripped:
            return sentence
        sentence = stripped


def _sentences(text: str) -> list[str]:
    """The user's own prose, one sentence each, without pasted code, logs, quotes, injected blocks or
    pasted lists of someone else's rules."""
    sentences = []
    for line in _without_pasted_lists(_prose_lines(text.replace("\u2019", "'"))):
        line = _without_quoted_sentences(line)
        for part in _SENTENCE_BREAK.split(_BULLET.sub("", line.strip())):
            if part := " ".join(part.split()):
                sentences.append(part)
    return sentences


def _without_quoted_sentences(line: str) -> str:
    """The line without the whole sentences it quotes ('Tomasz wrote in his doc: "Never release on a Friday."'):
    they are someone else's words, unless the user's own words before the quote claim them ("my rule:")."""
    quoted = _QUOTED_SENTENCES.search(line)
    if not quoted:
        return line
    if _OWN_LIST.search(line[: quoted.start()]):
        return _QUOTED_SENTENCES.sub(lambda m: m[0][1:-1], line)  # the user's own rule, quoted for emphasis
    return _QUOTED_SENTENCES.sub(" ", line)


def _prose_lines(text: str) -> list[str]:
    """Lines outside fenced code and tag blocks; line by line so a huge paste stays linear time.

    An unclosed fence or tag block swallows the rest of the message, as a Markdown renderer shows it.
    """
    lines, block_end = [], None  # block_end: the marker that closes the block we are inside
    # a dash line opens a document only when another closes it: one alone is a separator, not a fence
    rule_lines_left = sum(1 for line in text.splitlines() if _RULE_LINE.match(line.strip()))
    for line in text.splitlines():
        rule_lines_left -= bool(_RULE_LINE.match(line.strip()))
        stripped = line.strip()
        if block_end is not None:
            if block_end in stripped if block_end != "---" else _RULE_LINE.match(stripped):
                block_end = None
            continue
        fence = next((f for f in _FENCES if stripped.startswith(f)), None)
        if fence and fence not in stripped[3:]:
            block_end = fence
        elif _RULE_LINE.match(stripped) and rule_lines_left:
            block_end = "---"
        elif (tag := _OPEN_TAG.match(stripped)) and f"</{tag[1]}>" not in stripped:
            block_end = f"</{tag[1]}>"
        elif stripped and not fence and not _looks_pasted(line):
            lines.append(line)
    return lines


def _without_pasted_lists(lines: list[str]) -> list[str]:
    """A list of PASTED_LIST_ITEMS or more items is a pasted document (a spec, guidelines, a style guide)
    unless the user's own words before it claim it ("my rules for this repo:", "remember these:"); so is
    everything after a line that introduces someone else's text ("fix the wording of this section:")."""
    kept: list[str] = []
    i = 0
    while i < len(lines):
        if kept and _PASTE_INTRO.search(kept[-1]) and not _OWN_LIST.search(kept[-1]):
            break
        j = i
        while j < len(lines) and _BULLET.match(lines[j].strip()):
            j += 1
        if j == i:
            kept.append(lines[i])
            i += 1
            continue
        owned = any(_OWN_LIST.search(line) for line in kept)
        if j - i < PASTED_LIST_ITEMS or owned:
            kept += lines[i:j]
        i = j
    return kept


def _looks_pasted(line: str) -> bool:
    if len(line) > 500 or line.startswith(("    ", "\t")):  # very long, or indented code
        return True
    stripped = line.strip()
    dense = sum(1 for c in stripped if not c.isspace())
    return bool(_CODE_OR_LOG_LINE.search(stripped)) or len(_CODE_SYMBOLS.findall(stripped)) > 0.2 * dense


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "\u2026"

