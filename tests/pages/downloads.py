"""The pages' download buttons' contents, built as a click builds them."""

from __future__ import annotations

from streamlit.runtime.media_file_manager import MediaFileManager


def kept_downloads(monkeypatch) -> dict[str, object]:
    """The download buttons' callables by MIME type (the last button of each type), to run as a click would."""
    made = {}
    add_deferred = MediaFileManager.add_deferred

    def keep(self, data_callable, mimetype, *args, **kwargs):
        made[mimetype] = data_callable
        return add_deferred(self, data_callable, mimetype, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", keep)
    return made
