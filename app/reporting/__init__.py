"""Reports and insights, read from the rollups the ingest path keeps."""
