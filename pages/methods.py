"""Placeholder: built in the explorer issue."""

import streamlit as st

st.title("methods")
st.info("This view is being built.")
