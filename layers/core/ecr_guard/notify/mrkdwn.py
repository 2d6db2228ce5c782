"""Slack `mrkdwn` for text ecr-guard does not control: package names, titles, tags, messages.

Slack reads `&`, `<` and `>` as control characters (links `<url|label>`, mentions `<!channel>`,
`<@U123>`), so they are escaped as HTML entities, which Slack asks for. Beyond that, report
text must not format itself (`*bold*`, `_italic_`, `~strike~`, backticks), ping people
(`@here`, `@channel`, `@everyone`) or turn into links, so:

- identifiers (ids, packages, versions, tags, repositories, digests) go in inline code, where
  Slack formats nothing; a backtick inside becomes a look-alike that cannot close the code span;
- free text (titles, rule messages, summaries) keeps its words, with formatting characters at
  word edges replaced by look-alikes, `@word` broken by a zero-width space, and `://` too, so
  that Slack does not auto-link an address the report chose;
- links are only made by ecr-guard, from http(s) URLs whose `|`, `<`, `>` and spaces are
  percent-encoded.

Every function cleans the text first (one printable line, cut to its limit) and escapes after
cutting, so an entity is never cut in half.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, urlsplit

from ecr_guard.guard.notification import clean_text

ZERO_WIDTH_SPACE = "\u200b"
BACKTICK_LOOKALIKE = "\u02cb"  # MODIFIER LETTER GRAVE ACCENT
_LOOKALIKES = {"*": "\u2217", "~": "\u223c", "`": BACKTICK_LOOKALIKE, "_": "\uff3f"}
# A formatting character at a word edge is markup to Slack; inside a word (`python_dateutil`,
# `2*3`) it is not, and stays as it is so that names remain recognisable.
_EDGE_MARKUP = re.compile(r"(?:(?<=^)|(?<=[\s(\[{'\"]))[*_~`]|[*_~`](?=$|[\s)\]}'\".,;:!?])")
_PLAIN_TEXT_LOOKALIKES = str.maketrans({"<": "\u2039", ">": "\u203a", "&": "\uff06"})
_MENTION = re.compile(r"@(?=[A-Za-z])")
_SCHEME = re.compile(r"://")
_SAFE_SCHEMES = frozenset({"http", "https"})


def plain_text(value: str | None, limit: int) -> str:
    """Text for a `plain_text` object (a header): Slack formats nothing there, and `&`, `<`,
    `>` become look-alikes, so that nothing in it even resembles a link or a mention."""
    flat = clean_text(value, limit) or ""
    return flat.translate(_PLAIN_TEXT_LOOKALIKES)


def escape(text: str) -> str:
    """`&`, `<` and `>` as the entities Slack expects."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain(value: str | None, limit: int) -> str:
    """Free text that reads as itself: no markup, no mention, no link."""
    flat = clean_text(value, limit) or ""
    inert = _EDGE_MARKUP.sub(lambda match: _LOOKALIKES[match.group(0)], flat)
    inert = _MENTION.sub("@" + ZERO_WIDTH_SPACE, inert)
    inert = _SCHEME.sub(":" + ZERO_WIDTH_SPACE + "//", inert)
    return escape(inert)


def code(value: str | None, limit: int) -> str:
    """An identifier in inline code; empty when there is nothing to show."""
    flat = clean_text(value, limit)
    if not flat:
        return ""
    return f"`{escape(flat.replace('`', BACKTICK_LOOKALIKE))}`"


def code_block(lines: Iterable[str]) -> str:
    """Lines to copy as they are (YAML, a command), in a preformatted block."""
    body = "\n".join(escape(line.replace("`", BACKTICK_LOOKALIKE)) for line in lines)
    return f"```\n{body}\n```"


def link(url: str | None, label: str) -> str:
    """`<url|label>` when `url` is a plain http(s) URL, else the label alone.

    `label` is mrkdwn already (escaped by the caller).
    """
    target = safe_url(url)
    return f"<{target}|{label}>" if target else label


def safe_url(url: str | None) -> str | None:
    """`url` with the characters that would end or split a Slack link percent-encoded; None
    unless it is an http(s) URL with a host."""
    flat = clean_text(url, 2_000)
    if not flat:
        return None
    parts = urlsplit(flat)
    if parts.scheme.lower() not in _SAFE_SCHEMES or not parts.netloc:
        return None
    return quote(flat, safe="/:?#[]@!$&'()*+,;=%-._~").replace("&", "&amp;")
