"""Spreadsheet cells that keep what people typed as text, never as a formula.

A reporter's problem text `=HYPERLINK("http://…","点此查看附件")` once became a live link in
the office's ledger export: openpyxl stores every string that starts with "=" as a formula,
and Excel and WPS evaluate a field starting with = + - @ (or a tab or CR before one) when a
CSV is opened or a cell is edited. Every export writes user-supplied values through here;
numbers, dates and None pass through unchanged.
"""

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def set_value(cell, value):
    """Put `value` in an openpyxl cell; a string is stored as a string, whatever it starts with.

    Set the cell's style first: assigning a named style resets quotePrefix.
    """
    cell.value = value
    if isinstance(value, str):
        # openpyxl typed it "f" (formula) or "e" (an error code such as #N/A): undo that.
        cell.data_type = "s"
        if looks_like_formula(value):
            # Excel's own mark for text typed as '=…: editing the cell keeps it text.
            cell.quotePrefix = True
    return cell


def write_row(ws, row: int, values, *, start_column: int = 1) -> list:
    """Write `values` into one row through set_value; returns the cells."""
    return [set_value(ws.cell(row=row, column=column), value)
            for column, value in enumerate(values, start=start_column)]


def csv_field(value):
    """A CSV value spreadsheet programs will not evaluate: formula-like text gets the
    leading single quote OWASP recommends (CSV has no cell types to say "text")."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value
