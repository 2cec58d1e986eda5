/**
 * Alertmanager routing from the stack's severities: `critical` pages, `warning` opens a ticket,
 * `info` goes nowhere; a warning is inhibited while a critical of the same family fires for the
 * same territory and workload. As a plain config file and as a prometheus-operator AlertmanagerConfig.
 */
import { stringify } from "yaml";
import type { RuleGroup } from "../alerts/rule-types";
import { alertingRules } from "../alerts/rules";
import type { AlertRoutingSettings, ReceiverSettings } from "../config/dashboard-settings";
import type { FreshplanConfig } from "../config/schema";
import { MANAGED_LABELS, PROMETHEUS_RULE_NAME } from "../conventions";
import type { Manifest } from "../keda/types";

/** Receiver names; `null` has no integration, so `info` alerts stay on the Alertmanager UI only. */
export const RECEIVERS = { page: "freshplan-page", ticket: "freshplan-ticket", none: "freshplan-null" } as const;
export const GROUP_BY = ["alertname", "territory", "workload"] as const;

interface SeverityRoute {
  readonly severity: "critical" | "warning" | "info";
  readonly receiver: string;
  readonly repeatInterval?: string;
}

const severityRoutes = (r: AlertRoutingSettings): SeverityRoute[] => [
  { severity: "critical", receiver: RECEIVERS.page, repeatInterval: r.pageRepeatInterval },
  { severity: "warning", receiver: RECEIVERS.ticket, repeatInterval: r.ticketRepeatInterval },
  { severity: "info", receiver: RECEIVERS.none },
];

/**
 * A family is a rule group: its alerts describe one subsystem, so its critical explains its warnings (families without
 * a critical need no rule).
 */
function families(groups: readonly RuleGroup[]): { name: string; alerts: string[] }[] {
  return groups
    .filter((g) => alertingRules([g]).some((r) => r.labels.severity === "critical"))
    .map((g) => ({ name: g.name, alerts: [...new Set(alertingRules([g]).map((r) => r.alert))].sort() }));
}

/** Alerts of the stack only: the routes sit under a matcher on the alert names the rules define. */
const stackAlertsRegex = (groups: readonly RuleGroup[]) =>
  [...new Set(alertingRules(groups).map((r) => r.alert))].sort().join("|");

const secretFile = (r: AlertRoutingSettings, ref: { name: string; key: string }) =>
  `${r.secretsPath}/${ref.name}/${ref.key}`;

function fileReceiver(r: AlertRoutingSettings, name: string, receiver: ReceiverSettings): object {
  switch (receiver.type) {
    case "pagerduty":
      return {
        name,
        pagerduty_configs: [{ routing_key_file: secretFile(r, receiver.routingKey), send_resolved: true }],
      };
    case "slack":
      return {
        name,
        slack_configs: [
          { api_url_file: secretFile(r, receiver.apiUrl), channel: receiver.channel, send_resolved: true },
        ],
      };
    case "webhook":
      return {
        name,
        webhook_configs: [
          {
            url: receiver.url,
            send_resolved: true,
            ...(receiver.bearerToken
              ? {
                  http_config: {
                    authorization: { type: "Bearer", credentials_file: secretFile(r, receiver.bearerToken) },
                  },
                }
              : {}),
          },
        ],
      };
  }
}

/** The plain Alertmanager configuration (`alertmanager.yaml`): secrets are read from mounted files, never inlined. */
export function alertmanagerConfig(config: FreshplanConfig, groups: readonly RuleGroup[]): object | undefined {
  const r = config.alertRouting;
  if (!r) return undefined;
  return {
    route: {
      receiver: RECEIVERS.none,
      group_by: [...GROUP_BY],
      group_wait: r.groupWait,
      group_interval: r.groupInterval,
      routes: [
        {
          receiver: RECEIVERS.none,
          matchers: [`alertname=~"${stackAlertsRegex(groups)}"`],
          routes: severityRoutes(r).map((s) => ({
            receiver: s.receiver,
            matchers: [`severity="${s.severity}"`],
            ...(s.repeatInterval ? { repeat_interval: s.repeatInterval } : {}),
          })),
        },
      ],
    },
    inhibit_rules: families(groups).map((f) => ({
      source_matchers: ['severity="critical"', `alertname=~"${f.alerts.join("|")}"`],
      target_matchers: ['severity="warning"', `alertname=~"${f.alerts.join("|")}"`],
      equal: ["territory", "workload"],
    })),
    receivers: [
      { name: RECEIVERS.none },
      fileReceiver(r, RECEIVERS.page, r.page),
      fileReceiver(r, RECEIVERS.ticket, r.ticket),
    ],
  };
}

export const alertmanagerConfigFile = (config: FreshplanConfig, groups: readonly RuleGroup[]) => {
  const c = alertmanagerConfig(config, groups);
  return c && stringify(c, { lineWidth: 0 });
};

function crdReceiver(name: string, receiver: ReceiverSettings): object {
  switch (receiver.type) {
    case "pagerduty":
      return { name, pagerdutyConfigs: [{ routingKey: receiver.routingKey, sendResolved: true }] };
    case "slack":
      return { name, slackConfigs: [{ apiURL: receiver.apiUrl, channel: receiver.channel, sendResolved: true }] };
    case "webhook":
      return {
        name,
        webhookConfigs: [
          {
            url: receiver.url,
            sendResolved: true,
            ...(receiver.bearerToken
              ? { httpConfig: { authorization: { type: "Bearer", credentials: receiver.bearerToken } } }
              : {}),
          },
        ],
      };
  }
}

const crdMatchers = (...m: [name: string, value: string, matchType: "=" | "=~"][]) =>
  m.map(([name, value, matchType]) => ({ name, value, matchType }));

/**
 * The same routing as a namespaced AlertmanagerConfig; its Secrets must live in its namespace.
 * The operator confines it to alerts with `namespace` = its namespace, which the stack's alerts carry.
 */
export function alertmanagerConfigManifest(
  config: FreshplanConfig,
  groups: readonly RuleGroup[],
): Manifest | undefined {
  const r = config.alertRouting;
  if (!r?.alertmanagerConfig) return undefined;
  return {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: {
      name: PROMETHEUS_RULE_NAME,
      namespace: r.alertmanagerConfig.namespace ?? config.namespace,
      labels: { "app.kubernetes.io/name": PROMETHEUS_RULE_NAME, ...MANAGED_LABELS, ...r.alertmanagerConfig.labels },
    },
    spec: {
      route: {
        receiver: RECEIVERS.none,
        groupBy: [...GROUP_BY],
        groupWait: r.groupWait,
        groupInterval: r.groupInterval,
        matchers: crdMatchers(["alertname", stackAlertsRegex(groups), "=~"]),
        routes: severityRoutes(r).map((s) => ({
          receiver: s.receiver,
          matchers: crdMatchers(["severity", s.severity, "="]),
          ...(s.repeatInterval ? { repeatInterval: s.repeatInterval } : {}),
        })),
      },
      inhibitRules: families(groups).map((f) => ({
        sourceMatch: crdMatchers(["severity", "critical", "="], ["alertname", f.alerts.join("|"), "=~"]),
        targetMatch: crdMatchers(["severity", "warning", "="], ["alertname", f.alerts.join("|"), "=~"]),
        equal: ["territory", "workload"],
      })),
      receivers: [
        { name: RECEIVERS.none },
        crdReceiver(RECEIVERS.page, r.page),
        crdReceiver(RECEIVERS.ticket, r.ticket),
      ],
    },
  };
}
