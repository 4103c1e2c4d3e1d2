"""Blog routes: ``/api/v1/posts``, ``/api/v1/tags``, ``/api/v1/profiles`` and ``/api/v1/comments``
(one function: the four share one domain, :mod:`shared.blog`)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from shared.blog import comments, listing, posts, profiles
from shared.blog.schemas import (
    CommentOut,
    CreateCommentRequest,
    CreatePostRequest,
    PostOut,
    PostStatus,
    ProfileOut,
    TagOut,
    TagSort,
    UpdateBlogProfileRequest,
    UpdatePostRequest,
)
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from shared.http.app import create_app, serve
from shared.http.auth import access_token, principal, requires
from shared.http.openapi import raises
from shared.http.pagination import Cursor, Limit
from shared.http.responses import created, ok
from shared.identity.principal import Principal
from shared.observability import logger, metrics, tracer
from shared.schemas import Envelope, ItemsPage, Message

app = create_app()
API = "/api/v1"
POSTS = f"{API}/posts"
PostId = Annotated[str, Path(min_length=1, max_length=120, description="Post id (or slug on GET)")]
Id = Annotated[str, Path(min_length=1, max_length=64)]
Slug = Annotated[str, Path(min_length=1, max_length=120)]


def viewer() -> Principal | None:
    """The caller if they sent a token (drafts are shown to their author and admins)."""
    return principal(app) if access_token(app) else None


@app.post(POSTS, responses=raises(InvalidInput, Conflict, success=201), tags=["posts"])
@requires()
def create_post(body: Annotated[CreatePostRequest, Body()]) -> Response[Envelope[PostOut]]:
    """Write a post.

    A draft unless `status` is `published`; a future `publishAt` schedules it (published by a
    background job at that time, then the author gets "Your post is live").
    """
    return created(app, posts.create_post(principal(app), body))


@app.get(POSTS, responses=raises(InvalidInput, Unauthenticated, Forbidden), tags=["posts"])
def list_posts(  # noqa: PLR0917 - one parameter per documented query field
    search: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=60, description="Tag name or slug")] = None,
    authorId: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: Annotated[PostStatus | None, Query(description="draft/scheduled: the author's own (with authorId)")] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response[Envelope[ItemsPage[PostOut]]]:
    """Published posts, newest first.

    `search` (every word must match title, excerpt, tags or the first 300 words), `tag` and
    `authorId` combine. An author lists their drafts or scheduled posts with `status` and their
    own `authorId`.
    """
    page = listing.list_posts(
        viewer(), q=search, tag=tag, author_id=authorId, status=status, limit=limit, cursor=cursor
    )
    return ok(app, page)


@app.get(f"{POSTS}/<postId>", responses=raises(NotFound, Unauthenticated, Forbidden), tags=["posts"])
def get_post(postId: PostId) -> Response[Envelope[PostOut]]:
    """One post by id or slug.

    Drafts and scheduled posts only for their author and admins (404 to others).
    """
    post = posts.visible_post(viewer(), postId)
    return ok(app, posts.post_view(post))


@app.put(f"{POSTS}/<postId>", responses=raises(NotFound, Forbidden, InvalidInput, Conflict), tags=["posts"])
@requires()
def put_post(postId: Id, body: Annotated[UpdatePostRequest, Body()]) -> Response[Envelope[PostOut]]:
    """Update a post (author or admin).

    Omitted fields stay; `tagNames` replaces the set.
    """
    return ok(app, posts.update_post(principal(app), postId, body))


@app.patch(f"{POSTS}/<postId>", responses=raises(NotFound, Forbidden, InvalidInput, Conflict), tags=["posts"])
@requires()
def patch_post(postId: Id, body: Annotated[UpdatePostRequest, Body()]) -> Response[Envelope[PostOut]]:
    """Update a post (author or admin).

    Omitted fields stay; `tagNames` replaces the set.
    """
    return ok(app, posts.update_post(principal(app), postId, body))


@app.delete(f"{POSTS}/<postId>", responses=raises(NotFound, Forbidden, Conflict), tags=["posts"])
@requires()
def delete_post(postId: Id) -> Response[Envelope[Message]]:
    """Delete a post (author or admin).

    Its tag links and search entries go with it; its comments right after.
    """
    posts.delete_post(principal(app), postId)
    return ok(app, Message(message="Post deleted"))


@app.get(f"{POSTS}/<postId>/comments", responses=raises(NotFound, Unauthenticated, Forbidden), tags=["comments"])
def list_comments(postId: Id, limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[CommentOut]]]:
    """A post's comments, oldest first."""
    return ok(app, comments.list_comments(viewer(), postId, limit=limit, cursor=cursor))


@app.post(f"{POSTS}/<postId>/comments", responses=raises(NotFound, Conflict, success=201), tags=["comments"])
@requires()
def add_comment(postId: Id, body: Annotated[CreateCommentRequest, Body()]) -> Response[Envelope[CommentOut]]:
    """Comment on a published post."""
    return created(app, comments.add_comment(principal(app), postId, body))


@app.delete(f"{API}/comments/<commentId>", responses=raises(NotFound, Forbidden), tags=["comments"])
@requires()
def delete_comment(commentId: Id) -> Response[Envelope[Message]]:
    """Delete a comment.

    By its author, the post's author or an admin.
    """
    comments.delete_comment(principal(app), commentId)
    return ok(app, Message(message="Comment deleted"))


@app.get(f"{API}/tags", tags=["tags"])
def list_tags(
    sort: Annotated[TagSort, Query()] = "popular", limit: Limit = 20, cursor: Cursor = None
) -> Response[Envelope[ItemsPage[TagOut]]]:
    """Tags with their number of published posts, most used first or by name."""
    return ok(app, listing.list_tags(sort=sort, limit=limit, cursor=cursor))


@app.get(f"{API}/tags/<slug>/posts", responses=raises(NotFound), tags=["tags"])
def tag_posts(slug: Slug, limit: Limit = 20, cursor: Cursor = None) -> Response[Envelope[ItemsPage[PostOut]]]:
    """A tag's published posts, newest first."""
    return ok(app, listing.tag_posts(slug, limit=limit, cursor=cursor))


@app.get(f"{API}/profiles/<userId>", responses=raises(NotFound), tags=["profiles"])
def get_profile(userId: Id) -> Response[Envelope[ProfileOut]]:
    """A user's public profile."""
    return ok(app, profiles.get_profile(userId))


@app.put(f"{API}/profiles/me", responses=raises(InvalidInput), tags=["profiles"])
@requires()
def put_my_profile(body: Annotated[UpdateBlogProfileRequest, Body()]) -> Response[Envelope[ProfileOut]]:
    """Write the caller's profile.

    Created on first write; fields sent change, `null` clears one.
    """
    return ok(app, profiles.update_profile(principal(app), body))


@app.patch(f"{API}/profiles/me", responses=raises(InvalidInput), tags=["profiles"])
@requires()
def patch_my_profile(body: Annotated[UpdateBlogProfileRequest, Body()]) -> Response[Envelope[ProfileOut]]:
    """Update the caller's profile.

    Created on first write; fields sent change, `null` clears one.
    """
    return ok(app, profiles.update_profile(principal(app), body))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return serve(app, event, context)
