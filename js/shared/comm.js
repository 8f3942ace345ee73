// Intents to the Python widget and their answers, matched by request id.
// Each view has its own id prefix: answers reach every view of a model, each keeps only its own.

let viewCounter = 0;

export function createRequester(model, { timeoutMs = 60000 } = {}) {
  const prefix = `v${++viewCounter}-${Math.random().toString(36).slice(2, 8)}-`;
  let sequence = 0;
  const pending = new Map();

  function onMessage(message) {
    if (!message || typeof message.id !== "string" || !pending.has(message.id)) return;
    const { resolve, reject, timer } = pending.get(message.id);
    pending.delete(message.id);
    clearTimeout(timer);
    if (message.ok) resolve(message);
    else reject(Object.assign(new Error(message.error?.message ?? "request failed"), { detail: message.error }));
  }
  model.on("msg:custom", onMessage);

  function request(type, payload = {}) {
    const id = prefix + ++sequence;
    return new Promise((resolve, reject) => {
      // Hosted APIs can be slow: a long timeout, and the widget's own loading state meanwhile.
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`no answer to ${type} after ${timeoutMs / 1000}s`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      model.send({ type, id, ...payload });
    });
  }

  function dispose() {
    model.off("msg:custom", onMessage);
    for (const { reject, timer } of pending.values()) {
      clearTimeout(timer);
      reject(new Error("view closed"));
    }
    pending.clear();
  }

  return { request, dispose };
}
