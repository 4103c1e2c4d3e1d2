"""Profiles: one per user (keyed by the user id), public, created by the user's first write.
``postCount`` counts the user's published posts (moved by the post transactions)."""

from __future__ import annotations

from shared.blog import repository
from shared.blog.schemas import ProfileOut, UpdateBlogProfileRequest
from shared.errors import InvalidInput, NotFound
from shared.identity.principal import Principal


def get_profile(user_id: str, *, consistent: bool = False) -> ProfileOut:
    """Raises :class:`NotFound` ``USER_NOT_FOUND``."""
    author = repository.get_authors([user_id], consistent=consistent).get(user_id)
    if author is None:
        raise NotFound("User not found", code="USER_NOT_FOUND")
    profile = author.profile
    return ProfileOut(
        user_id=user_id,
        name=author.user.name,
        bio=profile.bio if profile else None,
        avatar_url=(profile.avatar_url if profile else None) or author.user.avatar_url,
        location=profile.location if profile else None,
        website=profile.website if profile else None,
        post_count=max(0, int(profile.post_count or 0)) if profile else 0,
        joined_at=author.user.created_at,
    )


def update_profile(caller: Principal, request: UpdateBlogProfileRequest) -> ProfileOut:
    """Only the fields sent change (``null`` clears one). Raises :class:`InvalidInput` when empty."""
    fields = request.model_fields_set
    if not fields:
        raise InvalidInput("Nothing to update", errors={"body": ["provide bio, avatarUrl, location or website"]})
    repository.update_profile(caller.user_id, {name: getattr(request, name) or None for name in fields})
    return get_profile(caller.user_id, consistent=True)
