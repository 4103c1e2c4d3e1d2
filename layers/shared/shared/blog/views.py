"""Items → API models (the only place that decides which fields leave the blog)."""

from __future__ import annotations

from typing import cast

from shared.blog.models import CommentItem, PostItem, TagItem
from shared.blog.repository import Author
from shared.blog.rules import reading_time_minutes
from shared.blog.schemas import AuthorOut, CommentOut, PostOut, PostStatus, TagOut, TagRef


def author_out(user_id: str, author: Author | None) -> AuthorOut:
    if author is None:
        return AuthorOut(id=user_id, name="Deleted user")
    avatar = (author.profile.avatar_url if author.profile else None) or author.user.avatar_url
    return AuthorOut(id=user_id, name=author.user.name, avatar_url=avatar)


def post_out(post: PostItem, author: Author | None) -> PostOut:
    return PostOut(
        id=post.post_id,
        slug=post.slug,
        title=post.title,
        content=post.content,
        excerpt=post.excerpt,
        status=cast(PostStatus, post.status),
        published_at=post.published_at,
        publish_at=post.publish_at,
        cover_image_url=post.cover_image_url,
        author=author_out(post.author_id, author),
        tags=[TagRef(name=n, slug=s) for n, s in zip(post.tag_names or [], post.tag_slugs or [], strict=False)],
        reading_time_minutes=reading_time_minutes(post.content),
        comment_count=max(0, int(post.comment_count or 0)),
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


def tag_out(tag: TagItem) -> TagOut:
    return TagOut(name=tag.name, slug=tag.slug, post_count=max(0, int(tag.post_count)), created_at=tag.created_at)


def comment_out(comment: CommentItem, author: Author | None) -> CommentOut:
    return CommentOut(
        id=comment.comment_id,
        post_id=comment.post_id,
        author=author_out(comment.author_id, author),
        content=comment.content,
        created_at=comment.created_at,
    )
