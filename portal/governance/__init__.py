"""Governance and WNT: declarations, the WNT norm engine, the compliance matrix."""
