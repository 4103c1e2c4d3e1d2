"""Real-time request and response models (HTTP routes) and the client frames (WebSocket)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.schemas import ApiModel, Text


class TicketOut(ApiModel):
    ticket: str = Field(description="Single use, for one WebSocket handshake: connect to `url?ticket=<ticket>`")
    url: str = Field(description="The WebSocket API's URL (wss://...)")
    expires_at: str = Field(description="When the ticket stops being accepted (60 s after issue)")


class PresenceUser(ApiModel):
    id: str
    name: str


class PresenceEntry(ApiModel):
    user: PresenceUser
    status: Literal["online", "offline"]


class ThreadPresenceOut(ApiModel):
    thread_id: str
    online: list[PresenceUser] = Field(description="Participants with at least one open connection")
    participants: list[PresenceEntry] = Field(description="Every participant with their status")


class _Frame(BaseModel):
    """A client frame: unknown fields are refused, so a typo is an error frame, not a silent no-op."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ThreadFrame(_Frame):
    action: Literal["subscribe", "unsubscribe", "typing"]
    thread_id: Text = Field(alias="threadId", min_length=1, max_length=64)


class PingFrame(_Frame):
    action: Literal["ping"]
