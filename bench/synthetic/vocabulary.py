"""The synthetic data set's vocabulary: countries, cities, publishers, names, kinds, weights."""

from __future__ import annotations

import random
from datetime import date

from claims.models import Company, Milestone, Source

SLUG_PREFIX = "syn-"
SOURCE_PREFIX = "https://synthetic.ssbtracker.example/"
FIRST_DAY = date(2016, 1, 1)
#: The last day a synthetic claim is stated (fixed, so a seed always gives the same rows).
DEFAULT_UNTIL = date(2026, 9, 30)
BATCH = 5000
#: Milestones generated, written and forgotten at a time (bounds memory at any size).
CHUNK = 20000

# (code, weight, cities, publishers, language)
COUNTRIES = [
    (
        "CN",
        30,
        ["Shenzhen", "Ningde", "Huizhou", "Chengdu", "Suzhou", "Hefei", "Changzhou"],
        ["36Kr", "Jiemian News", "Caixin", "Gasgoo", "CLS"],
        "zh",
    ),
    (
        "JP",
        11,
        ["Tokyo", "Osaka", "Nagoya", "Toyota City", "Kyoto"],
        ["Nikkei Asia", "Nikkan Kogyo", "Japan Times"],
        "ja",
    ),
    (
        "KR",
        10,
        ["Seoul", "Daejeon", "Ulsan", "Cheongju", "Pohang"],
        ["Yonhap", "The Korea Herald", "The Elec"],
        "ko",
    ),
    (
        "US",
        12,
        ["San Jose", "Boston", "Detroit", "Louisville", "Austin"],
        ["Reuters", "Bloomberg", "TechCrunch", "Electrek"],
        "en",
    ),
    (
        "DE",
        6,
        ["Munich", "Stuttgart", "Wolfsburg", "Salzgitter", "Berlin"],
        ["Handelsblatt", "Automobilwoche", "electrive"],
        "de",
    ),
    ("FR", 4, ["Paris", "Grenoble", "Lyon", "Douai"], ["Les Echos", "L'Usine Nouvelle"], "fr"),
    ("GB", 3, ["London", "Oxford", "Coventry"], ["Financial Times", "Autocar"], "en"),
    ("TW", 3, ["Taipei", "Taoyuan", "Hsinchu"], ["DigiTimes", "Focus Taiwan"], "zh"),
    ("IN", 3, ["Bengaluru", "Pune", "Chennai"], ["Economic Times", "Mint"], "en"),
    ("CA", 2, ["Montreal", "Toronto", "Vancouver"], ["Globe and Mail"], "en"),
    ("SE", 2, ["Stockholm", "Skelleftea", "Gothenburg"], ["Dagens Industri"], "en"),
    ("NO", 1, ["Oslo", "Mo i Rana"], ["E24"], "en"),
    ("NL", 1, ["Eindhoven", "Amsterdam"], ["FD"], "en"),
    ("IT", 1, ["Turin", "Milan"], ["Il Sole 24 Ore"], "en"),
    ("ES", 1, ["Madrid", "Barcelona"], ["Expansion"], "en"),
    ("AU", 1, ["Perth", "Brisbane"], ["Australian Financial Review"], "en"),
    ("SG", 1, ["Singapore"], ["The Business Times"], "en"),
    ("IL", 1, ["Tel Aviv", "Haifa"], ["Globes"], "en"),
    ("CH", 1, ["Zurich", "Geneva"], ["NZZ"], "de"),
    ("BE", 1, ["Brussels", "Antwerp"], ["De Tijd"], "en"),
]
COORDS = {
    "CN": (30.0, 114.0),
    "JP": (35.0, 137.0),
    "KR": (36.5, 127.5),
    "US": (39.0, -95.0),
    "DE": (50.5, 10.0),
    "FR": (46.5, 2.5),
    "GB": (52.5, -1.5),
    "TW": (24.0, 121.0),
    "IN": (20.0, 78.0),
    "CA": (45.5, -75.0),
    "SE": (60.0, 16.0),
    "NO": (62.0, 10.0),
    "NL": (52.2, 5.3),
    "IT": (44.0, 10.5),
    "ES": (40.2, -3.7),
    "AU": (-30.0, 135.0),
    "SG": (1.35, 103.8),
    "IL": (32.0, 34.9),
    "CH": (46.8, 8.2),
    "BE": (50.8, 4.4),
}
CURRENCIES = {
    "CN": "CNY",
    "JP": "JPY",
    "KR": "KRW",
    "DE": "EUR",
    "FR": "EUR",
    "IT": "EUR",
    "ES": "EUR",
    "NL": "EUR",
    "BE": "EUR",
    "GB": "GBP",
    "IN": "INR",
    "TW": "TWD",
}
NATIVE = {
    "CN": ("清卫泰蓝辉新凯安宁恒远华", "新能源"),
    "TW": ("台光达宏立鸿", "電能"),
    "JP": ("東西南北大小山川", "電池"),
    "KR": ("한국대성미래삼", "배터리"),
}
GLOBAL_PUBLISHERS = ["Reuters", "Bloomberg", "Benchmark Mineral Intelligence", "InsideEVs"]

NAME_ROOTS = [
    "Qing",
    "Wei",
    "Tai",
    "Lan",
    "Hui",
    "Xin",
    "Kai",
    "Nova",
    "Vol",
    "Ion",
    "Lith",
    "Sol",
    "Terra",
    "Ampe",
    "Vita",
    "Heli",
    "Zen",
    "Ori",
    "Arc",
    "Luma",
    "Sena",
    "Koda",
    "Max",
    "Pro",
    "Gen",
    "Hexa",
    "Kyo",
    "Mira",
    "Nex",
    "Quanta",
]
NAME_ENDS = ["on", "ia", "ex", "ara", "ium", "tek", "lyte", "vance", "gy", "tron", "da", "mo"]
SUFFIXES = {
    Company.Role.CELL_MAKER: ["Energy", "Battery", "Power", "Cell"],
    Company.Role.MATERIALS_SUPPLIER: ["Materials", "New Materials", "Chemical", "Electrolyte"],
    Company.Role.EQUIPMENT_SUPPLIER: ["Equipment", "Intelligent Equipment", "Machinery"],
    Company.Role.AUTOMAKER: ["Motors", "Automotive", "Auto"],
    Company.Role.RESEARCH_INSTITUTE: ["Institute", "Research Centre", "Laboratory"],
    Company.Role.GOVERNMENT: ["Industry Agency", "Development Board"],
    Company.Role.INVESTOR: ["Capital", "Ventures"],
    Company.Role.OTHER: ["Group", "Holdings"],
}
ROLES = [
    (Company.Role.CELL_MAKER, 45),
    (Company.Role.MATERIALS_SUPPLIER, 18),
    (Company.Role.EQUIPMENT_SUPPLIER, 10),
    (Company.Role.AUTOMAKER, 12),
    (Company.Role.RESEARCH_INSTITUTE, 7),
    (Company.Role.GOVERNMENT, 2),
    (Company.Role.INVESTOR, 3),
    (Company.Role.OTHER, 3),
]
MILESTONE_KINDS = [
    (Milestone.Kind.PRODUCTION_START, 18),
    (Milestone.Kind.CAPACITY_PHASE, 16),
    (Milestone.Kind.PRODUCT_LINE_OFF, 12),
    (Milestone.Kind.SAMPLE_DELIVERY, 14),
    (Milestone.Kind.VEHICLE_INSTALLATION, 9),
    (Milestone.Kind.COMMERCIALISATION, 10),
    (Milestone.Kind.CONSTRUCTION_START, 10),
    (Milestone.Kind.LICENSING, 3),
    (Milestone.Kind.INVESTMENT, 5),
    (Milestone.Kind.EXIT, 1),
    (Milestone.Kind.OTHER, 2),
]
SOURCE_KINDS = [
    (Source.Kind.NEWS, 60),
    (Source.Kind.COMPANY_RELEASE, 22),
    (Source.Kind.REGULATORY_FILING, 7),
    (Source.Kind.GOVERNMENT_NOTICE, 3),
    (Source.Kind.INTERVIEW, 6),
    (Source.Kind.SITE_VISIT, 2),
]
FIRST_NAMES = [
    "Liu",
    "Zhang",
    "Wang",
    "Chen",
    "Sato",
    "Suzuki",
    "Kim",
    "Park",
    "Lee",
    "Smith",
    "Miller",
    "Schmidt",
    "Martin",
    "Patel",
    "Nguyen",
    "Garcia",
]
GIVEN_NAMES = [
    "Wei",
    "Jing",
    "Hiro",
    "Yuki",
    "Min-jun",
    "Ji-woo",
    "Anna",
    "David",
    "Maria",
    "Thomas",
    "Priya",
    "Lars",
    "Elena",
    "Jun",
    "Sam",
    "Mei",
]
SPEAKER_TITLES = [
    "chairman",
    "CEO",
    "CTO",
    "chief engineer",
    "head of battery R&D",
    "investor-relations officer",
    "spokesperson",
    "vice-president",
]
EVIDENCE_WEIGHTS = [(1, 50), (2, 30), (3, 12), (4, 8)]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]
