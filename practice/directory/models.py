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
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

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
    # The service and the place a record belongs to, copied out of its data whenever the data
    # is set, so that editing one service finds its records by index among a whole region's.
    service_ref: Mapped[str] = mapped_column(String(36), default="", index=True)
    location_ref: Mapped[str] = mapped_column(String(36), default="", index=True)

    @staticmethod
    def references(data: dict[str, str]) -> dict[str, str]:
        """The service and place ids a record's data points to ("" where none). An
        attribute's ``link_id`` names what it describes, a service for a category."""
        return {
            "service_ref": data.get("service_id") or data.get("link_id") or "",
            "location_ref": data.get("location_id") or "",
        }

    @validates("data")
    def _copy_references(self, _key: str, data: dict[str, str]) -> dict[str, str]:
        for column, value in self.references(data).items():
            setattr(self, column, value)
        return data


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
    online: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
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
