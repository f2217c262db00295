"""The audit log: every change is recorded with who made it, in the same transaction as the change."""

from __future__ import annotations

from fjernarbeid.portal.models import AuditEntry


def record(user, action: str, obj=None, **detail) -> AuditEntry:
    """Write an audit entry; call it inside the transaction that makes the change."""
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    return AuditEntry.objects.create(
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        detail=detail,
    )
