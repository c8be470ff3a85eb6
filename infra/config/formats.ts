// What valid values look like: AWS lists from the provider package, patterns and CIDR parsing.
import * as ipaddr from "ipaddr.js";
import { Region as AWS_REGIONS } from "@pulumi/aws/types/enums";
import { InstanceType as EC2_INSTANCE_TYPES } from "@pulumi/aws/types/enums/ec2";
import { Architecture } from "./types";

/**
 * Graviton instance families carry a `g` right after their generation number (t4g, m7gd,
 * c6gn, hpc7g); a1 is the first generation. Everything else runs x86_64.
 */
export function architectureOf(instanceType: string): Architecture {
    const family = instanceType.split(".")[0];
    return family === "a1" || /^[a-z]+\d+g[a-z]*$/.test(family) ? "arm64" : "x86_64";
}

/** Where the region and instance-type lists come from: the AWS provider package this program pins. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const AWS_PACKAGE = `@pulumi/aws ${(require("@pulumi/aws/package.json") as { version: string }).version}`;
export const KNOWN_REGIONS: readonly string[] = Object.values(AWS_REGIONS);
export const KNOWN_INSTANCE_TYPES: readonly string[] = Object.values(EC2_INSTANCE_TYPES);

export const AMI_ID = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
export const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;
export const QUALIFIED_STACK = /^[^/\s]+\/[^/\s]+\/[^/\s]+$/;
/** A bare stack name: what self-managed backends created before CLI 3.61 (not project-scoped) accept. */
export const BARE_STACK = /^[A-Za-z0-9_.-]+$/;
export const SSH_PUBLIC_KEY = /^(ssh-ed25519|ssh-rsa) [A-Za-z0-9+/]+={0,3}( [^\n]*)?$/;
export const SSH_PRIVATE_KEY = /^-----BEGIN (OPENSSH|RSA) PRIVATE KEY-----[\s\S]+-----END (OPENSSH|RSA) PRIVATE KEY-----\s*$/;
export const MAX_HELLO_MESSAGE_LENGTH = 256;
/** A bound that only catches typos: one rotation a year would take millennia to reach it. */
export const MAX_CLIENT_CERTIFICATE_GENERATION = 10_000;
/**
 * The most instances either fleet key accepts (docs/scaling.md). A typo guard (40 for 4), and an
 * instance refresh briefly runs up to twice the desired count, which the account's On-Demand vCPU
 * quota must hold; raise it here after checking that quota.
 */
export const MAX_FLEET_INSTANCES = 20;
/** Target-tracking CPU targets the group accepts: below 10 it never scales in, above 90 it scales out too late. */
export const SCALE_OUT_CPU_PERCENT = { min: 10, max: 90 } as const;
/**
 * The widest SSH source list accepted without `allowSshFromAnywhere`, per family, counted over
 * the union of the list's ranges: a /8 of IPv4 (16.7 million addresses, the largest block a
 * single organisation holds) and a /32 of IPv6 (an ISP's allocation). Wider lists, however
 * they are split (0.0.0.0/1 + 128.0.0.0/1), open SSH to most of the internet.
 */
export const SSH_WIDEST_SOURCE = { ipv4: { prefix: 8, bits: 32 }, ipv6: { prefix: 32, bits: 128 } } as const;
/** One address: a local part, a domain with a dot, no spaces or lists. */
export const EMAIL = /^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$/;
export const HEADER_NAME = /^[A-Za-z0-9-]{1,64}$/;
export const QUERY_PARAMETER_NAME = /^[A-Za-z0-9_.~-]{1,64}$/;
export const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
export const USER_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[a-z0-9-]+_[A-Za-z0-9]+$/;

export type ParsedCidr = { readonly kind: "ipv4" | "ipv6"; readonly prefix: number; readonly address: ipaddr.IPv4 | ipaddr.IPv6 };

/** A CIDR in canonical form (host bits zero), IPv4 in four-part decimal; undefined otherwise. */
export function parseCidr(text: string): ParsedCidr | undefined {
    if (!ipaddr.isValidCIDR(text)) {
        return undefined;
    }
    const [address, prefix] = ipaddr.parseCIDR(text);
    if (address.kind() === "ipv4") {
        if (!ipaddr.IPv4.isValidFourPartDecimal(text.split("/")[0])) {
            return undefined;
        }
        const network = ipaddr.IPv4.networkAddressFromCIDR(text);
        return network.toString() === address.toString() ? { kind: "ipv4", prefix, address } : undefined;
    }
    const network = ipaddr.IPv6.networkAddressFromCIDR(text);
    return network.toString() === address.toString() ? { kind: "ipv6", prefix, address } : undefined;
}
