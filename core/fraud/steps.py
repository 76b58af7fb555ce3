"""Texts of the eight-step fraud ML system design, loaded from Markdown files.

Each step is one file ``NN_name.md`` in ``data/fraud_steps/`` (``NN`` is the step
number, 01 to 08). A file starts with a front matter block with ``short`` (the
label in the step diagram) and ``title``, then an introduction paragraph, then exactly
the five sections of SECTIONS as ``## `` headings, each non-empty::

    ---
    short: Clarify
    title: Clarify the problem
    ---
    Introduction.

    ## Decisions
    ...
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from core.validation import check_integer

STEPS_DIR = Path(__file__).resolve().parents[2] / "data" / "fraud_steps"
N_STEPS = 8
SECTIONS = (
    "Decisions",
    "Trade-offs",
    "Numbers worth remembering",
    "Common interview mistake",
    "Live artifact",
)
_FILE_NAME = re.compile(r"^(\d{2})_[a-z0-9_]+\.md$")
_FRONT_MATTER_KEYS = ("short", "title")


@dataclass(frozen=True)
class DesignStep:
    """One step of the design: its number, labels, introduction and five sections.

    ``sections`` maps each name in SECTIONS to its Markdown body, in that order.
    """

    number: int
    short: str
    title: str
    intro: str
    sections: dict[str, str]


def _parse_front_matter(text: str, source: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{source}: missing front matter, expected a first line '---'")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ValueError(f"{source}: front matter has no closing '---' line") from None

    fields: dict[str, str] = {}
    for line in lines[1:end]:
        if not line.strip():
            continue
        key, separator, value = line.partition(":")
        key = key.strip()
        if not separator or key not in _FRONT_MATTER_KEYS:
            raise ValueError(
                f"{source}: invalid front matter line {line!r}, expected 'short: ...' or 'title: ...'"
            )
        if key in fields:
            raise ValueError(f"{source}: front matter key {key!r} appears twice")
        fields[key] = value.strip()
    for key in _FRONT_MATTER_KEYS:
        if not fields.get(key):
            raise ValueError(f"{source}: front matter key {key!r} is missing or empty")
    return fields, "\n".join(lines[end + 1 :])


def parse_step(number: int, text: str, source: str = "<text>") -> DesignStep:
    """Parse one step file's text into a DesignStep.

    Parameters
    ----------
    number : int
        Step number, 1 to N_STEPS.
    text : str
        Markdown with front matter, introduction and the five ``## `` sections.
    source : str
        Name used in error messages, usually the file name.

    Raises
    ------
    ValueError
        For missing front matter, an empty introduction, a section that is missing,
        empty, repeated, unknown or out of the order of SECTIONS.
    """
    number = check_integer("number", number, 1, N_STEPS)
    fields, body = _parse_front_matter(text, source)
    # Split at level-2 headings only; "###" and deeper stay inside their section.
    parts = re.split(r"^##[ \t]+(.+?)[ \t]*$", body, flags=re.MULTILINE)
    intro = parts[0].strip()
    if not intro:
        raise ValueError(f"{source}: the introduction before the first '## ' heading is empty")

    sections: dict[str, str] = {}
    for heading, content in zip(parts[1::2], parts[2::2]):
        if heading not in SECTIONS:
            raise ValueError(
                f"{source}: unknown section {heading!r}, expected one of {list(SECTIONS)}"
            )
        if heading in sections:
            raise ValueError(f"{source}: section {heading!r} appears twice")
        if not content.strip():
            raise ValueError(f"{source}: section {heading!r} is empty")
        sections[heading] = content.strip()

    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        raise ValueError(f"{source}: missing section(s) {missing}")
    if tuple(sections) != SECTIONS:
        raise ValueError(f"{source}: sections are {list(sections)}, expected the order {list(SECTIONS)}")
    return DesignStep(number, fields["short"], fields["title"], intro, sections)


def load_steps(directory: Path = STEPS_DIR) -> tuple[DesignStep, ...]:
    """Load and validate every step file of ``directory``, ordered by step number.

    Raises
    ------
    ValueError
        When a file name does not match ``NN_name.md``, the numbers are not exactly
        1 to N_STEPS, or a file fails parse_step.
    """
    files: dict[int, Path] = {}
    for path in sorted(directory.glob("*.md")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise ValueError(f"{path.name}: invalid step file name, expected NN_name.md such as 01_clarify.md")
        number = int(match.group(1))
        if number in files:
            raise ValueError(f"{path.name}: step {number} is also defined in {files[number].name}")
        files[number] = path

    expected = list(range(1, N_STEPS + 1))
    if sorted(files) != expected:
        raise ValueError(f"{directory}: found steps {sorted(files)}, expected {expected}")
    return tuple(
        parse_step(number, files[number].read_text(encoding="utf-8"), files[number].name)
        for number in expected
    )


@functools.lru_cache(maxsize=1)
def default_steps() -> tuple[DesignStep, ...]:
    """Return the steps of ``data/fraud_steps/``, read once per process."""
    return load_steps(STEPS_DIR)
