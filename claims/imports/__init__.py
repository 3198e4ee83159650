"""CSV import and export of sources with their claims, and of milestones.

Rows go through model forms (the admin's validation), in one transaction: a dry run, or a
file with any bad row, saves nothing. Rows are matched on natural keys, so importing the
same file again changes nothing. Companies and milestones are matched by slug or name and
never invented from a claim row: an unknown one is reported.

files.py reads a file and reports on it (and exports the same columns), rows.py checks one
row, plan.py plans and writes a whole file, uploads.py keeps a previewed file until it is
confirmed.
"""

from claims.imports.files import (
    CLAIM_COLUMNS,
    ImportFileError,
    ImportReport,
    RowResult,
    claim_rows,
    read_csv,
)
from claims.imports.plan import import_claims_csv, import_milestones_csv
from claims.imports.rows import StaleImportError
from claims.imports.uploads import (
    ImportStep,
    UploadGone,
    keep_upload,
    preview_or_import,
    take_upload,
)

__all__ = [
    "CLAIM_COLUMNS",
    "ImportFileError",
    "ImportReport",
    "ImportStep",
    "RowResult",
    "StaleImportError",
    "UploadGone",
    "claim_rows",
    "import_claims_csv",
    "import_milestones_csv",
    "keep_upload",
    "preview_or_import",
    "read_csv",
    "take_upload",
]
