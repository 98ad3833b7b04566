"""The audit log: who did what to which record, and every access to sensitive data."""

from app.audit.service import record

__all__ = ["record"]
