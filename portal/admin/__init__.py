"""Administration: the audit log and the demo mail outbox."""
