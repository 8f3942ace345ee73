"""ExperimentReview(..., variants={"A": ..., "B": ...}): two to four variants over one dataset, judged blind.

`VariantsMixin` gives the review the variants' traits and its Python API: `sides`, `prefer`,
`undo_preference`, `reveal`, `comparison()`, the per-variant part of `results` and `to_pandas()`. Its
composed parts: the `VariantEngine` (_variant_engine.py, where the single generation engine stands) and
the `Preferences` given and their writes (_preferences.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import traitlets

from .._extras import require
from . import _capabilities as capabilities
from ._comparison import NEITHER, TIE, blind_seed, comparison, draw
from ._contract import CompareColumn, CompareFlags, GivenFeedback, VerdictState, Wire
from ._generation import Generation
from ._judging import Judging
from ._preferences import Preferences, preference_control
from ._variant_engine import SEP, VariantEngine

COMPARE_FILTERS = ("all", "differ", "differ_text", "disagree")


class VariantsMixin(traitlets.HasTraits):
    """The variants' half of ExperimentReview (traits and API); inert unless `variants=` was given."""

    variant_names = traitlets.List(traitlets.Unicode()).tag(sync=True)  # [] unless variants=
    blind = traitlets.Bool(False).tag(sync=True)
    revealed = traitlets.List(traitlets.Unicode()).tag(sync=True)  # datapoint ids shown with names
    reveal_all = traitlets.Bool(False).tag(sync=True)
    _columns = traitlets.Dict().tag(sync=True, shape=dict[str, list[CompareColumn]])  # this page
    _preferences = traitlets.Dict().tag(sync=True, shape=dict[str, GivenFeedback])  # value: a side index
    _compare_flags = traitlets.Dict().tag(sync=True, shape=dict[str, CompareFlags])
    comparison_table = traitlets.Dict().tag(sync=True, shape=Wire)  # comparison(), names hidden while blind
    compare_filter = traitlets.Enum(COMPARE_FILTERS, "all").tag(sync=True)
    preference_off = traitlets.Unicode("").tag(sync=True)  # why no preference can be given
    can_undo_preference = traitlets.Bool(False).tag(sync=True)
    preference_undo_label = traitlets.Unicode("").tag(sync=True)

    _variants: VariantEngine | None = None
    _variant_judging: Judging | None = None
    if TYPE_CHECKING:  # what the host (ExperimentReview) provides
        client: Any
        _feedback_service: capabilities.Feedback | None
        product: str
        dataset_id: str
        generator_label: str
        notice: str

        @property
        def results(self) -> list[dict[str, Any]]: ...

        _lock: Any
        _order: list[str]

        def _row(self, datapoint_id: str) -> Any: ...
        def _row_name(self, datapoint_id: str) -> str: ...
        def _publish(self) -> None: ...
        def _generation_changed(self, key: str, generation: Generation | None) -> None: ...

    # --- set up (from ExperimentReview.__init__) ------------------------------------------------

    def _setup_variants(
        self,
        variants: Mapping[str, Any],
        *,
        blind: bool | None,
        seed: Any,
        preference_property: str,
        evaluators: list[Any],
        concurrency: int,
    ) -> None:
        if any(isinstance(spec, str) for spec in variants.values()) and capabilities.deployments(self.client) is None:
            raise ValueError("variants: a deployment key runs an orq deployment: pass an orq client")
        functions = {
            name: (capabilities.deployment_function(self.client, spec) if isinstance(spec, str) else spec)
            for name, spec in variants.items()
        }
        names = list(functions)
        judges = capabilities.evaluators(self.client)
        self._variant_judging = (
            Judging(judges, evaluators, on_change=self._variant_verdict_changed) if evaluators and judges else None
        )
        self._variants = VariantEngine(
            functions,
            concurrency=concurrency,
            on_change=self._variant_generation_changed,
            key=lambda dp: dp.id,
            judging=self._variant_judging,
        )
        self.variant_names = names
        self.blind = len(names) == 2 if blind is None else bool(blind)
        self._seed_given = seed
        self._drawn: dict[str, tuple[str, list[str]]] = {}  # datapoint id -> (seed, order): the draw, once
        control, self.preference_off = preference_control(
            self._feedback_service, preference_property, self.client.datasets().service
        )
        self._preference_writes = Preferences(  # the preferences given, their writes and undo: _preferences.py
            self._feedback_service, control, product=self.product, lock=self._lock, on_change=self._publish
        )
        self._preference = self._preference_writes.given
        self.generator_label = "variants " + ", ".join(names)
        self.observe(self._compare_view_changed, names=["revealed", "reveal_all"])

    def _variant_generation_changed(self, datapoint_id: str, generation: Generation | None) -> None:
        """A re-run makes new traces: the preference given on the old ones stays there, and the row starts over."""
        engine = self._variants
        with self._lock:
            preference = self._preference.get(datapoint_id)
            if preference is not None and engine is not None:
                now = {n: g.trace_id for n, g in engine.generations(datapoint_id).items() if g and g.state == "done"}
                if any(now.get(name) not in (None, trace) for name, (_, trace) in preference.ids.items()):
                    del self._preference[datapoint_id]
        self._generation_changed(datapoint_id, generation)

    @property
    def seed(self) -> str:
        """The blind draw's seed (given as `seed=`, else derived from the dataset id and the variants' names)."""
        found = getattr(self, "_seed_cache", None)
        if found is None or found[0] != self.dataset_id:
            found = self._seed_cache = (
                self.dataset_id,
                blind_seed(self.dataset_id, self.variant_names, self._seed_given),
            )
        return found[1]

    @property
    def sides(self) -> dict[str, list[str]]:
        """Each loaded datapoint id -> the variants' names in the order its columns show them (left first)."""
        if self._variants is None:
            raise ValueError("sides: this review compares no variants (pass variants={...})")
        with self._lock:
            return {key: self._order_of(key) for key in self._order}

    def _order_of(self, datapoint_id: str) -> list[str]:
        if not self.blind:
            return list(self.variant_names)
        seed = self.seed
        cached = self._drawn.get(datapoint_id)
        if cached is None or cached[0] != seed:
            cached = self._drawn[datapoint_id] = (seed, draw(datapoint_id, seed, self.variant_names))
        return list(cached[1])

    def _name_of(self, datapoint_id: str, choice: str) -> str:
        """A choice as a variant name: a name, 'tie', 'neither', or a side ('left', 'right', 'column 3')."""
        if choice in self.variant_names or choice in (TIE, NEITHER):
            return choice
        order = self._order_of(datapoint_id)
        sides = {"left": 0, "right": len(order) - 1} if len(order) == 2 else {}
        sides.update({f"column {i + 1}": i for i in range(len(order))})
        if isinstance(choice, str) and choice.lower() in sides:
            return order[sides[choice.lower()]]
        raise ValueError(
            f"choice: {choice!r} is not one of this review's variants ({', '.join(self.variant_names)}), "
            "'tie' or 'neither'"
        )

    def _one_output(self, action: str) -> None:
        """A row's single-output actions have no one output to act on when it holds several variants."""
        if self._variants is not None:
            raise ValueError(
                f"{action}: this review compares variants, so a row has no single output; give a preference "
                "(review.prefer) or read review.results[i]['variants']"
            )

    # --- preferences ----------------------------------------------------------------------------

    def prefer(self, datapoint_id: str, choice: str, *, undoable: bool = True) -> None:
        """Record which variant is better on a row: a variant's name, "tie" or "neither" (both bad); while blind
        the front end sends the side. Sent as feedback on each variant's trace (`better` for the winner, `worse`
        for the others, `tie`, `both_bad`) through the write path; `undo_preference()` takes it back."""
        if self._variants is None:
            raise ValueError("prefer: this review compares no variants (pass variants={...})")
        if self.preference_off:
            raise ValueError(self.preference_off)
        with self._lock:
            self._row(datapoint_id)
            name = self._name_of(datapoint_id, choice)
            traces = self._traces(datapoint_id)
            current = self._preference.get(datapoint_id)
            if current is not None and current.choice == name and "failed" not in str(current.states):
                return  # a double press sends one preference
            if undoable:
                self._preference_writes.undo.append((datapoint_id, current.choice if current else None))
            sends = self._preference_writes.set(datapoint_id, name, traces)
            self._show_preference_undo()
            self._publish()
        self._preference_writes.send(datapoint_id, sends)

    def undo_preference(self, datapoint_id: str | None = None) -> None:
        """Take back the last preference (of that row, given its id): the one it replaced is sent again, or,
        when there was none, each variant's preference feedback is removed."""
        with self._lock:
            found = [i for i, (key, _) in enumerate(self._preference_writes.undo) if datapoint_id in (None, key)]
            if not found:
                raise ValueError(
                    "nothing to undo: no preference was given"
                    + ("" if datapoint_id is None else f" on {self._row_name(datapoint_id)}")
                )
            key, before = self._preference_writes.undo.pop(found[-1])
            self._show_preference_undo()
            current = self._preference.get(key)
            name = self._row_name(key)
            if before is None:
                self._preference.pop(key, None)
                removals = list(current.ids.items()) if current else []
                self.notice = f"{name}: preference taken back"
                self._publish()
                sends: list[tuple[str, str, str, str]] = []
            else:
                sends = self._preference_writes.set(key, before, self._traces(key))
                removals = []
                self.notice = f"{name}: preference back to {self._said(key, before)}"
                self._publish()
        self._preference_writes.remove(key, removals)
        if sends:
            self._preference_writes.send(key, sends)

    def _said(self, datapoint_id: str, choice: str) -> str:
        if choice in (TIE, NEITHER):
            return "a tie" if choice == TIE else "both bad"
        if self.blind and not (self.reveal_all or datapoint_id in self.revealed):
            index = self._order_of(datapoint_id).index(choice)
            side = ("left", "right")[index] if len(self.variant_names) == 2 else f"column {index + 1}"
            return f"{side} better"
        return f"{choice} better"

    def _traces(self, datapoint_id: str) -> dict[str, str]:
        assert self._variants is not None
        traces = {}
        for name, generation in self._variants.generations(datapoint_id).items():
            if generation is None or generation.state != "done":
                raise ValueError(
                    f"{self._row_name(datapoint_id)}: not every variant has an output yet; prefer once they have"
                )
            if generation.trace_id is None:
                raise ValueError(
                    f"{self._row_name(datapoint_id)}: a variant's generation returned no trace id, so its "
                    "preference has nothing to attach to"
                )
            traces[name] = generation.trace_id
        return traces

    def _show_preference_undo(self) -> None:
        self.can_undo_preference = bool(self._preference_writes.undo)
        if self._preference_writes.undo:
            key, _ = self._preference_writes.undo[-1]
            self.preference_undo_label = f"Undo preference ({self._row_name(key)})"
        else:
            self.preference_undo_label = ""

    # --- reveal ---------------------------------------------------------------------------------

    def reveal(self, datapoint_id: str | None = None) -> None:
        """Show the variants' names: on one row, or (no id) on every row. `hide()` goes blind again."""
        if datapoint_id is None:
            self.reveal_all = True
            return
        self._row(datapoint_id)
        if datapoint_id not in self.revealed:
            self.revealed = [*self.revealed, datapoint_id]

    def hide(self, datapoint_id: str | None = None) -> None:
        if datapoint_id is None:
            self.reveal_all, self.revealed = False, []
        else:
            self.revealed = [k for k in self.revealed if k != datapoint_id]

    def _compare_view_changed(self, _: dict[str, Any]) -> None:
        with self._lock:
            self._publish()

    # --- what is known ---------------------------------------------------------------------------

    def _variant_outputs(self, datapoint_id: str) -> dict[str, dict[str, Any]]:
        """`results[i]["variants"]`: {name: {output, trace_id, evaluations, state, error, latency_ms, tokens, ...}}."""
        assert self._variants is not None
        found = {}
        for name, generation in self._variants.generations(datapoint_id).items():
            metadata = dict(generation.metadata) if generation else {}
            found[name] = {
                "output": generation.output if generation else None,
                "trace_id": generation.trace_id if generation else None,
                "state": generation.state if generation else "not generated",
                "error": generation.error if generation else None,
                "runs": generation.runs if generation else 0,
                "evaluations": self._verdicts_of(datapoint_id, name),
                "latency_ms": metadata.get("latency_ms"),
                "tokens": metadata.get("tokens"),
                "metadata": metadata,
            }
        return found

    def _verdicts_of(self, datapoint_id: str, name: str) -> dict[str, VerdictState]:
        if self._variant_judging is None:
            return {}
        return self._variant_judging.evaluations(f"{datapoint_id}{SEP}{name}")

    def _variant_result(self, datapoint_id: str) -> dict[str, Any]:
        preference = self._preference.get(datapoint_id)
        return {
            "variants": self._variant_outputs(datapoint_id),
            "sides": self._order_of(datapoint_id),
            "preference": preference.to_json() if preference else None,
        }

    def _comparison_rows(self, datapoint_ids: Iterable[str]) -> list[dict[str, Any]]:
        rows = []
        for key in datapoint_ids:
            outputs = self._variant_outputs(key)
            preference = self._preference.get(key)
            rows.append(
                {
                    "id": key,
                    "preference": preference.choice if preference else None,
                    "outputs": {n: o["output"] for n, o in outputs.items() if o["state"] == "done"},
                    "verdicts": {n: o["evaluations"] for n, o in outputs.items()},
                }
            )
        return rows

    def _judge_keys(self) -> list[str]:
        return list(self._variant_judging.keys) if self._variant_judging is not None else []

    def comparison(self) -> dict[str, Any]:
        """The verdict of the comparison over every row loaded so far: `wins` per variant, `ties`, `both_bad`,
        `win_rate` per variant as (rate, low, high) with a 95% Wilson interval (the share of rows given a
        preference that it won), `pass_rates` and `means` per evaluator key per variant, and the ids of the
        rows where the variants' verdicts differ (`differ`), their texts differ (`differ_text`), or the judges'
        preference and the person's disagree (`disagree`)."""
        if self._variants is None:
            raise ValueError("comparison: this review compares no variants (pass variants={...})")
        with self._lock:
            rows = self._comparison_rows(list(self._order))
        return comparison(self.variant_names, self._judge_keys(), rows)

    def _variants_frame(self, wide: bool) -> Any:
        pd = require("pandas", "ExperimentReview.to_pandas()")
        records = []
        for result in self.results:
            base = {
                "datapoint_id": result["datapoint_id"],
                "page": result["page"],
                "expected_output": result["expected_output"],
                "preference": (result["preference"] or {}).get("value"),
            }
            per = []
            for name, variant in result["variants"].items():
                record: dict[str, Any] = {"variant": name, "side": result["sides"].index(name)}
                record.update({k: variant[k] for k in ("state", "output", "trace_id", "error", "latency_ms", "tokens")})
                for key, verdict in variant["evaluations"].items():
                    record[f"eval.{key}"] = verdict["value"]
                    record[f"eval.{key}.passed"] = verdict["passed"]
                per.append(record)
            if wide:
                row = dict(base)
                for record in per:
                    name = record.pop("variant")
                    row.update({f"{name}.{k}": v for k, v in record.items()})
                records.append(row)
            else:
                records += [{**base, **record} for record in per]
        return pd.DataFrame.from_records(records)

    def _variants_summary(self) -> str:
        found = self._comparison_rows(list(self._order))
        result = comparison(self.variant_names, self._judge_keys(), found)
        engine = self._variants
        assert engine is not None
        states = [engine.result(key) for key in self._order]
        generated = len([g for g in states if g is not None and g.state == "done"])
        parts = [f"{generated} rows generated", f"{result['n']} compared"]
        if result["n"]:
            parts.append(f"{result['ties']} tie{'s' if result['ties'] != 1 else ''}, {result['both_bad']} both bad")
        return " · ".join(parts)

    # --- what the front end shows ---------------------------------------------------------------

    def _publish_variants(self, rows: list[Any]) -> None:
        """The page's columns (names only where revealed), preferences, filters and the comparison table
        (the caller holds the lock and a hold_sync)."""
        engine = self._variants
        assert engine is not None
        names = self.variant_names
        keys = self._judge_keys()
        result = comparison(names, keys, self._comparison_rows(list(self._order)))
        found = {flag: set(result[flag]) for flag in ("differ", "differ_text", "disagree")}
        columns, preferences, row_flags = {}, {}, {}
        for row in rows:
            key = row.datapoint.id
            order = self._order_of(key)
            shown = not self.blind or self.reveal_all or key in self.revealed
            generations = engine.generations(key)
            cells = []
            for index, name in enumerate(order):
                generation = generations[name]
                label = (("Left", "Right")[index] if len(names) == 2 else f"Column {index + 1}") if self.blind else name
                cells.append(
                    {
                        "label": label,
                        "name": name if shown else None,
                        "generation": generation.to_json() if generation else None,
                        "verdicts": self._verdicts_of(key, name),
                    }
                )
            columns[key] = cells
            preference = self._preference.get(key)
            if preference is not None:
                data = preference.to_json()
                choice = data["value"]
                data["value"] = choice if choice in (TIE, NEITHER) else order.index(choice)  # a side, not a name
                preferences[key] = data
            row_flags[key] = {flag: key in ids for flag, ids in found.items()}
        self._columns = columns
        self._preferences = preferences
        self._compare_flags = row_flags
        hidden = self.blind and not self.reveal_all
        self.comparison_table = {
            "n": result["n"],
            "ties": result["ties"],
            "both_bad": result["both_bad"],
            "differ": len(result["differ"]),
            "differ_text": len(result["differ_text"]),
            "disagree": len(result["disagree"]),
            "evaluators": keys,
            "hidden": hidden,  # while blind, per-variant figures would tell which column is which
            "variants": []
            if hidden
            else [
                {
                    "name": name,
                    "wins": result["wins"][name],
                    "win_rate": list(result["win_rate"][name]),
                    "pass_rates": {k: result["pass_rates"][k][name] for k in keys},
                    "means": {k: result["means"][k][name] for k in keys},
                }
                for name in names
            ],
        }

    def _variant_verdict_changed(self, composite: str) -> None:
        with self._lock:
            self._publish()
