// The options a feedback kind offers, as {label, value, key}: pure, tested with node --test.

export function choicesFor(kind, { options = [], min = 1, max = 5, step = 1 } = {}) {
  if (kind === "thumbs") {
    const [up, down] = options; // the kernel's values (models/feedback.py THUMBS), sent as the control's options
    return [
      // the name begins with the words on the button (what a voice user says), then what the icon shows
      { label: "Good", name: "Good (thumbs up)", value: up, icon: "up" },
      { label: "Bad", name: "Bad (thumbs down)", value: down, icon: "down" },
    ];
  }
  if (kind === "score") {
    const values = [];
    for (let v = min; v <= max + 1e-9 && values.length <= 101; v += step) values.push(Math.round(v * 1e6) / 1e6);
    return values.map((v) => ({ label: String(v), name: `Score ${v}`, value: v }));
  }
  if (kind === "choice" || kind === "choices") return options.map((o) => ({ label: o, name: o, value: o }));
  return [];
}

/** The value after picking `choice`: a toggle within a list for "choices", the choice itself otherwise. */
export function nextValue(kind, current, choice) {
  if (kind !== "choices") return choice;
  const list = Array.isArray(current) ? current : [];
  return list.includes(choice) ? list.filter((v) => v !== choice) : [...list, choice];
}

export const isPicked = (kind, current, choice) =>
  kind === "choices" ? Array.isArray(current) && current.includes(choice) : current === choice;

export const STATUS_TEXT = {
  idle: "",
  pending: "Sending…",
  sent: "Sent ✓",
  retrying: "Not sent yet",
  failed: "Refused",
  removed: "Removed",
};
