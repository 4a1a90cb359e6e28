"""Terminal output of the CLI: tables, summaries, progress and one-line errors."""
