"""Blog entities in the single table.

Access patterns
===============

===========================================  ==========================================================
Who reads what                               Key / index
===========================================  ==========================================================
one post by id (every post route)            ``PK=POST#<id>``, ``SK=POST`` (consistent GetItem)
one post by slug                             ``PK=UNIQUE#POSTSLUG#<slug>`` (the slug claim) → post id
published feed, newest first                 Query GSI1 ``GSI1PK=POSTS#PUBLISHED``, ``GSI1SK=<publishedAt>#<id>``
an author's posts of one status, newest      Query GSI2 ``GSI2PK=POSTS#AUTHOR#<uid>#<status>``,
first (published, drafts, scheduled)         ``GSI2SK=<publishedAt or createdAt>#<id>``
a tag's published posts, newest first        Query ``PK=TAG#<slug>``, ``begins_with(SK, "POST#")`` (edges,
                                             ``SK=POST#<publishedAt>#<postId>``), then BatchGetItem
one tag                                      ``PK=TAG#<slug>``, ``SK=TAG``
tags by name                                 Query GSI1 ``GSI1PK=TAGS``, ``GSI1SK=<slug>``
tags by popularity                           Query GSI2 ``GSI2PK=TAGS#POPULAR``,
                                             ``GSI2SK=<postCount, 10 digits>#<slug>`` (desc)
a profile (one per user)                     ``PK=USER#<uid>``, ``SK=BLOGPROFILE``
one comment by id                            ``PK=COMMENT#<cid>``, ``SK=COMMENT`` (consistent GetItem)
a post's comments, oldest first              Query GSI3 ``GSI3PK=POSTCOMMENTS#<postId>``,
                                             ``GSI3SK=<createdAt>#<cid>``
a user's comments, oldest first (erasure,    Query GSI1 ``GSI1PK=COMMENTS#AUTHOR#<uid>``,
export)                                      ``GSI1SK=<createdAt>#<cid>``
post search                                  the inverted index (:mod:`shared.search.index`), postings
                                             ``PK=POSTSEARCH#<word>``, ``SK=<publishedAt>#<postId>``
===========================================  ==========================================================

Only a published post is in the feed, its author's published partition, its tags' edge lists and
the search index; a draft or scheduled post lives only in its author's partition of that status,
so a scheduled post can never be listed before the job publishes it.

Counts live on the items they count and change in the transaction that causes them: a tag's
``postCount`` (published posts; the tag item is saved under its ``version``, so the popularity
sort key moves with the count), a profile's ``postCount`` (ADD), a post's ``commentCount`` (ADD,
which also bumps the post's ``version``, so an edit that read an older count retries).
"""

from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute, VersionAttribute

from shared.data.table import Item

POST_SK = "POST"
TAG_SK = "TAG"
PROFILE_SK = "BLOGPROFILE"
COMMENT_SK = "COMMENT"
EDGE_PREFIX = "POST#"
FEED_PK = "POSTS#PUBLISHED"
TAGS_BY_NAME_PK = "TAGS"
TAGS_BY_POPULARITY_PK = "TAGS#POPULAR"
SEARCH_PREFIX = "POSTSEARCH#"
SLUG_KIND = "POSTSLUG"


def post_pk(post_id: str) -> str:
    return f"POST#{post_id}"


def tag_pk(slug: str) -> str:
    return f"TAG#{slug}"


def author_partition(author_id: str, status: str) -> str:
    return f"POSTS#AUTHOR#{author_id}#{status}"


def comment_pk(comment_id: str) -> str:
    return f"COMMENT#{comment_id}"


def post_comments_partition(post_id: str) -> str:
    return f"POSTCOMMENTS#{post_id}"


def author_comments_partition(author_id: str) -> str:
    return f"COMMENTS#AUTHOR#{author_id}"


def profile_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def search_pk(word: str) -> str:
    return f"{SEARCH_PREFIX}{word}"


def popularity_key(post_count: int, slug: str) -> str:
    return f"{max(0, post_count):010d}#{slug}"


class PostItem(Item, discriminator="POST"):
    post_id = UnicodeAttribute(attr_name="postId")
    author_id = UnicodeAttribute(attr_name="authorId")
    slug = UnicodeAttribute()
    title = UnicodeAttribute()
    content = UnicodeAttribute()
    excerpt = UnicodeAttribute()
    excerpt_derived = BooleanAttribute(default=False, attr_name="excerptDerived")
    status = UnicodeAttribute()
    tag_names = ListAttribute[str](default=list, attr_name="tagNames")
    tag_slugs = ListAttribute[str](default=list, attr_name="tagSlugs")
    cover_image_url = UnicodeAttribute(null=True, attr_name="coverImageUrl")
    publish_at = UnicodeAttribute(null=True, attr_name="publishAt")
    published_at = UnicodeAttribute(null=True, attr_name="publishedAt")
    publish_job_id = UnicodeAttribute(null=True, attr_name="publishJobId")
    comment_count = NumberAttribute(default=0, attr_name="commentCount")
    created_at = UnicodeAttribute(attr_name="createdAt")
    updated_at = UnicodeAttribute(attr_name="updatedAt")
    version = VersionAttribute()

    def set_index_keys(self) -> None:
        """The feed and author keys follow the status: only a published post is in the feed."""
        if self.status == "published" and self.published_at:
            order = f"{self.published_at}#{self.post_id}"
            self.gsi1pk, self.gsi1sk = FEED_PK, order
        else:
            order = f"{self.created_at}#{self.post_id}"
            self.gsi1pk = self.gsi1sk = None
        self.gsi2pk, self.gsi2sk = author_partition(self.author_id, self.status), order


class TagItem(Item, discriminator="TAG"):
    name = UnicodeAttribute()
    slug = UnicodeAttribute()
    post_count = NumberAttribute(default=0, attr_name="postCount")
    created_at = UnicodeAttribute(attr_name="createdAt")
    version = VersionAttribute()

    def set_index_keys(self) -> None:
        self.gsi1pk, self.gsi1sk = TAGS_BY_NAME_PK, self.slug
        self.gsi2pk, self.gsi2sk = TAGS_BY_POPULARITY_PK, popularity_key(int(self.post_count), self.slug)


class PostTagItem(Item, discriminator="POST_TAG"):
    """The edge of a published post and one of its tags, in the tag's partition."""

    post_id = UnicodeAttribute(attr_name="postId")
    author_id = UnicodeAttribute(attr_name="authorId")
    tag_slug = UnicodeAttribute(attr_name="tagSlug")


class ProfileItem(Item, discriminator="BLOG_PROFILE"):
    user_id = UnicodeAttribute(attr_name="userId")
    bio = UnicodeAttribute(null=True)
    avatar_url = UnicodeAttribute(null=True, attr_name="avatarUrl")
    location = UnicodeAttribute(null=True)
    website = UnicodeAttribute(null=True)
    post_count = NumberAttribute(default=0, attr_name="postCount")
    updated_at = UnicodeAttribute(null=True, attr_name="updatedAt")


class CommentItem(Item, discriminator="COMMENT"):
    """A comment, in its post's list (GSI3) and its author's (GSI1).

    The author keys came with account erasure; comments written before carry none and are not
    found by author. The blog had no users' comments in production then, so nothing is
    backfilled: a one-off job would query each post's GSI3 partition to add them.
    """

    comment_id = UnicodeAttribute(attr_name="commentId")
    post_id = UnicodeAttribute(attr_name="postId")
    author_id = UnicodeAttribute(attr_name="authorId")
    content = UnicodeAttribute()
    created_at = UnicodeAttribute(attr_name="createdAt")

    def set_index_keys(self) -> None:
        order = f"{self.created_at}#{self.comment_id}"
        self.gsi3pk, self.gsi3sk = post_comments_partition(self.post_id), order
        self.gsi1pk, self.gsi1sk = author_comments_partition(self.author_id), order


class PostPostingItem(Item, discriminator="POST_POSTING"):
    """A search posting of a published post: ``words`` and ``tags`` are space padded, so
    ``contains(words, " w ")`` and ``contains(tags, " slug ")`` match whole words only."""

    post_id = UnicodeAttribute(attr_name="postId")
    author_id = UnicodeAttribute(attr_name="authorId")
    words = UnicodeAttribute()
    tags = UnicodeAttribute()
