"""The front-matter writer and reader: a record as the document ``shared/RECORD.md`` specifies.

``yaml.dump`` cannot produce the contract's layout (blank lines between groups,
free text always double-quoted, words bare), so :func:`render` is a small
emitter over :meth:`Record.front_matter`; :func:`parse` reads a document back
with ``yaml.safe_load``. Every value is written on one line, so a line that is
exactly ``---`` can only be a delimiter, whatever the title holds.

The document is ``---``, the front matter, ``---``, one empty line (as in the
contract's example), then the body.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import yaml

from crawler.record import FRONT_MATTER_KEYS, Record, format_instant

DELIMITER = "---"

# Top-level keys that open a group: the contract separates them by one blank line.
_GROUP_STARTS = frozenset({"provider", "topics", "images", "related", "secured"})

# Keys whose string values are labels, written bare when YAML reads them back as the
# same string; every other string (titles, excerpts, URLs, the token) is double-quoted.
_WORD_KEYS = frozenset({"category", "type", "name", "domain", "topics"})

# A bare word starts with a letter or digit and continues with letters, digits, spaces
# and a few punctuation marks that have no meaning to YAML inside a plain scalar.
_WORD_CHARS = frozenset(" .-_&+/()'")
# Number-like words (1e3, 0x1F, 1_000, 2021-08-30, 12:30) that some YAML version reads
# as a number or date; the installed resolver does not catch all of them (1e3 is a
# float in YAML 1.2), and downstream readers may use another parser.
_NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9a-fA-FxXoObB_.:eE+-]*")
# YAML 1.1 booleans and nulls that PyYAML's resolver leaves out (y/n) plus the usual ones.
_RESERVED_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf"})
_RESOLVER = yaml.resolver.Resolver()

# Short escapes YAML defines; any other character that needs escaping gets \xXX / \uXXXX.
_SHORT_ESCAPES = {"\\": "\\\\", '"': '\\"', "\t": "\\t", "\n": "\\n", "\r": "\\r", "\0": "\\0"}


def _needs_escape(char: str) -> bool:
    """Whether ``char`` cannot stand as itself inside a one-line double-quoted scalar.

    That is C0 and C1 controls and DEL (tab, newline and U+0085 included), the
    line and paragraph separators, surrogates and the non-characters U+FFFE/U+FFFF
    that the YAML reader rejects. All other Unicode is printable and kept as is.
    """
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFFFE, 0xFFFF) or 0xD800 <= code <= 0xDFFF


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    if not _needs_escape(char):
        return char
    code = ord(char)
    return f"\\x{code:02X}" if code <= 0xFF else f"\\u{code:04X}"


def quoted(value: str) -> str:
    """``value`` as a one-line double-quoted YAML scalar that loads back to the same string."""
    return '"' + "".join(_escape(char) for char in value) + '"'


def is_plain_word(value: str) -> bool:
    """Whether ``value`` can be written bare and still read back as this very string.

    Conservative: letters, digits and a few inner punctuation marks only, no
    leading or trailing space, nothing a YAML parser would read as a number,
    date, boolean or null.
    """
    if not value or not value[0].isalnum() or value[-1] == " ":
        return False
    if any(not (char.isalnum() or char in _WORD_CHARS) for char in value):
        return False
    if value.lower() in _RESERVED_WORDS or _NUMBER_LIKE.fullmatch(value):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


def _scalar(key: str, value: Any) -> str:
    """One value in the contract's form: bare words, numbers, booleans and instants; quoted text."""
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return format_instant(value)
    if isinstance(value, str):
        return value if key in _WORD_KEYS and is_plain_word(value) else quoted(value)
    raise TypeError(f"cannot write {key!r}: unexpected value type {type(value).__name__}")


def _entry_lines(key: str, value: Any, indent: int) -> list[str]:
    """The lines of ``key: value`` at ``indent`` spaces, nested blocks indented by two."""
    pad = " " * indent
    if isinstance(value, dict):
        return [f"{pad}{key}:", *_mapping_lines(value, indent + 2)]
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        lines = [f"{pad}{key}:"]
        for item in value:
            if isinstance(item, dict):
                # A mapping in a list: its keys sit two past the dash, the first on the dash's line.
                item_lines = _mapping_lines(item, indent + 4)
                item_lines[0] = f"{pad}  - {item_lines[0][indent + 4 :]}"
                lines.extend(item_lines)
            else:
                lines.append(f"{pad}  - {_scalar(key, item)}")
        return lines
    return [f"{pad}{key}: {_scalar(key, value)}"]


def _mapping_lines(mapping: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    for key, value in mapping.items():
        lines.extend(_entry_lines(key, value, indent))
    return lines


def render(record: Record, *, include_body: bool = False) -> str:
    """The whole document for ``record``: front matter in the contract's layout, then the body.

    With ``include_body`` (the ``DOCUMENT_BODY`` setting) the body is ``record.body``, or
    else the article text as Markdown (:func:`markdown_body`); without it, empty. The
    same record always renders to the same text.
    """
    lines = [DELIMITER]
    for key, value in record.front_matter().items():
        if key in _GROUP_STARTS:
            lines.append("")
        lines.extend(_entry_lines(key, value, 0))
    lines += [DELIMITER, ""]
    body = (record.body or markdown_body(record.text)) if include_body else ""
    return "\n".join(lines) + "\n" + body


# A line that Markdown would read as a heading, quote, list item, rule or code fence.
_BLOCK_START = re.compile(r"^(\s*)([#>*+\-=_`~|]|\d+[.)])")


def _escaped_start(match: re.Match) -> str:
    marker = match.group(2)  # "1." is escaped as "1\.": a backslash before a digit is no escape
    return match.group(1) + (marker[:-1] + "\\" + marker[-1] if marker[0].isdigit() else "\\" + marker)


def markdown_body(text: str) -> str:
    """The article text as Markdown that shows it as it is: one paragraph per block of text.

    Nothing in the text is taken as markup: characters that start a Markdown block
    are escaped, ``<`` and ``&`` become entities (a static-site generator would drop or
    run raw HTML), and ``{{`` is written ``&#123;{`` so that Hugo sees no shortcode.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = []
        for line in block.splitlines():
            line = line.strip().replace("&", "&amp;").replace("<", "&lt;").replace("{{", "&#123;{")
            line = line.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("`", "\\`")
            line = _BLOCK_START.sub(_escaped_start, line)
            if line:
                lines.append(line)
        if lines:
            paragraphs.append("\n".join(lines))
    return "\n\n".join(paragraphs) + "\n" if paragraphs else ""


def _split(text: str) -> tuple[str, str]:
    """The front matter and the body of a document; ValueError when the delimiters are missing."""
    opening = DELIMITER + "\n"
    if not text.startswith(opening):
        raise ValueError("malformed document: it does not start with a '---' line")
    closing = text.find("\n" + DELIMITER + "\n", len(opening) - 1)
    if closing == -1:
        if text.endswith("\n" + DELIMITER):
            closing = len(text) - len(DELIMITER) - 1
        else:
            raise ValueError("malformed document: the front matter has no closing '---' line")
    front = text[len(opening) : closing + 1]
    body = text[closing + len(DELIMITER) + 2 :]
    # One empty line separates the front matter from the body.
    return front, body.removeprefix("\n")


def parse(text: str) -> Record:
    """The record a document describes: the inverse of :func:`render`.

    Raises ValueError, with the reason, when the text is not a front-matter
    document, its YAML is invalid, or its keys are not exactly the contract's.
    """
    front, body = _split(text)
    try:
        data = yaml.safe_load(front)
    except yaml.YAMLError as error:
        raise ValueError(f"malformed document: invalid YAML in the front matter: {error}") from error
    if not isinstance(data, dict):
        raise ValueError("malformed document: the front matter is not a mapping")
    missing = [key for key in FRONT_MATTER_KEYS if key not in data]
    unknown = [str(key) for key in data if key not in FRONT_MATTER_KEYS]
    if missing or unknown:
        raise ValueError(f"malformed document: missing keys {missing}, unknown keys {unknown}")
    try:
        return Record.from_front_matter(data, body=body)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ValueError(f"malformed document: bad front-matter value: {error!r}") from error
