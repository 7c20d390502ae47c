"""Put an indicator file in a workspace database, as an editor's "Save in the workspace" on *Your
data* does (``lib.workspace.kinds`` + ``Store.save``), for the deployment's browser tests and bench."""

from __future__ import annotations

from pathlib import Path

from lib.core import data
from lib.imports.geography import load_geography
from lib.imports.indicator_file import read_indicator_file
from lib.render.format import md_text
from lib.workspace import kinds
from lib.workspace.store import Store

REPO = Path(__file__).resolve().parents[2]
FILE = REPO / "tests" / "data" / "fingertips_ward_example_SYNTHETIC.csv"


def save_indicator(database_url: str, path: Path = FILE, by: str = "the bench") -> dict:
    """Save ``path`` (an indicator file) in the workspace at ``database_url``; return its first
    indicator's ``id``, ``name``, the name as the pages write it (``shown``) and the link query
    that opens it (``query``)."""
    ds = data.for_population(data.load_dataset(population=None), "residents")
    raw = path.read_bytes()
    item = read_indicator_file(raw, path.name, load_geography(definition=ds.definition, values=ds.values))
    tables, meta = kinds.indicators_to_store(item)
    store = Store(database_url)
    try:
        store.save(
            "indicators",
            path.name,
            file_name=path.name,
            raw=raw,
            parsed=tables,
            by=by,
            expected_version=None,
            meta=meta,
        )
    finally:
        store.dispose()
    ind = item.indicator_ids[0]
    name = str(item.indicators.set_index("indicator_id").loc[ind, "name"])
    return {"id": ind, "name": name, "shown": md_text(name), "query": f"ind={ind}"}
