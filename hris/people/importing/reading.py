"""Reading an uploaded XLSX or CSV file into a header row and numbered data rows."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _

SUPPORTED_EXTENSIONS = (".xlsx", ".xlsm", ".csv")


class FileProblem(Exception):
    """The file as a whole cannot be imported; the message says why."""


@dataclass
class Sheet:
    headers: list[object]
    # (row number as the spreadsheet shows it, cell values)
    rows: list[tuple[int, list[object]]] = field(default_factory=list)
    header_row_number: int = 1
    encoding: str = ""


def file_extension(filename: str) -> str:
    return PurePath(filename or "").suffix.lower()


def check_filename(filename: str) -> None:
    if file_extension(filename) == ".xls":
        raise FileProblem(_("“%(name)s” is an old Excel 97–2003 workbook; open it in Excel and save it as .xlsx.") % {"name": filename})
    if file_extension(filename) not in SUPPORTED_EXTENSIONS:
        raise FileProblem(
            _("“%(name)s” is not a supported file type; upload an Excel workbook (.xlsx) or a CSV file (.csv).") % {"name": filename}
        )


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_sheet(numbered_rows, max_rows: int, on_row: Callable[[int], None] | None) -> Sheet:  # noqa: ANN001
    headers: list[object] | None = None
    header_row_number = 0
    rows: list[tuple[int, list[object]]] = []
    for row_number, values in numbered_rows:
        values = list(values)
        if all(_is_blank(value) for value in values):
            continue
        if headers is None:
            headers, header_row_number = values, row_number
            continue
        rows.append((row_number, values))
        if len(rows) > max_rows:
            raise FileProblem(_("The file has more than %(limit)s data rows; split it into smaller files.") % {"limit": f"{max_rows:,}"})
        if on_row is not None:
            on_row(len(rows))
    if headers is None:
        raise FileProblem(_("The file is empty: it has no header row and no data."))
    if not rows:
        raise FileProblem(_("The file has a header row but no data rows."))
    width = max(len(headers), *(len(values) for _row, values in rows))
    headers = headers + [None] * (width - len(headers))
    rows = [(number, values + [None] * (width - len(values))) for number, values in rows]
    return Sheet(headers=headers, rows=rows, header_row_number=header_row_number)


def _read_xlsx(content: bytes, max_rows: int, on_row: Callable[[int], None] | None) -> Sheet:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise FileProblem(_("The file could not be read as an Excel workbook (.xlsx): %(error)s") % {"error": error})
    try:
        worksheet = workbook.worksheets[0] if workbook.worksheets else None
        if worksheet is None:
            raise FileProblem(_("The workbook has no worksheet."))
        # Some writers store a wrong sheet size; read what is really there.
        worksheet.reset_dimensions()
        numbered = ((number, row) for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1))
        return _to_sheet(numbered, max_rows, on_row)
    finally:
        workbook.close()


def decode_text(content: bytes) -> tuple[str, str]:
    """Text and the encoding it was in: UTF-8 with or without BOM, UTF-16 with BOM
    (Excel's "Unicode text"), else GB 18030 (a superset of GBK, what Chinese Excel writes)."""
    if content.startswith(codecs.BOM_UTF8):
        return content[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig"
    if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16"), "utf-16"
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise FileProblem(_("The CSV file's text encoding is not recognised; save it as UTF-8 or GBK."))


def _read_csv(content: bytes, max_rows: int, on_row: Callable[[int], None] | None) -> Sheet:
    try:
        text, encoding = decode_text(content)
    except UnicodeDecodeError:
        raise FileProblem(_("The CSV file's text encoding is not recognised; save it as UTF-8 or GBK."))
    if "\x00" in text:
        raise FileProblem(_("This does not look like a CSV text file."))
    # Only the delimiter is guessed (from the header line); quoting stays Excel's.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), dialect=csv.excel, delimiter=delimiter)
    try:
        # Record numbers, not line numbers: a cell with a line break is still one spreadsheet row.
        sheet = _to_sheet(enumerate(reader, start=1), max_rows, on_row)
    except csv.Error as error:
        raise FileProblem(_("The CSV file is malformed: %(error)s") % {"error": error})
    sheet.encoding = encoding
    return sheet


def read_sheet(content: bytes, filename: str, *, on_row: Callable[[int], None] | None = None, max_rows: int | None = None) -> Sheet:
    """Header and data rows of the first worksheet (XLSX) or of a CSV file.

    Blank rows are skipped; row numbers stay those the spreadsheet shows, so messages
    point at the right line. Raises FileProblem with a clear message otherwise.
    """
    check_filename(filename)
    if not content:
        raise FileProblem(_("The file is empty."))
    limit = max_rows if max_rows is not None else settings.RENSHI_IMPORT_MAX_ROWS
    if file_extension(filename) == ".csv":
        return _read_csv(content, limit, on_row)
    return _read_xlsx(content, limit, on_row)


def estimate_rows(content: bytes, filename: str) -> int:
    """A cheap data-row count to choose between validating now and in the background."""
    if file_extension(filename) == ".csv":
        return max(0, content.count(b"\n") - 1 + (0 if content.endswith(b"\n") else 1))
    try:
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content), read_only=True)
        try:
            worksheet = workbook.worksheets[0]
            rows = worksheet.max_row
        finally:
            workbook.close()
        if rows is None:  # no stored sheet size: guess from the compressed size
            return len(content) // 40
        return max(0, rows - 1)
    except Exception:  # an unreadable file is reported by the validation itself
        return 0
