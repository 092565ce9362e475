"""Publish stage: write outputs atomically (files.py); building the site and write-back live beside it."""
from .files import remove, stable_json, write_bytes, write_json, write_text

__all__ = ["remove", "stable_json", "write_bytes", "write_json", "write_text"]
