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
    ]
)
page.run()
