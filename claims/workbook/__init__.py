"""One workbook in, one workbook out: every record type on its own sheet.

`sheets` reads and writes the file (XLSX, or a zip of CSVs), `plan` imports it (a preview,
then an all-or-nothing write), `export` writes the stored records and the template.
"""
