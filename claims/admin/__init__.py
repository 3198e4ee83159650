"""The editors' admin: one article becomes one Source with many Claims across companies.

Importing the package registers every model admin (Django autodiscovers `claims.admin`):
companies.py (companies, technologies, relations), sources.py, milestones.py (facilities and
milestones), claims.py; their forms (forms.py, versioning.py), list filters (filters.py) and
the CSV import (imports.py) sit beside them.
"""

from django.contrib import admin

from claims.admin import claims, companies, milestones, sources  # noqa: F401 (registers)
from claims.admin.forms import parse_target_preview

__all__ = ["parse_target_preview"]

admin.site.site_header = "SSB Tracker editors"
admin.site.site_title = "SSB Tracker admin"
admin.site.index_title = "Sources, claims and companies"
admin.site.site_url = "/"
