// A small diff for showing an edit before it is saved: by lines when either side has several,
// by words otherwise. Longest common subsequence; inputs are single fields, so size stays small.

export function tokenize(a, b) {
  const multiLine = a.includes("\n") || b.includes("\n");
  const split = (text) => (multiLine ? text.split(/(?<=\n)/) : text.split(/(\s+)/)).filter((t) => t !== "");
  return [split(a), split(b)];
}

/** [{op: "=" | "-" | "+", text}] turning `before` into `after`. */
export function diff(before, after) {
  const [a, b] = tokenize(String(before ?? ""), String(after ?? ""));
  const rows = a.length + 1;
  const cols = b.length + 1;
  if (rows * cols > 4_000_000)
    return [
      { op: "-", text: before },
      { op: "+", text: after },
    ];
  const table = new Uint32Array(rows * cols);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * cols + j] =
        a[i] === b[j]
          ? table[(i + 1) * cols + j + 1] + 1
          : Math.max(table[(i + 1) * cols + j], table[i * cols + j + 1]);
    }
  }
  const out = [];
  const push = (op, text) => {
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += text;
    else out.push({ op, text });
  };
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      push("=", a[i]);
      i++;
      j++;
    } else if (table[(i + 1) * cols + j] >= table[i * cols + j + 1]) push("-", a[i++]);
    else push("+", b[j++]);
  }
  while (i < a.length) push("-", a[i++]);
  while (j < b.length) push("+", b[j++]);
  return out;
}

export const unchanged = (parts) => parts.every((part) => part.op === "=");
