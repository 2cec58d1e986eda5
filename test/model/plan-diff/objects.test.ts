// The object diff: added/removed/changed by kind and name, keyed list elements, secrets never in clear.
import { expect } from "chai";
import { MASKED, PlanObject, diffObjects } from "../../../model/plan-diff/objects";

const secret = (values: Record<string, string>): PlanObject => ({
  kind: "Secret",
  namespace: "ns",
  name: "login",
  body: {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "login", namespace: "ns" },
    stringData: values,
    data: { token: Buffer.from("t0ken-value").toString("base64") },
  },
});
const deployment = (env: { name: string; value: string }[], image = "api:1.0.0"): PlanObject => ({
  kind: "Deployment",
  namespace: "ns",
  name: "api",
  body: { kind: "Deployment", spec: { template: { spec: { containers: [{ name: "api", image, env }] } } } },
});

describe("plan diff: objects", () => {
  it("reports added, removed and changed objects by kind and namespace/name", () => {
    const cm = (name: string): PlanObject => ({
      kind: "ConfigMap",
      namespace: "ns",
      name,
      body: { data: { a: name } },
    });
    const d = diffObjects([cm("old"), deployment([])], [cm("new"), deployment([], "api:1.1.0")]);
    expect(d.added).to.deep.equal([{ kind: "ConfigMap", name: "ns/new" }]);
    expect(d.removed).to.deep.equal([{ kind: "ConfigMap", name: "ns/old" }]);
    expect(d.changed).to.deep.equal([
      {
        kind: "Deployment",
        name: "ns/api",
        changes: [{ path: "spec.template.spec.containers[api].image", before: "api:1.0.0", after: "api:1.1.0" }],
      },
    ]);
  });

  it("keys array elements by name, so an inserted trigger does not shift the others", () => {
    const so = (triggers: object[]): PlanObject => ({ kind: "ScaledObject", name: "so", body: { spec: { triggers } } });
    const cron = (name: string, start: string) => ({ type: "cron", name, metadata: { start } });
    const d = diffObjects(
      [so([cron("season-a", "0 0 1 9 *"), cron("business-hours", "0 8 * * 1")])],
      [so([cron("campaign-x", "0 0 3 3 *"), cron("season-a", "0 0 2 9 *"), cron("business-hours", "0 8 * * 1")])],
    );
    expect(d.changed[0].changes).to.deep.equal([
      { path: "spec.triggers[campaign-x]", before: undefined, after: cron("campaign-x", "0 0 3 3 *") },
      { path: "spec.triggers[season-a].metadata.start", before: "0 0 1 9 *", after: "0 0 2 9 *" },
    ]);
  });

  it("never shows a Secret's values or a credential in clear, but still shows that they changed", () => {
    const d = diffObjects(
      [
        secret({ PGHOST: "db-a", PGPASSWORD: "old-Pa55word" }),
        deployment([{ name: "DB_PASSWORD", value: "old-Pa55word" }]),
      ],
      [
        secret({ PGHOST: "db-b", PGPASSWORD: "new-Pa55word", PGUSER: "writer" }),
        deployment([
          { name: "DB_PASSWORD", value: "new-Pa55word" },
          { name: "API_TOKEN", value: "tok-123456" },
        ]),
      ],
    );
    const text = JSON.stringify(d);
    for (const clear of ["db-a", "db-b", "old-Pa55word", "new-Pa55word", "writer", "tok-123456"])
      expect(text).not.to.contain(clear);
    const secretChanges = d.changed.find((c) => c.kind === "Secret")!.changes;
    expect(secretChanges).to.deep.equal([
      { path: "stringData.PGHOST", before: MASKED, after: MASKED },
      { path: "stringData.PGPASSWORD", before: MASKED, after: MASKED },
      { path: "stringData.PGUSER", before: undefined, after: MASKED },
    ]);
    const envChanges = d.changed.find((c) => c.kind === "Deployment")!.changes;
    expect(envChanges.map((c) => c.path)).to.deep.equal([
      "spec.template.spec.containers[api].env[DB_PASSWORD].value",
      "spec.template.spec.containers[api].env[API_TOKEN]",
    ]);
  });

  it("finds nothing between equal plans", () => {
    const d = diffObjects([secret({ PGPASSWORD: "x" }), deployment([])], [deployment([]), secret({ PGPASSWORD: "x" })]);
    expect(d).to.deep.equal({ added: [], removed: [], changed: [] });
  });
});
