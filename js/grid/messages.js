// Chat messages edited as messages: a list of drafts (role, text or parts, tool calls as JSON text)
// and back to the values the service takes, with each problem on the message it concerns. Pure.

export const ROLES = ["system", "developer", "user", "assistant", "tool"];
let keys = 0;
const nextKey = () => `m${++keys}`;
const KNOWN = new Set(["role", "content", "tool_calls", "tool_call_id"]);

const without = (object, names) => Object.fromEntries(Object.entries(object ?? {}).filter(([k]) => !names.includes(k)));

// A part's keys the editor has no field for (a text part's cache_control, an image's own keys) ride along in
// `extra` and `imageExtra`, and come back as they were: an edit elsewhere never drops them.
function partDraft(part) {
  if (part?.type === "text")
    return { type: "text", text: String(part.text ?? ""), extra: without(part, ["type", "text"]) };
  if (part?.type === "image_url") {
    const image = part.image_url ?? {};
    return {
      type: "image_url",
      url: String(typeof image === "string" ? image : (image.url ?? "")),
      detail: image.detail,
      extra: without(part, ["type", "image_url"]),
      imageExtra: typeof image === "string" ? {} : without(image, ["url", "detail"]),
    };
  }
  return { type: part?.type ?? "part", json: JSON.stringify(part, null, 2) };
}

/** Messages (as the service holds them) to drafts the editor shows. */
export function toDrafts(messages) {
  return (Array.isArray(messages) ? messages : []).map((message) => {
    const extra = Object.fromEntries(Object.entries(message ?? {}).filter(([key]) => !KNOWN.has(key)));
    const content = message?.content;
    return {
      key: nextKey(),
      role: message?.role ?? "user",
      text: typeof content === "string" ? content : "",
      parts: Array.isArray(content) ? content.map(partDraft) : null,
      toolCalls: message?.tool_calls ? JSON.stringify(message.tool_calls, null, 2) : "",
      toolCallId: message?.tool_call_id ?? "",
      nullContent: content === null, // kept null (not "") while its text stays empty
      extra,
    };
  });
}

export function newDraft(role = "user") {
  return { key: nextKey(), role, text: "", parts: null, toolCalls: "", toolCallId: "", extra: {} };
}

// --- editing: each returns a new list ---------------------------------------------------------------

export const addMessage = (drafts, role = "user", at = drafts.length) => [
  ...drafts.slice(0, at),
  newDraft(role),
  ...drafts.slice(at),
];
export const removeMessage = (drafts, index) => drafts.filter((_, i) => i !== index);
export const updateMessage = (drafts, index, changes) =>
  drafts.map((draft, i) => (i === index ? { ...draft, ...changes } : draft));
export function moveMessage(drafts, index, by) {
  const to = index + by;
  if (to < 0 || to >= drafts.length) return drafts;
  const list = [...drafts];
  const [moved] = list.splice(index, 1);
  list.splice(to, 0, moved);
  return list;
}
export const updatePart = (drafts, index, partIndex, changes) =>
  updateMessage(drafts, index, {
    parts: drafts[index].parts.map((part, i) => (i === partIndex ? { ...part, ...changes } : part)),
  });

// --- back to values --------------------------------------------------------------------------------

function parseJson(text, what) {
  try {
    return { value: JSON.parse(text) };
  } catch (error) {
    return { error: `${what} is not valid JSON: ${error.message}` };
  }
}

function partValue(part) {
  if (part.type === "text") return { value: { ...part.extra, type: "text", text: part.text } };
  if (part.type === "image_url") {
    const image = { ...part.imageExtra, url: part.url, ...(part.detail ? { detail: part.detail } : {}) };
    return part.url.trim()
      ? { value: { ...part.extra, type: "image_url", image_url: image } }
      : { error: "The image URL is empty" };
  }
  return parseJson(part.json, `The ${part.type} part`);
}

/** A draft's tool calls on `message` (assistant messages only), each problem told to `problem`. */
function withToolCalls(message, draft, problem) {
  if (!draft.toolCalls.trim()) return;
  const parsed = parseJson(draft.toolCalls, "Tool calls");
  if (parsed.error) problem(parsed.error);
  else if (!Array.isArray(parsed.value)) problem("Tool calls must be a JSON list");
  else message.tool_calls = parsed.value;
  if (draft.role !== "assistant") problem("Only assistant messages make tool calls");
}

/** One message from its draft; each problem is told to `problem(text)`. */
function draftMessage(draft, problem) {
  const message = { ...draft.extra, role: draft.role };
  if (!ROLES.includes(draft.role))
    problem(`Role ${JSON.stringify(draft.role)} is not a role: use one of ${ROLES.join(", ")}`);
  if (draft.parts) {
    message.content = draft.parts.map((part) => {
      const parsed = partValue(part);
      if (parsed.error) problem(parsed.error);
      return parsed.value ?? null;
    });
  } else message.content = draft.text;
  withToolCalls(message, draft, problem);
  if (draft.role === "assistant" && message.content === "" && (message.tool_calls || draft.nullContent))
    message.content = null;
  if (draft.role === "tool") {
    if (!draft.toolCallId.trim()) problem("A tool message needs the id of the tool call it answers");
    message.tool_call_id = draft.toolCallId;
  }
  return message;
}

/** {value: messages, errors: {index: [text]}}: the value is only to be saved when errors is empty. */
export function fromDrafts(drafts) {
  const errors = {};
  const problem = (index, text) => {
    errors[index] = [...(errors[index] ?? []), text];
  };
  const value = drafts.map((draft, index) => draftMessage(draft, (text) => problem(index, text)));
  return { value, errors };
}

/** "Message 2: Role "bot" is not a role: ...; Message 4: ...": each problem named with its message. */
export function problemsInWords(errors) {
  const named = Object.entries(errors ?? {})
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([index, texts]) => `Message ${Number(index) + 1}: ${texts.join("; ")}`);
  return named.length ? `Some messages have problems. ${named.join(". ")}` : "";
}

/**
 * What saves but is likely a slip: an assistant message with no text, parts or tool calls (one kept
 * empty on purpose, with a null content, is not). [{index, text}]
 */
export function messageWarnings(drafts) {
  return drafts.flatMap((draft, index) =>
    draft.role === "assistant" &&
    !draft.nullContent &&
    !draft.toolCalls.trim() &&
    (draft.parts ? draft.parts.length === 0 : !draft.text.trim())
      ? [{ index, text: `Message ${index + 1} (assistant) is empty` }]
      : [],
  );
}

/** The service's field errors ("messages.2.content": [...]) or a reason ("messages.2.role: ...") by message. */
export function errorsByMessage(fields = {}, reason = "") {
  const errors = {};
  const add = (path, text) => {
    const match = /^messages\.(\d+)(?:\.(.+))?$/.exec(path);
    if (!match) return false;
    const index = Number(match[1]);
    errors[index] = [...(errors[index] ?? []), match[2] ? `${match[2]}: ${text}` : text];
    return true;
  };
  for (const [path, texts] of Object.entries(fields ?? {})) for (const text of texts) add(path, text);
  const inReason = /^(messages\.\d+(?:\.[\w.]+)?):\s*(.*)$/s.exec(reason ?? "");
  if (inReason && !Object.keys(errors).length) add(inReason[1], inReason[2]);
  return errors;
}

/** An image URL shown as a small preview only where that is safe: https, or an inline raster image. */
export function safeImageUrl(url) {
  const text = String(url ?? "").trim();
  if (/^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]+$/i.test(text)) return text;
  try {
    return new URL(text).protocol === "https:" ? text : null;
  } catch {
    return null;
  }
}
