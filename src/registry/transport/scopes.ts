/** Token scopes (`type:name:actions`): merging and coverage (pure). */
import { compareText } from "../../compare_text.ts";

interface Scope {
  type: string;
  name: string;
  actions: Set<string>;
}

function parse(scope: string): Scope | undefined {
  const first = scope.indexOf(":");
  const last = scope.lastIndexOf(":");
  if (first <= 0 || last === first) return undefined;
  const actions = scope.slice(last + 1).split(",").filter((a) => a !== "");
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: new Set(actions),
  };
}

const ACTION_ORDER = ["pull", "push"];

function format(s: Scope): string {
  const actions = [...s.actions].sort((a, b) => {
    const ia = ACTION_ORDER.indexOf(a), ib = ACTION_ORDER.indexOf(b);
    if (ia !== ib) return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
    return compareText(a, b);
  });
  return `${s.type}:${s.name}:${actions.join(",")}`;
}

/**
 * Merges scope lists into one: scopes on the same resource are joined (`repository:a:pull` and
 * `repository:a:push` become `repository:a:pull,push`), scopes asking for push come first (some
 * registries read only the first scope), otherwise first-seen order is kept. Scopes that do not
 * look like `type:name:actions` are kept as they are.
 */
export function mergeScopes(...lists: readonly (readonly string[])[]): string[] {
  const merged = new Map<string, Scope>();
  const opaque: string[] = [];
  for (const list of lists) {
    for (const raw of list) {
      for (const piece of raw.split(" ")) {
        if (piece === "") continue;
        const s = parse(piece);
        if (!s) {
          if (!opaque.includes(piece)) opaque.push(piece);
          continue;
        }
        const key = `${s.type}:${s.name}`;
        const have = merged.get(key);
        if (have) { for (const a of s.actions) have.actions.add(a); }
        else merged.set(key, s);
      }
    }
  }
  const all = [...merged.values()];
  const push = all.filter((s) => s.actions.has("push") || s.actions.has("*"));
  const rest = all.filter((s) => !(s.actions.has("push") || s.actions.has("*")));
  return [...push.map(format), ...rest.map(format), ...opaque];
}

/** Whether a token granted for `have` also serves a request needing `need`. */
export function coversScopes(have: readonly string[], need: readonly string[]): boolean {
  const granted = new Map<string, Scope>();
  for (const h of have) {
    const s = parse(h);
    if (s) granted.set(`${s.type}:${s.name}`, s);
  }
  for (const n of need) {
    const s = parse(n);
    if (!s) {
      if (!have.includes(n)) return false;
      continue;
    }
    const g = granted.get(`${s.type}:${s.name}`);
    if (!g) return false;
    if (g.actions.has("*")) continue;
    for (const a of s.actions) if (!g.actions.has(a)) return false;
  }
  return true;
}
