"""Data text made inert for Streamlit's Markdown and for Plotly's chart text (the rendering itself is checked
in Chromium by tests/e2e/test_inert_text.py)."""

from __future__ import annotations

import re

import pytest

from tensions.data.literal import WORD_JOINER, markdown_literal, plotly_literal

PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**bold**", r"\*\*bold\*\*"),
        ("[x](http://example.invalid)", r"\[x\]\(http\:\/\/example\.invalid\)"),
        ("![i](http://example.invalid/i.png)", r"\!\[i\]\(http\:\/\/example\.invalid\/i\.png\)"),
        ("<b>x</b>", r"\<b\>x\<\/b\>"),
        ("$E=mc^2$", r"\$E\=mc\^2\$"),
        ("&quot;", r"\&quot\;"),
        ("Al Fallūjah", "Al Fallūjah"),
    ],
)
def test_markdown_and_html_are_escaped_character_by_character(text, expected):
    assert markdown_literal(text) == expected


def test_every_ascii_punctuation_character_is_escaped_so_markdown_shows_it_as_itself():
    escaped = markdown_literal(PUNCTUATION)
    assert escaped == "".join("\\" + c for c in PUNCTUATION)
    assert re.sub(r"\\(.)", r"\1", escaped) == PUNCTUATION  # what CommonMark shows


@pytest.mark.parametrize("text", [":red[alarm]", ":smile:", ":+1:", ":streamlit:", ":material/warning:"])
def test_colour_directives_and_short_codes_cannot_be_read(text):
    escaped = markdown_literal(text)
    shown = re.sub(r"\\(.)", r"\1", escaped)
    assert shown.replace(WORD_JOINER, "") == text
    # Streamlit's own patterns for emoji, icons and its logo, applied to what Markdown leaves.
    assert not re.search(r":(?!material/|streamlit:)[\w+-][\w_+-]*:|:material_\w+:|:streamlit:", shown)
    assert ":material/" not in escaped and not re.search(r"(?<!\\):[a-z]+\[", escaped)


def test_line_breaks_and_indents_become_single_spaces():
    assert markdown_literal("# heading\n\n    code\n- item") == r"\# heading code \- item"


def test_plotly_text_escapes_tags_and_ampersands_but_not_quotes():
    assert plotly_literal("<b>\"Tower 22\"</b> & 'more'") == "&lt;b&gt;\"Tower 22\"&lt;/b&gt; &amp; 'more'"
