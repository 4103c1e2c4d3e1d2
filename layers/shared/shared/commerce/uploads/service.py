"""Who may upload what: avatars for everyone, logos for sellers, product images for approved
sellers and admins; images only, at most 5 MB, each upload under its owner's own prefix."""

from __future__ import annotations

from shared.commerce.uploads import storage
from shared.commerce.uploads.schemas import MAX_UPLOAD_BYTES, UploadRequest, UploadTicket
from shared.errors import Forbidden
from shared.identity.principal import Principal
from shared.ids import new_id

EXPIRES_IN_SECONDS = 900
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/gif": "gif"}


def _check_allowed(principal: Principal, request: UploadRequest) -> None:
    user = principal.user
    if request.purpose == "logo" and user.role not in ("seller", "admin"):
        raise Forbidden("Only sellers upload store logos")
    if request.purpose == "product-image" and not (
        user.role == "admin" or (user.role == "seller" and user.status == "approved")
    ):
        raise Forbidden("Only approved sellers upload product images", code="SELLER_NOT_APPROVED")


def create_upload(principal: Principal, request: UploadRequest) -> UploadTicket:
    """Raises :class:`Forbidden` when the caller may not upload for this purpose."""
    _check_allowed(principal, request)
    key = f"{request.purpose}/{principal.user_id}/{new_id()}.{_EXTENSIONS[request.content_type]}"
    post = storage.presigned_post(key, request.content_type, MAX_UPLOAD_BYTES, EXPIRES_IN_SECONDS)
    return UploadTicket(
        upload_url=post["url"],
        fields={name: str(value) for name, value in post["fields"].items()},
        key=key,
        public_url=storage.public_url(key),
        content_type=request.content_type,
        max_bytes=MAX_UPLOAD_BYTES,
        expires_in=EXPIRES_IN_SECONDS,
    )
