"""Accounts: signing in, two-step sign-in, password reset and invitations."""
