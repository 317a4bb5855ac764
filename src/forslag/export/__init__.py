"""The finance centre's exports of a computed case: the .xlsx workbook and the long table as CSV."""
