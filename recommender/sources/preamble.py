"""Macros a BibTeX file defines for itself in its `@preamble`, expanded in its field values.

JabRef, MathSciNet and REVTeX files define commands their titles and names use:
`\\providecommand{\\noopsort}[1]{}`, `\\def\\cprime{$'$}`, `\\newcommand{\\bibcyr}[1]{...}`. A macro
defined with `\\newcommand`, `\\renewcommand`, `\\providecommand`, `\\DeclareRobustCommand` or `\\def`
(with `[n]` arguments and an optional first one, or `#1#2…` parameters) is expanded where a field
uses it, before the text is cleaned. A macro whose body would not read as plain text (font or
encoding switches, boxes: `{\\fontencoding{T2A}\\selectfont #1}`) is dropped and its arguments
kept: `\\bibcyr{Иванов}` reads `Иванов`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pylatexenc import latexwalker

from ..text import clean_text

_DEFINE = re.compile(
    r"\\(?:(?P<command>newcommand|renewcommand|providecommand|DeclareRobustCommand)\*?"
    r"\s*(?:\{\s*\\(?P<braced>[A-Za-z@]+)\s*\}|\\(?P<bare>[A-Za-z@]+))"
    r"\s*(?:\[\s*(?P<count>\d)\s*\])?\s*(?:\[(?P<default>[^\]]*)\])?"
    r"|def\s*\\(?P<def>[A-Za-z@]+)(?P<parameters>(?:#\d)*))\s*(?=\{)"
)
_PARAMETER = re.compile(r"#(\d|#)")
_COMMAND_LEFT = re.compile(r"\\[A-Za-z@]")
_MAX_PASSES = 8  # macros using macros, expanded again this many times at most
_MAX_GROWTH = 16  # an expansion may make a value at most this many times longer
_CONTEXT = latexwalker.get_default_latex_context_db()


@dataclass(frozen=True)
class Macro:
    """A command the file defines: its number of arguments, the first one's default when it is
    optional, its body (`#1`… for the arguments), and whether the body reads as plain text."""

    arguments: int
    default: str | None
    body: str
    plain: bool


class Macros:
    """The macros of a file's preambles, and their expansion in its values."""

    def __init__(self, preambles: list[str]):
        self.macros: dict[str, Macro] = {}
        self._use: re.Pattern[str] | None = None
        for preamble in preambles:
            self._define_all(preamble)

    def __bool__(self) -> bool:
        return self._use is not None

    def expand(self, value: str) -> str:
        """`value` with the file's macros expanded (or dropped, their arguments kept)."""
        if self._use is None or "\\" not in value or not self._use.search(value):
            return value
        limit = _MAX_GROWTH * len(value) + 1000
        for _ in range(_MAX_PASSES):
            expanded = self._expand_once(value)
            if expanded == value or len(expanded) > limit:
                return value if len(expanded) > limit else expanded
            value = expanded
        return value

    def _expand_once(self, value: str) -> str:
        assert self._use is not None
        out: list[str] = []
        done = 0
        walker = _walker(value)
        for match in self._use.finditer(value):
            if match.start() < done:
                continue
            macro = self.macros[match.group(1)]
            used = _arguments(walker, value, match.end(), macro)
            if used is None:
                continue
            arguments, end = used
            out += [value[done:match.start()], _replacement(macro, arguments)]
            done = end
        out.append(value[done:])
        return "".join(out)

    def _define_all(self, preamble: str) -> None:
        walker = _walker(preamble)
        for match in _DEFINE.finditer(preamble):
            body = _group(walker, preamble, match.end())
            if body is None:
                continue
            name = match.group("braced") or match.group("bare") or match.group("def")
            if match.group("command") == "providecommand" and (name in self.macros or _known(name)):
                continue
            shape = _shape(match)
            if shape is not None:
                self._define(name, shape[0], shape[1], body[0])

    def _define(self, name: str, arguments: int, default: str | None, body: str) -> None:
        expanded = self.expand(body) if self else body
        self.macros[name] = Macro(arguments, default, body, _reads_plainly(expanded))
        names = "|".join(sorted(map(re.escape, self.macros), key=len, reverse=True))
        self._use = re.compile(rf"\\({names})(?![A-Za-z@])")


def _shape(match: re.Match[str]) -> tuple[int, str | None] | None:
    """The number of arguments a definition takes and the first one's default; None for a
    `\\def` with delimited parameters (`\\def\\x#1.{…}`), which is left alone."""
    if match.group("def"):
        parameters = match.group("parameters")
        count = len(parameters) // 2
        if parameters != "".join(f"#{k}" for k in range(1, count + 1)):
            return None
        return count, None
    count = int(match.group("count") or 0)
    default = match.group("default")
    return count, default if count else None


def _known(name: str) -> bool:
    """Whether text cleaning already reads the command (`\\url`, `\\emph`, `\\ss`), which
    `\\providecommand` then leaves as it is."""
    sample = f"\\{name}{{x}}"
    return clean_text(sample) != sample


def _reads_plainly(body: str) -> bool:
    """Whether a body, its arguments filled in, cleans to text with no command left, as text
    or as math."""
    sample = _PARAMETER.sub(lambda m: "#" if m.group(1) == "#" else "x", body)
    return any(_COMMAND_LEFT.search(clean_text(form)) is None for form in (sample, f"${sample}$"))


def _replacement(macro: Macro, arguments: list[str]) -> str:
    """The body with the arguments in place, or for a macro that does not read as plain text,
    its arguments alone (each a group, as braces keep them apart in TeX)."""
    if not macro.plain:
        return "".join(f"{{{argument}}}" for argument in arguments)

    def parameter(match: re.Match[str]) -> str:
        if match.group(1) == "#":
            return "#"
        number = int(match.group(1))
        return arguments[number - 1] if 0 < number <= len(arguments) else ""

    return _PARAMETER.sub(parameter, macro.body)


def _arguments(walker: latexwalker.LatexWalker, value: str, start: int,
               macro: Macro) -> tuple[list[str], int] | None:
    """The arguments a use of the macro takes after its name (which ends at `start`), and where
    they end; None when the value ends before them. The spaces after the name go, as in TeX."""
    arguments: list[str] = []
    position = _after_spaces(value, start)
    count = macro.arguments
    if macro.default is not None:
        count -= 1
        close = value.find("]", position) if value.startswith("[", position) else -1
        arguments.append(macro.default if close < 0 else value[position + 1:close])
        position = position if close < 0 else close + 1
    for number in range(count):
        if number or macro.default is not None:
            position = _after_spaces(value, position)
        argument = _group(walker, value, position) or _token(walker, value, position)
        if argument is None:
            return None
        arguments.append(argument[0])
        position = argument[1]
    return arguments, position


def _group(walker: latexwalker.LatexWalker, text: str, start: int) -> tuple[str, int] | None:
    """The inside of the braced group opening at `start`, and where the group ends."""
    if not text.startswith("{", start):
        return None
    try:
        _, position, length = walker.get_latex_braced_group(start)
    except latexwalker.LatexWalkerError:
        return None
    return text[position + 1:position + length - 1], position + length


def _token(walker: latexwalker.LatexWalker, text: str, start: int) -> tuple[str, int] | None:
    """An argument given without braces: the one command or character at `start`."""
    if start >= len(text) or text[start] in "}%":
        return None
    try:
        _, position, length = walker.get_latex_expression(start)
    except latexwalker.LatexWalkerError:
        return None
    return text[position:position + length], position + length


def _walker(text: str) -> latexwalker.LatexWalker:
    return latexwalker.LatexWalker(text, latex_context=_CONTEXT, tolerant_parsing=True)


def _after_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n":
        position += 1
    return position
