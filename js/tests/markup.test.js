// Every renderer of datapoint text, fed markup: the text shows literally and no element is injected.
import assert from "node:assert/strict";
import { test } from "node:test";
import "./support/contract.js";
import { correctionBox, correctionDiff } from "../feedback/correction.js";
import { cellContent, draftCell, statusContent, statusDetail } from "../grid/cells.js";
import { renderFind } from "../grid/find.js";
import { renderPicker } from "../grid/picker.js";
import { renderStatus } from "../grid/toolbar.js";
import {
  chipsCell,
  clampedText,
  evaluationsCell,
  jsonCell,
  keyValueCell,
  messagesCell,
  tagsCell,
  textCell,
} from "../shared/cells.js";
import { diffView } from "../shared/diff.js";
import { installDOM, tagsBelow } from "./support/dom.js";

installDOM();

const IMG = "<img src=x onerror=alert(1)>";
const BOLD = "<b>bold</b>";
const SCRIPT = "<script>alert(2)</script>";
const PAYLOADS = [IMG, BOLD, SCRIPT];
const INJECTED = new Set(["img", "b", "script"]);

/** The renderer made none of the payloads' elements, and every payload shows as its own text. */
function assertLiteral(node, payloads = PAYLOADS) {
  const nodes = Array.isArray(node) ? node : [node];
  const tags = nodes.filter((n) => n instanceof Element).flatMap((n) => [n.tagName.toLowerCase(), ...tagsBelow(n)]);
  assert.deepEqual(
    tags.filter((t) => INJECTED.has(t)),
    [],
    `elements injected: ${tags.join(",")}`,
  );
  const text = nodes.map((n) => (typeof n === "string" ? n : n.textContent)).join("");
  for (const payload of payloads) assert.ok(text.includes(payload), `${payload} not shown literally in ${text}`);
}

test("the DOM the tests use does parse markup (so a renderer using innerHTML is caught)", () => {
  const box = document.createElement("div");
  box.innerHTML = `${IMG}${BOLD}`;
  assert.deepEqual(tagsBelow(box), ["img", "b"]);
});

test("text, clamped text and JSON cells show markup as text", () => {
  assertLiteral(textCell(PAYLOADS.join(" ")));
  assertLiteral(clampedText(PAYLOADS.join("\n").repeat(20)));
  assertLiteral(jsonCell(PAYLOADS.join(" ")));
  assertLiteral(jsonCell([IMG, BOLD, SCRIPT]));
});

test("inputs chips and key/value cells: keys and values", () => {
  assertLiteral(chipsCell({ [IMG]: BOLD, q: SCRIPT, nested: { deep: IMG } }));
  assertLiteral(keyValueCell({ [BOLD]: IMG, q: SCRIPT, nested: { deep: IMG } }));
});

test("evaluations chips: every evaluation type", () => {
  const evaluations = [
    { id: "e1", type: "string", value: IMG, reviewed_by_id: BOLD, explanation: BOLD },
    { id: "e2", type: "string_array", values: [BOLD, SCRIPT] },
    { id: "e3", type: "number", value: 3 },
  ];
  const cell = evaluationsCell(evaluations);
  assertLiteral(cell);
  assert.equal(cell.children.length, 3);
  assert.equal(cell.children[0].getAttribute("title"), `Human review\n${BOLD}`); // the words, no reviewer id
});

test("tags (Overmind) as chips", () => {
  assertLiteral(tagsCell([IMG, BOLD, SCRIPT]));
  assertLiteral(tagsCell(IMG), [IMG]);
});

const MESSAGES = [
  { role: "system", content: SCRIPT },
  {
    role: "user",
    content: [
      { type: "text", text: IMG },
      { type: "image_url", image_url: { url: "https://x/y.png" } },
    ],
  },
  {
    role: "assistant",
    content: BOLD,
    tool_calls: [{ id: "t1", type: "function", function: { name: IMG, arguments: `{"q": "${BOLD}"}` } }],
  },
  { role: "tool", content: IMG, tool_call_id: "t1" },
];

test("messages: string content, content parts, tool calls and names", () => {
  assertLiteral(messagesCell(MESSAGES));
  assertLiteral(messagesCell([{ role: "user", name: IMG, content: BOLD }]), [IMG, BOLD]);
});

test("the grid's cells by column kind, with markup everywhere", () => {
  const row = {
    id: "r",
    expected_output: PAYLOADS.join(" "),
    inputs: { [IMG]: BOLD, q: SCRIPT },
    messages: MESSAGES,
    evaluations: [{ type: "string_array", values: PAYLOADS }],
    tags: PAYLOADS,
    input: { text: IMG, other: [BOLD, SCRIPT] },
    expected: SCRIPT + IMG + BOLD,
  };
  for (const [kind, key] of [
    ["text", "expected_output"],
    ["inputs", "inputs"],
    ["messages", "messages"],
    ["evaluations", "evaluations"],
    ["tags", "tags"],
    ["json", "input"],
    ["json", "expected"],
  ]) {
    assertLiteral(cellContent({ key, kind }, row));
  }
});

test("a row's status and its detail row: the reason, and a conflict's theirs and yours", () => {
  assertLiteral(statusDetail("r", { state: "failed", reason: PAYLOADS.join(" "), draft: {} }));
  assertLiteral(statusDetail("r", { state: "retrying", message: PAYLOADS.join(" "), attempts: 2 }));
  assertLiteral(statusContent({ state: "conflict", message: IMG }), []);
  const conflict = statusDetail("r", {
    state: "conflict",
    message: IMG,
    draft: { expected_output: `${BOLD} mine` },
    server: { expected_output: `${SCRIPT} theirs` },
  });
  assertLiteral(conflict, [BOLD, SCRIPT]);
  const [theirs, yours] = conflict.descendants().filter((n) => n.classList.contains("nbw-diff"));
  assert.equal(theirs.textContent, `${SCRIPT} theirs`);
  assert.equal(yours.textContent, `${BOLD} mine`);
  assertLiteral(draftCell({ key: "expected_output", kind: "text" }, "before", `before ${IMG}`), [IMG]);
});

/** One side of a word diff as text: the unchanged parts and the `keep` parts (ins: after, del: before). */
const side = (box, keep) => {
  const block = box.descendants().find((n) => n.classList?.contains(`nbw-diff-block-${keep}`));
  if (block) return block.children[1].textContent; // texts that share little: each whole, in its block
  const body = box.descendants().find((n) => n.classList?.contains("nbw-diff-body"));
  return body.childNodes
    .filter((n) => !(n instanceof Element) || n.tagName.toLowerCase() === keep)
    .map((n) => n.textContent)
    .join("");
};

test("the word diff shows both sides as text", () => {
  const box = diffView(`${IMG} ${BOLD}`, `${IMG} ${SCRIPT}`);
  assertLiteral(box, [IMG]);
  assert.equal(side(box, "del"), `${IMG} ${BOLD}`);
  assert.equal(side(box, "ins"), `${IMG} ${SCRIPT}`);
});

test("the feedback correction box's diff: the output and each keystroke's text show as text", () => {
  const output = `${IMG} ${BOLD}`;
  const sent = [];
  const box = correctionBox({
    viewId: "v",
    text: output,
    output,
    onInput: (text) => sent.push(text),
    onSend: () => {},
  });
  const [area] = box.descendants().filter((n) => n.tagName.toLowerCase() === "textarea");
  const [changes] = box.descendants().filter((n) => n.classList.contains("nbw-diff"));
  assert.equal(changes.textContent, "Same as the output.");
  area.value = `${IMG} ${SCRIPT}`;
  area.dispatchEvent({ type: "input" });
  assert.deepEqual(sent, [`${IMG} ${SCRIPT}`]);
  assertLiteral(changes, [IMG]);
  assert.equal(side(changes, "del"), `${IMG} ${BOLD}`);
  assert.equal(side(changes, "ins"), `${IMG} ${SCRIPT}`);
  const alone = document.createElement("div");
  assertLiteral(correctionDiff(alone, SCRIPT, `${SCRIPT} ${IMG}${BOLD}`));
  assert.equal(correctionDiff(alone, null, IMG).childNodes.length, 0); // no output: nothing to compare with
});

const getter = (state) => (name) => state[name];

test("find: the query, each hit's field and words around the match show as text", () => {
  const box = document.createElement("div");
  const hit = { id: "d1", page: 1, row: 3, field: IMG, before: `${BOLD} `, match: SCRIPT, after: ` ${IMG}` };
  renderFind(box, { get: getter({ find: { query: SCRIPT, hits: [hit], complete: true, rows: 9 } }), send: () => {} });
  assertLiteral(box);
  const [mark] = box.descendants().filter((n) => n.tagName.toLowerCase() === "mark");
  assert.equal(mark.textContent, SCRIPT); // the match marked by an element of ours, its text as text
});

test("the picker's dataset and agent names, and the status line's error and notice, show as text", () => {
  const picker = document.createElement("div");
  const items = [
    { id: "a", name: IMG, count: 3 },
    { id: "b", name: `${BOLD} ${SCRIPT}` },
  ];
  renderPicker(picker, { get: getter({ picker: { kind: "datasets", items, search: BOLD } }), send: () => {} });
  assertLiteral(picker);
  const [statusLine, alert, notice] = ["div", "div", "div"].map((tag) => document.createElement(tag));
  const state = { error: `Dataset ${IMG} not found`, notice: `${BOLD} ${SCRIPT}`, dataset_id: "d" };
  renderStatus({ statusLine, alert, notice }, { get: getter(state), send: () => {} });
  assertLiteral(alert, [IMG]);
  assertLiteral(notice, [BOLD, SCRIPT]);
});

test("the word diff: a legend names the sides; texts that share little show as two whole blocks", () => {
  const names = { before: "expected output", after: "output" };
  const near = diffView("Refund it within 5 business days.", "Refund it within 3 business days.", { names });
  const legend = near.descendants().find((n) => n.classList?.contains("nbw-diff-legend"));
  assert.equal(legend.textContent, "struck only in the expected output · marked only in the output");
  assert.equal(side(near, "del"), "Refund it within 5 business days.");
  const before = "Apologise, confirm the duplicate charge and refund it within 5 business days.";
  const after = "Please restart the router, then check whether the light turns green again.";
  const far = diffView(before, after, { names });
  const blocks = far.descendants().filter((n) => n.classList?.contains("nbw-diff-block"));
  assert.equal(blocks.length, 2);
  assert.equal(blocks[0].textContent, `Expected output${before}`);
  assert.equal(blocks[1].textContent, `Output${after}`);
  // no alternating struck and marked words anywhere
  assert.equal(far.descendants().filter((n) => ["DEL", "INS"].includes(n.tagName)).length, 2);
  assert.match(far.textContent, /share little/);
});
