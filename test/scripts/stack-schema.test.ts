/**
 * The stack files' JSON Schema: generated from the zod schema, in sync, referenced by the stack files, and it agrees
 * with the validator.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { expect } from "chai";
import Ajv2020 from "ajv/dist/2020";
import { SCHEMA_FILE, schemaText } from "../../scripts/schema";
import { ROOT, readYamlFile } from "../support/stack-fixtures";

const STACKS = ["prod", "staging"];

describe("stack config JSON Schema", () => {
  it("is what `npm run schema` generates from the zod schema today (run it after a schema change)", () => {
    expect(fs.existsSync(SCHEMA_FILE), `${SCHEMA_FILE} missing: npm run schema`).to.equal(true);
    expect(fs.readFileSync(SCHEMA_FILE, "utf8")).to.equal(schemaText());
  });

  it("is referenced from every stack file for the YAML language server", () => {
    for (const stack of STACKS) {
      const first = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").split("\n")[0];
      expect(first).to.equal("# yaml-language-server: $schema=./schema/stack-config.schema.json");
    }
  });

  it("accepts the shipped stack files and rejects a misspelt key, a wrong type and a lower-case territory", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(schemaText()));
    for (const stack of STACKS) {
      const doc = readYamlFile(path.join(ROOT, `Pulumi.${stack}.yaml`));
      expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
    }
    const doc = readYamlFile(path.join(ROOT, "Pulumi.prod.yaml"));
    doc.config["freshplan-scaling:territories"].DE.queries.maxReplica = 8;
    doc.config["freshplan-scaling:territories"].CH.queries.minReplicas = "two";
    doc.config["freshplan-scaling:territories"].at = doc.config["freshplan-scaling:territories"].AT;
    expect(validate(doc)).to.equal(false);
    const paths = validate.errors!.map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`).join("\n");
    expect(paths).to.contain("/config/freshplan-scaling:territories/DE/queries").and.contain("maxReplica");
    expect(paths).to.contain("/config/freshplan-scaling:territories/CH/queries/minReplicas");
    expect(paths).to.match(/propertyName.*at|"at"/);
  });

  it("takes numbers written as strings, as `pulumi config set --path` stores them", () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(schemaText()));
    const doc = readYamlFile(path.join(ROOT, "Pulumi.prod.yaml"));
    doc.config["freshplan-scaling:territories"].DE.queries.maxReplicas = "8";
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
  });
});
