"""Safe display of text that comes from users or uploaded files."""

from __future__ import annotations

import re

# Every character that Markdown (CommonMark and GitHub extensions, as st.markdown
# renders them) can treat as syntax, plus < and > so HTML tags show as text.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>$:&])")
# Backslash escapes do not stop GitHub's autolinks (http://, www., a@b.co) nor
# Streamlit's :icon: and :color[...]: directives, so a zero-width space goes
# after each : and @ and before each dot, where the pattern needs adjacency.
_BREAK_AFTER = re.compile(r"([:@])")
ZERO_WIDTH_SPACE = "\u200b"


def escape_markdown(text: str) -> str:
    """Escape ``text`` so that ``st.markdown``, ``st.error`` and ``st.table`` show it verbatim.

    A variant named ``<script>alert(1)</script>`` or ``![x](https://host/x.png)``
    is displayed as those characters, never as HTML, an image, a link or an
    icon. The result contains zero-width spaces after ``:`` and ``@`` and before ``.``, so
    it is for display only.
    """
    broken = _BREAK_AFTER.sub(r"\1" + ZERO_WIDTH_SPACE, text).replace(".", ZERO_WIDTH_SPACE + ".")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", broken)
