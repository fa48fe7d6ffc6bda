"""A CSV file's bytes as a header and numbered records, whatever the spreadsheet wrote.

Exports arrive as UTF-8 (with or without BOM), UTF-16 or Windows-1252, split by comma,
semicolon, tab or bar, sometimes with Excel's ``sep=`` first line. Each record is
numbered by the physical line where it starts (a quoted cell may span lines), so that
a problem is reported where the shop owner will find it. An unreadable record becomes
a ``Skipped`` note rather than ending the import.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re

from .rows import Row, Skipped

log = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t", "|")

Record = dict[str, str]  # normalised column name -> stripped cell
Numbered = list[tuple[int, Record]]


def decode(data: bytes) -> str:
    """Text of a CSV file: UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("CSV is not UTF-8; reading it as Windows-1252")
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into most columns: ``"a;b;c" -> ";"``.

    csv.Sniffer guesses from the whole sample and is fooled by commas in descriptions;
    the header row alone is reliable.
    """
    best, most = ",", 1
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(text[:65536], newline=""), delimiter=delimiter)
        try:
            header = next((cells for cells in reader if any(c.strip() for c in cells)), [])
        except csv.Error:
            continue
        if len(header) > most:
            best, most = delimiter, len(header)
    return best


def parse_table(text: str) -> tuple[list[str], Numbered, list[Row]]:
    """(normalised header, records numbered by their first physical line, problems)."""
    excel = re.match(r"sep=([,;\t|])\r?\n", text)  # Excel's optional first line
    delimiter = excel.group(1) if excel else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    records: Numbered = []
    problems: list[Row] = []
    previous = 0
    if excel:
        next(reader)
        previous = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append((previous + 1, Skipped(f"skipped: unreadable CSV record ({error})")))
            if reader.line_num == previous:
                break
            previous = reader.line_num
            continue
        line, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if not header:
            header = [column_name(cell) for cell in cells]
            continue
        record: Record = {}
        for column, cell in zip(header, cells, strict=False):
            if column and cell.strip():
                record.setdefault(column, cell.strip())
        records.append((line, record))
    return header, records, problems


def column_name(name: str) -> str:
    """A header cell as importers look it up: ``"\\ufeffVariant  SKU" -> "variant sku"``."""
    return " ".join(name.replace("\ufeff", "").split()).casefold()
