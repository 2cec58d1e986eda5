/** Stack config keys outside the project namespace. Pulumi hands the program every key of the stack
 * file; keys of other namespaces (`pulumi:`, `kubernetes:`, `postgresql:` provider config) are not
 * ours, but a key whose namespace is a misspelling of ours, or that has none, is a setting ops meant
 * for this stack that would otherwise be dropped without a word.
 */
import { PROJECT } from "../conventions";
import { editDistance } from "./edit-distance";
import type { ConfigIssue } from "./issues";

/** Namespaces this close to the project's are taken for typos of it. */
const TYPO_DISTANCE = 3;

function looksLikeProject(namespace: string): boolean {
  const lower = namespace.toLowerCase();
  return editDistance(lower, PROJECT) <= TYPO_DISTANCE || lower.startsWith("freshplan");
}

/** One issue per key that looks meant for this project but is not under `freshplan-scaling:`. */
export function strayKeyIssues(entries: Record<string, string>, knownKeys: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of Object.keys(entries)) {
    const colon = key.indexOf(":");
    const namespace = colon < 0 ? undefined : key.slice(0, colon);
    if (namespace === PROJECT || (namespace !== undefined && !looksLikeProject(namespace))) continue;
    const name = colon < 0 ? key : key.slice(colon + 1);
    const close = knownKeys.filter((k) => editDistance(k, name) <= 2);
    const suggestion = close.length ? ` (did you mean ${close.map((k) => `${PROJECT}:${k}`).join(" or ")}?)` : "";
    const why = namespace === undefined ? "a key without a namespace" : `a key under "${namespace}:"`;
    issues.push({
      path: key,
      // The value is JSON text for structured keys; its start is enough to recognise it.
      value: entries[key].length > 60 ? `${entries[key].slice(0, 57)}...` : entries[key],
      expected: `a key under the project namespace ${PROJECT}:${suggestion}; the stack would silently ignore ${why}`,
    });
  }
  return issues;
}
