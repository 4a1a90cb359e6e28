"""The application layer: what a CLI command or the web app runs, with stores and audit."""
