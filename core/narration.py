"""Narration scripts: load a page's script, fill in its numbers, and clean it for speech.

A script is a Markdown file ``data/narration/<page_id>.md`` written for the ear. It
contains placeholders that the page fills with its current numbers:

``{name}``
    The value as spoken: ``4438`` becomes ``4,438``, ``0.05`` stays ``0.05``, a negative
    number starts with "minus", ``True`` is "yes". Strings are inserted as they are.
``{name:percent}``
    A fraction as a percentage: ``0.12`` becomes ``12 percent``.
``{name:points}``
    A difference of fractions in percentage points: ``0.02`` becomes
    ``2 percentage points``.
``{name:words}``
    A whole number from 0 to 999 in words (``7`` becomes ``seven``); larger numbers use
    digits.
``{name:count:noun}`` and ``{name:count:noun:plural}``
    A number followed by the noun in the right number: ``1 day``, ``14 days``. The plural
    is the noun plus "s" unless given.
``{name:count_words:noun}`` and ``{name:count_words:noun:plural}``
    The same with the number in words: ``seven days``, and ``no days`` for zero.

A placeholder whose value is missing, ``None``, not finite, or of a type its format
cannot speak removes the whole sentence that contains it, so the spoken text never
contains a raw placeholder or a gap such as "you need users". Pages use this on
purpose for optional sentences: they pass ``None`` for a value that does not apply.
Braces have no other meaning: a brace outside a placeholder is a template error.
"""

from __future__ import annotations

import logging
import math
import numbers
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

SCRIPT_DIR = Path(__file__).resolve().parent.parent / "data" / "narration"

# Conversational English at about 150 words per minute, the rate the length checks use.
WORDS_PER_MINUTE = 150

# Utterances longer than this are split at commas or spaces, because Chrome has been
# reported to stop a long utterance after about 15 seconds or 200 to 300 characters
# (Stack Overflow questions 42875726 and 21947730).
MAX_CHUNK_CHARS = 200

_PAGE_ID = re.compile(r"[a-z][a-z0-9_]*")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([^{}]*))?\}")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_LINE_PREFIX = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)?)(.*)$")

_SIMPLE_SPECS = ("", "percent", "points", "words")
_COUNT_SPECS = ("count", "count_words")

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


class _Missing(Exception):
    """Raised inside rendering when a placeholder cannot be filled."""


def load_script(page_id: str) -> str:
    """Read the narration template of a page from ``data/narration/<page_id>.md``.

    Raises ``ValueError`` for a page id that is not a lowercase identifier (so no path
    can be built from user input) and ``FileNotFoundError`` when the page has no script.
    """
    if not isinstance(page_id, str) or not _PAGE_ID.fullmatch(page_id):
        raise ValueError(
            f"page_id={page_id!r} is invalid: expected lowercase letters, digits and "
            "underscores, starting with a letter"
        )
    path = SCRIPT_DIR / f"{page_id}.md"
    if not path.is_file():
        raise FileNotFoundError(f"No narration script for page {page_id!r}: {path} not found")
    return path.read_text(encoding="utf-8")


def list_placeholders(template: str) -> list[tuple[str, str]]:
    """List the ``(name, format)`` pairs of a template's placeholders in order of appearance.

    The format is ``""`` for a plain ``{name}``. Raises ``ValueError`` for a stray brace
    or an unknown format, the same errors :func:`render_script` raises.
    """
    _check_braces(template)
    found = []
    for match in _PLACEHOLDER.finditer(template):
        spec = match.group(2) or ""
        _check_spec(match.group(0), spec)
        found.append((match.group(1), spec))
    return found


def render_script(template: str, values: Mapping[str, object]) -> str:
    """Fill a template's placeholders with values formatted for speech.

    Each sentence with a placeholder that cannot be filled (see the module docstring)
    is dropped, and a line left empty by that is dropped too. The result never contains
    a brace from the template. Braces inside string values are removed as well, so the
    output contains no ``{`` or ``}`` at all.

    Raises
    ------
    ValueError
        If the template has a stray brace or a placeholder with an unknown format.
    """
    list_placeholders(template)
    lines = []
    for line in template.splitlines():
        if "{" not in line:
            lines.append(line)
            continue
        prefix, body = _LINE_PREFIX.match(line).groups()
        sentences = [_fill(sentence, values) for sentence in _SENTENCE_END.split(body)]
        kept = [sentence for sentence in sentences if sentence is not None]
        if kept:
            lines.append(prefix + " ".join(kept))
    # A dropped paragraph would leave its blank lines behind.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip()) + "\n"


def speech_text(markdown: str) -> str:
    """Convert Markdown to plain text that a speech engine reads as words.

    Removes Markdown markup and HTML tags, and a link keeps only its text. Symbols become
    words: ``α`` is "alpha", ``%`` is "percent", ``→`` is "to", ``≥`` is "at least",
    ``A/B`` is "A B" and ``yes/no`` is "yes or no". Any other symbol, emoji or bracket is
    dropped, because an engine would spell it out or read its character name. Paragraphs and list items become
    sentences that end with punctuation, joined by single spaces.
    """
    text = re.sub(r"<!--.*?-->", " ", markdown, flags=re.DOTALL)
    text = re.sub(r"<[^>\n]+>", " ", text)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = text.replace("`", "")

    sentences = []
    for block in re.split(r"\n\s*\n|\n(?=\s*(?:#{1,6}\s|[-*+]\s|\d+[.)]\s))", text):
        block = " ".join(_LINE_PREFIX.match(line).group(2) for line in block.splitlines())
        block = _speak_symbols(block)
        if not re.search(r"\w", block):
            continue
        if block[-1] not in ".!?:;,":
            block += "."
        sentences.append(block)
    return " ".join(sentences)


def speech_chunks(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[str]:
    """Split speech text into sentence-sized utterances of at most ``max_chars`` characters.

    A sentence that is longer is split at its last comma, or else its last space, before
    the limit. Joining the chunks with single spaces gives back the text with its
    whitespace collapsed, unless a single word was longer than ``max_chars``.
    """
    chunks = []
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        while len(sentence) > max_chars:
            cut = sentence.rfind(", ", 0, max_chars)
            if cut == -1:
                cut = sentence.rfind(" ", 0, max_chars)
                split_at, rest_at = (cut, cut + 1) if cut > 0 else (max_chars, max_chars)
            else:
                split_at, rest_at = cut + 1, cut + 2
            chunks.append(sentence[:split_at])
            sentence = sentence[rest_at:]
        if sentence:
            chunks.append(sentence)
    return chunks


def spoken_seconds(text: str, words_per_minute: float = WORDS_PER_MINUTE) -> float:
    """Estimate the speaking time of a text in seconds from its word count."""
    return len(text.split()) / words_per_minute * 60.0


def number_words(number: int) -> str:
    """Write a whole number from 0 to 999 in English words (``438`` is "four hundred thirty-eight")."""
    if isinstance(number, bool) or not isinstance(number, numbers.Integral) or not 0 <= number <= 999:
        raise ValueError(f"number={number!r} is out of range: expected a whole number from 0 to 999")
    number = int(number)
    if number < 20:
        return _ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(number, 100)
    return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")


def format_number(value: float) -> str:
    """Format a number for speech and reading: thousands separators, at most 3 significant digits.

    Whole numbers keep all their digits, so ``4438`` is "4,438". Other numbers of 100 or
    more are rounded to whole numbers. Smaller ones keep about 3 significant digits:
    ``0.0512`` is "0.0512", ``2.345`` is "2.35" and ``12.34`` is "12.3". A positive number below 0.001 is "less than 0.001",
    so a tiny p-value is not read as a long string of digits.
    """
    if value < 0:
        if -0.001 < value:
            return "between minus 0.001 and zero"
        return "minus " + format_number(-value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if value == 0:
        return "0"
    if value < 0.001:
        return "less than 0.001"
    if value >= 100 or float(value).is_integer():
        return f"{round(value):,}"
    # Fixed decimals rather than the "g" format, which turns 99.96 into "1e+02".
    decimals = 2 - math.floor(math.log10(value))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def _check_braces(template: str) -> None:
    stripped = _PLACEHOLDER.sub("", template)
    for brace in "{}":
        position = stripped.find(brace)
        if position != -1:
            context = stripped[max(0, position - 20) : position + 20]
            raise ValueError(f"template has a stray {brace!r} that is not part of a placeholder near {context!r}")


def _check_spec(placeholder: str, spec: str) -> None:
    parts = spec.split(":")
    if spec in _SIMPLE_SPECS:
        return
    if parts[0] in _COUNT_SPECS and len(parts) in (2, 3) and all(part.strip() for part in parts[1:]):
        return
    raise ValueError(
        f"placeholder {placeholder} has an unknown format {spec!r}: expected none, "
        "'percent', 'points', 'words', 'count:noun[:plural]' or 'count_words:noun[:plural]'"
    )


def _fill(sentence: str, values: Mapping[str, object]) -> str | None:
    try:
        return _PLACEHOLDER.sub(lambda match: _format_value(match, values), sentence)
    except _Missing:
        return None


def _format_value(match: re.Match[str], values: Mapping[str, object]) -> str:
    name, spec = match.group(1), match.group(2) or ""
    value = values.get(name)
    if value is None:
        raise _Missing(name)

    if isinstance(value, str):
        if spec:
            logger.warning("Narration value %s=%r is not a number, so its sentence is dropped", name, value)
            raise _Missing(name)
        return " ".join(value.replace("{", "").replace("}", "").split())
    if isinstance(value, bool):
        if spec:
            logger.warning("Narration value %s=%r is not a number, so its sentence is dropped", name, value)
            raise _Missing(name)
        return "yes" if value else "no"
    if not isinstance(value, numbers.Real):
        logger.warning("Narration value %s=%r has unsupported type %s, so its sentence is dropped",
                       name, value, type(value).__name__)
        raise _Missing(name)
    if not math.isfinite(float(value)):
        raise _Missing(name)

    parts = spec.split(":")
    if spec == "":
        return format_number(value)
    if spec == "percent":
        return _percent_text(value * 100.0) + " percent"
    if spec == "points":
        points = value * 100.0
        unit = "percentage point" if abs(points) == 1 else "percentage points"
        return f"{_percent_text(points)} {unit}"
    if spec == "words":
        return _whole_words(value)

    noun = parts[1].strip()
    plural = parts[2].strip() if len(parts) == 3 else noun + "s"
    if parts[0] == "count_words":
        amount = "no" if value == 0 else _whole_words(value)
    else:
        amount = format_number(value)
    return f"{amount} {noun if value == 1 else plural}"


def _percent_text(percent: float) -> str:
    # Round to 2 decimals so 0.1 * 100 = 10.000000000000002 reads as "10".
    rounded = round(float(percent), 2)
    if rounded == 0 and percent != 0:
        return format_number(percent)
    return format_number(rounded)


def _whole_words(value: float) -> str:
    if float(value).is_integer() and 0 <= value <= 999:
        return number_words(int(value))
    return format_number(value)


_SYMBOL_WORDS = {
    "α": " alpha ", "β": " beta ", "γ": " gamma ", "δ": " delta ", "Δ": " delta ",
    "ε": " epsilon ", "θ": " theta ", "λ": " lambda ", "μ": " mu ", "π": " pi ",
    "ρ": " rho ", "σ": " sigma ", "Σ": " sum of ", "τ": " tau ", "χ": " chi ",
    "→": " to ", "⟶": " to ", "⇒": " so ", "←": " from ", "↔": " and ",
    "≥": " at least ", "≤": " at most ", "≠": " not equal to ", "≈": " about ",
    "±": " plus or minus ", "×": " times ", "÷": " divided by ", "∞": " infinity ",
    "√": " square root of ", "²": " squared ", "&": " and ", "@": " at ",
    "…": "...", "—": ", ", "–": " to ", "~": " about ", "°": " degrees ",
}


def _speak_symbols(text: str) -> str:
    text = re.sub(r"\b([A-Z])/([A-Z])\b", r"\1 \2", text)
    text = re.sub(r"\band/or\b", "and or", text)
    text = re.sub(r"(\d)\s*/\s*(\d)", r"\1 in \2", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1 to \2", text)
    text = re.sub(r"(^|[\s(])-(?=\d)", r"\1minus ", text)
    text = re.sub(r"\s+-+\s+", ", ", text)
    text = text.replace("_", " ")
    text = re.sub(r"(\d)\s*×", r"\1 times", text)
    text = re.sub(r"\$\s*(\d[\d,.]*)", r"\1 dollars", text)
    text = re.sub(r"\s*%", " percent", text)
    text = re.sub(r"\s*>=\s*", " at least ", text)
    text = re.sub(r"\s*<=\s*", " at most ", text)
    text = re.sub(r"\s*<\s*", " less than ", text)
    text = re.sub(r"\s*>\s*", " greater than ", text)
    text = re.sub(r"\s*=\s*", " equals ", text)
    text = re.sub(r"(?<=\w)/(?=\w)", " or ", text)
    text = re.sub(r"(^|\s)#(?=\d)", r"\1number ", text)
    for symbol, words in _SYMBOL_WORDS.items():
        text = text.replace(symbol, words)

    # Keep letters, digits, spaces and the punctuation that only shapes intonation,
    # because an engine spells out any other symbol (emoji, arrows, brackets, asterisks).
    kept = []
    for character in text:
        category = unicodedata.category(character)
        if category[0] in "LN" or character in " .,;:?!'\"()-":
            kept.append(character)
        elif category[0] == "Z" or character in "\t\n/":
            kept.append(" ")
    text = "".join(kept)
    text = re.sub(r"\(\s*\)", " ", text)
    text = re.sub(r"\s+([.,;:?!])", r"\1", text)
    text = re.sub(r"([,;:])(?=[.,;:?!])", "", text)
    return " ".join(text.split())
