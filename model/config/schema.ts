/**
 * The stack config contract with ops: the shape of every `freshplan-scaling:*` key in
 * `Pulumi.<stack>.yaml`. Field-level rules live here (zod); rules that relate fields to each
 * other (a floor against a max, a season against the territories) live in rules.ts.
 *
 * Every object is strict, so a typo in a key is an error rather than a silently ignored setting.
 * Numbers and booleans also accept their string form, because `pulumi config set --path` may
 * store `territories.DE.queries.maxReplicas 8` as the string "8".
 */
import { z } from "zod";
import { parseCalendarDate, parseMonthDay } from "../time/calendar-date";
import { alertSettingsSchema } from "./alert-settings";
import { alertRoutingSchema, dashboardSettingsSchema } from "./dashboard-settings";
import { int, numericString, positive, promDuration, text } from "./fields";
import { rehearsalSettingsSchema } from "./rehearsal-settings";

export const WORKLOADS = ["queries", "commands"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

const dnsLabel = text(
  /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  "a Kubernetes name: lower-case letters, digits and '-', at most 63 characters",
);
const httpUrl = text(/^https?:\/\/[^\s]+$/, "an http(s) URL");
const labelName = text(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name");
const metricName = text(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a Prometheus metric name");
const quantity = text(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G)?$/, "a Kubernetes quantity such as 250m or 512Mi");
const semver = text(/^\d+\.\d+\.\d+$/, "an exact chart version such as 2.18.1 (pinned, no ranges)");
const slug = text(/^[a-z][a-z0-9-]{0,39}$/, "a lower-case name of letters, digits and '-' (it becomes a trigger name)");
const hhmm = text(/^([01]\d|2[0-3]):[0-5]\d$/, "a local time HH:MM from 00:00 to 23:59");
const image = text(
  /^[^\s:@]+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/,
  "an image reference with a tag or digest",
);

export const territoryCode = text(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, "a territory code such as DE, CH, AT or DE-BY");

const monthDay = z.string({ error: "a recurring day MM-DD" }).refine((s) => parseMonthDay(s) !== undefined, {
  error: "a recurring day MM-DD that exists (01-01 … 12-31; 02-30 does not)",
});

const calendarDate = z
  .string({ error: "a date YYYY-MM-DD (quote it in YAML)" })
  .refine((s) => parseCalendarDate(s) !== undefined, { error: "a date YYYY-MM-DD that exists (2026-02-29 does not)" });

const weekday = z.preprocess(
  (v) => (typeof v === "string" ? v.toLowerCase() : v),
  z.enum(WEEKDAYS, { error: `a weekday: ${WEEKDAYS.join(", ")}` }),
);

const businessHours = z.strictObject({
  /** Weekdays in the territory's time zone, e.g. [mon, tue, wed, thu, fri]. */
  days: z.array(weekday, { error: "a list of weekdays" }).min(1, { error: "at least one weekday" }),
  /** Local start of the floor, HH:MM. */
  start: hhmm,
  /** Local end (exclusive), HH:MM, after start on the same day. */
  end: hhmm,
  /** Replica floor while the business day runs; outside it the workload may fall to minReplicas. */
  floor: int(1),
});

const territoryWorkload = z.strictObject({
  minReplicas: int(1),
  maxReplicas: int(1),
  targetRpsPerReplica: positive("requests per second"),
  p95BudgetMs: positive("milliseconds"),
  /** Expected peak RPS on an ordinary (non-season) day; the calculator multiplies it by a season's load. */
  baselinePeakRps: positive("requests per second"),
  businessHours: businessHours.optional(),
});

const territory = z.strictObject({
  /** IANA time zone in which season days and business hours are read. */
  timeZone: z.string({ error: "an IANA time zone such as Europe/Berlin" }),
  queries: territoryWorkload,
  commands: territoryWorkload,
});

const floorsByWorkload = z.strictObject({ queries: int(1).optional(), commands: int(1).optional() });
const floors = z.record(territoryCode, floorsByWorkload, {
  error: "a map of territory → { queries, commands } floors",
});

const phaseName = text(
  /^[a-z][a-z0-9-]{0,15}$/,
  "a short lower-case name of letters, digits and '-' (it becomes part of a trigger name)",
);

/** A pre-scaling step before the window's first day; rules.ts relates it to leadDays and the other floors. */
const phase = z.strictObject({
  name: phaseName,
  /** Days before firstDay from which the phase's floors hold, until the next phase (the last: until firstDay). */
  fromDaysBefore: int(1, 90),
  floors,
  /** Why a floor lies above a later one (the rule is: floors rise towards the peak). */
  reason: z.string({ error: "a sentence" }).min(1, { error: "a sentence" }).optional(),
});

const season = z.strictObject({
  name: slug,
  /** First day of the window, recurring yearly. */
  firstDay: monthDay,
  /** Last day of the window (inclusive); may lie before firstDay, then the window wraps the year end. */
  lastDay: monthDay,
  /** Days before firstDay from which the floors already hold (pre-scaling ahead of the rush). */
  leadDays: int(0, 90).default(0),
  /** Expected load relative to baselinePeakRps during the window (the calculator uses it). */
  loadMultiplier: positive("a multiplier"),
  /** The territories the season applies to, each with its replica floors. */
  floors,
  /** Staged pre-scaling: with phases, `floors` hold from firstDay and the phases cover the lead days. */
  phases: z.array(phase, { error: "a list of phases" }).optional(),
});

const campaign = z.strictObject({
  name: slug,
  firstDay: calendarDate,
  lastDay: calendarDate,
  leadDays: int(0, 90).default(0),
  loadMultiplier: positive("a multiplier"),
  floors,
  phases: z.array(phase, { error: "a list of phases" }).optional(),
});

const scaling = z.strictObject({
  /** How often KEDA polls the triggers. */
  pollingIntervalSeconds: int(5, 300),
  /** KEDA cooldownPeriod; KEDA applies it only when scaling to zero (see README). */
  cooldownPeriodSeconds: int(0, 3600),
  /** HPA scale-down stabilization window: the seeds ask for 5–10 minutes. */
  scaleDownStabilizationSeconds: int(300, 600),
  /** At most this share of pods removed per scale-down period. */
  scaleDownPercentPerPeriod: int(1, 100).default(50),
  scaleUpStabilizationSeconds: int(0, 300).default(0),
  /** Scale-up policy: the larger of +percent and +pods per period (react fast to a rush). */
  scaleUpPercentPerPeriod: int(1, 1000).default(100),
  scaleUpPodsPerPeriod: int(1, 100).default(4),
  scaleUpPeriodSeconds: int(15, 600).default(30),
  /** Replicas KEDA holds when Prometheus cannot be read failureThreshold times in a row. */
  fallbackReplicas: int(1),
  fallbackFailureThreshold: int(1, 100).default(3),
});

const resources = z.strictObject({
  requests: z.strictObject({ cpu: quantity, memory: quantity }),
  limits: z.strictObject({ cpu: quantity.optional(), memory: quantity }),
});

const workloadSettings = z.strictObject({
  image,
  port: int(1, 65535).default(8080),
  readinessPath: text(/^\//, "an HTTP path").default("/q/health/ready"),
  livenessPath: text(/^\//, "an HTTP path").default("/q/health/live"),
  /** SmallRye Health's startup check: up once the app has started, without the readiness checks (database). */
  startupPath: text(/^\//, "an HTTP path").default("/q/health/started"),
  resources,
  scaling,
});

const share = "a share > 0 and ≤ 1";
const capacitySettings = z.strictObject({
  /** Share of targetRpsPerReplica a replica is planned to carry at a season's forecast peak. */
  targetUtilisation: z
    .preprocess(numericString, z.number({ error: share }).gt(0, { error: share }).lte(1, { error: share }))
    .default(0.8),
  /** A season floor above this multiple of the replicas the forecast needs is reported as waste. */
  wasteRatio: z
    .preprocess(numericString, z.number({ error: "a ratio ≥ 1" }).gte(1, { error: "a ratio ≥ 1" }))
    .default(1.5),
  /** ... and at least this many replicas above it: a floor of 2 over a need of 1 is not worth a warning. */
  wasteMinExcess: int(1).default(2),
});

const postgresName = text(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case PostgreSQL identifier");

const journal = z.strictObject({
  /** PostgreSQL server of the event journal; the stack migrates it and manages its roles. */
  host: z.string({ error: "a host name" }).min(1, { error: "a host name" }),
  port: int(1, 65535).default(5432),
  database: postgresName,
  /** Role that owns the journal schema and may create roles (its password: journalAdminPassword). */
  adminUser: postgresName,
  sslMode: z
    .enum(["disable", "require", "verify-ca", "verify-full"], {
      error: "one of disable, require, verify-ca, verify-full",
    })
    .default("require"),
  /** postgres_exporter image that turns integration.event_metrics into the journal metrics. */
  exporterImage: image.default("quay.io/prometheuscommunity/postgres-exporter:v0.16.0"),
  /** PostgreSQL client image (psql) of the lead-protection scan CronJob. */
  leadScanImage: image.default("postgres:17.6-alpine"),
  /** One event worker per territory, scaled by KEDA on the territory's pending events. */
  worker: workloadSettings.extend({
    minReplicas: int(1),
    maxReplicas: int(1),
    /** Pending events one worker is expected to drain; KEDA's postgresql scaler target. */
    targetPendingEventsPerReplica: int(1),
  }),
  /**
   * Territories removed from `territories` whose journal backlog is still drained: their consumer
   * login and event worker stay (enqueue already refuses them) until the code is removed here too.
   */
  drainTerritories: z.array(territoryCode, { error: "a list of territory codes" }).default([]),
});

export const freshplanConfigSchema = z.strictObject({
  /** Namespace the workloads run in (created by the stack, Pod Security "restricted"). */
  namespace: dnsLabel,
  keda: z.strictObject({
    chartVersion: semver,
    namespace: dnsLabel.default("keda"),
    repository: httpUrl.default("https://kedacore.github.io/charts"),
    /**
     * A vendored chart (directory or .tgz, relative to the project) instead of the repository, for clusters without
     * access to it.
     */
    chartPath: z
      .string({ error: "a path to a chart directory or .tgz" })
      .min(1, { error: "a path to a chart directory or .tgz" })
      .optional(),
  }),
  prometheus: z.strictObject({
    serverAddress: httpUrl,
    /** Value of the `job` label on the API's HTTP metrics. */
    job: z.string({ error: "the Prometheus job name" }).min(1, { error: "the Prometheus job name" }),
    territoryLabel: labelName.default("territory"),
    workloadLabel: labelName.default("workload"),
    /** Micrometer's HTTP server timer (a histogram with _bucket/_count series). */
    requestMetric: metricName.default("http_server_requests_seconds"),
    rateWindow: promDuration.default("2m"),
    latencyWindow: promDuration.default("5m"),
  }),
  workloads: z.strictObject({ queries: workloadSettings, commands: workloadSettings }),
  territories: z.record(territoryCode, territory, { error: "a map of territory code → territory" }),
  seasons: z.array(season, { error: "a list of seasons" }).default([]),
  campaigns: z.array(campaign, { error: "a list of campaigns" }).default([]),
  /** The Postgres event journal; without it the stack provisions no database objects. */
  journal: journal.optional(),
  /** Password of journal.adminUser; set it with `pulumi config set --secret journalAdminPassword`. */
  journalAdminPassword: z.string({ error: "a secret string" }).optional(),
  /** Alert thresholds; every key has the seed value as default (see alert-settings.ts). */
  alerts: alertSettingsSchema.default(() => alertSettingsSchema.parse({})),
  /** Settings of the pre-provisioning calculator (`npm run calendar`, shortfall/waste warnings at preview). */
  capacity: capacitySettings.default({ targetUtilisation: 0.8, wasteRatio: 1.5, wasteMinExcess: 2 }),
  /**
   * Grafana dashboards: sidecar ConfigMaps, folder, optional grafana-operator resources (see dashboard-settings.ts).
   */
  dashboards: dashboardSettingsSchema.default(() => dashboardSettingsSchema.parse({})),
  /** Alertmanager routing by severity; without it the stack ships no routing. */
  alertRouting: alertRoutingSchema.optional(),
  /** The daily load shape and capacity model of `npm run rehearse` (see rehearsal-settings.ts). */
  rehearsal: rehearsalSettingsSchema.default(() => rehearsalSettingsSchema.parse({})),
});

export type FreshplanConfig = z.infer<typeof freshplanConfigSchema>;
export type TerritoryConfig = FreshplanConfig["territories"][string];
export type TerritoryWorkloadConfig = TerritoryConfig[WorkloadName];
export type SeasonConfig = FreshplanConfig["seasons"][number];
export type CampaignConfig = FreshplanConfig["campaigns"][number];
export type PhaseConfig = NonNullable<SeasonConfig["phases"]>[number];
export type WorkloadSettings = FreshplanConfig["workloads"][WorkloadName];
export type CapacitySettings = FreshplanConfig["capacity"];
export type JournalConfig = NonNullable<FreshplanConfig["journal"]>;
export type BusinessHoursConfig = NonNullable<TerritoryWorkloadConfig["businessHours"]>;
