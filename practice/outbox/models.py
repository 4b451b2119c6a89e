from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from practice import clock
from practice.db import Base, Email, UTCDateTime


class OutboxMessage(Base):
    """An e-mail to send. It is written in the same transaction as the change it tells of,
    so it exists exactly when the change does; ``sent_at`` is set once the server took it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(Email)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set when the mail server refused the message for good (an unknown address): it is not
    # tried again, and the messages after it still go.
    refused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # The kind of failure only (an exception's class name), never the message's content.
    last_error: Mapped[str | None] = mapped_column(String(120))
