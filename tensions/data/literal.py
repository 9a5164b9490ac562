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

# CommonMark lets a backslash escape any ASCII punctuation: escaped, each is shown as itself.
_PUNCTUATION = re.compile(r"""([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~])""")
# Streamlit turns :name: into an emoji, an icon or its logo after the Markdown is parsed, escapes or not;
# an invisible word joiner after the first colon keeps the name from being read.
_SHORT_CODE = re.compile(r"(?<=\\:)(?=(?:\w|\\[+-])+\\:)")
WORD_JOINER = "\u2060"


def markdown_literal(value: object) -> str:
    """`value` as Markdown that Streamlit shows exactly as written, on one line (line breaks and runs of
    spaces become one space, so no line can start a heading, a list or a code block)."""
    text = " ".join(str(value).split())
    return _SHORT_CODE.sub(WORD_JOINER, _PUNCTUATION.sub(r"\\\1", text))


def plotly_literal(value: object) -> str:
    """`value` as Plotly chart text: `<`, `>` and `&` escaped, so no tag is read; quotes are left as they
    are, since Plotly would show `&quot;` as written."""
    return html.escape(str(value), quote=False)
