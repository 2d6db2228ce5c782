"""Report text in Slack mrkdwn: escaped, inert (no markup, mention or link), cut to its limit."""

from __future__ import annotations

import pytest
from ecr_guard.notify.mrkdwn import (
    BACKTICK_LOOKALIKE,
    ZERO_WIDTH_SPACE,
    code,
    code_block,
    link,
    plain,
    plain_text,
    safe_url,
)


@pytest.mark.parametrize(
    ("hostile", "shown"),
    [
        ("<!channel> deploy now", "&lt;!channel&gt; deploy now"),
        ("<@U0123ABC>", f"&lt;@{ZERO_WIDTH_SPACE}U0123ABC&gt;"),
        ("<https://evil.example|click>", f"&lt;https:{ZERO_WIDTH_SPACE}//evil.example|click&gt;"),
        ("ping @here and @channel", f"ping @{ZERO_WIDTH_SPACE}here and @{ZERO_WIDTH_SPACE}channel"),
        ("see https://evil.example", f"see https:{ZERO_WIDTH_SPACE}//evil.example"),
        ("A & B", "A &amp; B"),
        ("line one\nline two", "line one line two"),
    ],
)
def test_free_text_cannot_mention_link_or_break_lines(hostile: str, shown: str) -> None:
    assert plain(hostile, 200) == shown


def test_markup_at_word_edges_becomes_look_alikes_and_names_keep_their_characters() -> None:
    text = plain("*bold* _italic_ ~strike~ `code` python_dateutil 2*3", 200)

    assert text == "∗bold∗ ＿italic＿ ∼strike∼ ˋcodeˋ python_dateutil 2*3"  # noqa: RUF001


def test_identifiers_go_in_inline_code_that_cannot_be_closed() -> None:
    assert code("pkg`s <@U1>", 100) == f"`pkg{BACKTICK_LOOKALIKE}s &lt;@U1&gt;`"
    assert code(None, 100) == ""


def test_code_blocks_cannot_be_ended_by_their_content() -> None:
    block = code_block(['id: "```<!here>"'])

    assert block == f'```\nid: "{BACKTICK_LOOKALIKE * 3}&lt;!here&gt;"\n```'


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://avd.aquasec.com/nvd/cve-2025-15467",
            "https://avd.aquasec.com/nvd/cve-2025-15467",
        ),
        ("https://x.example/a|b <c>&d", "https://x.example/a%7Cb%20%3Cc%3E&amp;d"),
        ("javascript:alert(1)", None),
        ("ftp://files.example/cve", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_only_http_links_are_made_and_their_delimiters_encoded(
    url: str | None, expected: str | None
) -> None:
    assert safe_url(url) == expected


def test_a_link_without_a_usable_url_is_its_label() -> None:
    assert link("javascript:alert(1)", "`CVE-1`") == "`CVE-1`"
    assert link("https://nvd.nist.gov/x", "`CVE-1`") == "<https://nvd.nist.gov/x|`CVE-1`>"


def test_header_text_holds_nothing_slack_would_read_as_markup() -> None:
    assert plain_text("team/app:1.0<!here> & co", 150) == "team/app:1.0‹!here› ＆ co"  # noqa: RUF001


def test_text_is_cut_before_it_is_escaped() -> None:
    cut = plain("<" * 500, 10)

    assert cut == "&lt;" * 9 + "…"
