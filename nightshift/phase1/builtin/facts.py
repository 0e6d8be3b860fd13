"""Plain statements of how the project is, kept as knowledge: "the test database listens on 5433",
"the docs are built with mkdocs", "the port is 8081". Recognised by shape (a thing of the project, a
verb of where it lives or how it is made, a concrete object), never when said of the moment."""

from __future__ import annotations

import re

from nightshift.phase1.builtin.prose import _strip_lead
from nightshift.phase1.builtin.scope import _SCOPE_LEAD
from nightshift.phase1.builtin.cues import _TYPOS
from nightshift.phase1.builtin.not_rules import _DEICTIC, _HEDGE, _ONE_OFF, _QUESTION_START


# A plain statement of how things are in the project, without a rule word: "the test database listens
# on 5433", "the docs are built with mkdocs", "our JSON fields are camelCase", "feature PRs go to
# develop", "the e2e suite needs PLAYWRIGHT_BROWSERS_PATH=0". Its shape: a subject that is a thing of
# the project (not a pronoun, not an error or a result), a verb in the present tense that says where
# something lives, how it is made or run, or what it uses, and a concrete object (a port, a version,
# a path, a command, a flag, a naming style). A description of what is wrong right now ("the build is
# broken since this morning", "the suite takes 4 minutes") has none of these verbs or is ruled out by
# its words of the moment.
_CONCRETE = (
    r"(?:`|\w=\S|(?<![\w-])--?[a-z]|\w/\w|<[\w-]+>|\w_\w|(?-i:[a-z][A-Z])|\b\d+(?:\.\d+)+\b|\b\d{2,5}\b"
    r"|\.(?:py|js|cjs|mjs|ts|tsx|json|ya?ml|toml|cfg|ini|sh|md|sql|go|rs|rb|lock|env|txt)\b"
    r"|\b(?:camel|snake|kebab|pascal|lower|upper|title)[_ -]?case\b"
    r"|\b[\w.-]+[\s-](?:style|conventions?|format|standard|guide|spec|layout|pattern|notation|syntax)\b)"
)
_MADE = (
    r"built|generated|made|done|deployed|served|hosted|managed|configured|handled|stored|kept|written|formatted"
    r"|linted|tested|loaded|created|installed|released|published|wrapped|defined|declared|registered|versioned"
    r"|pinned|tracked|documented|run|triggered|scheduled|bundled|compiled|packaged|validated|seeded|cached|signed"
    r"|reviewed|checked|provisioned|mounted|exposed|proxied|routed|injected|mocked|vendored"
)
_NOT_A_SUBJECT = (
    r"it|this|that|these|those|there|here|i|you|he|she|they|we|which|what|who|whoever|my|your|his|her|their"
    r"|if|unless|when|whether|maybe|perhaps|probably|hopefully|assuming|suppose|then|so|let|let's|both|none"
    r"|nothing|someone|somebody|anyone"
)
# The project itself is a subject: "this repo uses pnpm", "this project is managed with uv".
_NOT_THE_PROJECT = r"(?!(?:" + _NOT_A_SUBJECT + r")\b(?!\s+(?:repo|repository|project|codebase|app|service|package|library|module|site|monorepo)\b))"
# A word of a fact's subject: no verb of its own ("the tests can't connect to redis" is a report).
_SUBJECT_WORD = (
    r"(?!(?:can'?t|cannot|don'?t|doesn'?t|won'?t|isn'?t|aren'?t|didn'?t|is|are|was|were|not|never|should|must|will|would"
    r"|could|can|keeps?|still)\b)[\w`'./<>*@:-]+"
)
_NO_ARTICLE = r"(?!(?:a|an|more|another|some|to|too|much|many|lots)\b)"
_FACT = re.compile(
    r"^" + _NOT_THE_PROJECT +
    r"(?P<subject>" + _SUBJECT_WORD + r"(?:\s+" + _SUBJECT_WORD + r"){0,5}?)\s+(?:(?:only|always|now|all)\s+)?(?:"
    # a port: "staging is on 6543", "the test database listens on 5433"
    r"(?:is|are|'s|listens?|runs?|lives?|sits?|serves?)\s+(?:only\s+|always\s+|now\s+)?(?:on|at)\s+"
    r"(?:port\s+|localhost:|127\.0\.0\.1:)?\d{2,5}\b(?!\s*(?:%|percent|messages?|items?|rows?|users?|requests?|mb|gb|kb)\b)"
    # a version: "the lambda runtime is python 3.11", "production runs postgres 16"
    r"|(?:(?:is|are|'s)(?:\s+on)?|runs?|uses?|targets?|needs?|requires?|supports?|has|have|pins?)\s+(?:only\s+|always\s+)?"
    r"(?!(?:about|around|almost|exactly|just|now|over|under|roughly|only|off|up|down|at|in|on|by|to|the|a|an|still)\b)"
    r"[a-z][\w.-]*\s+v?\d+(?:\.\d+)*(?:\.x)?\b"
    # how it is made or run: "the docs are built with mkdocs", "every external call is wrapped in ..."
    r"|(?:is|are)\s+(?:all\s+|always\s+|only\s+|now\s+)?(?:\w+ly\s+)?(?:" + _MADE + r")\s+(?:only\s+|always\s+)?"
    r"(?:with|by|through|via|from|in|into|on|using|as|like|under|inside|against)\b"
    r"|(?:is|are)\s+(?:using|following|targeting)\s+\w"
    # a name: "test files are called test_<module>.py"
    r"|(?:is|are)\s+(?:always\s+)?(?:called|named|prefixed\s+with|suffixed\s+with|spelled|tagged|labell?ed|versioned)\s+(?=\S*[`_<>.\d-]|[A-Z])"
    # a path or a file: "the cli entry point is src/tool/__main__.py"
    r"|(?:is|are|'s)\s+(?:in\s+|at\s+|under\s+)?(?=`|\S*(?:\w/|/\w|\.(?:py|js|ts|tsx|json|ya?ml|toml|cfg|ini|sh|md|sql|go|rs|rb|lock|env|txt)\b))"
    # what it needs around it: "the integration tests need docker running"
    r"|(?:needs?|requires?)\s+(?:a\s+|the\s+)?[\w.-]+\s+(?:running|installed|up|enabled|set|exported|mounted)\b"
    # a place: "the lint config lives in eslint.config.js", "feature PRs go to develop", "the workflows are in .github/workflows"
    r"|(?:lives?|sits?|goes|go|belongs?|comes?|come|gets?\s+deployed|deploys?|ships?|ends?\s+up)\s+(?:only\s+|always\s+)?"
    r"(?:in|into|under|to|from|through|via|on|at)\b"
    r"|(?:is|are)\s+(?:all\s+|only\s+|always\s+)?(?:in|under|inside)\s+(?=\S*(?:\w/|/\w|\.\w{2,4}\b))"
    r"|(?:runs?)\s+(?:only\s+|always\s+)?(?:against|through|via|inside|under|on\s+top\s+of|with|in|on|from)\b"
    r"|(?:talks?\s+to|connects?\s+to|reads?\s+from|writes?\s+to|pulls?\s+from|pushes\s+to|polls?)\s+" + _NO_ARTICLE + r"\S"
    r"|(?:has\s+)?(?:moved|switched|migrated)\s+(?:over\s+)?to\s+\S"
    # what it cannot do: "our lambdas can't use numpy"
    r"|(?:can'?t|cannot|can\s+not|mustn'?t|must\s+not)\s+(?:use|import|have|depend\s+on|be)\s+\S"
    # what it uses or needs, with a concrete object: "the e2e suite needs PLAYWRIGHT_BROWSERS_PATH=0"
    r"|(?:works?)\s+(?:only\s+)?with\s+(?=[^,;]*?" + _CONCRETE + r")"
    r"|(?:uses?|needs?|requires?|expects?|follows?|depends?\s+on|targets?)\s+" + _NO_ARTICLE + r"(?=[^,;]*?" + _CONCRETE + r")"
    r"|uses?\s+" + _NO_ARTICLE + r"[\w.-]+(?:\s+[\w.-]+)?\s+(?:for|to)\s+\w"
    r"|uses?\s+" + _NO_ARTICLE + r"(?!(?:it|them|this|that)\b)[\w.-]+(?:\s+[\w.-]+)?\s*(?:[,;.]|$)"
    r"|(?:returns?|sends?|emits?|accepts?|stores?|logs?)\s+" + _NO_ARTICLE + r"(?=[^,;]*?" + _CONCRETE + r")"
    r"|(?:is|are|returns?|sends?|emits?|expects?|accepts?)\s+(?:in\s+|all\s+|always\s+|only\s+)?(?:camel|snake|kebab|pascal|screaming[_ -]?snake|lower|upper|title)[_ -]?case\b)",
    re.I,
)
# How things are "here", said of a thing of the project: "components here are one folder each with ...".
_HERE_FACT = re.compile(
    r"^" + _NOT_THE_PROJECT + _SUBJECT_WORD + r"(?:\s+" + _SUBJECT_WORD + r"){0,3}?\s+(?:here|in\s+this\s+(?:repo|project|codebase))\s+"
    r"(?:is|are|go|live|use|get|have|need|follow)\s+"
    r"(?!(?:a\s+mess|broken|slow|outdated|old|ugly|messy|wrong|bad|confusing|weird|fine|ok|okay|good|great|nice|not|so|too|very|really"
    r"|different|complicated|tricky|special|unusual|a\s+bit|a\s+little|kind\s+of|pretty|quite|all\s+over)\b)\S+\s+\S",
    re.I,
)
# A request to the agent after the fact: "..., please dont print them again" is no part of it.
_TRAILING_REQUEST = re.compile(r"[,;]\s+(?:and\s+|but\s+|so\s+)?(?:please|pls|plz)\b.*$", re.I)
# A message that reports what is wrong ("the checkout page throws a 500 ..."): its plain statements are the
# report's context, not facts to keep.
_REPORTS_A_PROBLEM = re.compile(
    r"\b(?:throws?|threw|raises?|raised|crash(?:es|ed)?|fails?|failed|failing|broken|hangs?|times?\s+out|timed\s+out"
    r"|doesn'?t\s+work|isn'?t\s+working|not\s+working|error|exception|bug|\b[45]\d\d\b(?=\s+(?:error|status|response|when|on|for|from))"
    r"|(?:returns?|returned|gives?|gave|got)\s+(?:a\s+|an\s+)?[45]\d\d)\b",
    re.I,
)
# Someone else's words inside the subject: "the vendor's docs say their API is served from ...".
_REPORTED = re.compile(
    r"\b(?:says?|said|wrote|writes|claims?|claimed|mentions?|mentioned|suggests?|suggested|thinks?|thought|told"
    r"|tells?|according|reckons?|believes?|guess|recommends?|recommended)\b",
    re.I,
)
# "..., so that's right": the user approves what the agent did, the fact is the agent's.
_APPROVAL = re.compile(r"(?:,|\bso|\band)\s+(?:that'?s|that\s+is|looks|it'?s)\s+(?:right|correct|fine|good)\W*$", re.I)
# "the formatter is black with line length 100, not 88": a description corrected with ", not ...".
_CORRECTED_FACT = re.compile(
    r"^" + _NOT_THE_PROJECT + r"(?:[\w.`-]+\s+){0,4}(?:is|are)\s+(?!(?:not|a|an|the)\b)[^,;]{2,60}(?:,\s*|\s+)not\s+\S", re.I
)
# Where this task's new thing goes ("the new banner goes on the home page") is the task, not the project.
_THIS_TASK = re.compile(r"^(?:the|a|an|this|our)\s+(?:new|old|previous|former)\b", re.I)  # or the one it replaces
# Where a thing is, followed by an order in the same sentence, is the order's context: "the login form
# lives in src/pages/Login.tsx, add a remember-me checkbox" (a convention followed by "add one" is not).
_POINTS_AT = re.compile(r"\b(?:lives?|sits?|is|are)\s+(?:in|at|under|inside)\b", re.I)
_ASKS_NOW = re.compile(
    r"[,;]\s+(?:(?:and|so|then|now|pls|please)\s+)?(?:add|fix|make|change|update|remove|delete|check|see|look|put|write|create"
    r"|rename|move|find|tell|show|open|run|try|debug|investigate|figure|turn|enable|disable|set|bump|deploy|restart|rerun|revert)\b",
    re.I,
)
# A setting said to be needed: "NODE_OPTIONS=--max-old-space-size=4096 is needed for the build".
_NEEDED_SETTING = re.compile(r"^`?[A-Za-z_]\w*=\S+`?\s+(?:is|are)\s+(?:(?:always|still)\s+)?(?:needed|required|necessary|a\s+must)\b", re.I)
# A problem the user already knows and lives with ("checkout.spec is known flaky on CI", "the arm build is a
# known issue"): how the project is, though its words are those of a report.
_KNOWN_ISSUE = re.compile(
    r"^(?!(?:it|this|that|there|which|what)\b)(?:the\s+)?[\w.`/-]+(?:\s+[\w.`/-]+){0,3}\s+(?:is|are)\s+(?:a\s+)?known"
    r"(?:\s+to(?:\s+be)?)?\s+(?:flaky|broken|slow|fail|hang|issue|problem|bug|quirk|limitation)\w*\b",
    re.I,
)
# What it does, then what it should do instead ("cep validation accepts '12345-67', should be 5 digits ..."): a
# bug report, whose first half describes the wrong behaviour.
_WISH = re.compile(r"[,;]\s*(?:but\s+|it\s+|they\s+)?should(?:n'?t)?\s+\w", re.I)
# A redacted value or a URL with a password in it: a connection for this task, never a fact to keep.
_WITH_SECRET = re.compile(r"\[REDACTED|://[^/\s:@]+:[^@\s]+@")
# A leading clause that makes the rest hypothetical: "if we ever move to postgres, ...".
_HYPOTHETICAL = re.compile(r"^(?:if|unless|assuming|suppose|in\s+case|once|maybe|perhaps)\b", re.I)
# A setting said with its value: "the port is 8081", "Python version is 3.12 here", "the region is eu-west-1".
_SETTING_FACT = re.compile(
    r"^" + _NOT_THE_PROJECT + r"(?:[\w.-]+\s+){0,3}(?:port|version|host|hostname|url|region|timezone|tz|locale|encoding"
    r"|line\s+length|branch)\s+(?:is|are|'s)\s+(?:now\s+|still\s+|always\s+)?`?(?:v?\d+(?:\.\d+)*|[\w.:/-]*[\d/._:-][\w.:/-]*)`?(?:\W|$)",
    re.I,
)
# What the subject of a fact must not be: an error, a result or this task's change is not the project.
_TRANSIENT_SUBJECT = frozenset(
    """error bug issue problem crash exception warning failure fix result output total sum number value response
    request diff change commit pr message log line screenshot answer question one thing stuff test link details
    info notes ticket stacktrace trace repro example""".split()
)
# Words of the moment: a fact said with them describes now, not how things are.
_MOMENT = re.compile(
    r"\b(?:still|currently|again|since|yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening|week)"
    r"|right\s+now|at\s+the\s+moment|for\s+now|suddenly|randomly|sometimes|keeps?|anymore|broken|fail(?:s|ed|ing)?"
    r"|crash(?:es|ed|ing)?|down|wrong|weird|slow|instead|anyway|stale|stuck|hung|problems?|issues?|bugs?|mess|used\s+to)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?)\b",
    re.I,
)


def _is_fact(sentence: str) -> bool:
    """A plain statement of how things are in the project (see _FACT), in the sentence or in one of its
    clauses ("CI is jenkins, the pipeline is defined in ci/Jenkinsfile")."""
    for typo, word in _TYPOS:
        sentence = typo.sub(word, sentence)
    sentence = _TRAILING_REQUEST.sub("", sentence)
    head = _strip_lead(sentence)
    if (_KNOWN_ISSUE.match(head) or _NEEDED_SETTING.match(head)) and not (_HEDGE.search(sentence) or _ONE_OFF.search(sentence)):
        return True
    if (len(head.split()) < 4 or _QUESTION_START.match(head) or _HYPOTHETICAL.match(head) or _MOMENT.search(head)
            or _APPROVAL.search(sentence) or _HEDGE.search(sentence) or _WITH_SECRET.search(sentence)
            or _THIS_TASK.match(head) or (_POINTS_AT.search(head) and _ASKS_NOW.search(head))
            or _ONE_OFF.search(sentence) or _DEICTIC.search(head) or _WISH.search(sentence)):
        return False
    heads = [head, *(_strip_lead(c) for c in re.split(r"[,;]\s+", head)[1:])]
    if scope := _SCOPE_LEAD.match(head):
        heads.append(head[scope.end():])
    for h in heads:
        if _SETTING_FACT.match(h) or _CORRECTED_FACT.match(h):
            subject = re.split(r"\s(?:is|are|'s)\s", h, maxsplit=1)[0].casefold().split()
            # the head noun says what the subject is: "line length" is a setting, "log line" is output
            if subject[-1].strip("`'.,:") not in _TRANSIENT_SUBJECT and not _REPORTED.search(" ".join(subject)):
                return True
    if any(_HERE_FACT.match(h) for h in heads):
        return True
    for h in heads:
        fact = _FACT.match(h)
        if fact and not _REPORTED.search(fact["subject"]):
            if fact["subject"].casefold().split()[-1].strip("`'.,:") not in _TRANSIENT_SUBJECT:
                return True
    return False

