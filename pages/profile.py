"""Placeholder: built in the explorer issue."""

import streamlit as st

st.title("profile")
st.info("This view is being built.")
