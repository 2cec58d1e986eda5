/**
 * The CrossGuard pack `pulumi preview --policy-pack policy` runs: every policy of policies.ts, mandatory unless marked
 * advisory.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("freshplan-scaling", { enforcementLevel: "mandatory", policies: [...policies] });
