"""Uploaded files: checking what they are, storing them safely, serving them as downloads."""
