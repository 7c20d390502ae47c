"""Neighbourhood Profiles library: pure, typed functions over (Geo)DataFrames.

Nothing in ``lib`` imports Streamlit (enforced by import-linter in the tests). Layers:

* ``lib.pipeline``: builds the embedded dataset (``geodata/``, ``profiles/``) from raw inputs.
* ``lib.methods.stats``: confidence intervals, benchmark comparisons, quartiles.
* ``lib.methods.aggregate``: small areas -> wards -> neighbourhoods -> localities -> city.
* ``lib.core.contract``: the data contract (columns, allowed values) and its validation.
* ``lib.core.data``: loaders of the embedded dataset for the app.
"""
