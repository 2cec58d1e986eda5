/** Pod-level policies: the restricted Pod Security Standard and pinned images, for every pod a resource would run. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { KubernetesObject, containersOf, kubernetesKind, podSpecOf, resourceName } from "./resources";

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUMES = [
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
];
const SECCOMP_ALLOWED = ["RuntimeDefault", "Localhost"];

/**
 * Why a pod spec fails the restricted Pod Security Standard (Kubernetes' own list, baseline
 * included), one message per problem; container settings override the pod's where the standard says so.
 */
export function restrictedViolations(pod: any): string[] {
  const problems: string[] = [];
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[host] === true) problems.push(`${host} is true`);
  for (const v of pod.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== "name");
    if (!type || !RESTRICTED_VOLUMES.includes(type))
      problems.push(`volume "${v.name}" is of type ${type ?? "(none)"}, not one of ${RESTRICTED_VOLUMES.join(", ")}`);
  }
  const podContext = pod.securityContext ?? {};
  if (podContext.runAsUser === 0) problems.push("the pod runs as UID 0");
  for (const c of containersOf(pod)) {
    const ctx = c.securityContext ?? {};
    const where = `container "${c.name}"`;
    if (ctx.privileged === true) problems.push(`${where} is privileged`);
    if (ctx.allowPrivilegeEscalation !== false) problems.push(`${where} does not set allowPrivilegeEscalation: false`);
    if ((ctx.runAsNonRoot ?? podContext.runAsNonRoot) !== true)
      problems.push(`${where} does not run as non-root (runAsNonRoot: true on the pod or container)`);
    if (ctx.runAsUser === 0) problems.push(`${where} runs as UID 0`);
    const seccomp = ctx.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (!SECCOMP_ALLOWED.includes(seccomp))
      problems.push(`${where} has seccomp profile ${seccomp ?? "(unset)"}, expected RuntimeDefault or Localhost`);
    const caps = ctx.capabilities ?? {};
    if (!(caps.drop ?? []).includes("ALL")) problems.push(`${where} does not drop ALL capabilities`);
    const added = (caps.add ?? []).filter((x: string) => x !== "NET_BIND_SERVICE");
    if (added.length > 0) problems.push(`${where} adds capabilities ${added.join(", ")}`);
    for (const p of c.ports ?? []) if (p.hostPort) problems.push(`${where} uses hostPort ${p.hostPort}`);
    if (ctx.procMount && ctx.procMount !== "Default") problems.push(`${where} sets procMount ${ctx.procMount}`);
  }
  return problems;
}

/** Why an image reference is not pinned: it needs a digest, or a tag other than `latest`. */
export function imagePinProblem(image: unknown): string | undefined {
  if (typeof image !== "string" || image === "") return "has no image";
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return undefined;
  const lastSlash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  const tag = colon > lastSlash ? image.slice(colon + 1) : undefined;
  if (tag === undefined) return `image ${image} has neither a tag nor a digest`;
  if (tag === "latest") return `image ${image} uses the tag latest`;
  return undefined;
}

export const podSecurityRestricted: ResourceValidationPolicy = {
  name: "pod-security-restricted",
  description:
    "Every pod meets the restricted Pod Security Standard (non-root, no privilege escalation, ALL " +
    "capabilities dropped, seccomp, allowed volumes only).",
  validateResource: (args, reportViolation) => {
    const pod = podSpecOf(kubernetesKind(args.type), args.props as KubernetesObject);
    if (!pod) return;
    for (const problem of restrictedViolations(pod)) reportViolation(`${resourceName(args)}: ${problem}`);
  },
};

export const imagesPinned: ResourceValidationPolicy = {
  name: "images-pinned",
  description: "Every container image carries a digest or a tag other than latest.",
  validateResource: (args, reportViolation) => {
    const pod = podSpecOf(kubernetesKind(args.type), args.props as KubernetesObject);
    if (!pod) return;
    for (const c of containersOf(pod)) {
      const problem = imagePinProblem(c.image);
      if (problem) reportViolation(`${resourceName(args)}: container "${c.name}": ${problem}`);
    }
  },
};
