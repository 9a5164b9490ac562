"""Entry point: the app's page settings and navigation over `pages/` (`ui.app_page`), then the chosen page; each
page draws the shared sidebar itself."""

import ui

ui.app_page().run()
