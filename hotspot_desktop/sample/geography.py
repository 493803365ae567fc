"""Riverton's geography: streets, river, city limits, census block groups, land use, beats, districts.

All geometry is built in the working CRS (EPSG:32616, metres) around the projected city centre.
The layout is a US-style irregular grid (streets about every 1/8 mile downtown-to-suburb, with
arterials about every mile, two diagonal routes and a meandering river crossed only by the
arterials), which is what most Midwestern cities look like in an agency's GIS.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import LineString, Point, Polygon, box

from hotspot_desktop.sample import spec

_TREES = ["Elm", "Oak", "Maple", "Walnut", "Hickory", "Cedar", "Willow", "Ash", "Birch", "Chestnut", "Linden",
          "Poplar", "Spruce", "Sycamore", "Magnolia", "Locust", "Juniper", "Alder", "Hazel", "Laurel", "Aspen",
          "Cypress", "Dogwood", "Hawthorn", "Holly", "Larch", "Pine", "Redbud", "Sassafras", "Tamarack",
          "Buckeye", "Catalpa", "Cherry", "Fir", "Ginkgo", "Hemlock", "Ironwood", "Mulberry", "Pecan", "Plum"]
_ARTERIALS_NS = ["Prospect Ave", "Mattis Ave", "Neil St", "Lincoln Ave", "Cunningham Ave", "Duncan Rd", "Staley Rd"]
_ARTERIALS_EW = ["Bradley Ave", "University Ave", "Springfield Ave", "Kirby Ave", "Windsor Rd", "Curtis Rd"]
_DIAGONALS = [("Old Route 150", (-4600.0, -3300.0), (4600.0, 2900.0)),
              ("Kickapoo Trail", (-4300.0, 3700.0), (1500.0, -3700.0))]


@dataclass
class Geography:
    """The built city. GeoDataFrames are in the working CRS; ``pieces`` drive incident sampling."""

    centre: tuple[float, float]  # working-CRS coordinates of the local origin
    boundary: Polygon
    river: Polygon
    streets: gpd.GeoDataFrame  # street_id, name, class
    census: gpd.GeoDataFrame  # geoid, name, pop_*, households
    landuse: gpd.GeoDataFrame  # name, kind
    beats: gpd.GeoDataFrame  # beat, name, district
    districts: gpd.GeoDataFrame  # district, name
    pieces: dict[str, np.ndarray]  # x0 y0 x1 y1 len street cls along mx my popdens
    beat_lookup: tuple[np.ndarray, np.ndarray, np.ndarray]  # x cuts, y cuts, cell -> beat index


def city_centre() -> tuple[float, float]:
    """The working-CRS point of the city centre, rounded to 10 m."""
    tr = Transformer.from_crs(CRS.from_epsg(4326), CRS.from_epsg(spec.WORKING_EPSG), always_xy=True)
    x, y = tr.transform(*spec.CENTRE_LONLAT)
    return round(x / 10) * 10.0, round(y / 10) * 10.0


def river_centreline(x: np.ndarray) -> np.ndarray:
    """Local y of the river's centreline at local x (two meanders of different wavelengths)."""
    return -900.0 + 350.0 * np.sin(2 * np.pi * x / 5200.0 + 0.7) + 120.0 * np.sin(2 * np.pi * x / 1700.0)


def population_density(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Residents per km² at local (x, y): a smooth field with a few dense neighbourhoods.

    Zero on the rail yard, in the park and in the river, so background crime there is near zero.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)

    def bump(cx: float, cy: float, s: float, h: float) -> np.ndarray:
        return h * np.exp(-0.5 * ((x - cx) ** 2 + (y - cy) ** 2) / s**2)

    d = (900.0 + bump(0, 300, 1200, 3500) + bump(-1800, 2300, 900, 4500) + bump(-2600, -3000, 1000, 2500)
         + bump(2600, 1500, 900, 3000) + bump(2500, -2600, 1100, 2200) + bump(-3200, 1200, 900, 1800))
    # thin out towards the city edge
    edge = np.clip(1.0 - np.maximum(np.abs(x) / spec.HALF_WIDTH, np.abs(y) / spec.HALF_HEIGHT) ** 6, 0.15, 1.0)
    d = d * edge
    for xmin, ymin, xmax, ymax in (spec.RAIL_YARD, spec.PARK):
        d = np.where((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax), 0.0, d)
    d = np.where(np.abs(y - river_centreline(x)) < 60.0, 0.0, d)
    return d


def _grid_positions(rng: np.random.Generator, half: float) -> np.ndarray:
    """Street positions along one axis: dense downtown, looser in the suburbs."""
    pos = [-half + rng.uniform(30.0, 90.0)]
    while True:
        d = abs(pos[-1])
        spacing = 140.0 if d < 1200 else (200.0 if d < 3000 else 300.0)
        nxt = pos[-1] + spacing * rng.uniform(0.85, 1.15)
        if nxt > half - 30:
            break
        pos.append(nxt)
    return np.array(pos)


def _arterial_flags(pos: np.ndarray, every: float) -> np.ndarray:
    """Mark the street nearest to each multiple of ``every`` metres (a mile grid of arterials)."""
    flags = np.zeros(pos.size, dtype=bool)
    for m in np.arange(-10, 11) * every:
        i = int(np.argmin(np.abs(pos - m)))
        if abs(pos[i] - m) < every / 3:
            flags[i] = True
    return flags


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _wobbly_line(rng: np.random.Generator, a: tuple[float, float], b: tuple[float, float],
                 wobble: float) -> LineString:
    """A straight street with small bends, like a surveyed grid that follows the land."""
    n = max(2, int(np.hypot(b[0] - a[0], b[1] - a[1]) // 400) + 2)
    t = np.linspace(0.0, 1.0, n)
    x = a[0] + t * (b[0] - a[0])
    y = a[1] + t * (b[1] - a[1])
    length = np.hypot(b[0] - a[0], b[1] - a[1])
    nx, ny = -(b[1] - a[1]) / length, (b[0] - a[0]) / length
    off = np.cumsum(rng.normal(0.0, wobble, n))
    off -= np.linspace(off[0], off[-1], n)  # keep the ends on the grid so streets still meet
    return LineString(np.column_stack([x + nx * off, y + ny * off]))


def _boundary() -> Polygon:
    w, h = spec.HALF_WIDTH, spec.HALF_HEIGHT
    return Polygon([(-w + 700, -h), (w - 300, -h), (w, -h + 500), (w, h - 900), (w - 800, h), (-w + 1500, h),
                    (-w + 1500, h - 600), (-w, h - 700), (-w, -h + 1000)])


def _streets(rng: np.random.Generator, boundary: Polygon, river: Polygon) -> gpd.GeoDataFrame:
    w, h = spec.HALF_WIDTH, spec.HALF_HEIGHT
    xs, ys = _grid_positions(rng, w), _grid_positions(rng, h)
    art_x, art_y = _arterial_flags(xs, 1609.0), _arterial_flags(ys, 1609.0)
    col_x = _arterial_flags(xs, 804.5) & ~art_x
    col_y = _arterial_flags(ys, 804.5) & ~art_y
    park = box(*spec.PARK)
    water = river.buffer(15.0)
    rows = []
    ns_art = iter(_ARTERIALS_NS)
    ew_art = iter(_ARTERIALS_EW)
    first_ew = 0
    for i, x in enumerate(xs):
        cls = "arterial" if art_x[i] else ("collector" if col_x[i] else "residential")
        name = next(ns_art) if cls == "arterial" else f"{_ordinal(i + 1)} St"
        rows.append((name, cls, _wobbly_line(rng, (x, -h), (x, h), 0.0 if cls == "arterial" else 2.5)))
    for j, y in enumerate(ys[::-1]):
        k = ys.size - 1 - j
        cls = "arterial" if art_y[k] else ("collector" if col_y[k] else "residential")
        if cls == "arterial":
            name = next(ew_art)
        else:
            name = f"{_TREES[first_ew % len(_TREES)]} {'Ave' if first_ew % 3 else 'Dr'}"
            first_ew += 1
        rows.append((name, cls, _wobbly_line(rng, (-w, y), (w, y), 0.0 if cls == "arterial" else 2.5)))
    for name, a, b in _DIAGONALS:
        rows.append((name, "arterial", LineString([a, b])))
    names, classes, geoms = [], [], []
    for name, cls, line in rows:
        geom = line.intersection(boundary)
        if cls != "arterial":
            geom = geom.difference(water).difference(park)
            # irregular grid: some residential streets stop short (a school, a cemetery, a cul-de-sac)
            if cls == "residential" and rng.random() < 0.35:
                c = np.array(line.interpolate(rng.uniform(0.1, 0.9), normalized=True).coords[0])
                geom = geom.difference(Point(c).buffer(rng.uniform(120.0, 400.0)))
        for part in getattr(geom, "geoms", [geom]):
            if isinstance(part, LineString) and part.length > 40.0:
                names.append(name)
                classes.append(cls)
                geoms.append(part)
    gdf = gpd.GeoDataFrame({"street_id": np.arange(1, len(geoms) + 1, dtype=np.int64), "name": names,
                            "class": classes}, geometry=geoms, crs=None)
    return gdf


def _pieces(streets: gpd.GeoDataFrame) -> dict[str, np.ndarray]:
    """Cut every street into pieces of at most PIECE_LENGTH m, with a global along-street coordinate."""
    dense = shapely.segmentize(streets.geometry.values, spec.PIECE_LENGTH)
    coords, idx = shapely.get_coordinates(dense, return_index=True)
    same = idx[1:] == idx[:-1]
    x0, y0 = coords[:-1][same, 0], coords[:-1][same, 1]
    x1, y1 = coords[1:][same, 0], coords[1:][same, 1]
    street = idx[:-1][same]
    length = np.hypot(x1 - x0, y1 - y0)
    keep = length > 1e-6
    x0, y0, x1, y1, street, length = x0[keep], y0[keep], x1[keep], y1[keep], street[keep], length[keep]
    along = np.concatenate([[0.0], np.cumsum(length)[:-1]])  # global coordinate of each piece start
    cls_codes = pd.Categorical(streets["class"].to_numpy(), categories=["arterial", "collector", "residential"])
    return {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "len": length, "street": street, "along": along,
            "cls": np.asarray(cls_codes.codes)[street], "mx": 0.5 * (x0 + x1), "my": 0.5 * (y0 + y1)}


def _census(rng: np.random.Generator, boundary: Polygon, river: Polygon) -> gpd.GeoDataFrame:
    """Block-group-like areas on a ~700 m grid with population by group (synthetic, documented)."""
    w, h = spec.HALF_WIDTH, spec.HALF_HEIGHT
    xc = np.linspace(-w, w, 14)
    yc = np.linspace(-h, h, 12)
    xc[1:-1] += rng.uniform(-60, 60, xc.size - 2)
    yc[1:-1] += rng.uniform(-60, 60, yc.size - 2)
    land = boundary.difference(river)
    geoms, rows = [], []
    tract = 100
    for i in range(xc.size - 1):
        for j in range(yc.size - 1):
            cell = box(xc[i], yc[j], xc[i + 1], yc[j + 1]).intersection(land)
            if cell.is_empty or cell.area < 20_000:
                continue
            if j % 2 == 0:
                tract += 1
            sx = rng.uniform(xc[i], xc[i + 1], 64)
            sy = rng.uniform(yc[j], yc[j + 1], 64)
            dens = float(population_density(sx, sy).mean())
            pop = round(dens * cell.area / 1e6 * rng.lognormal(0.0, 0.12))
            cx, cy = (xc[i] + xc[i + 1]) / 2, (yc[j] + yc[j + 1]) / 2
            # neighbourhood composition: smooth fields, so groups are unevenly spread as in real cities
            logits = np.array([1.2 - 0.0004 * cx + 0.0002 * cy,
                               0.2 + 0.0005 * cx + 0.0003 * cy,
                               0.1 - 0.0004 * cx - 0.0004 * cy,
                               -1.0 + 0.0004 * cx - 0.0003 * cy,
                               -1.8 + 0.0 * cx])
            share = np.exp(logits) / np.exp(logits).sum()
            groups = rng.multinomial(pop, share)
            rows.append({"geoid": f"RVT{tract:04d}-BG{j % 2 + 1}", "name": f"Block Group {j % 2 + 1}, Tract {tract}",
                         "pop_total": pop, "pop_white": int(groups[0]), "pop_black": int(groups[1]),
                         "pop_hispanic": int(groups[2]), "pop_asian": int(groups[3]), "pop_other": int(groups[4]),
                         "households": round(pop / rng.uniform(2.1, 2.8))})
            geoms.append(cell)
    df = pd.DataFrame(rows)
    for col in ("pop_total", "pop_white", "pop_black", "pop_hispanic", "pop_asian", "pop_other", "households"):
        df[col] = df[col].astype(np.int64)
    return gpd.GeoDataFrame(df, geometry=geoms, crs=None)


_BAR_A = ["Rusty", "Blue", "Golden", "Lucky", "Red", "Copper", "Silver", "Crooked", "Old", "Prairie", "River", "Iron"]
_BAR_B = ["Anchor", "Lantern", "Tap", "Saloon", "Mule", "Horseshoe", "Barrel", "Fox", "Owl", "Pint", "Still", "Crow"]
_SCHOOLS = ["Lincoln", "Washington", "Jefferson", "Garfield", "Kenwood", "Bottenfield", "Carrie Busey", "Dr. Howard",
            "Westview", "Stratton", "Robeson", "Barkstall", "Edison", "Franklin"]


def _landuse(rng: np.random.Generator, pieces: dict[str, np.ndarray], streets: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Bars, transit stops, schools and convenience stores, set back a little from a street."""
    mx, my, cls = pieces["mx"], pieces["my"], pieces["cls"]
    names, kinds, xs, ys = [], [], [], []

    def place(candidates: np.ndarray, n: int, kind: str, namer) -> None:
        pick = rng.choice(candidates, size=min(n, candidates.size), replace=False)
        for k, p in enumerate(np.sort(pick)):
            dx, dy = pieces["x1"][p] - pieces["x0"][p], pieces["y1"][p] - pieces["y0"][p]
            ln = max(np.hypot(dx, dy), 1e-9)
            side = rng.choice([-1.0, 1.0]) * rng.uniform(12.0, 25.0)
            xs.append(mx[p] - dy / ln * side)
            ys.append(my[p] + dx / ln * side)
            kinds.append(kind)
            names.append(namer(k, p))

    street_name = streets["name"].to_numpy()
    local_x, local_y = mx, my
    d_down = np.hypot(local_x - 300.0, local_y - 500.0)
    d_yard = np.hypot(local_x - spec.EMERGING.x, local_y - spec.EMERGING.y)
    no_yard = d_yard > 400.0
    bar_name = lambda k, p: f"The {_BAR_A[k % 12]} {_BAR_B[(k * 5 + k // 12) % 12]}"
    place(np.flatnonzero((d_down < 250) & no_yard), 14, "bar", bar_name)
    place(np.flatnonzero((d_down >= 250) & (d_down < 900)), 10, "bar", lambda k, p: bar_name(k + 14, p))
    place(np.flatnonzero((cls == 0) & (d_down >= 900) & no_yard), 10, "bar", lambda k, p: bar_name(k + 24, p))
    art = np.flatnonzero((cls == 0) & no_yard)
    along = pieces["along"][art]
    stops = art[np.unique(np.floor(along / 450.0), return_index=True)[1]]
    stops = stops[rng.random(stops.size) < 0.8]
    for k, p in enumerate(stops):
        xs.append(mx[p] + rng.uniform(-8, 8))
        ys.append(my[p] + rng.uniform(-8, 8))
        kinds.append("transit_stop")
        names.append(f"Stop {1000 + k} {street_name[pieces['street'][p]]}")
    place(np.flatnonzero((cls == 2) & no_yard), 12, "school",
          lambda k, p: f"{_SCHOOLS[k % len(_SCHOOLS)]} {'Elementary' if k % 3 else 'Middle School'}")
    place(np.flatnonzero((cls <= 1) & no_yard), 22, "convenience_store",
          lambda k, p: f"{['QuickMart', 'Circle Stop', 'Corner Market', 'Gas N Go'][k % 4]} #{k + 1}")
    return gpd.GeoDataFrame({"name": names, "kind": kinds}, geometry=gpd.points_from_xy(xs, ys), crs=None)


def _beats(rng: np.random.Generator, boundary: Polygon) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame,
                                                                  tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Police beats: a 6 x 5 grid of cells cut along streets, some merged; districts are quadrants."""
    w, h = spec.HALF_WIDTH, spec.HALF_HEIGHT
    xcuts = np.array([-w, -3000.0, -1500.0, 0.0, 1500.0, 3000.0, w])
    ycuts = np.array([-h, -2200.0, -800.0, 700.0, 2200.0, h])
    xcuts[1:-1] += rng.uniform(-150, 150, xcuts.size - 2)
    ycuts[1:-1] += rng.uniform(-150, 150, ycuts.size - 2)
    ncol, nrow = xcuts.size - 1, ycuts.size - 1
    owner = np.arange(ncol * nrow)  # cell -> representative cell (merges)
    # merge a few east-west neighbours (never across the district line between columns 2 and 3)
    for c, r in [(0, 0), (4, 4), (0, 3), (4, 1)]:
        owner[r * ncol + c + 1] = r * ncol + c
    reps = np.unique(owner)
    district_of = {}
    geoms = []
    for rep in reps:
        cells = np.flatnonzero(owner == rep)
        poly = shapely.union_all([box(xcuts[c % ncol], ycuts[c // ncol], xcuts[c % ncol + 1], ycuts[c // ncol + 1])
                                  for c in cells]).intersection(boundary)
        geoms.append(poly)
        c, r = rep % ncol, rep // ncol
        district_of[rep] = (1 if c < 3 else 2) if r >= 2 else (4 if c < 3 else 3)
    beat_codes, beat_names, beat_districts = [], [], []
    code_of_rep = {}
    for d in (1, 2, 3, 4):
        mine = sorted([rep for rep in reps if district_of[rep] == d], key=lambda rep: (-(rep // ncol), rep % ncol))
        for k, rep in enumerate(mine):
            code_of_rep[rep] = f"{d}{chr(ord('A') + k)}"
    for rep in reps:
        beat_codes.append(code_of_rep[rep])
        beat_names.append(f"Beat {code_of_rep[rep]}")
        beat_districts.append(str(district_of[rep]))
    beats = gpd.GeoDataFrame({"beat": beat_codes, "name": beat_names, "district": beat_districts},
                             geometry=geoms, crs=None).sort_values("beat").reset_index(drop=True)
    dnames = {"1": "District 1 - Northwest", "2": "District 2 - Northeast", "3": "District 3 - Southeast",
              "4": "District 4 - Southwest"}
    dist = beats.dissolve(by="district", as_index=False)[["district", "geometry"]]
    dist["name"] = dist["district"].map(dnames)
    districts = gpd.GeoDataFrame(dist[["district", "name"]], geometry=dist.geometry.values, crs=None)
    cell_beat = np.array([code_of_rep[owner[i]] for i in range(ncol * nrow)], dtype=object)
    return beats, districts, (xcuts, ycuts, cell_beat)


def build_geography(rng: np.random.Generator) -> Geography:
    """Build the whole city (deterministic for the generator's state). Coordinates in EPSG:32616."""
    cx, cy = city_centre()
    boundary = _boundary()
    rx = np.linspace(-spec.HALF_WIDTH - 200, spec.HALF_WIDTH + 200, 400)
    river = LineString(np.column_stack([rx, river_centreline(rx)])).buffer(45.0).intersection(
        boundary.buffer(300.0))
    streets = _streets(rng, boundary, river)
    pieces = _pieces(streets)
    pieces["popdens"] = population_density(pieces["mx"], pieces["my"])
    census = _census(rng, boundary, river)
    landuse = _landuse(rng, pieces, streets)
    beats, districts, lookup = _beats(rng, boundary)

    # shift everything from local metres to the working CRS
    def shift(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        out = gdf.copy()
        out.geometry = shapely.transform(gdf.geometry.values, lambda c: c + np.array([cx, cy]))
        return out.set_crs(spec.WORKING_EPSG, allow_override=True)

    for k in ("x0", "x1", "mx"):
        pieces[k] = pieces[k] + cx
    for k in ("y0", "y1", "my"):
        pieces[k] = pieces[k] + cy
    xcuts, ycuts, cell_beat = lookup
    beat_index = {b: i for i, b in enumerate(sorted(set(cell_beat)))}
    return Geography(
        centre=(cx, cy),
        boundary=shapely.transform(boundary, lambda c: c + np.array([cx, cy])),
        river=shapely.transform(river, lambda c: c + np.array([cx, cy])),
        streets=shift(streets), census=shift(census), landuse=shift(landuse), beats=shift(beats),
        districts=shift(districts), pieces=pieces,
        beat_lookup=(xcuts + cx, ycuts + cy, np.array([beat_index[b] for b in cell_beat])),
    )


def beat_of(geo: Geography, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Beat code of each point (by the grid of beat cut lines; points lie inside the city)."""
    xcuts, ycuts, cell_beat = geo.beat_lookup
    ncol = xcuts.size - 1
    c = np.clip(np.searchsorted(xcuts, x) - 1, 0, ncol - 1)
    r = np.clip(np.searchsorted(ycuts, y) - 1, 0, ycuts.size - 2)
    codes = np.array(sorted(geo.beats["beat"].unique()), dtype=object)
    return codes[cell_beat[r * ncol + c]]
