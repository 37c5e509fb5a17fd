"""The audit log: recording state changes and letting administrators read them."""
