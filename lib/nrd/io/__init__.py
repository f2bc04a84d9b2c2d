"""Reading and validation of datasets: typed frames per the data contract, findings, a Parquet cache.

Public names::

    read_dataset(data_dir, *, tables=None, use_cache=True, today=None) -> Dataset
    validate_dataset(data_dir, *, tables=None, today=None) -> list[Finding]
    Dataset (incl. Dataset.from_frames), Finding, findings_frame
"""

from nrd.io.dataset import Dataset, TableStats
from nrd.io.findings import Finding, findings_frame
from nrd.io.load import read_dataset, validate_dataset

__all__ = ["Dataset", "Finding", "TableStats", "findings_frame", "read_dataset", "validate_dataset"]
