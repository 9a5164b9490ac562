"""Data: import UCDP GED, ACLED or GDELT files, choose which datasets every page shows, see what was rejected."""

import os

import streamlit as st

import ui
from tensions.analysis import digest
from tensions.analysis.filters import DATASET_PARAM
from tensions.data.csv_safety import safe_csv_bytes
from tensions.data.literal import markdown_literal
from tensions.data.load import CURATED_DATASET
from tensions.data.paths import data_dir
from tensions.errors import ImportFailed, TensionsError
from tensions.ingest import imported
from tensions.ingest.importers import DEFAULT_LIMITS, IMPORTERS
from tensions.ingest.sync import SOURCES, last_syncs, sync_sources
from tensions.ingest.sync.config import settings_from
from tensions.store import select
from tensions.store.config import database_url

PROVENANCE_COLUMNS = [
    "event_date",
    "dataset",
    "original_id",
    "country",
    "location",
    "event_type",
    "sub_event_type",
    "actor1",
    "actor2",
    "fatalities",
    "source",
    "source_title",
    "source_url",
    "confidence",
]
PREVIEW_ROWS = 1_000
SYNC_CHOICES = {**{name: imported.dataset_title(name) for name in SOURCES}, "all": "All three"}
FORMATS = {"auto": "Detect from the file", **{name: importer.title for name, importer in IMPORTERS.items()}}


def show_datasets(names: list[str]) -> None:
    """Callback: the sidebar's dataset filter (on every page, in the URL) shows `names`."""
    st.session_state[DATASET_PARAM] = names


def sync_now() -> None:
    """Callback: sync the chosen source (or all), before the page draws the sync state, and keep what each did."""
    choice = st.session_state["data_sync_source"]
    names = list(SOURCES) if choice == "all" else [choice]
    try:
        with st.spinner("Syncing…"):
            runs = sync_sources(
                ui.curator_grant(),
                names,
                data_dir(),
                settings_from(ui.secrets_mapping(), os.environ),
                store=select.sync_store(data_dir()),
            )
    except TensionsError as error:  # not signed in (any more), or the data folder cannot be written
        st.session_state["data_sync_outcome"] = [(f"Not synced: {error}", False)]
        return
    st.session_state["data_sync_outcome"] = [(run.summary(), run.ok) for run in runs]


def import_upload(upload, kind: str) -> None:
    """Callback: import the uploaded file and remember the outcome for the next run to show."""
    try:
        outcome = select.import_and_save(
            upload.getvalue(), kind, data_dir(), grant=ui.curator_grant(), file_name=upload.name
        )
    except ImportFailed as failure:
        st.session_state["data_import_failed"] = (upload.name, [str(p) for p in failure.problems])
        st.session_state.pop("data_last_import", None)
        return
    except TensionsError as error:  # not signed in (any more), or the data folder cannot be written
        st.session_state["data_import_failed"] = (upload.name, [str(error)])
        st.session_state.pop("data_last_import", None)
        return
    st.session_state.pop("data_import_failed", None)
    st.session_state["data_last_import"] = outcome.record.key
    st.session_state["data_replaced"] = outcome.replaced.imported_at if outcome.replaced else None
    current = list(st.session_state.get(DATASET_PARAM, [CURATED_DATASET]))
    if current and outcome.record.dataset not in current:
        st.session_state[DATASET_PARAM] = [*current, outcome.record.dataset]


folder = data_dir()
dataset, state, events = ui.current_view()
records = select.list_imports(folder)

st.title("Data")
st.caption(
    "Put UCDP GED, ACLED or GDELT data beside the curated events, on the same maps and timelines. "
    f"Imported files are stored {'under `data/imported/`' if database_url() is None else 'in the database'}; "
    "the curated tables are never changed."
)

st.subheader("Import a file")
grant = ui.curator_grant()
if grant is None:
    ui.curators_only("Importing or removing a dataset")
else:
    left, right = st.columns([3, 1])
    with left:
        upload = st.file_uploader(
            "UCDP GED or ACLED CSV, GDELT 2.0 events (raw tab-separated or CSV with a header), or a ZIP of one",
            type=["csv", "tsv", "txt", "zip"],
            key="data_upload",
        )
    with right:
        kind = st.selectbox("Format", list(FORMATS), format_func=FORMATS.get, key="data_format")
        st.button(
            "Import",
            type="primary",
            disabled=upload is None,
            on_click=import_upload,
            args=(upload, kind),
            key="data_import",
            help="Importing a file of the same name again replaces the earlier import. "
            f"At most {DEFAULT_LIMITS.max_rows:,} rows; a ZIP may unpack to "
            f"{DEFAULT_LIMITS.max_unpacked_bytes // 2**20:,} MiB.",
        )

failed = st.session_state.get("data_import_failed")
if failed:
    name, problems = failed
    st.error(f"{markdown_literal(name)} could not be imported. Nothing was stored. Problems (file:line:column):")
    st.code("\n".join(problems[:200]), language=None)

last_key = st.session_state.get("data_last_import")
last = next((r for r in records if r.key == last_key), None)
if last is not None:
    replaced = st.session_state.get("data_replaced")
    st.success(
        f"Imported {markdown_literal(last.file_name)} as {last.title} ({last.format_name}): {last.rows_read:,} "
        f"rows read, {last.rows_imported:,} imported, {last.rows_rejected:,} rejected."
        + (f" It replaces the import of the same file name made {replaced}." if replaced else "")
    )
    for note in last.notes:  # they name ZIP members and countries from the file
        st.caption(f"Note: {markdown_literal(note)}")

st.subheader("Live sync")
st.caption(
    f"ACLED, UCDP and GDELT synced {'into `data/imported/`' if database_url() is None else 'into the database'} "
    "(never committed: ACLED's terms forbid redistributing its rows). Each run fetches only what is new or changed "
    "since the last one."
)
st.dataframe(
    digest.last_sync_table(last_syncs(folder, store=select.sync_store(folder))), hide_index=True, key="data_syncs"
)
if grant is None:
    ui.curators_only("Syncing from ACLED, UCDP or GDELT")
else:
    sync_left, sync_right = st.columns([1, 3])
    sync_left.selectbox("Source", [*SOURCES, "all"], format_func=SYNC_CHOICES.get, key="data_sync_source")
    sync_right.button(
        "Sync now",
        key="data_sync",
        on_click=sync_now,
        help="Credentials come from the secrets (`[acled]`, `[ucdp]`) or the environment.",
    )
for line, ok in st.session_state.pop("data_sync_outcome", []):
    (st.success if ok else st.error)(markdown_literal(line))

st.subheader("Datasets")
if not records:
    st.info("Nothing imported yet: the pages show the curated events only.")
else:
    st.dataframe(
        [
            {
                "dataset": r.title,
                "file": r.file_name,
                "rows read": r.rows_read,
                "imported": r.rows_imported,
                "rejected": r.rows_rejected,
                "from": r.first_date,
                "to": r.last_date,
                "countries": ", ".join(r.countries[:6]) + (" …" if len(r.countries) > 6 else ""),
                "format": r.format_name,
                "imported on": r.imported_at.replace("T", " ").removesuffix("+00:00") + " UTC",
            }
            for r in records
        ],
        hide_index=True,
        key="data_imports",
    )
choices = [CURATED_DATASET, *imported.imported_datasets(folder, records)]
current = [d for d in st.session_state.get("dataset", [CURATED_DATASET]) if d in choices]
wanted = st.multiselect(
    "Show on every page",
    choices,
    default=current,
    format_func=imported.dataset_title,
    key="data_show",
    help="Sets the Datasets filter in the sidebar, which every page (and a copied link) uses.",
)
st.button("Show these datasets", on_click=show_datasets, args=(wanted,), key="data_apply", disabled=wanted == current)

st.subheader("Rejected rows")
with_rejections = [r for r in records if r.rows_rejected]
if not with_rejections:
    st.caption("No imported file had rows rejected." if records else "Nothing imported yet.")
else:
    by_key = {r.key: r for r in with_rejections}
    picked_key = st.selectbox(
        "Import",
        list(by_key),
        index=list(by_key).index(last_key) if last_key in by_key else 0,
        format_func=lambda k: f"{by_key[k].title}: {by_key[k].file_name} ({by_key[k].rows_rejected:,} rejected)",
        key="data_rejected_import",
    )
    picked = by_key[picked_key]
    rejected = select.rejected_rows(picked)
    reasons = imported.rejected_reasons(rejected)
    pages = max(1, -(-reasons // imported.REJECTED_PER_PAGE))
    page = st.number_input(f"Page (of {pages:,})", 1, pages, 1, key=f"data_rejected_page_{picked.key}")
    first = (page - 1) * imported.REJECTED_PER_PAGE
    st.caption(
        f"{picked.rows_rejected:,} rows were rejected; {reasons:,} reasons are kept (an import keeps those of "
        f"its first {DEFAULT_LIMITS.max_rejected_rows:,} rejected rows), and reasons {first + 1:,} to "
        f"{min(first + imported.REJECTED_PER_PAGE, reasons):,} are listed. "
        "Each names the line in the file (the header is line 1), the column and the reason. "
        "Rejected rows were not imported; the rest of the file was."
    )
    st.dataframe(imported.rejected_page(rejected, page), hide_index=True, key="data_rejected")
    st.download_button(
        "Download rejected rows (CSV)",
        lambda: safe_csv_bytes(imported.read_rejected(rejected).assign(file=picked.file_name)),
        file_name=f"{picked.key}-rejected.csv",
        mime="text/csv",
        key="data_rejected_csv",
        on_click="ignore",
        help=f"Every reason kept, for at most the first {DEFAULT_LIMITS.max_rejected_rows:,} rejected rows.",
    )

if records and grant is not None:
    with st.expander("Remove an import"):
        names = {r.key: f"{r.title}: {r.file_name}" for r in records}
        doomed = st.selectbox("Import to remove", list(names), format_func=names.get, key="data_remove_pick")
        if st.button("Remove", key="data_remove"):
            try:
                select.remove_import(folder, doomed, grant=grant)
            except TensionsError as error:
                st.error(f"Not removed: {markdown_literal(error)}")
            else:
                st.rerun()

st.subheader("Attribution")
for name in choices:
    st.markdown(f"**{imported.dataset_title(name)}.** {imported.attribution(name)}")

st.subheader("Events in view")
st.caption(
    f"{len(events):,} events match the sidebar ({markdown_literal(state.describe())}). Each keeps its dataset and its id in "
    f"that dataset (`original_id`)."
    + (f" The first {PREVIEW_ROWS:,} are listed." if len(events) > PREVIEW_ROWS else "")
)
if events.empty:
    ui.no_events_message()
else:
    preview = events.head(PREVIEW_ROWS)
    columns = [c for c in PROVENANCE_COLUMNS if c in preview]
    ui.events_dataframe(preview, columns, key="data_events")
