"""Text from the data shown as text, wherever it is shown: names, aliases, notes, countries, file names.

Curated rows, imported files and upload names are written by others, and two renderers would read markup
in them: Streamlit renders Markdown (with colour directives, emoji and icon short codes, LaTeX and
images) in titles, captions, messages, labels and tooltips, and Plotly renders a subset of HTML in chart
text. `markdown_literal` and `plotly_literal` make such text inert for each: it shows as written, with no
bold, colour, link or image, and nothing it names is fetched. (Tables show cells as plain text already.)
"""

from __future__ import annotations

import html
import re

# Characters Markdown (CommonMark, GFM, Streamlit's colour directives, LaTeX) reads anywhere in a line:
# emphasis, code, links and images, HTML and entities, maths, strikethrough, tables, directives and short
# codes, and e-mail autolinks. Backslash-escaped, each is shown as itself.
_ANYWHERE = re.compile(r"([\\`*_\[\]<>&$:~|@])")
# Those it reads only at the start of a line (a heading, a list item, a numbered item), or in "www." links.
_BLOCK_START = re.compile(r"^([#+-])")
_NUMBERED = re.compile(r"^(\d+)([.)])")
_WWW = re.compile(r"(?i)(?<=www)\.")
# Streamlit turns :name: into an emoji, an icon or its logo after the Markdown is parsed, escapes or not
# (and rewrites ":material/" in the source first): an invisible word joiner after a colon that starts
# such a name keeps it from being read.
_SHORT_CODE = re.compile(r"(?<=\\:)(?=[\w/+-])")
# GFM links an e-mail address even with its @ escaped (the curator's address showed as a mailto link): a word
# joiner after the @ leaves no address to read.
_EMAIL_AT = re.compile(r"(?<=\\@)(?=[\w-])")
WORD_JOINER = "\u2060"


def markdown_literal(value: object) -> str:
    """`value` as Markdown that Streamlit shows exactly as written, on one line (line breaks and runs of
    spaces become one space, so it cannot start a second line). Interpolate it anywhere in a line."""
    text = " ".join(str(value).split())
    text = _ANYWHERE.sub(r"\\\1", text)
    text = _BLOCK_START.sub(r"\\\1", _NUMBERED.sub(r"\1\\\2", _WWW.sub(r"\\.", text)))
    return _EMAIL_AT.sub(WORD_JOINER, _SHORT_CODE.sub(WORD_JOINER, text))


def plotly_literal(value: object) -> str:
    """`value` as Plotly chart text: `<`, `>` and `&` escaped, so no tag is read; quotes are left as they
    are, since Plotly would show `&quot;` as written."""
    return html.escape(str(value), quote=False)
