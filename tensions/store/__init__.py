"""PostgreSQL as the shared store of a team deployment (optional: without a database URL the files are the store)."""
