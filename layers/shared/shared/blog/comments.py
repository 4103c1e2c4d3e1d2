"""Comments: on published posts by signed-in users, listed oldest first, deleted by their author,
the post's author or an admin; the post's ``commentCount`` moves in the same transaction."""

from __future__ import annotations

from shared.blog import repository
from shared.blog.models import COMMENT_SK, CommentItem, comment_pk
from shared.blog.posts import visible_post
from shared.blog.repository import WriteConflict
from shared.blog.schemas import CommentOut, CreateCommentRequest
from shared.blog.views import comment_out
from shared.clock import now_iso
from shared.errors import Conflict, Forbidden, NotFound
from shared.identity.principal import Principal
from shared.ids import new_id
from shared.schemas import ItemsPage
from shared.security.cursors import decode_cursor, encode_cursor

ATTEMPTS = 3


def list_comments(caller: Principal | None, post_id: str, *, limit: int, cursor: str | None) -> ItemsPage[CommentOut]:
    """Raises :class:`NotFound` ``POST_NOT_FOUND`` (also for a draft the caller may not see)."""
    post = visible_post(caller, post_id)
    scope = f"comments|{post.post_id}"
    page = repository.comments_page(post.post_id, limit=limit, position=decode_cursor(cursor, scope))
    authors = repository.get_authors(c.author_id for c in page.items)
    return ItemsPage[CommentOut](
        items=[comment_out(c, authors.get(c.author_id)) for c in page.items],
        next_cursor=encode_cursor(page.next_position, scope),
    )


def add_comment(caller: Principal, post_id: str, request: CreateCommentRequest) -> CommentOut:
    """Raises :class:`NotFound` ``POST_NOT_FOUND``, :class:`Conflict` ``POST_NOT_PUBLISHED``."""
    comment_id = new_id()
    for _ in range(ATTEMPTS):
        post = visible_post(caller, post_id)
        if post.status != "published":
            raise Conflict("Comments are open on published posts only", code="POST_NOT_PUBLISHED")
        comment = CommentItem(
            comment_pk(comment_id),
            COMMENT_SK,
            comment_id=comment_id,
            post_id=post.post_id,
            author_id=caller.user_id,
            content=request.content,
            created_at=now_iso(),
        )
        try:
            repository.add_comment(post, comment)
        except WriteConflict:
            continue  # unpublished or deleted meanwhile: read it again
        return comment_out(comment, repository.get_authors([caller.user_id]).get(caller.user_id))
    raise Conflict("Comments are open on published posts only", code="POST_NOT_PUBLISHED")


def delete_comment(caller: Principal, comment_id: str) -> None:
    """Raises :class:`NotFound` ``COMMENT_NOT_FOUND``, :class:`Forbidden` ``NOT_COMMENT_AUTHOR``."""
    comment = repository.get_comment(comment_id)
    if comment is None:
        raise NotFound("Comment not found", code="COMMENT_NOT_FOUND")
    if caller.user_id != comment.author_id and caller.role != "admin":
        post = repository.get_post(comment.post_id)
        if post is None or post.author_id != caller.user_id:
            raise Forbidden(
                "Only the comment's author, the post's author or an admin can delete it", code="NOT_COMMENT_AUTHOR"
            )
    if not repository.delete_comment(comment):
        raise NotFound("Comment not found", code="COMMENT_NOT_FOUND")
