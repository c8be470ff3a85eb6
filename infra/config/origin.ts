// The origin layer's keys: network, SSH, the server and its fleet.
import * as pulumi from "@pulumi/pulumi";
import * as ipaddr from "ipaddr.js";
import { UNDECRYPTED_SECRET_PLACEHOLDER, closestKey } from "../config-keys";
import { DEFAULTS, TAKE_NEWEST_AMI_ENV } from "../defaults";
import { CommonConfig, FleetConfig, ORIGIN_MODES, OriginConfig, OriginMode, SshKeyMaterial } from "./types";
import { ConfigReader, ProblemList, parseLogRetention, parseMonitoring, shown } from "./reader";
import { AMI_ID, AWS_PACKAGE, KNOWN_INSTANCE_TYPES, MAX_CLIENT_CERTIFICATE_GENERATION, MAX_FLEET_INSTANCES, MAX_HELLO_MESSAGE_LENGTH, SCALE_OUT_CPU_PERCENT, SSH_PRIVATE_KEY, SSH_WIDEST_SOURCE, SSH_PUBLIC_KEY, architectureOf, parseCidr } from "./formats";

function parseVpcCidr(reader: ConfigReader, problems: ProblemList): string {
    const value = reader.string("vpcCidr");
    const cidr = parseCidr(value);
    const privateRange =
        cidr?.kind === "ipv4" && (cidr.address as ipaddr.IPv4).range() === "private";
    if (!cidr || !privateRange || cidr.prefix < 16 || cidr.prefix > 24) {
        problems.add(
            "vpcCidr",
            shown(value),
            "a private IPv4 network in CIDR form (10/8, 172.16/12 or 192.168/16) with a prefix from /16 to /24, host bits zero, e.g. 10.0.0.0/16",
        );
    }
    return value;
}

function parseSshAllowedCidrs(reader: ConfigReader, problems: ProblemList): OriginConfig["sshAllowedCidrs"] {
    const cidrs = reader.stringList("sshAllowedCidrs");
    const allowAnywhere = reader.boolean("allowSshFromAnywhere");
    const result = { ipv4: [] as string[], ipv6: [] as string[] };
    if (cidrs === undefined) {
        return result;
    }
    if (cidrs.length === 0) {
        problems.add(
            "sshAllowedCidrs",
            "an empty list",
            "at least one CIDR that may reach port 22 for provisioning, e.g. [\"203.0.113.10/32\"] (required for the origin layer)",
        );
        return result;
    }
    for (const text of cidrs) {
        const cidr = parseCidr(text);
        if (!cidr) {
            const oneAddress = ipaddr.IPv4.isValidFourPartDecimal(text) ? `${text}/32` : ipaddr.IPv6.isValid(text) ? `${text}/128` : undefined;
            problems.add(
                "sshAllowedCidrs",
                shown(text),
                `an IPv4 or IPv6 CIDR with host bits zero${oneAddress ? `; did you mean ${oneAddress} (that one address)?` : `, e.g. 203.0.113.10/32${/[g-z]/i.test(text) ? " (not a host name: security groups take addresses)" : ""}`}`,
            );
            continue;
        }
        if (cidr.prefix === 0 && allowAnywhere !== true) {
            problems.add(
                "sshAllowedCidrs",
                shown(text),
                "a narrower range; SSH from anywhere needs `hello-gateway:allowSshFromAnywhere: true`",
            );
            continue;
        }
        result[cidr.kind].push(text);
    }
    if (allowAnywhere !== true) {
        for (const kind of ["ipv4", "ipv6"] as const) {
            const limit = SSH_WIDEST_SOURCE[kind];
            if (result[kind].length > 0 && addressesCovered(result[kind]) > 2n ** BigInt(limit.bits - limit.prefix)) {
                problems.add(
                    "sshAllowedCidrs",
                    shown(result[kind].join(", ")),
                    `${kind === "ipv4" ? "IPv4" : "IPv6"} ranges covering at most a /${limit.prefix} in all (a wider list is SSH from most of the internet); that needs \`hello-gateway:allowSshFromAnywhere: true\``,
                );
            }
        }
    }
    if (result.ipv4.length === 0 && result.ipv6.length > 0) {
        problems.add(
            "sshAllowedCidrs",
            shown(result.ipv6.join(", ")),
            "at least one IPv4 range as well: the origin has an IPv4 address only, so provisioning connects from an IPv4 address (the address that runs `pulumi up`)",
        );
    }
    return result;
}

/** How many addresses a list of canonical CIDRs of one family covers, overlaps counted once. */
export function addressesCovered(cidrs: readonly string[]): bigint {
    const blocks = cidrs
        .map((text) => {
            const cidr = parseCidr(text);
            if (!cidr) return undefined;
            const bits = cidr.kind === "ipv4" ? 32 : 128;
            const start = cidr.address.toByteArray().reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
            return { start, end: start + 2n ** BigInt(bits - cidr.prefix) };
        })
        .filter((block): block is { start: bigint; end: bigint } => block !== undefined)
        .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let total = 0n;
    let reachedTo = -1n;
    for (const block of blocks) {
        if (block.end <= reachedTo) continue;
        total += block.end - (block.start > reachedTo ? block.start : reachedTo);
        reachedTo = block.end;
    }
    return total;
}

function parseSshKey(reader: ConfigReader, problems: ProblemList): SshKeyMaterial | undefined {
    const publicKey = reader.optionalString("sshPublicKey");
    const privateKey = reader.verbatim("sshPrivateKey");
    if (publicKey === undefined && privateKey === undefined) {
        return undefined;
    }
    let valid = true;
    if (publicKey === undefined) {
        valid = !!problems.add("sshPublicKey", "nothing", "the public half of sshPrivateKey (set both or neither)");
    } else if (!SSH_PUBLIC_KEY.test(publicKey)) {
        valid = !!problems.add(
            "sshPublicKey",
            shown(publicKey.slice(0, 40) + (publicKey.length > 40 ? "…" : "")),
            "an OpenSSH public key starting with ssh-ed25519 or ssh-rsa (the types EC2 imports)",
        );
    }
    if (privateKey === undefined) {
        valid = !!problems.add("sshPrivateKey", "nothing", "the private half of sshPublicKey, as a secret (set both or neither)");
    } else if (!reader.isSecret("sshPrivateKey")) {
        // Never echo the value: it would land in the CLI's output and CI logs.
        valid = !!problems.add(
            "sshPrivateKey",
            "a plain-text value (not shown)",
            "a secret: `pulumi config set --secret sshPrivateKey < key-file`",
        );
    } else if (privateKey !== UNDECRYPTED_SECRET_PLACEHOLDER && !SSH_PRIVATE_KEY.test(privateKey)) {
        valid = !!problems.add("sshPrivateKey", "a secret (not shown)", "a PEM/OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY-----)");
    }
    if (!valid || publicKey === undefined || privateKey === undefined) {
        return undefined;
    }
    return { publicKey, privateKey: pulumi.secret(privateKey) };
}

/**
 * What to say about an instance type the provider's list lacks: a close spelling, else the
 * sizes of its family. A type newer than the list is refused too; upgrading @pulumi/aws
 * brings the new list (docs/configuration.md).
 */
function instanceTypeExpectation(instanceType: string): string {
    const suggestion = closestKey(instanceType, KNOWN_INSTANCE_TYPES);
    const family = instanceType.split(".")[0];
    const sizes = KNOWN_INSTANCE_TYPES.filter((type) => type.startsWith(`${family}.`));
    const hint = suggestion ? `; did you mean ${suggestion}?` : sizes.length > 0 ? `; ${family} comes in ${sizes.join(", ")}` : "";
    return `an EC2 instance type from the list ${AWS_PACKAGE} ships${hint} (a type newer than that list needs a newer @pulumi/aws)`;
}

function parseTakeNewestAmi(value: string | undefined, amiId: string | undefined, problems: ProblemList): boolean {
    const text = value?.trim() ?? "";
    if (text === "" || text === "false") {
        return false;
    }
    if (text !== "true") {
        problems.addVariable(TAKE_NEWEST_AMI_ENV, shown(value), "true, false or unset (an environment variable for one `pulumi up`)");
        return false;
    }
    if (amiId !== undefined) {
        problems.addVariable(TAKE_NEWEST_AMI_ENV, '"true"', "unset while amiId pins the image: set the new id in amiId instead");
        return false;
    }
    return true;
}

/**
 * `minInstances`, `maxInstances` and `scaleOutCpuPercent`. Each bad key is named: out of bounds
 * (0 included), a minimum above the maximum, or a group without the NLB it is reached through.
 */
function parseFleet(reader: ConfigReader, problems: ProblemList, originMode: OriginMode | undefined): FleetConfig {
    const minInstances = reader.integer("minInstances", 1, MAX_FLEET_INSTANCES, "instances");
    const maxInstances = reader.integer("maxInstances", 1, MAX_FLEET_INSTANCES, "instances");
    const scaleOutCpuPercent = reader.integer("scaleOutCpuPercent", SCALE_OUT_CPU_PERCENT.min, SCALE_OUT_CPU_PERCENT.max, "percent");
    if (minInstances !== undefined && maxInstances !== undefined && minInstances > maxInstances) {
        problems.add("minInstances", shown(String(minInstances)), `at most maxInstances (${maxInstances}): the group cannot keep more instances than it may run`);
    }
    if (maxInstances !== undefined && maxInstances > 1 && originMode !== undefined && originMode !== "private") {
        problems.add(
            "maxInstances",
            shown(String(maxInstances)),
            `1 with originMode ${originMode}: more than one instance is an Auto Scaling group, reached only through the NLB of originMode private`,
        );
    }
    return {
        minInstances: minInstances ?? DEFAULTS.minInstances,
        maxInstances: maxInstances ?? DEFAULTS.maxInstances,
        scaleOutCpuPercent: scaleOutCpuPercent ?? DEFAULTS.scaleOutCpuPercent,
    };
}

export function parseOrigin(reader: ConfigReader, problems: ProblemList, common: CommonConfig): OriginConfig {
    const instanceType = reader.string("instanceType");
    if (!KNOWN_INSTANCE_TYPES.includes(instanceType)) {
        problems.add("instanceType", shown(instanceType), instanceTypeExpectation(instanceType));
    }
    const amiId = reader.optionalString("amiId");
    if (amiId !== undefined && !AMI_ID.test(amiId)) {
        problems.add("amiId", shown(amiId), "an AMI id such as ami-0123456789abcdef0, or empty to follow the AL2023 parameter");
    }
    const takeNewestAmi = parseTakeNewestAmi(reader.raw.takeNewestAmi, amiId, problems);
    const helloMessage = reader.string("helloMessage");
    const originMode = reader.oneOf("originMode", ORIGIN_MODES, DEFAULTS.originMode);
    if (reader.isExplicitlyEmpty("helloMessage")) {
        // An empty page looks like a broken origin, and the smoke test could not tell them apart.
        problems.add("helloMessage", '""', `one line of 1 to ${MAX_HELLO_MESSAGE_LENGTH} printable characters: an empty page looks like a broken origin (remove the key for the default message)`);
    } else if (helloMessage.length > MAX_HELLO_MESSAGE_LENGTH || /[\u0000-\u001f\u007f]/.test(helloMessage)) {
        problems.add("helloMessage", shown(helloMessage), `one line of at most ${MAX_HELLO_MESSAGE_LENGTH} printable characters`);
    }
    return {
        ...common,
        layer: "origin",
        instanceType,
        architecture: architectureOf(instanceType),
        vpcCidr: parseVpcCidr(reader, problems),
        sshAllowedCidrs: parseSshAllowedCidrs(reader, problems),
        sshKey: parseSshKey(reader, problems),
        amiId,
        takeNewestAmi,
        helloMessage,
        originMode: originMode ?? "public",
        monitoring: parseMonitoring(reader, problems),
        flowLogsEnabled: reader.boolean("flowLogsEnabled") ?? false,
        encryptLogs: reader.boolean("encryptLogs") ?? false,
        logRetentionDays: parseLogRetention(reader),
        clientCertificateGeneration:
            reader.integer("clientCertificateGeneration", 1, MAX_CLIENT_CERTIFICATE_GENERATION, "certificate generations") ?? 1,
        fleet: parseFleet(reader, problems, originMode),
    };
}
