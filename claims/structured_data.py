"""schema.org JSON-LD for company and milestone pages."""

from __future__ import annotations

from django.http import HttpRequest

from claims.models import Claim, Company, Milestone


def organization(request: HttpRequest, company: Company) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": company.name,
        "url": request.build_absolute_uri(company.get_absolute_url()),
        "address": {"@type": "PostalAddress", "addressCountry": company.country.code},
    }
    if names := company.names[1:]:  # the name itself is first
        data["alternateName"] = names
    if company.hq_city:
        data["address"]["addressLocality"] = company.hq_city
    if company.website:
        data["sameAs"] = [company.website]
    if company.ticker_list:
        data["tickerSymbol"] = company.ticker_list
    if company.description:
        data["description"] = company.description
    return data


def _author(claim: Claim) -> dict:
    if claim.speaker:
        return {
            "@type": "Person" if "," in claim.speaker else "Organization",
            "name": claim.speaker,
        }
    return {"@type": "Organization", "name": claim.milestone.company.name}


def milestone_claims(request: HttpRequest, milestone: Milestone, claims: list[Claim]) -> dict:
    """The milestone's claims as schema.org Claims: what was said, by whom, when, where."""
    graph = []
    for claim in claims:
        source = claim.source
        appearance = {
            "@type": "CreativeWork",
            "name": source.title,
            "publisher": {"@type": "Organization", "name": source.publisher},
            # schema.org takes "2025-03" or "2025" for a date known to its month or year.
            "datePublished": source.published_datetime or str(source.published_on.year),
        }
        if source.url:
            appearance["url"] = source.url
        text = claim.quote or f"{claim.get_kind_display()}"
        if claim.has_target:
            text += f" (target: {claim.target_text or claim.target_label})"
        graph.append(
            {
                "@type": "Claim",
                "@id": request.build_absolute_uri(
                    f"{milestone.get_absolute_url()}#claim-{claim.pk}"
                ),
                "text": text,
                "datePublished": claim.stated_datetime or str(claim.stated_on.year),
                "author": _author(claim),
                "appearance": appearance,
                "about": {
                    "@type": "Thing",
                    "name": milestone.title,
                    "url": request.build_absolute_uri(milestone.get_absolute_url()),
                },
            }
        )
    return {"@context": "https://schema.org", "@graph": graph}
