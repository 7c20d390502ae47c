"""The pipeline: raw public inputs (``../shared/data``) -> committed embedded dataset.

Run it with ``python -m lib.pipeline`` (see ``--help``).
"""
