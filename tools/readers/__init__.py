"""Source readers: CSV/TSV, XLSX, JSON arrays and JSON Lines, streamed as SourceRows.

``open_source`` is the one entry point; ``iter_csv_arrow_batches`` is the fast path the
bulk engine uses for big CSVs (it raises FastPathUnavailable when the file needs the
reference reader).
"""

from tools.readers.base import SourceFormat, SourceInfo, SourceReader, SourceRow
from tools.readers.csv_arrow import FastPathUnavailable, iter_csv_arrow_batches
from tools.readers.opener import open_source

__all__ = [
    "FastPathUnavailable",
    "SourceFormat",
    "SourceInfo",
    "SourceReader",
    "SourceRow",
    "iter_csv_arrow_batches",
    "open_source",
]
