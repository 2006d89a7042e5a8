"""The declarative base every table shares."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    """Declarative base; `type_annotation_map` keeps instants in UTC on every store."""

    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[str]: JSON}
