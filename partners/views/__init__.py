"""Partner pages: institutions, agreements and what hangs off them, exports."""
