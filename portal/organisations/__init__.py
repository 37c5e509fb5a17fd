"""Organisations: profiles, members and invitations, and the region's own lists."""
