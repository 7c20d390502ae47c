"""Streamlit pieces the pages share, one module per job (not a page: ``app.py`` lists the pages).

``session_data`` (the session's dataset), ``caching`` (results shared across sessions), ``app_frame``
(the frame, sidebar and URL state), ``widgets`` (tables, charts, downloads), ``presenting``
(presentation CSS and link), ``export_buttons`` (images, deck and PDF).
"""
