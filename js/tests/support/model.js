// A widget model as anywidget gives it, for the view tests: traits, listeners by event, send() recorded.
export function fakeModel(traits = {}) {
  const listeners = new Map();
  return {
    traits,
    sent: [],
    saved: 0,
    get: (name) => traits[name],
    set: (name, value) => {
      traits[name] = value;
    },
    save_changes() {
      this.saved += 1;
    },
    send(message) {
      this.sent.push(message);
    },
    on: (event, fn) => listeners.set(event, [...(listeners.get(event) ?? []), fn]),
    off: (event, fn) =>
      listeners.set(
        event,
        (listeners.get(event) ?? []).filter((f) => f !== fn),
      ),
    fire(event, ...args) {
      for (const fn of listeners.get(event) ?? []) fn(...args);
    },
    count: () => [...listeners.values()].reduce((n, fns) => n + fns.length, 0),
  };
}
