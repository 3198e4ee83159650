"""The read side: the tracker as it stood on a day (claims.read.asof).

filters.py holds what a read is asked for (the as-of day, the milestone filters), rows.py
what it gives (rows and their pages), asof.py the read model itself.

Views, the API, the CSV exports, the feeds and the calendar ask an `AsOf` for ready rows;
it alone knows whether status is read from the stored facts or derived from the claims,
how status is filtered and ordered, and which results are cached under the data version.
"""

from claims.read.asof import AsOf
from claims.read.filters import MilestoneFilters, parse_as_of
from claims.read.rows import Row

__all__ = ["AsOf", "MilestoneFilters", "Row", "parse_as_of"]
