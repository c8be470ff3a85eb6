import * as ipaddr from "ipaddr.js";

/**
 * Address and port arithmetic for the security group rules: how much of the internet a set of
 * CIDRs reaches together, and which ports a set of port ranges covers together. A rule set that
 * splits the internet (`0.0.0.0/1` + `128.0.0.0/1`) or the ports (`0-32767` + `32768-65535`)
 * across entries is judged by the union, not entry by entry. "Every port" means 1-65535: port 0
 * is reserved and cannot be reached (LOWEST_PORT below).
 */

export type AddressFamily = "IPv4" | "IPv6";

/** An inclusive range of addresses, as integers. */
interface AddressRange {
    readonly start: bigint;
    readonly end: bigint;
}

const BITS: Record<AddressFamily, number> = { IPv4: 32, IPv6: 128 };

/**
 * What "the internet" is per family. IPv4: every address (`0.0.0.0/0`). IPv6: the global unicast
 * space `2000::/3`, the only part IANA allocates to registries, so `2000::/3` alone is as wide as
 * `::/0` in practice although it is an eighth of the address space.
 */
export const INTERNET: Readonly<Record<AddressFamily, string>> = { IPv4: "0.0.0.0/0", IPv6: "2000::/3" };

/**
 * The documented threshold: a set of CIDRs is "open to the internet" when, together, they cover
 * at least half of their family's internet (above). `0.0.0.0/0`, `::/0`, `0.0.0.0/1` +
 * `128.0.0.0/1`, `::/1` + `8000::/1`, `2000::/3` and `0.0.0.0/1` alone all are; `10.0.0.0/8`, a
 * company's /16 or any list of /24s are not. Security Hub itself only looks for the literal
 * `0.0.0.0/0` and `::/0`; this is stricter on purpose, since a split internet is the same exposure.
 */
export const INTERNET_SHARE_THRESHOLD = 0.5;

function rangeOf(cidr: string): { family: AddressFamily; range: AddressRange } | undefined {
    let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
    try {
        parsed = ipaddr.parseCIDR(cidr.trim());
    } catch {
        return undefined; // Not a CIDR (or a value a preview does not know yet): nothing to add.
    }
    const [address, prefix] = parsed;
    const family: AddressFamily = address.kind() === "ipv4" ? "IPv4" : "IPv6";
    const bits = BITS[family];
    const value = address.toByteArray().reduce((total, byte) => (total << 8n) | BigInt(byte), 0n);
    const hostBits = BigInt(bits - prefix);
    const start = (value >> hostBits) << hostBits;
    return { family, range: { start, end: start + (1n << hostBits) - 1n } };
}

/** The ranges merged into disjoint, sorted ones. */
function merged(ranges: readonly AddressRange[]): AddressRange[] {
    const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    const result: AddressRange[] = [];
    for (const range of sorted) {
        const last = result[result.length - 1];
        if (last !== undefined && range.start <= last.end + 1n) {
            result[result.length - 1] = { start: last.start, end: range.end > last.end ? range.end : last.end };
        } else {
            result.push(range);
        }
    }
    return result;
}

/** How much of `family`'s internet the CIDRs cover together, from 0 to 1. */
export function internetShare(cidrs: readonly string[], family: AddressFamily): number {
    const internet = rangeOf(INTERNET[family])!.range;
    const ranges = cidrs.map(rangeOf).filter((parsed) => parsed?.family === family).map((parsed) => parsed!.range);
    let covered = 0n;
    for (const range of merged(ranges)) {
        const start = range.start > internet.start ? range.start : internet.start;
        const end = range.end < internet.end ? range.end : internet.end;
        if (start <= end) {
            covered += end - start + 1n;
        }
    }
    const size = internet.end - internet.start + 1n;
    // Parts per million: exact enough for a threshold of one half, and safe from float overflow.
    return Number((covered * 1_000_000n) / size) / 1_000_000;
}

/** The families whose internet the CIDRs reach together (at or above the threshold). */
export function internetWideFamilies(cidrs: readonly string[]): AddressFamily[] {
    return (["IPv4", "IPv6"] as const).filter((family) => internetShare(cidrs, family) >= INTERNET_SHARE_THRESHOLD);
}

/** "all of the IPv4 internet", "62% of the IPv6 internet". */
export function describeReach(cidrs: readonly string[]): string {
    return internetWideFamilies(cidrs)
        .map((family) => {
            const share = internetShare(cidrs, family);
            return share >= 1 ? `all of the ${family} internet` : `${Math.round(share * 100)}% of the ${family} internet`;
        })
        .join(" and ");
}

export const HIGHEST_PORT = 65535;

/**
 * The lowest port traffic can go to. Port 0 is reserved for TCP and for UDP (RFC 6335 section 6;
 * IANA's port number registry lists 0 as "Reserved"), and binding a socket to port 0 asks the
 * system for any free port, so no server ever listens on it. A set of rules covering 1-65535
 * therefore lets out every TCP or UDP destination there is, whether or not it also names port 0:
 * the egress rule judges 1-65535 and leaves port 0 out of the union.
 */
export const LOWEST_PORT = 1;

/** An inclusive port range. */
export interface PortRange {
    readonly from: number;
    readonly to: number;
}

/**
 * The port ranges that split LOWEST_PORT-HIGHEST_PORT (1-65535) at every range's edges: within one
 * piece, every given range either covers all of it or none of it. Judging each piece judges every
 * usable port; the reserved port 0 is no piece (see LOWEST_PORT).
 */
export function portPieces(ranges: readonly PortRange[]): PortRange[] {
    const edges = new Set<number>([LOWEST_PORT, HIGHEST_PORT + 1]);
    for (const range of ranges) {
        edges.add(Math.max(LOWEST_PORT, range.from));
        edges.add(Math.min(HIGHEST_PORT, range.to) + 1);
    }
    const sorted = [...edges].sort((a, b) => a - b);
    return sorted.slice(0, -1).map((from, index) => ({ from, to: sorted[index + 1] - 1 }));
}
