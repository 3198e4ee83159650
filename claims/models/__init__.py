"""The claims data model: who said what would happen, by when, in which source.

Claims are the history; a milestone's current target and status are derived from them
(see claims/status/). One module per record type.
"""

from claims.models.base import (
    NATIVE_LANGUAGES,
    CapacityUnit,
    DatePrecision,
    Versioned,
    format_date,
    format_quantity,
    partial_date_bounds,
)
from claims.models.claim import (
    STANDING_LABELS,
    Claim,
)
from claims.models.company import Company, CompanyRelation, Technology
from claims.models.facility import Facility
from claims.models.facts import MilestoneFacts
from claims.models.milestone import Milestone
from claims.models.source import Source

__all__ = [
    "NATIVE_LANGUAGES",
    "STANDING_LABELS",
    "CapacityUnit",
    "Claim",
    "Company",
    "CompanyRelation",
    "DatePrecision",
    "Facility",
    "Milestone",
    "MilestoneFacts",
    "Source",
    "Technology",
    "Versioned",
    "format_date",
    "format_quantity",
    "partial_date_bounds",
]
