"""Consultation models."""
