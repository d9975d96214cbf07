"""Headless file access: read inputs, write results into copies of workbooks."""
