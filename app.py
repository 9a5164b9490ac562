"""Entry point: page setup and navigation over `pages/`; each page draws the shared sidebar itself."""

from pathlib import Path

import streamlit as st

st.set_page_config(
    page_title="Regional Tensions Dashboard",
    page_icon=str(Path(__file__).parent / "assets" / "icon.png"),
    layout="wide",
)

page = st.navigation(
    [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/map.py", title="Map", icon=":material/map:"),
        st.Page("pages/timeline.py", title="Timeline", icon=":material/timeline:"),
        st.Page("pages/actors.py", title="Actors", icon=":material/groups:"),
        st.Page("pages/curate.py", title="Curate", icon=":material/edit_note:"),
        st.Page("pages/data.py", title="Data", icon=":material/database:"),
    ]
)
page.run()
