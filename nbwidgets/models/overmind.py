"""Overmind (agent-era API) objects: agents, versioned datasets and their immutable datapoints."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

DatasetSource = Literal["seed", "synthetic", "augmented", "production"]


class OvermindModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True)


class Agent(OvermindModel):
    id: str
    name: str
    project: str
    slug: str
    created_at: datetime
    updated_at: datetime
    display_name: str | None = None
    description: str | None = None
    status: str | None = None
    model: str | None = None
    dataset_size: int | None = None
    active_dataset: str | None = None
    tags: Any = None


class OvermindDatapoint(OvermindModel):
    id: str | None = None  # absent when the datapoint is part of a new version being posted
    input: Any = None
    expected_output: Any = None
    order: int | None = Field(default=None, ge=0)
    persona: str | None = Field(default=None, max_length=128)
    tags: Any = None

    def as_new(self) -> dict[str, Any]:
        """The datapoint as part of a new dataset version: everything but its id."""
        return self.model_dump(mode="json", exclude={"id"})


class OvermindDataset(OvermindModel):
    id: str
    agent: str
    created_at: datetime
    version: int
    num_datapoints: int
    name: str | None = None
    source: DatasetSource | None = None
    generator_model: str | None = None
    policy_hash: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    datapoints: list[OvermindDatapoint] | None = None  # only on GET /api/datasets/{id}/ and create
