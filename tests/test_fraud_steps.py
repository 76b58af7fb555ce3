"""Content of the eight design steps: every file has all five parts, none empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.fraud.steps import N_STEPS, SECTIONS, STEPS_DIR, load_steps, parse_step

VALID = """---
short: Clarify
title: Clarify the problem
---
Introduction.

## Decisions
A decision.

## Trade-offs
A trade-off.

## Numbers worth remembering
A number.

## Common interview mistake
A mistake.

## Live artifact
An artifact.
"""


def test_repository_has_eight_steps():
    steps = load_steps()
    assert [step.number for step in steps] == list(range(1, N_STEPS + 1))


@pytest.mark.parametrize("number", range(1, N_STEPS + 1))
def test_step_has_five_nonempty_parts(number):
    step = load_steps()[number - 1]
    assert tuple(step.sections) == SECTIONS
    for name, body in step.sections.items():
        assert body.strip(), f"step {number}: section {name!r} is empty"
    assert step.intro.strip()
    assert step.short.strip()
    assert step.title.strip()


def test_short_labels_are_unique():
    shorts = [step.short for step in load_steps()]
    assert len(set(shorts)) == len(shorts)


def test_files_contain_no_placeholders():
    for path in sorted(STEPS_DIR.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for marker in ("TODO", "TBD", "lorem", "XXX"):
            assert marker not in text, f"{path.name} contains {marker}"


def test_valid_text_parses():
    step = parse_step(1, VALID)
    assert step.sections["Live artifact"] == "An artifact."
    assert step.short == "Clarify"


def test_level_three_heading_stays_inside():
    text = VALID.replace("A decision.", "A decision.\n\n### Detail\nMore.")
    assert "### Detail" in parse_step(1, text).sections["Decisions"]


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("A mistake.", "", "'Common interview mistake' is empty"),
        ("## Live artifact\nAn artifact.\n", "", "missing section(s) ['Live artifact']"),
        ("## Trade-offs", "## Tradeoffs", "unknown section 'Tradeoffs'"),
        ("## Live artifact\nAn artifact.\n", "## Decisions\nAgain.\n", "'Decisions' appears twice"),
        ("Introduction.\n", "", "introduction"),
        ("short: Clarify\n", "", "'short' is missing"),
        ("title: Clarify the problem\n", "title:\n", "'title' is missing or empty"),
        ("short: Clarify\n", "colour: red\n", "invalid front matter line"),
    ],
)
def test_invalid_text_is_rejected(old, new, message):
    text = VALID.replace(old, new, 1)
    with pytest.raises(ValueError) as error:
        parse_step(1, text, "bad.md")
    assert message in str(error.value)
    assert "bad.md" in str(error.value)


def test_section_order_is_enforced():
    decisions = "## Decisions\nA decision.\n\n"
    text = VALID.replace(decisions, "") + "\n" + decisions
    with pytest.raises(ValueError, match="expected the order"):
        parse_step(1, text)


def test_missing_front_matter_is_rejected():
    with pytest.raises(ValueError, match="missing front matter"):
        parse_step(1, VALID.split("---\n", 2)[2])


def _write_steps(directory: Path, numbers: list[int]) -> None:
    for number in numbers:
        (directory / f"{number:02d}_step.md").write_text(VALID, encoding="utf-8")


def test_missing_step_file_is_rejected(tmp_path):
    _write_steps(tmp_path, [1, 2, 3, 4, 5, 6, 8])
    with pytest.raises(ValueError, match="expected \\[1, 2, 3, 4, 5, 6, 7, 8\\]"):
        load_steps(tmp_path)


def test_bad_file_name_is_rejected(tmp_path):
    _write_steps(tmp_path, list(range(1, 9)))
    (tmp_path / "step9.md").write_text(VALID, encoding="utf-8")
    with pytest.raises(ValueError, match="invalid step file name"):
        load_steps(tmp_path)


def test_duplicate_step_number_is_rejected(tmp_path):
    _write_steps(tmp_path, list(range(1, 9)))
    (tmp_path / "03_other.md").write_text(VALID, encoding="utf-8")
    with pytest.raises(ValueError, match="step 3 is also defined"):
        load_steps(tmp_path)
