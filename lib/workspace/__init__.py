"""The team's workspace: saved local data (indicator files, activity, groupings, practice
assignments, the disclosure threshold) in a database, with versions, members and an audit log.

No Streamlit here; ``pages/shared/workspace.py`` is the Streamlit side.
"""
