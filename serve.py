"""How the dashboard is served: `streamlit run serve.py` runs `app.py` on Streamlit's server, its page fetching the
chart library at once and starting it while the first run is under way, and connecting to the server's root at
once from any page's address (`tensions.serving`)."""

import logging
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from streamlit import file_util

from tensions.serving import PageHead, chart_module_head

head = chart_module_head(Path(file_util.get_static_dir()))
if not head:
    logging.getLogger(__name__).warning(
        "Streamlit's chart module was not found among its static files: pages load it when their first chart arrives"
    )
base = st.get_option("server.baseUrlPath").strip("/")
app = st.App("app.py", middleware=[Middleware(PageHead, head=head, root=f"/{base}/" if base else "/")])
