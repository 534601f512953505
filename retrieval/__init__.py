"""Ingestion and search: files in, cited passages out."""
