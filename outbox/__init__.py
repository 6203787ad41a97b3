"""Mail leaves through the task queue: no request ever opens an SMTP connection."""
