"""Overmind (agent-era) routes: DRF shapes (`{"detail", "code"}`, field-keyed validation errors),
page-number pagination, immutable datapoints, versioned datasets."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..models import is_uuid, new_uuid
from . import overmind_rules as rules
from .overmind_rules import DrfError, not_found
from .store import Store, now_iso


def _paginated(request: Request, items: list[Any], size: int) -> JSONResponse:
    """One DRF page of an in-memory list."""
    page = rules.page_number(request, len(items), size)
    return _page_response(request, items[(page - 1) * size : page * size], len(items), page, size)


def _page_response(request: Request, results: list[Any], count: int, page: int, size: int) -> JSONResponse:
    pages = max(1, -(-count // size))

    def link(number: int) -> str:
        query = {**request.query_params, "page": str(number)}
        return f"{request.url.replace(query=urlencode(query))}"

    return JSONResponse(
        {
            "count": count,
            "next": link(page + 1) if page < pages else None,
            "previous": link(page - 1) if page > 1 else None,
            "results": results,
        }
    )


def _sorted(items: list[dict[str, Any]], ordering: str | None, allowed: tuple[str, ...]) -> list[dict[str, Any]]:
    if not ordering:
        return items
    field = ordering.lstrip("-")
    if field not in allowed:
        return items  # DRF's OrderingFilter ignores fields it does not allow
    return sorted(items, key=lambda item: (item.get(field) is None, item.get(field)), reverse=ordering.startswith("-"))


Handler = Callable[[Request], Awaitable[Response]]


class OvermindRoutes:
    def __init__(self, store: Store) -> None:
        self.store = store

    def routes(self) -> list[Route]:
        r = self._wrap
        return [
            Route("/api/agents/", r(self.list_agents), methods=["GET"]),
            Route("/api/agents/{agent_id}/", r(self.get_agent), methods=["GET"]),
            Route("/api/datasets/", r(self.list_datasets), methods=["GET"]),
            Route("/api/datasets/", r(self.create_dataset), methods=["POST"]),
            Route("/api/datasets/{dataset_id}/", r(self.get_dataset), methods=["GET"]),
            Route("/api/datasets/{dataset_id}/", r(self.delete_dataset), methods=["DELETE"]),
            Route("/api/datasets/{dataset_id}/activate/", r(self.activate), methods=["POST"]),
            Route("/api/datasets/{dataset_id}/datapoints/", r(self.list_datapoints), methods=["GET"]),
        ]

    @staticmethod
    def _wrap(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            try:
                return await handler(request)
            except DrfError as error:
                return JSONResponse(error.body, status_code=error.status)

        return endpoint

    # --- agents ---------------------------------------------------------------------------------

    def new_agent(self, name: str, slug: str, *, agent_id: str | None = None, **extra: Any) -> dict[str, Any]:
        stamp = now_iso()
        body = {
            "id": agent_id or new_uuid(),
            "name": name,
            "project": extra.pop("project", new_uuid()),
            "slug": slug,
            "created_at": stamp,
            "updated_at": stamp,
            "active_dataset": None,
            **extra,
        }
        self.store.put_agent(body)
        return body

    def _agent_view(self, agent: dict[str, Any]) -> dict[str, Any]:
        active = agent.get("active_dataset")
        size = (self.store.get_om_dataset(active) or {}).get("num_datapoints") if active else None
        return {**agent, "dataset_size": size}

    async def list_agents(self, request: Request) -> Response:
        size = rules.page_size(request)
        agents = [self._agent_view(a) for a in self.store.agents()]
        for field in ("name", "slug", "status", "model", "project"):
            wanted = request.query_params.get(field)
            if wanted:
                agents = [a for a in agents if str(a.get(field) or "") == wanted]
        search = (request.query_params.get("search") or "").lower()
        if search:
            agents = [
                a
                for a in agents
                if search in " ".join(str(a.get(f) or "") for f in ("name", "slug", "description")).lower()
            ]
        agents = _sorted(agents, request.query_params.get("ordering"), ("name", "created_at", "updated_at"))
        return _paginated(request, agents, size)

    async def get_agent(self, request: Request) -> Response:
        agent = self.store.get_agent(request.path_params["agent_id"])
        if agent is None:
            raise not_found()
        return JSONResponse(self._agent_view(agent))

    # --- datasets -------------------------------------------------------------------------------

    def _dataset(self, dataset_id: str) -> dict[str, Any]:
        dataset = self.store.get_om_dataset(dataset_id) if is_uuid(dataset_id) else None
        if dataset is None:
            raise not_found()
        return dataset

    async def list_datasets(self, request: Request) -> Response:
        size = rules.page_size(request)
        items = self.store.om_datasets()
        q = request.query_params
        if q.get("agent"):
            items = [d for d in items if d["agent"] == q["agent"]]
        if q.get("source"):
            items = [d for d in items if d.get("source") == q["source"]]
        if q.get("generator_model"):
            items = [d for d in items if d.get("generator_model") == q["generator_model"]]
        tests: tuple[tuple[str, Callable[[int, int], bool]], ...] = (
            ("version", lambda v, n: v == n),
            ("version_min", lambda v, n: v >= n),
            ("version_max", lambda v, n: v <= n),
        )
        for param, test in tests:
            number = rules.integer_filter(request, param)
            if number is not None:
                items = [d for d in items if test(d["version"], number)]
        if q.get("search"):
            items = [d for d in items if q["search"].lower() in (d.get("name") or "").lower()]
        items = _sorted(items, q.get("ordering"), ("version", "created_at", "name"))
        return _paginated(request, items, size)

    async def get_dataset(self, request: Request) -> Response:
        dataset = self._dataset(request.path_params["dataset_id"])
        return JSONResponse({**dataset, "datapoints": self.store.om_all_datapoints(dataset["id"])})

    def add_version(
        self,
        agent_id: str,
        datapoints: list[dict[str, Any]],
        *,
        name: str | None = None,
        source: str | None = "seed",
        make_active: bool = False,
        metadata: dict[str, Any] | None = None,
        generator_model: str | None = None,
        policy_hash: str | None = None,
    ) -> dict[str, Any]:
        body = {
            "id": new_uuid(),
            "agent": agent_id,
            "created_at": now_iso(),
            "name": name,
            "source": source,
            "generator_model": generator_model,
            "policy_hash": policy_hash,
            "metadata": metadata or {},
        }
        stored = [{**dp, "id": new_uuid()} for dp in datapoints]
        dataset = self.store.add_om_dataset(body, stored)
        if make_active:
            self._activate(dataset["id"])
        return {**dataset, "datapoints": self.store.om_all_datapoints(dataset["id"])}

    def _activate(self, dataset_id: str) -> None:
        dataset = self._dataset(dataset_id)
        agent = self.store.get_agent(dataset["agent"])
        if agent is not None:
            self.store.put_agent({**agent, "active_dataset": dataset_id, "updated_at": now_iso()})

    async def create_dataset(self, request: Request) -> Response:
        body = rules.check_new_version(
            rules.body_json(await request.body()), lambda agent: self.store.get_agent(agent) is not None
        )
        agent_id, datapoints = body["agent"], body["datapoints"]
        created = self.add_version(
            agent_id,
            [{k: v for k, v in dp.items() if k != "id"} for dp in datapoints],
            name=body.get("name"),
            source=body.get("source"),
            make_active=bool(body.get("make_active")),
            metadata=body.get("metadata"),
            generator_model=body.get("generator_model"),
            policy_hash=body.get("policy_hash"),
        )
        return JSONResponse(created, status_code=201)

    async def delete_dataset(self, request: Request) -> Response:
        dataset = self._dataset(request.path_params["dataset_id"])
        agent = self.store.get_agent(dataset["agent"]) or {}
        if agent.get("active_dataset") == dataset["id"]:
            raise DrfError(
                409,
                {"detail": "The active dataset version cannot be deleted; activate another first.", "code": "conflict"},
            )
        self.store.delete_om_dataset(dataset["id"])
        return Response(status_code=204)

    async def activate(self, request: Request) -> Response:
        dataset_id = request.path_params["dataset_id"]
        self._activate(dataset_id)
        dataset = self._dataset(dataset_id)
        return JSONResponse({**dataset, "datapoints": self.store.om_all_datapoints(dataset_id)})

    async def list_datapoints(self, request: Request) -> Response:
        dataset = self._dataset(request.path_params["dataset_id"])
        size = rules.page_size(request)
        search = request.query_params.get("search") or None
        count = self.store.om_datapoints_count(dataset["id"], search)
        page = rules.page_number(request, count, size)
        ordering = request.query_params.get("ordering") or "order"
        rows, count = self.store.om_datapoints_page(
            dataset["id"], page, size, descending=ordering == "-order", search=search
        )
        return _page_response(request, rows, count, page, size)
