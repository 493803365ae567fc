"""The fixed design of the synthetic city "Riverton": where it sits, its offences and their rhythms,
and the planted structure (hot spots, emerging hot spot, intervention zones).

The shapes follow the literature so analyses behave as on real data: crime concentrates on few
street segments (Weisburd 2015, "The law of crime concentration and the criminology of place",
Criminology 53(2)); offences have their own hours and days (Felson & Poulsen 2003, "Simple
indicators of crime by time of day", Int. J. Forecasting 19(4)) and a summer peak (Andresen &
Malleson 2013, "Crime seasonality and its variations across space", Applied Geography 43); hot
spot patrol cuts crime with diffusion of benefits more often than displacement (Weisburd et al.
2006, "Does crime just move around the corner?", Criminology 44(3)), which the planted
intervention mixes in one catchment so both can be measured.

Everything here is plain data. The planted geometry is given in *local* metres (x east, y north)
from the city centre and does not depend on the seed, so the sample project's README stays true
for every seed; the seed changes the street jitter, the census counts and every incident.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# A real place for plausible lat/lon output: central Illinois, near lon -88.95, lat 40.12.
CENTRE_LONLAT = (-88.95, 40.12)
WORKING_EPSG = 32616  # WGS 84 / UTM zone 16N, metres: the working CRS of the sample project
STATE_PLANE_EPSG = 3435  # NAD83 / Illinois East (ftUS): how the agency's RMS exports X/Y
HALF_WIDTH = 4600.0  # city extent, metres either side of the centre (east-west)
HALF_HEIGHT = 3700.0  # (north-south)
DATA_START = "2023-01-01"  # first day of the incident record (fixed so output never depends on today)

PIECE_LENGTH = 10.0  # streets are cut into pieces of at most this many metres for sampling

# Offences: label as exported, share of background crime, branching ratio of the self-exciting
# (repeat / near-repeat) process, amplitude of the summer peak.
OFFENCES = ("Robbery", "Burglary", "Assault", "Theft from vehicle", "Drugs", "Criminal damage")


@dataclass(frozen=True)
class OffenceSpec:
    label: str
    share: float  # of background immigrants
    branching: float  # expected direct offspring per incident (Hawkes branching ratio)
    summer_amplitude: float  # seasonal multiplier 1 + a*cos(2 pi (doy - 200) / 365.25)
    pop_weight: float  # how strongly background follows residential population
    floor: float  # background weight everywhere on a street (commercial / through traffic)
    landuse: dict[str, float] = field(default_factory=dict)  # land-use kind -> attraction
    class_factor: dict[str, float] = field(default_factory=dict)  # street class -> multiplier
    window_share: float = 0.0  # share recorded as a time window (start/end) instead of a time


OFFENCE_SPECS: dict[str, OffenceSpec] = {
    "Robbery": OffenceSpec("Robbery", 0.10, 0.15, 0.15, 1.0, 0.35,
                           {"transit_stop": 1.2, "convenience_store": 1.5, "bar": 0.6},
                           {"arterial": 2.0, "collector": 1.4}),
    "Burglary": OffenceSpec("Burglary", 0.20, 0.30, 0.10, 1.6, 0.10, {},
                            {"arterial": 0.6, "residential": 1.3}, window_share=1.0),
    "Assault": OffenceSpec("Assault", 0.20, 0.15, 0.25, 1.0, 0.25, {"bar": 3.0, "convenience_store": 0.5},
                           {"arterial": 1.3}),
    "Theft from vehicle": OffenceSpec("Theft from vehicle", 0.25, 0.20, 0.12, 0.9, 0.45,
                                      {"bar": 0.8, "convenience_store": 0.6, "transit_stop": 0.3},
                                      {"arterial": 1.6, "collector": 1.2}, window_share=0.4),
    "Drugs": OffenceSpec("Drugs", 0.10, 0.20, 0.05, 0.8, 0.20,
                         {"transit_stop": 0.8, "convenience_store": 1.0}, {"collector": 1.2}),
    "Criminal damage": OffenceSpec("Criminal damage", 0.15, 0.10, 0.20, 1.0, 0.25,
                                   {"school": 1.0, "bar": 0.8}, {}),
}

# Weekly x daily rhythm: bumps on the 168-hour week, (days, peak hour, width h, weight), plus a base.
# Days: Monday = 0. A peak at hour 25 on Friday is 01:00 Saturday (night-time crime runs over midnight).
WEEKDAYS = (0, 1, 2, 3, 4)
ALL_DAYS = (0, 1, 2, 3, 4, 5, 6)
RHYTHMS: dict[str, tuple[float, list[tuple[tuple[int, ...], float, float, float]]]] = {
    "Robbery": (0.15, [(ALL_DAYS, 22.0, 2.5, 1.0), ((4, 5), 23.5, 2.0, 0.6), (ALL_DAYS, 15.5, 2.0, 0.25)]),
    "Burglary": (0.05, [(WEEKDAYS, 12.0, 2.5, 1.0), ((5, 6), 14.0, 3.5, 0.35), (ALL_DAYS, 21.0, 2.0, 0.15)]),
    "Assault": (0.10, [((4, 5), 25.5, 2.0, 1.6), (ALL_DAYS, 22.5, 2.5, 0.5), ((6,), 2.0, 1.5, 0.4)]),
    "Theft from vehicle": (0.20, [(ALL_DAYS, 2.0, 3.0, 0.8), (ALL_DAYS, 19.0, 3.0, 0.5)]),
    "Drugs": (0.05, [(WEEKDAYS, 17.5, 3.0, 1.0), ((4, 5), 21.0, 2.5, 0.6)]),
    "Criminal damage": (0.15, [(ALL_DAYS, 21.0, 3.0, 0.9), ((4, 5), 24.5, 2.0, 0.6)]),
}


def week_hour_table(offence: str) -> np.ndarray:
    """Relative intensity of ``offence`` by (weekday, hour): a 7 x 24 array of positive weights."""
    base, bumps = RHYTHMS[offence]
    hours = np.arange(168, dtype=float) + 0.5
    table = np.full(168, base)
    for days, peak, width, weight in bumps:
        for d in days:
            centre = d * 24 + peak
            # circular distance on the week, so Sunday 23:00 wraps to Monday 00:00
            dist = (hours - centre + 84.0) % 168.0 - 84.0
            table += weight * np.exp(-0.5 * (dist / width) ** 2)
    return table.reshape(7, 24)


@dataclass(frozen=True)
class HotSpotSpec:
    name: str
    x: float  # local metres from the city centre
    y: float
    radius_m: float
    factor: float  # expected incidents inside = factor x background expected inside
    mix: dict[str, float]  # offence shares of the extra (planted) incidents


HOTSPOTS: tuple[HotSpotSpec, ...] = (
    HotSpotSpec("Downtown bar strip", 300.0, 500.0, 180.0, 4.0,
                {"Assault": 0.5, "Criminal damage": 0.25, "Robbery": 0.15, "Drugs": 0.10}),
    HotSpotSpec("Transit centre", -1500.0, 400.0, 150.0, 5.0, {"Robbery": 0.6, "Assault": 0.2, "Drugs": 0.2}),
    HotSpotSpec("Northgate apartments", -1800.0, 2400.0, 250.0, 3.0,
                {"Burglary": 0.7, "Theft from vehicle": 0.3}),
    HotSpotSpec("Southside plaza", 1200.0, -2600.0, 200.0, 4.0,
                {"Theft from vehicle": 0.7, "Robbery": 0.15, "Criminal damage": 0.15}),
    HotSpotSpec("Elm & 9th corner", 2700.0, 1700.0, 110.0, 8.0, {"Drugs": 0.8, "Assault": 0.2}),
    HotSpotSpec("Eastgate motel row", 3300.0, -2100.0, 150.0, 3.0,
                {"Robbery": 0.3, "Assault": 0.3, "Drugs": 0.4}),
)


@dataclass(frozen=True)
class EmergingSpec:
    name: str
    x: float
    y: float
    radius_m: float
    # expected incidents after the start = factor x (city-average background density x area x time)
    factor: float
    mix: dict[str, float]


EMERGING = EmergingSpec("Riverfront Yards", -2700.0, -2000.0, 220.0, 5.0,
                        {"Assault": 0.35, "Robbery": 0.25, "Theft from vehicle": 0.25, "Criminal damage": 0.15})
# Redeveloped former rail yard: nobody lives there, so it has almost no crime before the start.
RAIL_YARD = (-3500.0, -2600.0, -1900.0, -1500.0)  # xmin, ymin, xmax, ymax (local)
PARK = (800.0, -1700.0, 1900.0, -1200.0)  # Riverside Park: no streets inside


@dataclass(frozen=True)
class InterventionZoneSpec:
    name: str
    x: float
    y: float
    radius_m: float  # mean radius of the hand-drawn target / control polygon
    catchment_m: float  # width of the catchment ring around it
    displacement_bearing: float  # centre of the displacement sector, degrees clockwise from north
    unit: str
    shift: str


TARGETS: tuple[InterventionZoneSpec, ...] = (
    InterventionZoneSpec("Target A - Downtown", 300.0, 500.0, 330.0, 400.0, 90.0, "Foot patrol 12", "18:00-02:00"),
    InterventionZoneSpec("Target B - Elm corridor", 2700.0, 1700.0, 300.0, 400.0, 180.0, "Car 31", "14:00-22:00"),
)
CONTROLS: tuple[InterventionZoneSpec, ...] = (
    InterventionZoneSpec("Control 1 - Westside", -1500.0, 400.0, 450.0, 400.0, 0.0, "", ""),
    InterventionZoneSpec("Control 2 - Eastgate", 3300.0, -2100.0, 450.0, 400.0, 0.0, "", ""),
)
DISPLACEMENT_SECTOR_DEG = 120.0  # width of the displacement sector of each catchment ring
REDUCTION = -0.30  # change inside targets after the start
DISPLACEMENT = 0.10  # change in the displacement sector of the catchment
DIFFUSION = -0.10  # change in the rest of the catchment (diffusion of benefits)
# Extra patrol zones drawn by the sample project (no effect on the data; they show the zone tools).
PATROLS: tuple[tuple[str, float, float, float, str, str], ...] = (
    ("Northgate day patrol", -1800.0, 2400.0, 420.0, "Car 12", "08:00-16:00"),
    ("Southside plaza patrol", 1200.0, -2600.0, 350.0, "Bike 4", "10:00-18:00"),
)

# Realistic dirt, as shares of incidents (rounded to whole rows).
DIRT_SHARES = {"missing_coordinates": 0.0015, "zero_zero": 0.0005, "unparseable_date": 0.001,
               "duplicate_id": 0.001}
DESIGN_SEED = 20240601  # the planted polygons' hand-drawn wobble: fixed, independent of the seed
