"""Go's ``text/tabwriter`` — the aligner behind every kubectl table and ``describe`` page.

Text is split into lines and tab-terminated cells; the text after a line's last tab is not
aligned. A column's width is decided per *column block* (consecutive lines that all have a
cell in that column), as Go does, so a short line in between restarts the alignment. Widths
count characters (runes), and cells are padded with spaces only (kubectl never right-aligns).
"""

from __future__ import annotations

__all__ = ["DESCRIBE_SETTINGS", "GET_SETTINGS", "TabSettings", "tabwrite"]

from dataclasses import dataclass


@dataclass(frozen=True)
class TabSettings:
    """``tabwriter.NewWriter``'s minwidth and padding (the padding character is a space)."""

    min_width: int
    padding: int


# kubectl get (cli-runtime printers.GetNewTabWriter): minwidth 6, tabwidth 4, padding 3.
GET_SETTINGS = TabSettings(min_width=6, padding=3)
# kubectl describe (describe.tabbedString): minwidth 0, tabwidth 8, padding 2.
DESCRIBE_SETTINGS = TabSettings(min_width=0, padding=2)


def tabwrite(text: str, settings: TabSettings) -> str:
    """Align ``text`` as a flushed ``tabwriter.Writer`` would print it."""
    trailing_newline = text.endswith("\n")
    lines = [line.split("\t") for line in (text[:-1] if trailing_newline else text).split("\n")]
    out: list[str] = []
    _format(lines, 0, len(lines), [], settings, out)
    return "\n".join(out) + ("\n" if trailing_newline else "")


def _format(lines: list[list[str]], line0: int, line1: int, widths: list[int], settings: TabSettings,
            out: list[str]) -> None:
    """Go's ``Writer.format``: find each block of lines sharing a cell in the next column,
    size that column, and recurse into the columns to its right."""
    column = len(widths)
    this = line0
    while this < line1:
        if column >= len(lines[this]) - 1:
            this += 1
            continue
        _write_lines(lines, line0, this, widths, out)
        line0 = this
        width = settings.min_width
        while this < line1 and column < len(lines[this]) - 1:
            width = max(width, len(lines[this][column]) + settings.padding)
            this += 1
        _format(lines, line0, this, [*widths, width], settings, out)
        line0 = this
    _write_lines(lines, line0, line1, widths, out)


def _write_lines(lines: list[list[str]], line0: int, line1: int, widths: list[int], out: list[str]) -> None:
    for cells in lines[line0:line1]:
        parts = []
        for j, cell in enumerate(cells):
            parts.append(cell.ljust(widths[j]) if j < len(widths) and j < len(cells) - 1 else cell)
        out.append("".join(parts))
