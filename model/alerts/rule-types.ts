/**
 * Prometheus rule groups as plain data: the same objects become the PrometheusRule's spec and the
 * plain `groups:` file that promtool checks.
 */
import type { AlertSettings } from "../config/alert-settings";

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export type Severity = "critical" | "warning" | "info";

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>> & { readonly severity: Severity };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export const isAlertingRule = (rule: Rule): rule is AlertingRule => "alert" in rule;

/**
 * GitHub/GitLab heading anchor: lower-case, punctuation dropped, spaces to '-'. The runbook's
 * headings are the alert names, so an anchor is the lower-cased name.
 */
export const headingAnchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

export const runbookUrl = (settings: Pick<AlertSettings, "runbookBaseUrl">, alert: string) =>
  `${settings.runbookBaseUrl}#${headingAnchor(alert)}`;
