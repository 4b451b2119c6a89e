from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from practice import clock
from practice.db import Base, UTCDateTime


class DirectoryRecord(Base):
    """One HSDS 3.0 record (a row of one of its tables), kept exactly as imported.

    The records are the directory's source of truth, so an export gives back what came in;
    the search tables below are rebuilt from them.
    """

    __tablename__ = "directory_records"
    __table_args__ = (UniqueConstraint("resource", "hsds_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource: Mapped[str] = mapped_column(String(40))
    hsds_id: Mapped[str] = mapped_column(String(36))
    data: Mapped[dict[str, str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DirectoryService(Base):
    """A service as the directory search sees it, derived from the HSDS records."""

    __tablename__ = "directory_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    hsds_id: Mapped[str] = mapped_column(String(36), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    organization: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(30))
    url: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    fees: Mapped[str] = mapped_column(Text, default="")
    free: Mapped[bool] = mapped_column(Boolean, default=False)
    sliding_scale: Mapped[bool] = mapped_column(Boolean, default=False)
    accreditations: Mapped[str] = mapped_column(Text, default="")
    last_verified: Mapped[date | None] = mapped_column(Date)
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    in_person: Mapped[bool] = mapped_column(Boolean, default=False)
    phones: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    hours: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_text: Mapped[str] = mapped_column(Text, default="")

    locations: Mapped[list[DirectoryLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    categories: Mapped[list[DirectoryServiceCategory]] = relationship(cascade="all, delete-orphan")
    language_rows: Mapped[list[DirectoryServiceLanguage]] = relationship(
        cascade="all, delete-orphan"
    )


class DirectoryLocation(Base):
    """A place where a service is given, with its coordinates and address."""

    __tablename__ = "directory_locations"
    # Distance searches first narrow to a box of latitudes and longitudes.
    __table_args__ = (Index("ix_directory_locations_latitude_longitude", "latitude", "longitude"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    hsds_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(300), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    postal_code: Mapped[str] = mapped_column(String(20), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    service: Mapped[DirectoryService] = relationship(back_populates="locations")


class DirectoryServiceCategory(Base):
    __tablename__ = "directory_service_categories"
    __table_args__ = (UniqueConstraint("service_id", "term_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    term_id: Mapped[str] = mapped_column(String(36), index=True)


class DirectoryServiceLanguage(Base):
    __tablename__ = "directory_service_languages"
    __table_args__ = (UniqueConstraint("service_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(80), index=True)
