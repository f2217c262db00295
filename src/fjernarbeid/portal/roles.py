"""Who may do what: one place for the portal's authorization rules.

Roles: network administrator (the council), space host (their own space), member (belongs to a space, books
guest days elsewhere) and the public (everyone else, logged in or not).
"""

from __future__ import annotations

from fjernarbeid.portal.models import Event, GuestDay, Profile, Space


def role_of(user) -> str:
    if not user.is_authenticated or not user.is_active:
        return "public"
    profile = getattr(user, "profile", None)
    if user.is_superuser:
        return Profile.ADMIN
    return profile.role if profile is not None else "public"


def home_space_id(user) -> int | None:
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    return profile.space_id if profile is not None else None


def is_admin(user) -> bool:
    return role_of(user) == Profile.ADMIN


def hosts_space(user, space: Space | int | None) -> bool:
    space_id = space.pk if isinstance(space, Space) else space
    return space_id is not None and role_of(user) == Profile.HOST and home_space_id(user) == space_id


def can_edit_space(user, space: Space) -> bool:
    return is_admin(user) or hosts_space(user, space)


def can_create_space(user) -> bool:
    return is_admin(user)


def can_book_guest_day(user, space: Space) -> bool:
    """Members book days at the network's other spaces (their own space is theirs already)."""
    return role_of(user) == Profile.MEMBER and home_space_id(user) not in (None, space.pk)


def can_decide_guest_day(user, booking: GuestDay) -> bool:
    return is_admin(user) or hosts_space(user, booking.space_id)


def can_publish_event(user, space: Space | None) -> bool:
    """The council publishes anywhere and region-wide; a host only at their own space."""
    return is_admin(user) or (space is not None and hosts_space(user, space))


def can_edit_event(user, event: Event) -> bool:
    return can_publish_event(user, event.space)


def can_sign_up(user) -> bool:
    return role_of(user) in (Profile.ADMIN, Profile.HOST, Profile.MEMBER)


def can_record_use(user, space: Space) -> bool:
    return is_admin(user) or hosts_space(user, space)


def can_set_goals(user) -> bool:
    return is_admin(user)


def can_see_interest(user) -> bool:
    """Leads (personal data of would-be movers) are for the council only."""
    return is_admin(user)


def can_see_audit_log(user) -> bool:
    return is_admin(user)


def can_load_travel_times(user) -> bool:
    return is_admin(user)
