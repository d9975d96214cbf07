"""Pure pandas/numpy engines: DataFrames in, DataFrames out; no files, no Excel."""
