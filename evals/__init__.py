"""Measurement of the assistant on real data."""
