"""Pre-war population of Ukraine's 27 first-level units, for rates per 100,000 people (present population, наявне населення).

The figures are the State Statistics Service of Ukraine's estimate of the
present (наявне) population as of 1 January 2022, transcribed by the project
into ``data/population/admin1_population_2022.csv``; the 25 units under
Ukrainian statistical coverage add up to the published national total of
41,167,335. The service has published nothing for Crimea (UA-43) and
Sevastopol (UA-40) since 2014, so those two rows carry its last estimate
(1 January 2014) and say so in their ``reference_date`` and ``note``.
Provenance: ``data/README.md``, section "Population".
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.admin1 import ADMIN1

POPULATION_CSV = Path(__file__).resolve().parent.parent / "data" / "population" / "admin1_population_2022.csv"
POPULATION_CITATION = (
    "State Statistics Service of Ukraine, «Чисельність наявного населення України на 1 січня 2022 року» "
    "(Population of Ukraine as of 1 January 2022), Kyiv, 2022; Crimea and Sevastopol: estimate as of "
    "1 January 2014. Transcribed by the project."
)
#: Published national total for the 25 units covered in 2022 (excludes Crimea and Sevastopol).
NATIONAL_TOTAL_2022 = 41_167_335


def load_population_table(path: Path = POPULATION_CSV) -> pd.DataFrame:
    """Read the population table and check it covers exactly the 27 units.

    Parameters
    ----------
    path : Path
        CSV with ``admin1_iso, admin1_name, population, reference_date, note``.

    Returns
    -------
    pandas.DataFrame
        One row per unit, ``population`` as int64 and ``reference_date`` as datetime.

    Raises
    ------
    ValueError
        When a unit is missing, duplicated, unknown, or has no positive population.
    """
    table = pd.read_csv(path, dtype={"admin1_iso": "string", "admin1_name": "string", "note": "string"})
    isos = table["admin1_iso"].tolist()
    if sorted(isos) != sorted(ADMIN1) or len(set(isos)) != len(isos):
        raise ValueError(f"{path}: expected one row for each of the 27 units of geo.admin1.ADMIN1")
    population = pd.to_numeric(table["population"], errors="coerce")
    if population.isna().any() or (population <= 0).any():
        raise ValueError(f"{path}: every unit needs a positive whole population")
    table["population"] = population.astype("int64")
    table["reference_date"] = pd.to_datetime(table["reference_date"])
    return table


def load_population(path: Path = POPULATION_CSV) -> dict[str, int]:
    """Return ISO 3166-2 code -> pre-war population.

    Parameters
    ----------
    path : Path
        Population CSV (the bundled file by default).

    Returns
    -------
    dict of str to int
        27 entries.
    """
    table = load_population_table(path)
    return dict(zip(table["admin1_iso"], table["population"].astype(int), strict=True))
