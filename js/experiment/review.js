// Pure helpers of the experiment review (tested with node --test): status words, metadata, keys.

// A write's state in words, and the shared badge state (icon) it is shown with.
export const FEEDBACK_STATUS = {
  pending: ["pending", "Sending…"],
  retrying: ["retrying", "Not sent yet, retrying"],
  sent: ["saved", "Sent"],
  failed: ["failed", "Refused"],
};

/** The same states for an undo of "use as expected" (the replaced expected output going back). */
export const RESTORE_STATUS = {
  pending: ["pending", "Restoring the expected output it had…"],
  retrying: ["retrying", "Not restored yet, retrying"],
  saved: ["saved", "Restored the expected output it had"],
  conflict: ["conflict", "Changed on the server"],
  failed: ["failed", "Refused"],
  staged: ["staged", "Its old expected output is staged again"],
};

export const EXPECTED_STATUS = {
  pending: ["pending", "Saving as expected…"],
  retrying: ["retrying", "Not saved yet, retrying"],
  saved: ["saved", "Saved as expected"],
  conflict: ["conflict", "Changed on the server"],
  failed: ["failed", "Refused"],
  staged: ["staged", "Staged for a new version"],
};

/** The staged outputs' version write while it is not saved, in words. */
export function savingWords(saving) {
  if (saving?.state === "retrying") return `Not saved yet (${saving.message}); retrying, the outputs stay staged`;
  return "Saving as a new version…";
}

/** "1.2 s · 120 tokens · $0.0004" from a generation's metadata (only what was given). */
export function metadataText(metadata) {
  if (!metadata) return "";
  const parts = [];
  const latency = metadata.latency_ms;
  if (typeof latency === "number")
    parts.push(latency >= 1000 ? `${(latency / 1000).toFixed(1)} s` : `${Math.round(latency)} ms`);
  const tokens =
    metadata.tokens ??
    (metadata.input_tokens != null || metadata.output_tokens != null
      ? (metadata.input_tokens ?? 0) + (metadata.output_tokens ?? 0)
      : null);
  if (tokens != null) parts.push(`${tokens} tokens`);
  if (typeof metadata.cost === "number") parts.push(`$${metadata.cost.toPrecision(2)}`);
  if (metadata.model) parts.push(String(metadata.model));
  return parts.join(" · ");
}

export function outputText(output) {
  if (output === null || output === undefined) return "";
  return typeof output === "string" ? output : JSON.stringify(output, null, 2);
}

/**
 * "Generating 3 of 10 · 4 at a time", "2 of 10 generated · 3 failed · 5 not generated", ... from the progress
 * trait of the page on show. "Generated" counts the outputs made, as the footer's summary does (a failed
 * row is counted as failed, never as generated): one meaning for both.
 */
export function progressText(progress, concurrency, running) {
  const { done = 0, error = 0, rows = 0, running: inFlight = 0, queued = 0 } = progress ?? {};
  const failed = error ? ` · ${error} failed` : "";
  if (running && inFlight + queued > 0)
    return `Generating: ${done + error} of ${rows} done · ${concurrency} at a time${failed}`;
  const missing = rows - done - error - inFlight - queued;
  return `This page: ${done} of ${rows} generated${failed}${missing > 0 ? ` · ${missing} not generated` : ""}`;
}

/**
 * What a key press means in the review, or null: j/k and arrows move, 1/2 thumbs, digits score
 * (Shift+digit when thumbs take 1/2), c correction, u use as expected, z undo it, r re-run.
 */
export function keyAction(event, kinds) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (MOVES.has(event.key)) return { type: "move", key: event.key }; // moved by the shared grid pattern (gridMove)
  if (event.key === "c") return kinds.some((k) => k.kind === "correction") ? { type: "correct" } : null;
  if (Object.hasOwn(LETTERS, event.key)) return { type: LETTERS[event.key] };
  return digitAction(event, kinds);
}

const MOVES = new Set(["j", "k", "ArrowDown", "ArrowUp", "Home", "End", "PageDown", "PageUp"]);
const LETTERS = { u: "use_expected", z: "undo", r: "rerun" };

/** A digit: 1/2 thumbs; a score (with Shift where thumbs take 1/2). */
function digitAction(event, kinds) {
  const digit = /^Digit[0-9]$/.test(event.code ?? "") ? Number(event.code.slice(5)) : Number.NaN;
  if (Number.isNaN(digit)) return null;
  const thumbs = kinds.find((k) => k.kind === "thumbs");
  const score = kinds.find((k) => k.kind === "score");
  if (thumbs && !event.shiftKey && (digit === 1 || digit === 2))
    return { type: "feedback", property: thumbs.property, value: thumbs.options[digit - 1] }; // the kernel's values
  const scored = score && (event.shiftKey || !thumbs) && digit >= score.score_min && digit <= score.score_max;
  return scored ? { type: "feedback", property: score.property, value: digit } : null;
}

export function keyHelp(kinds) {
  const parts = ["j/k or ↑/↓ move (PageDown/PageUp past the ends flip pages)"];
  const thumbs = kinds.some((k) => k.kind === "thumbs");
  const score = kinds.find((k) => k.kind === "score");
  if (thumbs) parts.push("1/2 thumbs");
  if (score) parts.push(`${thumbs ? "Shift+" : ""}${score.score_min}–${score.score_max} score`);
  if (kinds.some((k) => k.kind === "correction")) parts.push("c correct (Ctrl+Enter sends)");
  parts.push("u use as expected", "z undo it", "r re-run", "Esc back to the notebook");
  return parts.join(" · ");
}
