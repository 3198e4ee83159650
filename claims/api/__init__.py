"""The read-only JSON API at /api/, with its OpenAPI schema and a docs page served locally.

Every list takes the same filters as the pages and `as_of`; a bad parameter is a 400 with a
JSON body naming it. The query schemas parse and validate the parameters; the output
schemas are the one description of every response, read from the rows and records
themselves; lists are paginated (count, page, pages, next, previous, results) in a stable
order.

The package: endpoints.py (the API object, its errors and endpoints), params.py (query
parameters and pages), schemas.py (output schemas).
"""

from claims.api.endpoints import api

__all__ = ["api"]
