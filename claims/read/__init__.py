"""The read side: the tracker as it stood on a day (claims.read.asof).

Views, the API, the CSV exports, the feeds and the calendar ask an `AsOf` for ready rows;
it alone knows whether status is read from the stored facts or derived from the claims,
how status is filtered and ordered, and which results are cached under the data version.
"""

from claims.read.asof import AsOf, MilestoneFilters, Row, parse_as_of

__all__ = ["AsOf", "MilestoneFilters", "Row", "parse_as_of"]
