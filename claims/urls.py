from django.urls import path

from claims import feeds
from claims.cache import cache_public_page
from claims.views import (
    companies,
    countries,
    data,
    facilities,
    milestones,
    pages,
    pipeline,
    scorecards,
    sources,
)

app_name = "claims"

urlpatterns = [
    path("", pages.home, name="home"),
    path("companies/", companies.company_list, name="company_list"),
    path("companies/<slug:slug>/", companies.company_detail, name="company_detail"),
    path("facilities/", facilities.facility_list, name="facility_list"),
    path("map/", facilities.facility_map, name="facility_map"),
    path("facilities/<slug:slug>/", facilities.facility_detail, name="facility_detail"),
    path("milestones/", milestones.milestone_list, name="milestone_list"),
    path("milestones/<int:pk>/", milestones.milestone_detail, name="milestone_detail"),
    path("sources/", sources.source_list, name="source_list"),
    path("sources/<int:pk>/", sources.source_detail, name="source_detail"),
    path("countries/", countries.country_list, name="country_list"),
    path("countries/<str:code>/", countries.country_detail, name="country_detail"),
    path("pipeline/", pipeline.pipeline, name="pipeline"),
    path("timeline/", milestones.timeline, name="timeline"),
    path("scorecards/", scorecards.scorecard_list, name="scorecards"),
    path("compare/", scorecards.compare_companies, name="compare"),
    path("metrics/", scorecards.metrics, name="metrics"),
    path("methodology/", pages.methodology, name="methodology"),
    path("data/", data.data_page, name="data"),
    path("data/ssb-tracker.zip", data.data_zip, name="data_zip"),
    path("healthz", pages.healthz, name="healthz"),
    path("feeds/claims/", cache_public_page(feeds.ClaimsFeed()), name="claims_feed"),
    path(
        "companies/<slug:slug>/feed/",
        cache_public_page(feeds.CompanyClaimsFeed()),
        name="company_feed",
    ),
    path("calendar.ics", feeds.calendar, name="calendar"),
    path("companies/<slug:slug>/calendar.ics", feeds.calendar, name="company_calendar"),
    path("robots.txt", feeds.robots_txt, name="robots"),
]
