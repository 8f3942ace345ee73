"""A small mutation runner: apply one deliberate bug at a time, run the tests that should catch it.

    ./dev mutate                      every mutant, each against its own test selection
    ./dev mutate --list               the mutants and what they break
    ./dev mutate writes.conflict-skipped table.innerhtml-evaluations   only these (names or prefixes)
    ./dev mutate --table              the five deliberate bugs of issue 17, counting the tests each fails

A mutant is a file, an exact text (found exactly once) and its replacement. Mutants are applied to a
temporary copy of the tree (tests run there with PYTHONPATH pointing at it, so the sandbox, JupyterLab's
kernels and the bundle all come from the copy): the worktree is never touched, work can go on meanwhile.
Each file is restored in a `finally`. JS mutants rebuild the copy's bundle before and after.
Killed: the selection failed (or timed out). Survived: it passed with the bug in.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1]
ROOT = SOURCE  # the copy mutants are applied to (set in main)
PYTEST = [str(SOURCE / ".venv" / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf"]
LEFT_OUT = shutil.ignore_patterns(".venv", ".git", "node_modules", "artifacts", "__pycache__", "*.egg-info")

# Test selections (paths or node ids relative to the repo).
WRITES = [
    "tests/unit/test_delivery.py",
    "tests/client/test_writes.py",
    "tests/client/test_outbox.py",
    "tests/client/test_outbox_lease.py",
    "tests/widgets/test_grid.py::test_patches_that_fail_or_lose_their_answer_land_once_each_and_show",
]
GRID = ["tests/widgets/test_grid.py", "tests/client/test_writes.py", "tests/client/test_requests_received.py"]
FEEDBACK = ["tests/widgets/test_feedback.py", "tests/client/test_requests_received.py"]
FORM = ["tests/widgets/test_form.py", "tests/client/test_requests_received.py", "tests/client/test_writes.py"]
CLIENT = ["tests/client/test_orq_client.py", "tests/client/test_writes.py", "tests/client/test_errors_and_retries.py"]
NODE = ["node", "--test", "tests/"]
E2E_GRID = ["tests/e2e/test_writes_in_jupyterlab.py::test_edit_undo_and_conflict_on_screen_and_as_received"]
E2E_FEEDBACK = [
    "tests/e2e/test_writes_in_jupyterlab.py::test_thumbs_change_of_mind_is_one_feedback_with_the_widgets_id",
    "tests/e2e/test_feedback_in_jupyterlab.py",
]
E2E_MARKUP = ["tests/e2e/test_markup_in_jupyterlab.py"]
JUDGE = [
    "tests/client/test_sandbox_judge.py",
    "tests/client/test_invoke_evaluator.py",
    "tests/unit/test_agreement.py",
    "tests/widgets/test_experiment_judges.py",
    "tests/widgets/test_form_try.py",
]
E2E_JUDGES = ["tests/e2e/test_judges_in_jupyterlab.py"]
E2E_MESSAGES = ["tests/e2e/test_messages_editor_in_jupyterlab.py"]


@dataclass
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: list[str]  # pytest selection; NODE for js unit tests
    why: str = ""
    user_level: list[str] = field(default_factory=list)  # a browser/sandbox-level selection (--table)
    table: bool = False  # one of issue 17's deliberate bugs: run without -x, count the failures

    @property
    def js(self) -> bool:
        return self.path.endswith(".js")


WHOLE_ROW = (
    "{**{k: v for k, v in self.get_datapoint(p['dataset_id'], p['datapoint_id'], once=True).to_wire().items()"
    " if k in ('inputs', 'messages', 'expected_output') and v is not None}, **p['fields']}"
)

MUTANTS: list[Mutant] = [
    # --- issue 17's table, where that code lives now --------------------------------------------------------
    Mutant(
        "table.whole-row-at-send",
        "nbwidgets/client/orq_writes.py",
        'Datapoint.model_validate(self.client._send("PATCH", route, payload["fields"], once=True))',
        f'Datapoint.model_validate(self.client._send("PATCH", route, {WHOLE_ROW}, once=True))',
        GRID,
        "the grid's edit sends the whole row, built at send time in the client",
        user_level=E2E_GRID,
        table=True,
    ),
    Mutant(
        "table.innerhtml-evaluations",
        "js/shared/cells.js",
        '      h("li", { class: "nbw-chip", title: evaluationTitle(evaluation) }, evaluationText(evaluation)),',
        '      Object.assign(h("li", { class: "nbw-chip", title: evaluationTitle(evaluation) }), '
        "{ innerHTML: evaluationText(evaluation) }),",
        NODE,
        "innerHTML in the evaluations chip renderer",
        user_level=E2E_MARKUP,
        table=True,
    ),
    Mutant(
        "table.whole-row-in-widget",
        "nbwidgets/widgets/_row_writes.py",
        "dataset_id, datapoint_id, fields, expected_updated=None if force else base",
        "dataset_id, datapoint_id, {**{k: v for k, v in (self._held(datapoint_id).to_wire() "
        "if self._held(datapoint_id) is not None else {}).items() if k in ('inputs', 'messages', "
        "'expected_output') and v is not None}, **fields}, expected_updated=None if force else base",
        GRID,
        "the grid's edit sends the whole row, built in the widget",
        user_level=E2E_GRID,
        table=True,
    ),
    Mutant(
        "table.feedback-without-id",
        "nbwidgets/client/orq_writes.py",
        'return Feedback.model_validate(self.client._send("POST", "/v2/feedback", payload, once=True))',
        'return Feedback.model_validate(self.client._send("POST", "/v2/feedback", '
        '{k: v for k, v in payload.items() if k != "id"}, once=True))',
        [*FEEDBACK, "tests/client/test_outbox.py"],
        "feedback sent without its client id",
        user_level=E2E_FEEDBACK,
        table=True,
    ),
    Mutant(
        "table.delete-before-send",
        "nbwidgets/client/delivery.py",
        "        try:\n            return kind.send(payload)\n",
        "        self.store.done(entry.seq, self.scope, entry.key, None)\n"
        "        try:\n            return kind.send(payload)\n",
        [*WRITES, "tests/client/test_write_faults.py"],
        "the outbox deletes an entry before sending it",
        user_level=[
            "tests/widgets/test_grid.py::test_patches_that_fail_or_lose_their_answer_land_once_each_and_show",
            "tests/client/test_write_faults.py",
        ],
        table=True,
    ),
    # --- the write path (client/delivery.py, client/outbox.py, client/outbox_store.py) ----------------------------
    Mutant(
        "writes.conflict-skipped",
        "nbwidgets/client/delivery.py",
        "changed = entry.expects is not None and found != entry.expects",
        "changed = False",
        GRID,
    ),
    Mutant(
        "writes.own-tokens-ignored",
        "nbwidgets/client/delivery.py",
        "if changed and found not in self.store.own_tokens(self.scope, entry.key, entry.origin):",
        "if changed:",
        GRID,
    ),
    Mutant(
        "writes.landed-check-skipped",
        "nbwidgets/client/delivery.py",
        "if kind.holds(payload, current):",
        "if False:",
        WRITES + FORM,
    ),
    Mutant(
        "writes.retries-dropped",
        "nbwidgets/client/outbox.py",
        "self._store.later(entry.seq, outcome.delay, str(outcome.error))",
        "self._store.fail(entry.seq, str(outcome.error))",
        WRITES,
    ),
    Mutant(
        "writes.no-backoff",
        "nbwidgets/client/delivery.py",
        "delay = self.policy.queued_delay(entry.attempts - 1, retry_after, self.answering())",
        "delay = 0.0",
        WRITES,
    ),
    Mutant(
        "writes.lease-check-before-send-skipped",
        "nbwidgets/client/delivery.py",
        "if self.store.renew([entry.seq]) != {entry.seq}:\n            raise _LeaseLost()",
        "pass",
        WRITES,
    ),
    Mutant(
        "writes.lease-renewal-skipped",
        "nbwidgets/client/outbox.py",
        "                    self._store.renew(inflight)\n",
        "                    pass\n",
        WRITES,
    ),
    Mutant(
        "writes.may-have-landed-never",
        "nbwidgets/client/delivery.py",
        "may_have_landed = entry.attempts > 1",
        "may_have_landed = False",
        WRITES + FORM,
    ),
    Mutant(
        "writes.result-before-callbacks",
        "nbwidgets/client/writes.py",
        "        self.value = result\n        self._changed(state, error)",
        "        self.value = result\n        threading.Timer(0.2, self._changed, (state, error)).start()",
        GRID + FEEDBACK,
    ),
    Mutant(
        "writes.409-is-a-conflict",
        "nbwidgets/client/delivery.py",
        "except StaleBaseConflict as error:",
        "except ConflictError as error:  # a 409 taken for a stale base",
        FORM,
    ),
    Mutant(
        "writes.flush-ignores-inflight",
        "nbwidgets/client/outbox.py",
        "while self._store.count_queued(self.scope) or self._delivering():",
        "while self._store.count_queued(self.scope):",
        WRITES,
    ),
    Mutant(
        "writes.idle-threads-never-stop",
        "nbwidgets/client/outbox.py",
        "            self._running = False\n            for _ in range(self.concurrency):\n"
        "                jobs.put(None)\n            return True",
        "            return False",
        WRITES,
        "a client left behind keeps its threads (and is never freed)",
    ),
    Mutant(
        "writes.submit-does-not-restart",
        "nbwidgets/client/outbox.py",
        "            handle._scope = self.scope\n            self._start()\n",
        "            handle._scope = self.scope\n",
        WRITES,
        "a write made after the outbox went idle waits for nobody",
    ),
    Mutant(
        "outbox.order-per-key-dropped",
        "nbwidgets/client/outbox_store.py",
        "AND p.state = 'queued' AND p.seq < e.seq AND {known_p})",
        "AND p.state = 'queued' AND p.seq < e.seq AND 0 AND {known_p})",
        [*WRITES, "tests/client/test_write_faults.py"],
    ),
    Mutant(
        "outbox.newest-first",
        "nbwidgets/client/outbox_store.py",
        "AND p.state = 'queued' AND p.seq < e.seq AND {known_p}) ORDER BY seq LIMIT ?",
        "AND p.state = 'queued' AND p.seq > e.seq AND {known_p}) ORDER BY seq DESC LIMIT ?",
        WRITES,
    ),
    Mutant(
        "outbox.leases-ignored",
        "nbwidgets/client/outbox_store.py",
        "WHERE scope = ? AND state = 'queued' AND next_attempt <= ? AND lease_until < ? ",
        "WHERE scope = ? AND state = 'queued' AND next_attempt <= ? AND (lease_until < ? OR 1) ",
        WRITES,
    ),
    Mutant(
        "outbox.renew-takes-any-owner",
        "nbwidgets/client/outbox_store.py",
        "WHERE owner = ? AND state = 'queued' AND seq IN ({marks})\",\n"
        "                (time.time() + self.lease_seconds, self.owner, *seqs),",
        "WHERE (owner = ? OR 1) AND state = 'queued' AND seq IN ({marks})\",\n"
        "                (time.time() + self.lease_seconds, self.owner, *seqs),",
        WRITES,
    ),
    Mutant(
        "outbox.dead-owners-kept",
        "nbwidgets/client/outbox_store.py",
        "if host == socket.gethostname() and not _alive(int(pid)):",
        "if False:",
        WRITES,
    ),
    Mutant(
        "outbox.live-owners-reaped",
        "nbwidgets/client/outbox_store.py",
        "if host == socket.gethostname() and not _alive(int(pid)):",
        "if host == socket.gethostname():",
        WRITES,
    ),
    Mutant(
        "outbox.landed-token-not-kept",
        "nbwidgets/client/outbox_store.py",
        "            if token:\n                self._db.execute(\n",
        "            if token and False:\n                self._db.execute(\n",
        GRID,
    ),
    Mutant(
        "outbox.own-tokens-of-any-origin",
        "nbwidgets/client/outbox_store.py",
        '"SELECT token FROM landed WHERE scope = ? AND order_key = ? AND origin = ?", (scope, key, origin)',
        '"SELECT token FROM landed WHERE scope = ? AND order_key = ? AND ? IS NOT NULL", (scope, key, origin)',
        GRID,
        "a second grid's stale edit overwrites the first grid's save (another widget's change taken as its own)",
    ),
    Mutant(
        "outbox.scope-ignored",
        "nbwidgets/client/outbox_store.py",
        'f"WHERE scope = ? AND state = ? AND {condition} ORDER BY seq",',
        'f"WHERE (scope = ? OR 1) AND state = ? AND {condition} ORDER BY seq",',
        [*WRITES, "tests/client/test_outbox_privacy.py"],
    ),
    # --- the client: routes, ids, write kinds ----------------------------------------------------------------------
    Mutant(
        "client.id-not-encoded",
        "nbwidgets/client/checks.py",
        'return quote(value, safe="")',
        "return value",
        CLIENT,
    ),
    Mutant(
        "client.id-path-check-skipped",
        "nbwidgets/client/checks.py",
        'if "/" in value or value in (".", ".."):',
        "if False:",
        CLIENT,
    ),
    Mutant(
        "client.datapoint-not-read-first",
        "nbwidgets/client/orq_writes.py",
        '    name = "datapoint.update"\n    reads = True\n    read_first = True\n',
        '    name = "datapoint.update"\n    reads = True\n    read_first = False\n',
        GRID,
    ),
    Mutant(
        "client.versioned-save-idempotent",
        "nbwidgets/client/orq_writes.py",
        'return "versionIncrement" not in payload["body"]',
        "return True",
        FORM,
    ),
    Mutant(
        "client.creation-idempotent",
        "nbwidgets/client/orq_writes.py",
        'return current is not None and bool(current.prompt == payload["body"].get("prompt"))\n\n'
        "    def idempotent(self, payload: dict[str, Any]) -> bool:\n        return False",
        'return current is not None and bool(current.prompt == payload["body"].get("prompt"))\n\n'
        "    def idempotent(self, payload: dict[str, Any]) -> bool:\n        return True",
        FORM,
    ),
    Mutant(
        "client.removal-404-is-failure",
        "nbwidgets/client/orq_writes.py",
        "gone_means_landed = True",
        "gone_means_landed = False",
        FEEDBACK + WRITES,
    ),
    Mutant(
        "client.token-not-canonical",
        "nbwidgets/client/orq_writes.py",
        "return _instant.validate_python(updated).isoformat()",
        "return str(updated)",
        GRID,
    ),
    Mutant(
        "client.evaluator-version-not-checked",
        "nbwidgets/client/orq_writes.py",
        'return bool(getattr(current, "version", None) != payload["version"])',
        "return True",
        FORM + WRITES,
    ),
    Mutant(
        "client.transport-retries-once-requests",
        "nbwidgets/client/transport.py",
        "if once or not may_retry",
        "if not may_retry",
        WRITES,
    ),
    # --- the grid's edits (widget side of the write path) ------------------------------------------------------------
    Mutant(
        "grid.undo-restores-the-new-value",
        "nbwidgets/widgets/_row_writes.py",
        "previous = {k: before.to_wire().get(k) for k in fields}",
        "previous = {k: saved.to_wire().get(k) for k in fields}",
        GRID,
    ),
    Mutant(
        "grid.keep-mine-keeps-the-base",
        "nbwidgets/widgets/_row_writes.py",
        "expected_updated=None if force else base",
        "expected_updated=base",
        GRID,
    ),
    Mutant(
        "grid.patch-merged-not-recomputed",
        "nbwidgets/widgets/grid/edits.py",
        "            delta.update({k: None for k in shown if k not in wire})\n",
        "            delta = {**self._row_patches.get(datapoint.id, {}), **delta}\n",
        GRID,
    ),
    Mutant(
        "grid.discard-keeps-statuses",
        "nbwidgets/widgets/grid/edits.py",
        "self.row_status = {k: v for k, v in self.row_status.items() if k not in self.staged}\n"
        "            self._writes.clear_staged()",
        "self._writes.clear_staged()",
        ["tests/widgets/test_grid.py", "tests/widgets/test_grid_paths.py"],
    ),
    # --- feedback: one model (models/feedback.py FeedbackControl) ------------------------------------------------
    Mutant(
        "feedback.choice-always-an-array",
        "nbwidgets/models/feedback.py",
        'return [value] if self.prop.type == "single_choice" else value',
        'return [value] if self.kind == "choice" else value',
        FEEDBACK,
        "issue 23's bug: a choice on the rating (a label) is sent as an array and refused with 400",
    ),
    Mutant(
        "grid.statuses-off-the-page-forgotten",
        "nbwidgets/widgets/grid/paging.py",
        'k: v for k, v in grid.row_status.items() if k in on_page or v["state"] not in ("saved", "updated")',
        "k: v for k, v in grid.row_status.items() if k in on_page",
        ["tests/widgets/test_grid.py", "tests/widgets/test_grid_paths.py"],
        "issue 24 (1): a conflict, a failure or a retry on another page (and its draft) is gone after paging",
        user_level=["tests/e2e/test_across_pages_in_jupyterlab.py"],
    ),
    Mutant(
        "grid.staging-replaces-the-rows-fields",
        "nbwidgets/widgets/_row_writes.py",
        "self.staged[datapoint_id] = {**self.staged.get(datapoint_id, {}), **fields}",
        "self.staged[datapoint_id] = fields",
        ["tests/widgets/test_grid_paths.py", "tests/widgets/test_grid.py"],
        "issue 24 (2): Overmind: staging a second field of a row drops the first (the version holds one)",
    ),
    Mutant(
        "client.version-takes-one-field-per-row",
        "nbwidgets/client/overmind_writes.py",
        'dp.model_copy(update=edits.get(dp.id or "", {}))',
        'dp.model_copy(update=dict(list(edits.get(dp.id or "", {}).items())[-1:]))',
        ["tests/widgets/test_grid_paths.py", "tests/client/test_overmind_client.py"],
        "issue 24 (2): Overmind: a version saved with two staged fields of a row holds only the last",
    ),
    Mutant(
        "experiment.rerun-keeps-the-old-feedback",
        "nbwidgets/widgets/_review_rows.py",
        "row.feedback = {}  # a re-run is a new trace",
        "pass  # a re-run is a new trace",
        ["tests/widgets/test_experiment.py"],
        "issue 24 (3): a re-run output shows the old trace's rating as given, and the same rating is not sent",
        user_level=["tests/e2e/test_rerun_feedback_in_jupyterlab.py"],
    ),
    Mutant(
        "experiment.refetched-page-rebuilds-its-rows",
        "nbwidgets/widgets/_review_rows.py",
        "            if dp.id is not None and dp.id not in review._rows_by_id:\n"
        "                review._rows_by_id[dp.id] = Row(dp, number)\n"
        "                review._order.append(dp.id)",
        "            if dp.id is not None:\n"
        "                if dp.id not in review._rows_by_id:\n"
        "                    review._order.append(dp.id)\n"
        "                review._rows_by_id[dp.id] = Row(dp, number)",
        ["tests/widgets/test_experiment.py"],
        "a page fetched again (after others pushed it out) forgets its rows' feedback and write states",
    ),
    Mutant(
        "grid.undo-updates-only-the-page-on-show",
        "nbwidgets/widgets/grid/edits.py",
        "        for page in self.pages.loaded():\n            for index, dp in enumerate(page.items):\n"
        "                if dp.id == datapoint.id:\n                    page.items[index] = datapoint",
        "        for page in [self.pages.page] if self.pages.page is not None else []:\n"
        "            for index, dp in enumerate(page.items):\n"
        "                if dp.id == datapoint.id:\n                    page.items[index] = datapoint",
        ["tests/widgets/test_grid.py"],
        "a save landing (an Undo) while its row's page is not on show: that page, shown again, draws the old value",
    ),
    # --- front end -----------------------------------------------------------------------------------------------
    Mutant(
        "js.textcell-innerhtml",
        "js/shared/cells.js",
        'return h("div", { class: "nbw-text nbw-cell-text" }, String(text));',
        'const cell = h("div", { class: "nbw-text nbw-cell-text" }); cell.innerHTML = String(text); return cell;',
        NODE,
    ),
    Mutant(
        "js.tags-innerhtml",
        "js/shared/cells.js",
        'list.map((tag) => h("li", { class: "nbw-chip" }, inlineValue(tag))),',
        'list.map((tag) => { const li = h("li", { class: "nbw-chip" }); '
        "li.innerHTML = inlineValue(tag); return li; }),",
        NODE,
    ),
    Mutant(
        "js.correction-diff-innerhtml",
        "js/feedback/correction.js",
        '  return renderDiff(box, output, text, {\n    empty: "Same as the output.",\n'
        '    names: { before: "output", after: "correction" },\n  });',
        '  renderDiff(box, output, text, {\n    empty: "Same as the output.",\n'
        '    names: { before: "output", after: "correction" },\n  });\n'
        "  box.innerHTML = [...box.childNodes]\n"
        "    .map((n) => (n instanceof Element ? `<${n.tagName}>${n.textContent}</${n.tagName}>` : n.textContent))\n"
        '    .join("");\n'
        "  return box;",
        NODE,
        "issue 24 (5): the feedback correction's diff built as HTML runs a datapoint's markup",
        user_level=E2E_MARKUP,
    ),
    Mutant(
        "js.messages-editor-drops-part-keys",
        "js/grid/messages.js",
        'return { value: { ...part.extra, type: "text", text: part.text } };',
        'return { value: { type: "text", text: part.text } };',
        NODE,
        "issue 24 (4): an edit of one message drops a text part's cache_control in every other message",
        user_level=E2E_MESSAGES,
    ),
    Mutant(
        "js.messages-editor-drops-names",
        "js/grid/messages.js",
        "const message = { ...draft.extra, role: draft.role };",
        "const message = { role: draft.role };",
        NODE,
        "issue 24 (4): an edit of one message drops every message's name (and keys the editor does not show)",
        user_level=E2E_MESSAGES,
    ),
    # --- issue 21: whole-dataset Find, row numbers, other widgets' saves, pending writes ------------------------
    Mutant(
        "grid.find-no-wrap",
        "nbwidgets/widgets/grid/find.py",
        "        elif where.start > 0:  # the end of the listing: round to the first row, back to where the scan began",
        "        elif False:  # the end of the listing: round to the first row, back to where the scan began",
        ["tests/widgets/test_grid.py"],
        "issue 21 (7): a find from page 3 misses a match on page 1",
    ),
    Mutant(
        "grid.find-grid-sized-pages",
        "nbwidgets/widgets/grid/find.py",
        "size, page_size = self.source.max_page_size, listing[1]",
        "size, page_size = listing[1], listing[1]",
        ["tests/widgets/test_grid.py"],
        "issue 21 (7): a find reads the dataset a grid page at a time (about 50x slower than the client)",
    ),
    Mutant(
        "js.review-rebuilds-every-row",
        "js/experiment/rows.js",
        "(entry) => rowSignature(x, entry.id),",
        "() => String(Math.random()),",
        NODE,
        "issue 23 (4): ExperimentReview rebuilds every row on every change (focus on another row's button is lost)",
    ),
    Mutant(
        "js.row-number-kept-at-new-place",
        "js/shared/keyed.js",
        "before.signature === signature && before.index === index;",
        "before.signature === signature;",
        NODE,
        "issue 21 (19): a search result kept on screen keeps its old row number",
    ),
    Mutant(
        "grid.other-widgets-saves-unheard",
        "nbwidgets/widgets/grid/edits.py",
        "            self._newer_elsewhere(handle.value)",
        "            pass",
        ["tests/widgets/test_client_writes_in_widgets.py"],
        "issue 21 (10): a second grid keeps the old text marked Saved after another grid's save",
    ),
    Mutant(
        "js.edit-without-its-base",
        "js/grid/edit-flow.js",
        "value: result.value, ...base })",
        "value: result.value })",
        [
            "tests/e2e/test_grid_problems_in_jupyterlab.py::"
            "test_a_second_grid_shows_the_first_grids_save_and_an_edit_begun_before_it_conflicts"
        ],
        "issue 21 (10): an edit begun before another grid's save overwrites it silently",
    ),
    Mutant(
        "widgets.pending-writes-unwatched",
        "nbwidgets/widgets/_base.py",
        "self._unwatch = self._client.watch_writes(self._client_write_changed)",
        "self._unwatch = lambda: None",
        ["tests/widgets/test_client_writes_in_widgets.py"],
        "issue 21 (11): a retrying edit is invisible once its page is left",
    ),
    Mutant(
        "js.find-hit-innerhtml",
        "js/grid/find.js",
        'h("span", { class: "nbw-hit-text" }, hit.before ?? "", h("mark", {}, hit.match ?? ""), hit.after ?? ""),',
        'Object.assign(h("span", { class: "nbw-hit-text" }), '
        '{ innerHTML: `${hit.before ?? ""}<mark>${hit.match ?? ""}</mark>${hit.after ?? ""}` }),',
        NODE,
        "a find hit's words (datapoint text) drawn as HTML",
    ),
    Mutant(
        "js.answers-to-every-view",
        "js/shared/comm.js",
        'if (!message || typeof message.id !== "string" || !pending.has(message.id)) return;',
        'if (!message || typeof message.id !== "string") return;',
        NODE,
    ),
    Mutant(
        "js.shortcuts-not-suppressed",
        "js/shared/keys.js",
        'root.setAttribute("data-lm-suppress-shortcuts", "true");',
        "",
        NODE,
    ),
    Mutant(
        "js.keys-propagate",
        "js/shared/keys.js",
        'root.addEventListener("keydown", (event) => event.stopPropagation(), { signal });',
        "",
        NODE,
    ),
    # --- judges (issue 25) ----------------------------------------------------------------------------------
    Mutant(
        "judge.reference-ignored",
        "nbwidgets/sandbox/judge.py",
        "if reference is not None and reference.strip() and asks_reference:",
        "if False:",
        JUDGE,
        "the sandbox's judge never grades against the reference",
    ),
    Mutant(
        "judge.memory-ignores-version",
        "nbwidgets/client/orq_evaluators.py",
        "return self.evaluations.answer(question_key(evaluator_id, version, fingerprint, context), ask)",
        "return self.evaluations.answer(question_key(evaluator_id, None, None, context), ask)",
        JUDGE,
        "a remembered verdict is served for another version of the evaluator",
    ),
    Mutant(
        "judge.asked-twice-sent-twice",
        "nbwidgets/client/judging.py",
        "            waiting = self._pending.get(key)\n",
        "            waiting = None\n",
        JUDGE,
        "the same question asked twice at once is sent twice",
    ),
    Mutant(
        "judge.kappa-without-chance",
        "nbwidgets/agreement.py",
        "kappa = None if chance >= 1 else (observed - chance) / (1 - chance)",
        "kappa = observed",
        JUDGE,
        "Cohen's kappa not corrected for chance",
    ),
    Mutant(
        "judge.try-on-a-dirty-draft",
        "nbwidgets/widgets/form.py",
        '        if self.dirty:\n            raise ValueError(\n                "try_on: the draft',
        '        if False:\n            raise ValueError(\n                "try_on: the draft',
        JUDGE,
        "Try it runs while the draft has unsaved changes (the saved version, silently)",
    ),
    Mutant(
        "js.judges-failing-filter-shows-all",
        "js/experiment/judging.js",
        '(v) => v.state === "done" && (v.passed === false || v.status === "failed"),',
        '(v) => v.state === "done",',
        NODE,
        "the failing filter shows every judged row",
        user_level=E2E_JUDGES,
    ),
    Mutant(
        "js.verdict-explanation-innerhtml",
        "js/experiment/judging.js",
        'h("div", { class: "nbw-verdict-why" }, verdict.explanation),',
        'Object.assign(h("div", { class: "nbw-verdict-why" }), { innerHTML: verdict.explanation }),',
        NODE,
        "a judge's explanation drawn as HTML",
    ),
    # --- issue 22: hardening ----------------------------------------------------------------------------------
    Mutant(
        "harden.settled-elsewhere-ignored",
        "nbwidgets/client/outbox.py",
        "        waiting = self._waited_on()\n        if not waiting:\n            return []",
        "        waiting = self._waited_on()\n        if True:\n            return []",
        ["tests/client/test_two_clients.py"],
        "a write delivered by another process never settles the handle waiting on it here",
    ),
    Mutant(
        "harden.key-not-stripped",
        "nbwidgets/client/checks.py",
        "    key = value.strip(_KEY_ENDS)",
        "    key = value",
        ["tests/client/test_key_hygiene.py"],
        "a key read from a file keeps its final line break",
    ),
    Mutant(
        "harden.transport-error-not-scrubbed",
        "nbwidgets/client/transport.py",
        'return scrub(type(exc).__name__ + (f": {exc}" if str(exc) else ""), self._secret)',
        'return type(exc).__name__ + (f": {exc}" if str(exc) else "")',
        ["tests/client/test_key_hygiene.py"],
        "an httpx error's text (which may quote the Authorization header) becomes ours as it is",
    ),
    Mutant(
        "harden.rate-gate-always-open",
        "nbwidgets/client/transport.py",
        "        deadline = time.monotonic() + budget\n",
        "        return False\n",
        ["tests/client/test_rate_gate.py"],
        "a 429 pauses only the request that met it, not the service",
    ),
    Mutant(
        "harden.unknown-kinds-claimed",
        "nbwidgets/client/outbox.py",
        "self._store.kinds = tuple(kinds)",
        "self._store.kinds = None",
        ["tests/client/test_outbox_trouble.py"],
        "entries of a kind this version does not know are claimed (and never settle)",
    ),
    Mutant(
        "harden.closed-client-writes",
        "nbwidgets/client/base.py",
        "            if self._closed:\n"
        "                raise ClientClosedError(self._closed_words())\n            handle = self",
        "            handle = self",
        ["tests/client/test_outbox_trouble.py"],
        "a write through a closed client is accepted (and stored as failed, never delivered)",
    ),
    Mutant(
        "harden.sandbox-takes-lone-surrogates",
        "nbwidgets/sandbox/app.py",
        "    if _has_lone_surrogate(parsed):",
        "    if False:",
        ["tests/client/test_sandbox_never_500.py"],
        "the sandbox stores a lone surrogate (a 500 later, and a request log that cannot be read)",
    ),
    Mutant(
        "errors.transport-is-an-answer",
        "nbwidgets/client/errors.py",
        "class TransportError(RequestFailedError):",
        "class TransportError(ApiError):",
        ["tests/unit/test_timeout_words.py", "tests/unit/test_error_words.py"],
        "issue 23: a connection that failed is an ApiError, whose docstring says the service answered",
    ),
    Mutant(
        "errors.wait-race-wordless",
        "nbwidgets/widgets/_waiting.py",
        "if future.exception(0) is not error:",
        "if False:",
        ["tests/unit/test_timeout_words.py"],
        "issue 23: work that ends just as its wait runs out raises the futures' wordless TimeoutError",
    ),
    Mutant(
        "errors.handle-race-wordless",
        "nbwidgets/client/writes.py",
        "return super().result(0)  # settled just as the wait ran out",
        "raise  # settled just as the wait ran out",
        ["tests/unit/test_timeout_words.py"],
        "issue 23: a write that settles just as its wait runs out raises a TimeoutError with no message",
    ),
    Mutant(
        "errors.backoff-grows-while-answered",
        "nbwidgets/client/transport.py",
        "return self.delay(min(attempt, STEADY_STEPS) if answering else attempt, retry_after)",
        "return self.delay(attempt, retry_after)",
        ["tests/client/test_steady_backoff.py"],
        "issue 23: a write's backoff grows to 10 s at 30% faults though the service answers (a 120 s wait runs out)",
    ),
    Mutant(
        "errors.faults-count-as-answers",
        "nbwidgets/client/transport.py",
        "answered = response.status_code not in RETRY_STATUSES",
        "answered = True",
        ["tests/client/test_steady_backoff.py"],
        "issue 23: a 500 counts as the service answering, so an outage gets the short backoff",
    ),
    Mutant(
        "cursor.model-ids-only",
        "nbwidgets/client/cursor.py",
        "next_cursor=item_id(items[-1]) if items else None,",
        "next_cursor=items[-1].id if items else None,",
        ["tests/unit/test_cursor.py", "tests/client/test_orq_client.py"],
        "issue 23: a page of evaluators ending in one of another type (a dict) cannot be paged on",
    ),
    Mutant(
        "harden.intent-bare-keyerror",
        "nbwidgets/widgets/_base.py",
        'said = f"The {kind!r} request lacks its {missing!r} field; nothing was done."',
        "said = repr(missing)",
        ["tests/widgets/test_malformed_intents.py"],
        "a front-end message missing a field is answered with a bare KeyError's text",
    ),
    Mutant(
        "contract.draft-states-unread",
        "js/shared/format.js",
        "DRAFT_STATES = new Set(sent.draft);",
        "DRAFT_STATES = new Set();",
        NODE,
        "issue 23 (3): the grid ignores the kernel's draft states: a failed edit's cells show the stale original",
    ),
    Mutant(
        "contract.write-states-unsynced",
        "nbwidgets/widgets/_words.py",
        "return traitlets.Dict(plain(WRITE_STATES)).tag(sync=True, shape=WriteStates)",
        "return traitlets.Dict(plain(WRITE_STATES)).tag(shape=WriteStates)",
        ["tests/unit/test_contract.py"],
        "issue 23 (3): the words a view reads are not sent (the JS names a trait the class does not sync)",
    ),
]


def selected(names: list[str], table: bool) -> list[Mutant]:
    mutants = [m for m in MUTANTS if m.table] if table else MUTANTS
    if not names:
        return mutants
    chosen = [m for m in mutants if any(m.name == n or m.name.startswith(n) for n in names)]
    unknown = [n for n in names if not any(m.name == n or m.name.startswith(n) for m in MUTANTS)]
    if unknown:
        sys.exit(f"no mutant named {', '.join(unknown)} (see --list)")
    return chosen


def make_copy() -> Path:
    """The tree (sources, tests, built bundle) in a temporary folder; node_modules linked, not copied."""
    copy = Path(tempfile.mkdtemp(prefix="nbw-mutate-")) / "tree"
    shutil.copytree(SOURCE, copy, ignore=LEFT_OUT)
    (copy / "js" / "node_modules").symlink_to(SOURCE / "js" / "node_modules")
    return copy


def build_js() -> None:
    subprocess.run(["npm", "run", "--silent", "build"], cwd=ROOT / "js", check=True, capture_output=True)


def run(command: list[str], cwd: Path, timeout: float) -> tuple[str, list[str], float]:
    """('killed' | 'survived' | 'timeout', failed test names, seconds)."""
    started = time.monotonic()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(ROOT)}
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return "timeout", [], time.monotonic() - started
    output = done.stdout + done.stderr
    failed = re.findall(r"^FAILED (\S+)", output, re.M) + re.findall(r"^not ok \d+ - (.+)$", output, re.M)
    failed += re.findall(r"^ERROR (\S+)", output, re.M)
    if done.returncode == 0:
        return "survived", [], time.monotonic() - started
    if not failed and done.returncode not in (1,):  # usage error, collection error: not a kill
        tail = "\n".join(output.splitlines()[-15:])
        return f"error (exit {done.returncode})\n{tail}", [], time.monotonic() - started
    return "killed", failed, time.monotonic() - started


def existing(tests: list[str]) -> list[str]:
    return [t for t in tests if (ROOT / t.split("::")[0]).exists()]


def try_mutant(mutant: Mutant, timeout: float, count: bool) -> list[tuple[str, str, list[str], float]]:
    """Apply, run its selections, restore. count: run without -x (every failing test is listed)."""
    path = ROOT / mutant.path
    original = path.read_text()
    found = original.count(mutant.old)
    if found != 1:
        return [(f"its text is found {found} times in {mutant.path}", "unapplicable", [], 0.0)]
    results = []
    try:
        path.write_text(original.replace(mutant.old, mutant.new))
        if mutant.js:
            build_js()
        selections = [mutant.tests] + ([mutant.user_level] if count and mutant.user_level else [])
        for tests in selections:
            if tests is NODE:
                outcome, failed, took = run(NODE, ROOT / "js", timeout)
                results.append(("node --test tests/", outcome, failed, took))
                continue
            tests = existing(tests)
            if not tests:
                results.append((" ".join(tests), "no tests", [], 0.0))
                continue
            command = PYTEST + ([] if count else ["-x"]) + [f"--timeout={int(timeout)}"] + tests
            outcome, failed, took = run(command, ROOT, timeout * (3 if count else 1.5))
            results.append((" ".join(tests), outcome, failed, took))
    finally:
        path.write_text(original)
        if mutant.js:
            build_js()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help="mutants (names or prefixes) to run; all when none")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--table", action="store_true", help="issue 17's deliberate bugs, with the user-level tests")
    parser.add_argument("--count", action="store_true", help="run every test of the selection (no -x)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per selection (default 600)")
    args = parser.parse_args()
    mutants = selected(args.names, args.table)
    if args.list:
        for m in mutants:
            print(f"{m.name:42} {m.path:36} {m.why or ''}")
        return 0
    global ROOT
    ROOT = make_copy()
    survivors: list[str] = []
    stale: list[str] = []
    print(f"{len(mutants)} mutant(s), each applied alone to a copy of the tree ({ROOT}), then restored", flush=True)
    for mutant in mutants:
        results = try_mutant(mutant, args.timeout, args.count or args.table)
        for selection, outcome, failed, took in results:
            print(f"{outcome.split(chr(10))[0]:10} {mutant.name:42} {took:6.0f}s  {selection}", flush=True)
            if "\n" in outcome:
                print(outcome.split("\n", 1)[1])
            for name in failed:
                print(f"{'':12}failed: {name}")
        if any(outcome == "unapplicable" for _, outcome, _, _ in results):
            stale.append(mutant.name)  # its text is no longer in the code: the mutant needs updating
        elif not any(outcome in ("killed", "timeout") for _, outcome, _, _ in results):
            survivors.append(mutant.name)
    killed = len(mutants) - len(survivors) - len(stale)
    print(f"\n{killed} killed, {len(survivors)} survived, {len(stale)} could not be applied", flush=True)
    for name in survivors:
        print(f"  survived: {name}")
    for name in stale:
        print(f"  could not be applied (update its text): {name}")
    shutil.rmtree(ROOT.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
