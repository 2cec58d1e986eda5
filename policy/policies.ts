/**
 * Every policy of the pack, in the order preview reports them; index.ts wraps them in the PolicyPack and tests call
 * them directly.
 */
import type { Policies } from "@pulumi/policy";
import { imagesPinned, podSecurityRestricted } from "./pod-security";
import { apiMinReplicasAdvisory, deploymentsScaledByKeda, kedaChartPinned, scaledObjectsSafe } from "./scaling";
import { noSecretsInClear } from "./secrets";

export const policies: Policies = [
  scaledObjectsSafe,
  deploymentsScaledByKeda,
  podSecurityRestricted,
  imagesPinned,
  noSecretsInClear,
  kedaChartPinned,
  apiMinReplicasAdvisory,
];
