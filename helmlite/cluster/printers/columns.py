"""Column definitions (``metav1.TableColumnDefinition``) as the API server declares them.

Names, types, formats and priorities are upstream's (``pkg/printers/internalversion``);
descriptions are upstream's own text where it is a literal, and a short summary where
upstream quotes an API field's Swagger documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["AGE", "CREATED_AT", "NAME", "Column", "col", "wide"]

_NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some "
             "resources may allow a client to request the generation of an appropriate name automatically. Name "
             "is primarily intended for creation idempotence and configuration definition. Cannot be updated. "
             "More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
_AGE_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is "
            "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
            "this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. "
            "Null for lists. More info: "
            "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")
_CONTAINERS_DOC = "Names of each container in the template."
_IMAGES_DOC = "Images referenced by each container in the template."


@dataclass(frozen=True)
class Column:
    """One ``columnDefinitions`` entry; ``priority`` 1 columns show only with ``-o wide``."""

    name: str
    type: str = "string"
    description: str = ""
    priority: int = 0
    format: str = ""

    def definition(self) -> dict[str, Any]:
        """The JSON form the Table carries."""
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": self.description, "priority": self.priority}


def col(name: str, description: str = "", type: str = "string") -> Column:
    """A default (priority 0) column."""
    return Column(name, type, description or name)


def wide(name: str, description: str = "", type: str = "string") -> Column:
    """A priority-1 column (``-o wide`` only)."""
    doc = description or {"Containers": _CONTAINERS_DOC, "Images": _IMAGES_DOC}.get(name, name)
    return Column(name, type, doc, priority=1)


NAME = Column("Name", "string", _NAME_DOC, format="name")
AGE = Column("Age", "string", _AGE_DOC)
# The API server's default table convertor (kinds without a printer): a date column.
CREATED_AT = Column("Created At", "date", _AGE_DOC)
