// The messages editor's words (issue 21, item 18): a bad role named with its message, an empty assistant
// message said before it is saved (focus after "+ Add message": the JupyterLab test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { editorResult, openEditorState } from "../grid/editor.js";
import { toDrafts } from "../grid/messages.js";

const COLUMN = { key: "messages", title: "Messages", kind: "messages", editable: true };

test("a bad role in raw JSON names the message and the role", () => {
  const state = {
    ...openEditorState(COLUMN, { id: "d", messages: [] }),
    raw: true,
    text: JSON.stringify([
      { role: "user", content: "Hi" },
      { role: "bot", content: "Hello" },
    ]),
  };
  const result = editorResult(state);
  assert.match(
    result.error,
    /Message 2: Role "bot" is not a role: use one of system, developer, user, assistant, tool/,
  );
  assert.equal("value" in result, false);
});

test("an empty assistant message is said before it is saved; one with tool calls or kept null is not", () => {
  const drafts = toDrafts([
    { role: "user", content: "Hi" },
    { role: "assistant", content: "" },
  ]);
  const result = editorResult({ ...openEditorState(COLUMN, { id: "d", messages: [] }), drafts, raw: false });
  assert.match(result.warning, /Message 2 \(assistant\) is empty/);
  assert.deepEqual(Object.keys(result.warnings), ["1"]);
  const calls = toDrafts([{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "function" }] }]);
  assert.equal(editorResult({ kind: "messages", drafts: calls, raw: false }).warning, undefined);
});
