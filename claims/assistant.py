"""Paste an article, get proposed claims: rule-based, local, and pure (no ORM, no request).

Each sentence that names a tracked company (its name, native name or an alias, in English
or Chinese) together with a date or target the tracker can read becomes a proposal: the
milestone it most likely belongs to (by the words it shares with the company's milestones),
the kind of claim, the speaker's standing, the target as stated and the quote. The editor
checks, corrects and saves them; nothing here decides anything for good.

The caller passes in the tracked companies (TrackedCompany) and the source's publication
date, against which relative targets ("next year", 明年) are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from claims.dates import PartialDateError, parse_partial_date
from claims.periods import PeriodError, parse_period


@dataclass(frozen=True)
class TrackedMilestone:
    id: int
    title: str
    description: str = ""
    facility: str = ""
    kind: str = ""


@dataclass(frozen=True)
class TrackedCompany:
    id: int
    name: str
    names: tuple[str, ...]  # name, native name, aliases
    milestones: tuple[TrackedMilestone, ...] = ()
    fiscal_year_start: int | None = None


@dataclass
class Proposal:
    company: TrackedCompany
    sentence: str
    kind: str = "announcement"
    standing: str = "company"
    speaker: str = ""
    target_text: str = ""
    target_label: str = ""
    achieved_on: str = ""
    evidence: str = ""
    milestone_id: int | None = None
    new_milestone_title: str = ""
    new_milestone_kind: str = "other"
    reasons: list[str] = field(default_factory=list)

    @property
    def quote(self) -> str:
        return trim(self.sentence)


# -- sentences --------------------------------------------------------------------------------

_ABBREVIATIONS = {"co", "ltd", "inc", "no", "mr", "ms", "dr", "corp", "st", "vs", "e.g", "i.e"}
_BOUNDARY = re.compile(r"[。！？；!?;]+[”\"』」)]?|\.(?=\s+[A-Z“\"(\u4e00-\u9fff])|\n\s*\n|\n")


def sentences(text: str) -> list[str]:
    """The text cut into sentences at 。！？； and !?; and at a full stop before a capital,
    keeping "Co., Ltd." and "81.82%" whole."""
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith("."):
            word = re.search(r"([\w.]+)$", text[start : m.start()])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS:
                continue
        piece = " ".join(text[start : m.end()].split())
        if piece.strip(" 。.!?！？;；"):
            out.append(piece)
        start = m.end()
    tail = " ".join(text[start:].split())
    if tail:
        out.append(tail)
    return out


def trim(sentence: str, limit: int = 300) -> str:
    sentence = sentence.strip()
    if len(sentence) <= limit:
        return sentence
    return sentence[:limit].rsplit(" ", 1)[0] + " …"


# -- companies --------------------------------------------------------------------------------

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def _name_pattern(name: str) -> re.Pattern[str]:
    escaped = re.escape(name).replace(r"\ ", r"\s*-?\s*")
    if _CJK.search(name):
        return re.compile(escaped)
    return re.compile(rf"(?<![\w-]){escaped}(?![\w-])", re.IGNORECASE)


def named_companies(sentence: str, companies: list[TrackedCompany]) -> list[TrackedCompany]:
    """The companies a sentence names, in the order they first appear."""
    found = []
    for company in companies:
        positions = [
            m.start()
            for name in company.names
            if len(name) >= 2
            for m in [_name_pattern(name).search(sentence)]
            if m
        ]
        if positions:
            found.append((min(positions), company))
    return [c for _, c in sorted(found, key=lambda pair: pair[0])]


# -- targets and dates ------------------------------------------------------------------------

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_YEAR = r"(?:19|20)\d{2}"
_LEAD = r"(?:(?:by|in|before|until|from|after|around|as early as|no later than)\s+)?(?:the\s+)?"
_CORE = [
    rf"(?:end|middle|beginning|start)\s+of\s+(?:{_MONTH}\s+)?{_YEAR}",
    rf"(?:first|second|third|fourth|1st|2nd|3rd|4th)\s+(?:half|quarter)\s+of\s+{_YEAR}",
    rf"{_MONTH}\.?\s+{_YEAR}",
    rf"[HQ][1-4]\s*{_YEAR}|{_YEAR}\s*-?\s*[HQ][1-4]",
    rf"(?:early|mid|late)[- ]{_YEAR}",
    rf"FY\s?'?{_YEAR}",
    rf"(?:early |mid-?|late )?(?:the\s+)?{_YEAR}s",
    rf"{_YEAR}\s*(?:–|-|to|or)\s*(?:{_YEAR}|\d{{2}})(?!\d)",
    rf"between\s+{_YEAR}\s+and\s+{_YEAR}",
    r"(?:end of )?(?:next|this) year",
    rf"{_YEAR}(?:\s+at the latest)?",
]
_EN_TARGET = re.compile(rf"\b{_LEAD}(?:{'|'.join(_CORE)})\b", re.IGNORECASE)
_ZH_TARGET = re.compile(
    r"(?:最早|最迟)?(?:\d{4}年|今年|明年|后年)?"
    r"(?:(?:第?[一二三四1-4]季度)|(?:[上下]半年)|(?:\d{1,2}月(?:份|底|末)?)|(?:[底末]前?|内|以后|之后|后|前后|左右))?"
)
_ZH_LEAD = re.compile(r"\d{4}年|今年|明年|后年|年底|年内|下半年|上半年")
_DAY_NO_YEAR = re.compile(
    rf"\b(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!,?\s*\d{{4}})", re.I
)
_ZH_DAY = re.compile(r"(?:(?P<y>\d{4})年)?(?P<m>\d{1,2})月(?P<d>\d{1,2})[日号]")


def _candidates(sentence: str) -> list[str]:
    found = [m.group().strip() for m in _EN_TARGET.finditer(sentence)]
    for m in _ZH_LEAD.finditer(sentence):
        zh = _ZH_TARGET.match(sentence, m.start())
        if zh and zh.group():
            text = zh.group()
            found.append(text)
            if not re.match(r"\d{4}年|今年|明年|后年", text):
                found.append("今年" + text)  # 年底, 下半年: of the year it was said
    return found


def read_target(
    sentence: str, stated_on: date | None, fiscal_year_start: int | None = None
) -> tuple[str, str] | None:
    """(target as stated, label) of the first phrase the period parser reads, if any."""
    for text in _candidates(sentence):
        try:
            period = parse_period(text, stated_on=stated_on, fiscal_year_start=fiscal_year_start)
        except PeriodError:
            continue
        if period.is_dated or period.earliest:
            return period.stated, period.label
    return None


def read_day(sentence: str, published_on: date | None) -> str:
    """A day the sentence names ("September 2nd", "9月2日"), in the publication's year."""
    for pattern in (_ZH_DAY, _DAY_NO_YEAR):
        m = pattern.search(sentence)
        if not m:
            continue
        year = m.groupdict().get("y") or (published_on.year if published_on else None)
        if year is None:
            continue
        month = m["m"] if m["m"].isdigit() else m["m"][:3]
        text = (
            f"{int(year)}-{int(month):02}-{int(m['d']):02}"
            if month.isdigit()
            else (f"{int(m['d'])} {month} {year}")
        )
        try:
            day, _ = parse_partial_date(text)
        except PartialDateError:
            continue
        if published_on is None or day <= published_on:
            return day.isoformat()
    return ""


# -- kind and standing ------------------------------------------------------------------------

_ACHIEVED = re.compile(
    r"\b(?:rolled (?:off|out)|began (?:mass )?production|started (?:mass )?production|"
    r"(?:has|have|had|was|were) (?:been )?(?:completed|delivered|put into (?:production|operation))"
    r"|completed|delivered|went into (?:production|operation))\b"
    r"|(?:已|已经)[^，。；]{0,8}(?:下线|投产|建成|交付)|(?:下线|投产|建成|交付)了",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|plans?|planned|expects?|expected|aims?|aiming|targets?|to be|is set to|"
    r"scheduled|hopes?|intends?|would|could|may)\b|将|计划|预计|有望|力争|拟|目标",
    re.IGNORECASE,
)
_REVISED = re.compile(
    r"\b(?:postpone[sd]?|delay(?:s|ed)?|pushed back|push(?:es)? back|deferred|brought forward)\b"
    r"|推迟|延期|延后|提前",
    re.IGNORECASE,
)
_GOVERNMENT = re.compile(
    r"\b(?:government|ministry|MIIT|regulator|authorit(?:y|ies)|commission)\b|政府|工信部|部委|监管",
    re.IGNORECASE,
)
_THIRD = re.compile(
    r"\b(?:analysts?|experts?|reporters?|journalists?|media|association|consultancy|"
    r"research firm|observers?|insiders?|brokerage|securities)\b"
    r"|分析师|专家|记者|媒体|协会|业内人士|券商|研报",
    re.IGNORECASE,
)
_ACCORDING = re.compile(r"\baccording to\b(?P<who>[^,.;]{0,80})|据(?P<zh>[^，。；]{0,30})", re.I)
_ON_SITE = re.compile(
    r"\b(?:visited|on[- ]the[- ]spot|on[- ]site|observed|saw)\b|实地|探访|走访", re.I
)
_TITLED = re.compile(
    r"(?P<name>[A-Z][a-z]+(?: [A-Z][a-z]+){1,2}),? (?:the )?(?P<title>chairman|CEO|president|"
    r"founder|general manager|chief [a-z]+ officer|vice president|director)\b"
    r"|(?P<zt>董事长|总经理|总裁|首席执行官|创始人)(?P<zn>[\u4e00-\u9fff]{2,3})"
)


def _standing(sentence: str, company: TrackedCompany) -> tuple[str, str]:
    """(standing, why): the company unless the sentence puts the words in others' mouths."""
    for m in _ACCORDING.finditer(sentence):
        who = m["who"] or m["zh"] or ""
        if named_companies(who, [company]):
            return "company", "attributed to the company itself"
        if _GOVERNMENT.search(who):
            return "government", f"attributed to “{who.strip()}”"
        return "third_party", f"attributed to “{who.strip()}”"
    if _GOVERNMENT.search(sentence) and not _TITLED.search(sentence):
        return "government", "a government body speaks"
    if m := _THIRD.search(sentence):
        return "third_party", f"said by a third party (“{m.group()}”)"
    return "company", "the company's own statement"


def _speaker(sentence: str, standing: str) -> str:
    if m := _TITLED.search(sentence):
        if m["name"]:
            return f"{m['name']}, {m['title']}"
        return f"{m['zn']}，{m['zt']}"
    if standing != "company" and (m := _THIRD.search(sentence) or _GOVERNMENT.search(sentence)):
        return m.group()
    return ""


def _kind(sentence: str, standing: str, achieved: bool) -> tuple[str, str]:
    if achieved:
        return "achievement", "reports it done"
    if _REVISED.search(sentence):
        return "revision", "a changed schedule"
    if standing != "company":
        return "view", "a third party's view"
    return "announcement", "a target"


# -- milestones -------------------------------------------------------------------------------

_STOP = {
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "with",
    "from",
    "its",
    "it",
    "is",
    "are",
    "was",
    "were",
    "be",
    "will",
    "that",
    "this",
    "has",
    "have",
    "had",
    "as",
    "than",
    "into",
    "after",
    "before",
    "also",
    "which",
    "their",
    "per",
    "year",
    "years",
    "end",
    "solid",
    "state",
    "battery",
    "batteries",
}
_MILESTONE_KINDS = [
    (r"commerciali[sz]|商业化", "commercialisation"),
    (r"vehicle|install|装车", "vehicle_installation"),
    (r"sample|送样", "sample_delivery"),
    (r"rolled off|roll-off|line-off|下线", "product_line_off"),
    (r"phase|期|capacity|产能", "capacity_phase"),
    (r"construction|开工|groundbreaking", "construction_start"),
    (r"licen[cs]|授权", "licensing"),
    (r"mass[- ]produc|production|量产|投产", "production_start"),
]


def tokens(text: str) -> set[str]:
    """Words of three letters or more (not the commonest) cut to their first six letters, so
    that "commercialize" meets "commercialisation", and Chinese character pairs."""
    text = text.lower()
    words = {w[:6] for w in re.findall(r"[a-z0-9]{3,}", text) if w not in _STOP}
    for run in re.findall(r"[\u3400-\u9fff]+", text):
        words |= {run[i : i + 2] for i in range(len(run) - 1)}
    return words


def milestone_kind(sentence: str) -> str:
    """The kind of milestone a sentence most likely speaks of, "other" if none."""
    return next(
        (k for pattern, k in _MILESTONE_KINDS if re.search(pattern, sentence, re.I)), "other"
    )


def best_milestone(sentence: str, company: TrackedCompany) -> tuple[TrackedMilestone | None, int]:
    """The company's milestone sharing the most words with the sentence (two for one of the
    kind the sentence speaks of), if it shares at least two."""
    said, kind = tokens(sentence), milestone_kind(sentence)
    scored = [
        (
            len(said & tokens(f"{m.title} {m.description} {m.facility}"))
            + (2 if kind != "other" and m.kind == kind else 0),
            -m.id,
            m,
        )
        for m in company.milestones
    ]
    if not scored:
        return None, 0
    score, _, milestone = max(scored, key=lambda s: (s[0], s[1]))
    return (milestone, score) if score >= 2 else (None, score)


def new_milestone(sentence: str, company: TrackedCompany, target: str) -> tuple[str, str]:
    kind = milestone_kind(sentence)
    rest = sentence.replace(target, "") if target else sentence
    for name in company.names:
        rest = _name_pattern(name).sub("", rest)
    words = " ".join(rest.strip(" ,.;。，；").split())
    title = words[:80].rsplit(" ", 1)[0] if len(words) > 80 and " " in words[:80] else words[:80]
    return f"{company.name}: {title}".strip(": "), kind


# -- the whole --------------------------------------------------------------------------------


def propose_claims(
    text: str, companies: list[TrackedCompany], *, published_on: date | None
) -> list[Proposal]:
    """One proposal per tracked company named in a sentence with a readable date or target."""
    proposals = []
    for paragraph in text.splitlines():
        last: list[TrackedCompany] = []
        for sentence in sentences(paragraph):
            named = named_companies(sentence, companies)
            carried = not named and bool(last)
            last = named or last
            proposals += _proposals(sentence, named or last[-1:], published_on, carried)
    return proposals


def _proposals(
    sentence: str, named: list[TrackedCompany], published_on: date | None, carried: bool
) -> list[Proposal]:
    proposals = []
    for company in named:
        target = read_target(sentence, published_on, company.fiscal_year_start)
        achieved = bool(_ACHIEVED.search(sentence)) and not _FUTURE.search(sentence)
        day = read_day(sentence, published_on) if achieved else ""
        if target is None and not (achieved and (day or published_on)):
            continue
        standing, why_standing = _standing(sentence, company)
        kind, why_kind = _kind(sentence, standing, achieved)
        proposal = Proposal(company=company, sentence=sentence, kind=kind, standing=standing)
        proposal.speaker = _speaker(sentence, standing)
        proposal.reasons = [why_kind, why_standing]
        if carried:
            proposal.reasons.append(f"{company.name} named in the sentence before")
        if kind == "achievement":
            proposal.achieved_on = day or (published_on.isoformat() if published_on else "")
            proposal.evidence = (
                "company_statement"
                if standing == "company"
                else "independent_observation"
                if _ON_SITE.search(sentence)
                else "third_party_report"
            )
        elif target is not None:
            proposal.target_text, proposal.target_label = target
            proposal.reasons.append(f"target “{target[0]}” read as {target[1]}")
        milestone, score = best_milestone(sentence, company)
        if milestone is not None:
            proposal.milestone_id = milestone.id
            proposal.reasons.append(f"shares {score} words with “{milestone.title}”")
        else:
            proposal.new_milestone_title, proposal.new_milestone_kind = new_milestone(
                sentence, company, proposal.target_text
            )
        proposals.append(proposal)
    return proposals
