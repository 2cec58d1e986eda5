/** The restricted Pod Security Standard every pod of the stack runs under, and the namespace that enforces it. */
import { PART_OF } from "../conventions";
import type { Manifest } from "../keda/types";

/** A container under the "restricted" Pod Security Standard, with a read-only root filesystem. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** The namespace enforces the "restricted" Pod Security Standard, so a regression cannot deploy. */
export function namespaceManifest(name: string): Manifest {
  const level = "restricted";
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        ...PART_OF,
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/audit": level,
        "pod-security.kubernetes.io/warn": level,
      },
    },
  };
}
