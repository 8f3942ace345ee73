import assert from "node:assert/strict";
import { test } from "node:test";
import "./support/contract.js";
import { columnChoices, resolveColumns, withDrop, withHidden, withMove, withWidth } from "../grid/columns.js";
import {
  addMessage,
  errorsByMessage,
  fromDrafts,
  moveMessage,
  removeMessage,
  safeImageUrl,
  toDrafts,
  updateMessage,
  updatePart,
} from "../grid/messages.js";
import { mergeRows, planRows } from "../grid/rows.js";
import { gridMove } from "../shared/keys.js";

const page = () => [
  { id: "a", expected_output: "one" },
  { id: "b", expected_output: "two" },
  { id: "c", expected_output: "three" },
];

test("rows: a draft not saved yet and a staged edit show in the cells; a saved patch too", () => {
  const rows = mergeRows(
    page(),
    { a: { expected_output: "ONE" } },
    { c: { expected_output: "3" } },
    {
      b: { state: "failed", draft: { expected_output: "mine" } },
      c: { state: "staged", draft: { expected_output: "3" } },
    },
  );
  assert.deepEqual(
    rows.map((r) => r.shown.expected_output),
    ["ONE", "mine", "3"],
  );
  const saved = mergeRows(page(), {}, {}, { b: { state: "saved", draft: { expected_output: "old" } } });
  assert.equal(saved[1].shown.expected_output, "two"); // a saved row shows what the service holds
});

test("rows: one row's status change rebuilds that row only, whatever the page size", () => {
  for (const size of [25, 200]) {
    const rows = Array.from({ length: size }, (_, i) => ({ id: `r${i}`, expected_output: `${i}` }));
    const first = planRows(new Map(), mergeRows(rows));
    assert.equal(first.build.length, size);
    const second = planRows(first.records, mergeRows(rows, {}, {}, { r7: { state: "pending" } }));
    assert.deepEqual(second.build, ["r7"]);
    assert.equal(second.keep.length, size - 1);
    // the kernel re-sends the same page as new objects: nothing to build
    const again = planRows(second.records, mergeRows(structuredClone(rows), {}, {}, { r7: { state: "pending" } }));
    assert.deepEqual(again.build, []);
    // another page: every row is new, the old ones go
    const other = planRows(again.records, mergeRows([{ id: "x" }]));
    assert.deepEqual(other.build, ["x"]);
    assert.equal(other.drop.length, size);
  }
});

test("rows: expanding a row or a saved patch is a change of that row", () => {
  const first = planRows(new Map(), mergeRows(page()));
  assert.deepEqual(planRows(first.records, mergeRows(page()), { expanded: new Set(["c"]) }).build, ["c"]);
  assert.deepEqual(planRows(first.records, mergeRows(page(), { a: { expected_output: "x" } })).build, ["a"]);
});

test("rows: a row kept across a search but at another place is built again (its number changed)", () => {
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, expected_output: `${i}` }));
  const first = planRows(new Map(), mergeRows(rows));
  const results = [rows[0], rows[6], rows[9]]; // a search's results: r0 stays first, r6 and r9 move up
  const searched = planRows(first.records, mergeRows(results));
  assert.deepEqual(searched.build, ["r6", "r9"]);
  assert.deepEqual(searched.keep, ["r0"]);
  const cleared = planRows(searched.records, mergeRows(rows)); // back: r6 and r9 return to their places
  assert.deepEqual(cleared.keep, ["r0"]);
  assert.equal(cleared.build.length, 9);
});

test("keyboard: the grid pattern's moves stop at the edges", () => {
  const size = { rows: 5, cols: 4, page: 3 };
  assert.deepEqual(gridMove({ row: 0, col: 0 }, "ArrowDown", size), { row: 1, col: 0 });
  assert.deepEqual(gridMove({ row: 0, col: 0 }, "ArrowUp", size), { row: 0, col: 0 });
  assert.deepEqual(gridMove({ row: 2, col: 3 }, "ArrowRight", size), { row: 2, col: 3 });
  assert.deepEqual(gridMove({ row: 2, col: 1 }, "j", size), { row: 3, col: 1 });
  assert.deepEqual(gridMove({ row: 2, col: 1 }, "k", size), { row: 1, col: 1 });
  assert.deepEqual(gridMove({ row: 2, col: 2 }, "Home", size), { row: 2, col: 0 });
  assert.deepEqual(gridMove({ row: 2, col: 2 }, "End", size, { ctrl: true }), { row: 4, col: 3 });
  assert.deepEqual(gridMove({ row: 1, col: 0 }, "PageDown", size), { row: 4, col: 0 });
  assert.deepEqual(gridMove({ row: 4, col: 0 }, "PageDown", size), { row: 4, col: 0, beyond: 1 });
  assert.equal(gridMove({ row: 1, col: 1 }, "x", size), null);
});

const schema = {
  columns: [
    { key: "expected_output", title: "Expected output", kind: "text", editable: true },
    { key: "inputs", title: "Inputs", kind: "inputs", editable: true },
    { key: "messages", title: "Messages", kind: "messages", editable: true },
    { key: "updated", title: "Updated", kind: "time", editable: false },
  ],
  editable: ["expected_output", "inputs", "messages"],
};

test("columns: the edit column is pinned first; hide, move, drop and resize", () => {
  assert.deepEqual(
    resolveColumns(schema, {}).map((c) => [c.key, c.pinned]),
    [
      ["expected_output", true],
      ["inputs", false],
      ["messages", false],
      ["updated", false],
    ],
  );
  let saved = withHidden({}, "messages", true);
  saved = withHidden(saved, "expected_output", true); // pinned: stays
  assert.deepEqual(
    resolveColumns(schema, saved).map((c) => c.key),
    ["expected_output", "inputs", "updated"],
  );
  assert.equal(columnChoices(schema, saved).find((c) => c.key === "messages").hidden, true);
  saved = withMove(schema, withHidden(saved, "messages", false), "updated", -2);
  assert.deepEqual(
    resolveColumns(schema, saved).map((c) => c.key),
    ["expected_output", "updated", "inputs", "messages"],
  );
  saved = withDrop(schema, saved, "messages", "updated");
  assert.deepEqual(saved.order, ["messages", "updated", "inputs"]);
  assert.equal(resolveColumns(schema, withWidth(saved, "inputs", 12)).find((c) => c.key === "inputs").width, 60);
  assert.equal(resolveColumns(schema, withWidth(saved, "inputs", 333.4)).find((c) => c.key === "inputs").width, 333);
});

test("messages: edited as a list and back to the same value", () => {
  const messages = [
    { role: "system", content: "Be brief." },
    {
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image_url", image_url: { url: "https://example.com/a.png" } },
      ],
    },
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }],
    },
    { role: "tool", content: "42", tool_call_id: "c1" },
  ];
  assert.deepEqual(fromDrafts(toDrafts(messages)), { value: messages, errors: {} });
  let drafts = toDrafts(messages);
  drafts = addMessage(drafts, "developer", 1);
  drafts = updateMessage(drafts, 1, { text: "Cite sources." });
  drafts = updatePart(drafts, 2, 0, { text: "And this?" });
  drafts = moveMessage(drafts, 1, -1);
  drafts = removeMessage(drafts, 4);
  const { value, errors } = fromDrafts(drafts);
  assert.deepEqual(errors, {});
  assert.deepEqual(
    value.map((m) => m.role),
    ["developer", "system", "user", "assistant"],
  );
  assert.equal(value[2].content[0].text, "And this?");
  assert.equal(moveMessage(drafts, 0, -1), drafts);
});

test("messages: each problem is on the message it concerns", () => {
  let drafts = toDrafts([
    { role: "user", content: "hi" },
    { role: "assistant", content: "" },
    { role: "tool", content: "x", tool_call_id: "" },
  ]);
  drafts = updateMessage(drafts, 1, { toolCalls: '[{"id": 1,}]' });
  const { errors } = fromDrafts(drafts);
  assert.deepEqual(Object.keys(errors), ["1", "2"]);
  assert.match(errors[1][0], /Tool calls is not valid JSON/);
  assert.match(errors[2][0], /tool call/);
  assert.deepEqual(errorsByMessage({ "messages.2.content": ["Required"] }), { 2: ["content: Required"] });
  assert.deepEqual(errorsByMessage({}, "messages.0.role: Input should be 'user'"), {
    0: ["role: Input should be 'user'"],
  });
  assert.deepEqual(errorsByMessage({ expected_output: ["too long"] }), {});
});

test("messages: an image preview only where safe", () => {
  assert.equal(safeImageUrl("https://example.com/a.png"), "https://example.com/a.png");
  assert.equal(safeImageUrl("http://example.com/a.png"), null);
  assert.equal(safeImageUrl("javascript:alert(1)"), null);
  assert.equal(safeImageUrl("data:image/svg+xml;base64,PHN2Zz4="), null);
  assert.ok(safeImageUrl("data:image/png;base64,iVBORw0KGgo="));
});

// Keys the messages editor has no field for: a name, a tool call's id, content parts it does not edit, a
// text part's cache_control, an image's own keys, a null content, keys of a role's own (reasoning, refusal).
const UNSHOWN = [
  { role: "system", content: "Be brief.", name: "policy" },
  {
    role: "user",
    name: "ada",
    content: [
      { type: "text", text: "What is in this picture?", cache_control: { type: "ephemeral", ttl: "1h" } },
      { type: "image_url", image_url: { url: "https://example.com/a.png", detail: "low", format: "png" }, note: 1 },
      { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } },
      { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
    ],
  },
  {
    role: "assistant",
    content: null,
    tool_calls: [{ id: "call_1", type: "function", function: { name: "look", arguments: '{"q": 1}' } }],
  },
  { role: "tool", tool_call_id: "call_1", content: "a cat", name: "look" },
  { role: "assistant", content: "A cat.", reasoning_content: "The tool said so.", metadata: { by: "x" } },
  { role: "assistant", content: null, refusal: "I cannot say." },
];

test("messages: what the editor does not show survives an edit of another message's text", () => {
  for (const [at, changes] of [
    [0, { text: "Be briefer." }],
    [3, { text: "a black cat" }],
    [4, { role: "assistant", text: "A black cat." }],
  ]) {
    const { value, errors } = fromDrafts(updateMessage(toDrafts(UNSHOWN), at, changes));
    assert.deepEqual(errors, {});
    assert.deepEqual(
      value.filter((_, i) => i !== at),
      UNSHOWN.filter((_, i) => i !== at),
    );
    assert.deepEqual(value[at], { ...UNSHOWN[at], content: changes.text });
  }
  let drafts = updatePart(toDrafts(UNSHOWN), 1, 0, { text: "And this?" }); // a part edited: its own keys stay
  drafts = updatePart(drafts, 1, 1, { url: "https://example.com/b.png" });
  const [, user] = fromDrafts(drafts).value;
  assert.deepEqual(user.content[0], { ...UNSHOWN[1].content[0], text: "And this?" });
  assert.deepEqual(user.content[1], {
    ...UNSHOWN[1].content[1],
    image_url: { ...UNSHOWN[1].content[1].image_url, url: "https://example.com/b.png" },
  });
  assert.deepEqual(user.content.slice(2), UNSHOWN[1].content.slice(2));
});

test("a cell's whole text, for Ctrl+C and its hover: values as a reader writes them", async () => {
  const { cellText, cellTitle } = await import("../grid/cells.js");
  const row = {
    expected_output: "a long answer ".repeat(40),
    inputs: { ticket: "Refund <b>now</b>", priority: 2 },
    messages: [
      { role: "user", content: "hi" },
      { role: "assistant", content: [{ type: "text", text: "hello" }] },
    ],
    evaluations: [{ type: "string", value: "good", reviewed_by_id: "01J" }],
    meta: { team: "x" },
  };
  assert.equal(cellText({ key: "expected_output", kind: "text" }, row), row.expected_output);
  assert.equal(cellText({ key: "inputs", kind: "inputs" }, row), "ticket: Refund <b>now</b>\npriority: 2");
  assert.equal(cellText({ key: "messages", kind: "messages" }, row), "user: hi\nassistant: hello");
  assert.equal(cellText({ key: "evaluations", kind: "evaluations" }, row), "good");
  assert.equal(cellText({ key: "meta", kind: "json" }, row), '{\n  "team": "x"\n}');
  assert.equal(cellText({ key: "missing", kind: "text" }, row), "");
  assert.equal(cellTitle({ key: "expected_output", kind: "text" }, row), row.expected_output);
  assert.equal(cellTitle({ key: "evaluations", kind: "evaluations" }, row), null); // chips carry their own
  assert.equal(cellTitle({ key: "missing", kind: "text" }, row), null);
});

test("columns fit the visible width where they can; a width the user set is kept", async () => {
  const { fitWidths } = await import("../grid/columns.js");
  const cols = [
    { key: "expected_output", kind: "text", width: 340 },
    { key: "inputs", kind: "inputs", width: 260 },
    { key: "messages", kind: "messages", width: 260 },
    { key: "evaluations", kind: "evaluations", width: 150 },
    { key: "updated", kind: "time", width: 110 },
  ];
  // JupyterLab at 1400 px with the file browser open: about 790 px for the columns
  const fitted = fitWidths(cols, 792);
  assert.ok(fitted.reduce((a, b) => a + b, 0) <= 792, String(fitted));
  assert.ok(fitted[0] >= 220 && fitted[4] >= 100);
  assert.deepEqual(fitWidths(cols, 2000), [340, 260, 260, 150, 110]); // room enough: as they are
  // too narrow for even the narrowest: each at its narrowest, the table scrolls
  assert.deepEqual(fitWidths(cols, 300), [220, 170, 170, 110, 100]);
  // a column the user sized keeps its width; the others give up the room
  const sized = fitWidths([{ ...cols[0], width: 500, sized: true }, ...cols.slice(1)], 792);
  assert.equal(sized[0], 500);
});
