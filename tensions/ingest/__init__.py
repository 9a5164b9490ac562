"""Imported datasets: the importers (UCDP GED, ACLED, GDELT) and their Parquet storage beside the curated data."""
