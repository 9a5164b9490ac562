"""Data text made inert for Streamlit's Markdown and for Plotly's chart text (the rendering itself is checked
in Chromium by tests/e2e/test_inert_text.py)."""

from __future__ import annotations

import re

import pytest

from tensions.data.literal import WORD_JOINER, markdown_literal, plotly_literal

ANYWHERE = "\\`*_[]<>&$:~|@"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("[x](http://example.invalid)", "\\[x\\](http\\:\u2060//example.invalid)"),
        ("![i](https://example.invalid/i.png)", "!\\[i\\](https\\:\u2060//example.invalid/i.png)"),
        ("<b>x</b>", r"\<b\>x\</b\>"),
        ("$E=mc^2$", r"\$E=mc^2\$"),
        ("&quot;", r"\&quot;"),
        ("see www.example.invalid", r"see www\.example.invalid"),
        ("- not a list", r"\- not a list"),
        ("1. not numbered", r"1\. not numbered"),
        ("# not a heading", r"\# not a heading"),
        ("Harakat Hezbollah al-Nujaba (2021-), U.S. forces", "Harakat Hezbollah al-Nujaba (2021-), U.S. forces"),
        ("Al Fallūjah", "Al Fallūjah"),
    ],
)
def test_what_markdown_would_read_is_escaped_and_nothing_else(text, expected):
    assert markdown_literal(text) == expected


def test_every_character_markdown_reads_anywhere_is_escaped_so_it_shows_as_itself():
    escaped = markdown_literal(ANYWHERE)
    assert escaped == "".join("\\" + c for c in ANYWHERE)
    assert re.sub(r"\\(.)", r"\1", escaped) == ANYWHERE  # what CommonMark shows


@pytest.mark.parametrize("text", [":red[alarm]", ":smile:", ":+1:", ":streamlit:", ":material/warning:"])
def test_colour_directives_and_short_codes_cannot_be_read(text):
    escaped = markdown_literal(text)
    shown = re.sub(r"\\(.)", r"\1", escaped)
    assert shown.replace(WORD_JOINER, "") == text
    # Streamlit's own patterns for emoji, icons and its logo, applied to what Markdown leaves.
    assert not re.search(r":(?!material/|streamlit:)[\w+-][\w_+-]*:|:material_\w+:|:streamlit:", shown)
    assert ":material/" not in escaped and not re.search(r"(?<!\\):[a-z]+\[", escaped)


def test_an_e_mail_address_is_not_left_for_markdown_to_link():
    escaped = markdown_literal("curator@example.org")
    assert escaped == "curator\\@\u2060example.org"  # no address after the @ (GFM links one even when escaped)
    assert re.sub(r"\\(.)", r"\1", escaped).replace(WORD_JOINER, "") == "curator@example.org"
    assert markdown_literal("a @ b") == "a \\@ b"


def test_line_breaks_and_indents_become_single_spaces():
    assert markdown_literal("# heading\n\n    code\n- item") == r"\# heading code - item"


def test_plotly_text_escapes_tags_and_ampersands_but_not_quotes():
    assert plotly_literal("<b>\"Tower 22\"</b> & 'more'") == "&lt;b&gt;\"Tower 22\"&lt;/b&gt; &amp; 'more'"
