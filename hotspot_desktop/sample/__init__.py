"""Synthetic city "Riverton" with planted ground truth, and the committed sample project.

Riverton is a fictional Midwestern city placed near lon -88.95, lat 40.12 (working CRS
EPSG:32616, WGS 84 / UTM 16N). :func:`generate_city` writes, into one folder:

* ``incidents_latlon.csv``: incident_id, offense, occurred_from, occurred_to, block, beat, lat, lon
  (EPSG:4326). ``occurred_from`` is the time, or the start of the window for incidents known only
  within a window (all burglaries, some thefts from vehicles), whose end is ``occurred_to``
  (empty for exact times).
* ``incidents_stateplane.csv`` + ``.prj``: the same incidents as an RMS export in NAD83 / Illinois
  East (ftUS, EPSG:3435): CASE_NUMBER, OFFENSE, DATE_FROM (MM/DD/YYYY), TIME_FROM, DATE_TO, TIME_TO, BEAT,
  BLOCK, X_COORD, Y_COORD.
* ``beats.shp`` and ``districts.shp`` (EPSG:3435); ``streets.gpkg`` (layer ``streets``: street_id,
  name, class) and ``city.gpkg`` (layers ``land_use``, ``census_block_groups`` with pop_total,
  pop_white, pop_black, pop_hispanic, pop_asian, pop_other, households; ``water``, ``city_limits``),
  both EPSG:4326.
* ``service_requests.csv``: community input (311-style service requests, not crime): request_id,
  category, requested (``YYYY-MM-DD HH:MM``), status, lat, lon (EPSG:4326); see
  :mod:`hotspot_desktop.sample.community`.
* ``ground_truth.json`` and ``ground_truth.gpkg`` (EPSG:32616): planted hot spots with expected
  counts, the emerging hot spot, intervention targets / catchment sectors / controls with
  expected before/after counts, the true effects, the dirt counts, seed and parameters.

Both CSVs carry the same realistic dirt (missing and (0, 0) coordinates, unreadable dates,
duplicated rows). Command line::

    python -m hotspot_desktop.sample OUT_DIR [--incidents N] [--seed S] [--years Y] [--project]

``--project`` also writes ``riverton.hsproj`` (see :func:`build_sample_project`).
"""

from hotspot_desktop.sample.city import CityOutputs, generate_city

__all__ = ["CityOutputs", "generate_city"]
