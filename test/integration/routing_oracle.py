"""Independent oracle for maildir-fanout's routing (README.md, "Routing: which target gets
which message").

routing-oracle.test.ts feeds it random configs and messages and compares its verdicts with the
TypeScript implementation's, message by message. It shares no code with src/ and is built on
different foundations: Python's email package splits the header (compat32 parser), finds and
unpacks RFC 2047 words (email.header.decode_header) and Python's codecs decode them (labels
mapped as the WHATWG Encoding Standard says), and it parses addresses
(email.utils.getaddresses); matching uses str.lower(), fnmatch and re. The generator keeps to
the well-formed subset on which both must agree (see the comment at the top of the test).

stdin: one case {"targets": [...], "unmatched": ..., "messages": [base64, ...]} or a JSON list
of such cases. stdout: per case, per message {"to": [target names], "unmatched": null |
"reject" | "defer" | "discard", "fallback": true when "to" comes from unmatched.deliverTo}:
the list itself for one case, a list of those for a list. A message outside the subset (which
would make the comparison meaningless) is an error: exit 2.
"""

import base64
import codecs
import email.parser
import email.policy
import fnmatch
import functools
import json
import re
import sys
from email.header import decode_header
from email.utils import getaddresses


class OutOfSubset(Exception):
    """The generator produced something on which Python and the README may rightly differ."""


# README: "folded lines are unfolded (RFC 5322 §2.2.3)": a line end followed by white space goes.
FOLD = re.compile(rb"\r?\n(?=[ \t])")


def field_text(raw):
    """A field's value as the parser kept it (folded, 8-bit bytes as surrogates) -> text.

    README: raw 8-bit bytes are read as UTF-8 when they are valid UTF-8, as Windows-1252
    otherwise."""
    data = FOLD.sub(b"", raw.encode("ascii", "surrogateescape"))
    if re.search(rb"[\r\n]", data):
        raise OutOfSubset("a line end that is not folding: %r" % data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Strict: Python's cp1252 leaves 0x81 0x8d 0x8f 0x90 0x9d undefined where WHATWG maps
        # them to C1 controls, so the generator never writes them; an error says it did.
        return data.decode("cp1252")


# WHATWG Encoding Standard (the README's promise): every one of these labels names windows-1252,
# whose 0x80-0x9F are printable (0x80 is the euro sign), where Python's latin-1 has C1 controls.
WINDOWS_1252 = {
    "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1",
    "iso-ir-100", "iso8859-1", "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1",
    "us-ascii", "windows-1252", "x-cp1252",
}


def codec_of(label):
    """The Python codec for a charset label; an unknown one is read as UTF-8 (README)."""
    charset = label.split("*")[0]  # RFC 2231 §5: a language may follow, "UTF-8*en"
    if charset in WINDOWS_1252:
        return "cp1252"
    try:
        return codecs.lookup(charset).name
    except LookupError:
        return "utf-8"


def decode_words(text):
    """RFC 2047: decode_header finds the encoded words, drops the white space between two of
    them and undoes Q and B. The parts are then decoded here rather than by make_header, which
    knows Python's charset names, not WHATWG's, and joins two parts of one charset with a space
    (two words labelled ISO-8859-1 and windows-1252 are one charset to WHATWG, joined as is)."""
    parts = []  # [bytes, codec, encoded]
    for data, charset in decode_header(text):
        if isinstance(data, str):  # no encoded word at all
            return data
        if charset is None:
            parts.append([data, "ascii", False])
        elif parts and parts[-1][2] and parts[-1][1] == codec_of(charset):
            parts[-1][0] += data  # adjacent words of one charset, joined as bytes
        else:
            parts.append([data, codec_of(charset), True])
    # U+FFFD for what is not UTF-8 (an unknown charset is read as UTF-8); elsewhere strict: the
    # generator writes only characters the charset has, an error says it did not.
    return "".join(
        data.decode(codec, "replace" if codec == "utf-8" else "strict") for data, codec, _ in parts
    )


def decoded_value(text):
    """RFC 2047 decoding with the standard library, then trimmed."""
    if "=?" in text:
        if not text.isascii():
            # decode_header turns unencoded parts into bytes with raw-unicode-escape, which
            # is not the text any more: raw 8-bit text beside encoded words is out.
            raise OutOfSubset("raw 8-bit text beside an encoded word: %r" % text)
        text = decode_words(text)
    return text.strip()


class View:
    """The decoded values and the addresses of each header field, by lower-cased name."""

    def __init__(self, data):
        message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(data)
        self.texts = {}
        for name, raw in message.raw_items():
            self.texts.setdefault(name.lower(), []).append(field_text(raw))

    @functools.lru_cache(maxsize=None)
    def values(self, name):
        return [decoded_value(text) for text in self.texts.get(name.lower(), [])]

    @functools.lru_cache(maxsize=None)
    def addresses(self, name):
        # One field at a time: getaddresses joins its arguments with ", " before parsing.
        pairs = [pair for text in self.texts.get(name.lower(), []) for pair in getaddresses([text])]
        return [address.strip() for _, address in pairs if address.strip() != ""]


@functools.lru_cache(maxsize=None)
def pattern(source, flags):
    return re.compile(source, flags)


def compare(test, value):
    """One comparison of a test against one value; case-insensitive unless caseSensitive."""
    sensitive = test.get("caseSensitive", False)
    fold = (lambda s: s) if sensitive else (lambda s: s.lower())
    if "equals" in test:
        return fold(value) == fold(test["equals"])
    if "contains" in test:
        return fold(test["contains"]) in fold(value)
    if "glob" in test:
        # Whole value, "*" also crosses "/" and "@": fnmatch without FNM_PATHNAME.
        return fnmatch.fnmatchcase(fold(value), fold(test["glob"]))
    if "regex" in test:
        return pattern(test["regex"], 0 if sensitive else re.IGNORECASE).search(value) is not None
    raise OutOfSubset("a test without a comparison: %r" % test)


def matches(rule, view):
    if "any" in rule:
        return any(matches(inner, view) for inner in rule["any"])
    if "all" in rule:
        return all(matches(inner, view) for inner in rule["all"])
    if "not" in rule:
        return not matches(rule["not"], view)
    if "header" in rule:
        values = view.values(rule["header"])
    else:
        values = view.addresses(rule["address"])
    if "exists" in rule:
        return (len(values) > 0) == rule["exists"]
    return any(compare(rule, value) for value in values)


def route(targets, unmatched, data):
    view = View(data)
    chosen = [t["name"] for t in targets if "match" not in t or matches(t["match"], view)]
    if chosen:
        return {"to": chosen, "unmatched": None, "fallback": False}
    policy = "reject" if unmatched is None else unmatched
    if isinstance(policy, dict):
        names = set(policy["deliverTo"])
        chosen = [t["name"] for t in targets if t["name"] in names]
        return {"to": chosen, "unmatched": None, "fallback": True}
    return {"to": [], "unmatched": policy, "fallback": False}


def run_case(case):
    out = []
    for index, encoded in enumerate(case["messages"]):
        try:
            out.append(route(case["targets"], case.get("unmatched"), base64.b64decode(encoded)))
        except OutOfSubset as problem:
            raise OutOfSubset("message %d: %s" % (index, problem)) from None
    return out


def main():
    request = json.load(sys.stdin)
    try:
        if isinstance(request, list):
            result = [run_case(case) for case in request]
        else:
            result = run_case(request)
    except OutOfSubset as problem:
        print("routing_oracle: out of the agreed subset: %s" % problem, file=sys.stderr)
        return 2
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
