/**
 * Hands a model manifest to a Pulumi resource as its args: the one cast, since the tests check every manifest against
 * its schema.
 */
import type { Manifest } from "../model/keda/types";

export const manifestArgs = <T>(manifest: Manifest): T => manifest as unknown as T;
