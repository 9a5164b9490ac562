"""Entry point: page setup, the shared data and sidebar, and navigation over `pages/`."""

import streamlit as st

import ui

st.set_page_config(page_title="Regional Tensions Dashboard", page_icon=":material/public:", layout="wide")

dataset = ui.load_curated_or_stop()
st.session_state[ui.DATASET_KEY] = dataset
st.session_state[ui.FILTERS_KEY] = ui.sidebar_filters(dataset)
st.sidebar.caption(ui.data_as_of_caption(dataset))

page = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ]
)
page.run()
