/**
 * PromQL syntax check with Prometheus' own lezer grammar, so a broken query or threshold is caught
 * at preview time (and in tests) instead of by KEDA or Prometheus at run time.
 */
import { parser } from "@prometheus-io/lezer-promql";

/** Returns a message per syntax error (with the offending position), or [] when the query parses. */
export function promqlSyntaxErrors(query: string): string[] {
  const errors: string[] = [];
  if (query.trim() === "") return ["empty query"];
  parser.parse(query).iterate({
    enter(node) {
      if (node.type.isError) {
        const near = query.slice(Math.max(0, node.from - 10), node.to + 10);
        errors.push(`syntax error at offset ${node.from} near "${near}"`);
      }
    },
  });
  return errors;
}
