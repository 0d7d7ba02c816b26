"""Region and agency code arithmetic, and the channel codes rules name (pure): one place for each.

GB/T 2260: a county's prefecture-level city is its first four digits + "00"; the province is the
first two + "0000". A city's social insurance agency (市级经办机构) is its first four digits + "99",
the provincial agency that of the province (440099).
"""

CITY_AGENCY_SUFFIX = "99"

# Channels the rules know by name: the counter (柜台) and the self-service kiosk (智慧交互终端).
COUNTER_CHANNEL = "counter"
KIOSK_CHANNEL = "kiosk"


def city_of(region_code: str) -> str:
    """The prefecture-level city code of a region code (a city is its own city)."""
    return region_code[:4] + "00"


def province_of(region_code: str) -> str:
    return region_code[:2] + "0000"


def is_province(region_code: str) -> bool:
    return region_code == province_of(region_code)


def city_agency_code(region_code: str) -> str:
    """The code of the agency of the city (or, for the province, the provincial agency) of a region."""
    return region_code[:4] + CITY_AGENCY_SUFFIX
