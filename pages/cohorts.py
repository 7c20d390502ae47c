"""Placeholder while the risk cohorts and activity shift issue is built."""

import streamlit as st

from pages import shared

frame = shared.frame_state()
st.title("cohorts")
st.info("This view is being built.")
