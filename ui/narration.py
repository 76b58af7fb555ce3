"""The "▶ Narration" control: a page's script read aloud by the browser, with a transcript.

Speech runs in the user's browser through the Web Speech API (``speechSynthesis``), so
it needs no server, network or Python package. The control is plain HTML with a script
in ``st.html(..., unsafe_allow_javascript=True)``, which Streamlit 1.67 renders into the
page itself (not an iframe). It strips inline ``on...=`` attributes, so the script in
``ui/narration.js`` attaches the event listeners.
"""

from __future__ import annotations

import html
import json
import logging
import re
from collections.abc import Mapping
from pathlib import Path

import streamlit as st

from core.narration import load_script, render_script, speech_chunks, speech_text

logger = logging.getLogger(__name__)

# Whole-line comments and indentation are dropped, because every rerun with new numbers
# sends the script to the browser again.
_PLAYER_JS = "\n".join(
    line.strip()
    for line in (Path(__file__).resolve().parent / "narration.js").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.strip().startswith("//")
)

SPEED_OPTIONS = (0.75, 1.0, 1.25, 1.5, 2.0)

_STYLE = """
<style>
.narration-control { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem;
  margin: 0.25rem 0; font-size: 0.9rem; }
.narration-control button, .narration-control select { font: inherit; color: inherit;
  background: transparent; border: 1px solid rgba(128, 128, 128, 0.45);
  border-radius: 0.5rem; padding: 0.25rem 0.75rem; cursor: pointer; }
.narration-control button:hover:not(:disabled) { border-color: currentColor; }
.narration-control button:disabled { opacity: 0.45; cursor: default; }
.narration-control button:focus-visible, .narration-control select:focus-visible {
  outline: 2px solid currentColor; outline-offset: 2px; }
.narration-control label { display: inline-flex; align-items: center; gap: 0.35rem; }
.narration-control select { padding: 0.2rem 0.4rem; }
.narration-status { opacity: 0.8; }
</style>
"""


def narrate(page_id: str, values: Mapping[str, object]) -> str:
    """Render the narration control and the transcript of a page, and return the text.

    ``values`` fills the placeholders of ``data/narration/<page_id>.md`` (see
    :mod:`core.narration` for the formats). Speech only starts when the user presses
    the play button. When the script cannot be loaded or rendered, the page shows a
    warning in place of the control and this returns an empty string, so a broken
    script never stops the page.
    """
    # Strings can come from the user (variant names), so the transcript shows Markdown
    # in them as typed. The speech is rendered from the raw values.
    escaped = {key: _escape_markdown(value) if isinstance(value, str) else value for key, value in values.items()}
    try:
        template = load_script(page_id)
        text = render_script(template, escaped)
        speech = speech_text(render_script(template, values))
    except (OSError, ValueError) as error:
        logger.exception("Narration for page %r failed", page_id)
        st.warning(f"Narration is unavailable on this page: {error}", icon=":material/volume_off:")
        return ""

    st.html(control_html(page_id, speech), unsafe_allow_javascript=True)
    with st.expander("Transcript", icon=":material/subject:"):
        st.markdown(text)
    return text


def control_html(page_id: str, speech: str) -> str:
    """Build the HTML of the control: buttons, speed choice, status line and player script.

    The speech text reaches the script as JSON in which ``<``, ``>`` and ``&`` are
    escaped, so text such as ``</script>`` cannot end the script element.
    """
    root_id = f"narration-{page_id}"
    config = {"rootId": root_id, "pageId": page_id, "chunks": speech_chunks(speech)}
    options = "".join(
        f'<option value="{speed:g}"{" selected" if speed == 1.0 else ""}>{speed:g}×</option>'
        for speed in SPEED_OPTIONS
    )
    page_attr = html.escape(page_id, quote=True)
    return (
        f'<div class="narration-control" id="{html.escape(root_id, quote=True)}" '
        f'data-narration-page="{page_attr}" data-state="idle">'
        '<button type="button" data-narration-role="play" title="Read this page aloud from the start">'
        '<span aria-hidden="true">▶</span> Narration</button>'
        '<button type="button" data-narration-role="pause" aria-pressed="false" disabled>Pause</button>'
        '<button type="button" data-narration-role="stop" disabled>Stop</button>'
        f'<label>Speed <select data-narration-role="rate">{options}</select></label>'
        '<span class="narration-status" data-narration-role="status" role="status" aria-live="polite">'
        "</span></div>"
        f"{_STYLE}"
        f"<script>{_PLAYER_JS.strip()}({script_json(config)});</script>"
    )


def _escape_markdown(text: str) -> str:
    # "$" starts LaTeX in st.markdown, so it is escaped with the Markdown characters.
    return re.sub(r"([\\`*_\[\]()#+\-.!|<>$~])", r"\\\1", text)


def script_json(value: object) -> str:
    """Serialize a value as JSON that is safe to place inside an HTML script element."""
    text = json.dumps(value, ensure_ascii=False)
    for character, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(character, escape)
    return text
