"""How the dashboard is served: `streamlit run serve.py` runs `app.py` on Streamlit's server, its page fetching the
chart library at once and starting it while the first run is under way (`tensions.serving`)."""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import file_util

from tensions.serving import EarlyChartModule, chart_module_head

app = st.App(
    "app.py",
    middleware=[Middleware(EarlyChartModule, head=chart_module_head(Path(file_util.get_static_dir())))],
)
