"""Placeholder: built in the explorer issue."""

import streamlit as st

st.title("map")
st.info("This view is being built.")
