/**
 * The `freshplan-scaling:dashboards` and `:alertRouting` stack config keys: where dashboards and the Alertmanager
 * routing go.
 */
import { z } from "zod";
import { promDuration, text } from "./fields";

const dnsLabel = text(
  /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  "a Kubernetes name: lower-case letters, digits and '-', at most 63 characters",
);
const labelValue = z.string({ error: "a label value" });
const labels = z.record(z.string(), labelValue);

export const dashboardSettingsSchema = z.strictObject({
  /** Base URL of Grafana; alerts' `dashboard_url` annotations point below it. */
  grafanaUrl: text(
    /^https?:\/\/[^\s#?]+[^/\s#?]$/,
    "an http(s) URL without a trailing '/', query or #fragment",
  ).default("https://grafana.freshfoodz.internal"),
  /** Namespace of the dashboard ConfigMaps (default: the stack's namespace); the Grafana sidecar must search it. */
  namespace: dnsLabel.optional(),
  /**
   * Labels the kube-prometheus-stack Grafana sidecar selects dashboard ConfigMaps by
   * (`sidecar.dashboards.label`/`labelValue`).
   */
  sidecarLabels: labels.default({ grafana_dashboard: "1" }),
  /** Annotation the sidecar reads the target folder from (`sidecar.dashboards.folderAnnotation`), and the folder. */
  folderAnnotation: z.string({ error: "an annotation name" }).min(1).default("grafana_folder"),
  folder: z.string({ error: "a folder name" }).min(1).default("FreshPlan"),
  /** Also provision grafana-operator `GrafanaDashboard` resources selecting these Grafana instances. */
  grafanaOperator: z
    .strictObject({
      instanceSelector: labels.refine((l) => Object.keys(l).length > 0, { error: "at least one label" }),
    })
    .optional(),
});

const secretRef = z.strictObject({ name: dnsLabel, key: text(/^[-._a-zA-Z0-9]+$/, "a Secret key") });

/**
 * A receiver's integration. Credentials are never in the config: only the Kubernetes Secret that
 * holds them (Alertmanager reads them from its mounted secrets; an AlertmanagerConfig references them).
 */
const receiver = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("pagerduty"), routingKey: secretRef }),
    z.strictObject({ type: z.literal("slack"), channel: z.string().min(1), apiUrl: secretRef }),
    z.strictObject({
      type: z.literal("webhook"),
      url: text(/^https?:\/\/[^\s]+$/, "an http(s) URL"),
      bearerToken: secretRef.optional(),
    }),
  ],
  { error: "a receiver { type: pagerduty | slack | webhook, … }" },
);

export const alertRoutingSchema = z.strictObject({
  /** `critical` alerts page through this receiver. */
  page: receiver,
  /** `warning` alerts open a ticket through this receiver. */
  ticket: receiver,
  groupWait: promDuration.default("30s"),
  groupInterval: promDuration.default("5m"),
  pageRepeatInterval: promDuration.default("4h"),
  ticketRepeatInterval: promDuration.default("24h"),
  /**
   * Where Alertmanager mounts `alertmanagerSpec.secrets` (kube-prometheus-stack:
   * /etc/alertmanager/secrets/<secret>/<key>).
   */
  secretsPath: text(/^\/\S*[^/]$/, "an absolute path without a trailing '/'").default("/etc/alertmanager/secrets"),
  /** Also provision the routing as a prometheus-operator AlertmanagerConfig in this namespace (with these labels). */
  alertmanagerConfig: z.strictObject({ namespace: dnsLabel.optional(), labels: labels.default({}) }).optional(),
});

export type DashboardSettings = z.infer<typeof dashboardSettingsSchema>;
export type AlertRoutingSettings = z.infer<typeof alertRoutingSchema>;
export type ReceiverSettings = AlertRoutingSettings["page"];
