"""Where claims come from."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from claims.dates import (
    datetime_attr,
)
from claims.models.base import (
    DatePrecision,
    Versioned,
    format_date,
    partial_date_bounds,
)
from claims.querysets import (
    SourceQuerySet,
)
from claims.urlnorm import normalise_url

#: Marks the key of a source whose URL another, older source already had when keys were
#: introduced (never produced by normalise_url, which drops fragments).
DUPLICATE_MARK = "#dup-"


class Source(Versioned):
    class Kind(models.TextChoices):
        NEWS = "news", "News report"
        COMPANY_RELEASE = "company_release", "Company release"
        REGULATORY_FILING = "regulatory_filing", "Regulatory filing"
        GOVERNMENT_NOTICE = "government_notice", "Government notice"
        INTERVIEW = "interview", "Interview"
        SITE_VISIT = "site_visit", "Site visit"

    url = models.URLField(
        "URL",
        max_length=1000,
        blank=True,
        help_text="Leave empty only for a source without a page of its own, reported via another.",
    )
    title = models.CharField(max_length=500)
    publisher = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.NEWS)
    published_on = models.DateField(
        help_text="As precisely as the source gives it: 2025-11-03, 2025-11, 2025-Q4, 2025."
    )
    published_on_precision = models.CharField(
        max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    #: The last day the publication date could be (derived from published_on and precision).
    published_on_latest = models.DateField(editable=False, null=True)
    language = models.CharField(
        max_length=8, default="en", help_text="ISO 639-1 code: en, zh, ja, de, ko."
    )
    via = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported",
        help_text="The source that reported this one, e.g. a WeChat post via a news article.",
    )
    #: The URL as it is compared for duplicates (claims.urlnorm.normalise_url): without scheme,
    #: `www.`, trailing slash, fragment or tracking parameters. Derived from url; the url
    #: itself is kept as the editor gave it. Empty for a source without a URL.
    url_key = models.CharField("URL key", max_length=1000, blank=True, editable=False)
    archive_url = models.URLField("archive URL", max_length=1000, blank=True)
    accessed_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        constraints = [
            # One source a page, whatever the spelling of its URL (http or https, www., a
            # trailing slash, tracking parameters). Its index answers the duplicate check
            # (same_url) and the import's matching (url_key = / IN …, which imply <> '').
            models.UniqueConstraint(
                fields=["url_key"],
                condition=~Q(url_key=""),
                name="source_url_key_unique",
                violation_error_message="Another source already has this URL: cite that one instead.",
            ),
            models.CheckConstraint(
                condition=~Q(url="") | Q(via__isnull=False),
                name="source_has_url_or_via",
                violation_error_message="Give the source's URL, or the source it was reported via.",
            ),
            models.CheckConstraint(
                condition=Q(url="") | Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_is_http",
                violation_error_message="A source URL must start with http:// or https://.",
            ),
            models.CheckConstraint(
                condition=~Q(via=models.F("pk")),
                name="source_not_via_itself",
                violation_error_message="A source cannot be reported via itself.",
            ),
        ]
        indexes = [
            # /sources/ ordered by date, filtered by publisher and kind.
            models.Index(fields=["publisher", "-published_on"], name="source_publisher_idx"),
            models.Index(fields=["kind", "-published_on"], name="source_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title} ({self.published_label})"

    def save(self, *args, **kwargs):
        self.fill_date_bounds()
        self.fill_url_key()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "url" in update_fields:
            kwargs["update_fields"] = {*update_fields, "url_key"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("claims:source_detail", args=[self.pk])

    def fill_date_bounds(self) -> None:
        """Snap the publication date to the start of its period and derive its last day
        (writers that bypass save(), such as bulk imports, call it themselves)."""
        self.published_on, self.published_on_latest = partial_date_bounds(
            self.published_on, self.published_on_precision
        )

    def fill_url_key(self) -> None:
        """Derive the key the URL is compared by (bulk writers call it themselves, as they
        call fill_date_bounds). A duplicate set aside when keys were introduced keeps its
        marked key ("…#dup-<id>", migration 0007) until it is merged or its URL changes."""
        key = normalise_url(self.url)
        if not (key and (self.url_key or "").startswith(f"{key}{DUPLICATE_MARK}")):
            self.url_key = key

    def same_url(self) -> Source | None:
        """Another source whose URL is this one's in another spelling, if any."""
        key = normalise_url(self.url)
        if not key:
            return None
        return Source.objects.filter(url_key=key).exclude(pk=self.pk).order_by("pk").first()

    @property
    def published_label(self) -> str:
        return format_date(self.published_on, self.published_on_precision)

    @property
    def published_datetime(self) -> str:
        """The <time datetime> value, no more precise than the date is known."""
        return datetime_attr(self.published_on, self.published_on_latest or self.published_on)

    def clean(self) -> None:
        errors = {}
        if self.url and not self.url.startswith(("http://", "https://")):
            errors["url"] = "A source URL must start with http:// or https://."
        if self.url and (other := self.same_url()) is not None:
            errors["url"] = duplicate_url_message(other)
        if not self.url and not self.via_id:
            errors["url"] = (
                "Give the source's URL, or choose the source it was reported via "
                "(for a post or call known only through an article)."
            )
        if self.pk and self.via_id == self.pk:
            errors["via"] = "A source cannot be reported via itself."
        if self.accessed_on and self.published_on and self.accessed_on < self.published_on:
            errors["accessed_on"] = "A source cannot be accessed before it was published."
        if errors:
            raise ValidationError(errors)


def duplicate_url_message(other: Source) -> str:
    """The duplicate check's message: which source already has the page, under which key."""
    return (
        f"Another source already has this URL (as {other.url_key}): source #{other.pk}, "
        f"“{other.title}” ({other.publisher}, {other.published_label}), at {other.url}. "
        "Cite that one instead."
    )
