import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Architecture } from "./config";
import { sha256 } from "./hash";
import { OriginSite, provisioningScript } from "./httpd";

export interface WebServerArgs {
    readonly subnetId: pulumi.Input<string>;
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly instanceType: string;
    /** Must match the instance type; decides which AL2023 image is used. */
    readonly architecture: Architecture;
    /** Pinned AMI. Absent: follow the AL2023 SSM parameter without replacing on new releases. */
    readonly amiId?: string;
    /**
     * Following the parameter: boot its current release now, replacing the instance if that is
     * a newer image than the one it runs. Default: false (keep the running image). Ignored with
     * a pinned `amiId`.
     */
    readonly takeNewestImage?: boolean;
    /** The text `index.html` serves. */
    readonly helloMessage: string;
    /** A private origin: httpd also serves plain HTTP on this port for an HTTP API's VPC link. Default: none. */
    readonly vpcLinkHttpPort?: number;
    /** httpd's TLS material: its certificate and key, and the API Gateway client certificates it accepts. */
    readonly tls: {
        readonly serverCertificatePem: pulumi.Input<string>;
        readonly serverPrivateKeyPem: pulumi.Input<string>;
        readonly trustedClientCertificatePems: pulumi.Input<string[]>;
    };
    /** Bring-your-own SSH key pair. Absent: an ED25519 pair is generated and kept secret. */
    readonly sshKey?: { readonly publicKey: string; readonly privateKey: pulumi.Input<string> };
    /** Root volume size in GiB. Default: 8. */
    readonly rootVolumeSizeGb?: number;
    /**
     * Replace the instance whenever the provisioning script changes (the page, the certificates),
     * instead of re-running the script on it. For the group's builder, which is stopped once it
     * has been imaged: a fresh instance is running and reachable over SSH, so a change is always
     * provisioned. Default: false (the single instance keeps running and is provisioned again).
     */
    readonly replaceOnProvisioningChange?: boolean;
    readonly tags?: Record<string, string>;
}

/** The default root volume size, in GiB (AL2023's own image is 8 GiB). */
export const DEFAULT_ROOT_VOLUME_GB = 8;

/** Amazon Linux 2023's login user; @pulumi/command would otherwise log in as root. */
export const SSH_USER = "ec2-user";

/**
 * Bounds on reaching a new instance over SSH: 60 redials of at most 10 s each. An instance that
 * never answers fails the update after `worstCaseDialSeconds(SSH_DIAL)` (about 14.5 minutes)
 * instead of hanging it.
 */
export const SSH_DIAL = { dialErrorLimit: 60, perDialTimeout: 10 } as const;

/**
 * The longest @pulumi/command 1.2.1 keeps dialling an SSH host that does not answer, in seconds.
 * Read from its source (provider/pkg/provider/remote/connection.go, `dialWithRetry`): it gives up
 * once the failed dials exceed `dialErrorLimit`, so it dials `dialErrorLimit + 1` times, each
 * bounded by `perDialTimeout`; between dials it waits as the Pulumi SDK's `retry.Until` does,
 * 100 ms growing 1.5 times per retry, capped at 5 s (sdk/go/common/util/retry/until.go).
 */
export function worstCaseDialSeconds(dial: { readonly dialErrorLimit: number; readonly perDialTimeout: number }): number {
    const dials = dial.dialErrorLimit + 1;
    let waits = 0;
    let delay = 0.1;
    for (let retry = 1; retry < dials; retry++) {
        waits += Math.min(delay, 5);
        delay *= 1.5;
    }
    return dials * dial.perDialTimeout + waits;
}

export const PROVISIONING_TIMEOUTS: pulumi.CustomTimeouts = { create: "15m", update: "15m", delete: "5m" };

export function al2023AmiParameter(architecture: Architecture): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/** Burstable families default to "unlimited" CPU credits, which bill for bursts; stay on standard. */
export function isBurstable(instanceType: string): boolean {
    return /^t\d/.test(instanceType);
}

/**
 * The instance's resource name. An instance of another CPU architecture is another resource:
 * the engine fills an ignored `ami` from the old state even for a replacement (pulumi/pulumi#2657),
 * so replacing the x86_64 instance would boot its x86_64 image on a Graviton type. A new name
 * has no old state, so it boots the parameter's image for its own architecture. x86_64 keeps
 * the name instances had before, so existing stacks see no change.
 */
export function instanceResourceName(name: string, architecture: Architecture): string {
    return architecture === "x86_64" ? `${name}-instance` : `${name}-instance-${architecture}`;
}

/** How the instance's image is decided, per `WebServerArgs`; see `imageSelection`. */
export interface ImageSelection {
    /** Where the image comes from. */
    readonly source: "pinned" | "parameter";
    /** What the engine keeps from the state instead of the program's value. */
    readonly ignoreChanges: string[];
}

/**
 * A pinned image is an ordinary input: changing it replaces the instance. A followed parameter
 * moves with every AL2023 release, so its value is ignored once the instance exists (a new
 * release never replaces the server on an ordinary `up`), except when the newest release is
 * asked for: then the parameter's current image is compared and, if newer, replaces the instance.
 */
export function imageSelection(args: Pick<WebServerArgs, "amiId" | "takeNewestImage">): ImageSelection {
    if (args.amiId !== undefined) {
        return { source: "pinned", ignoreChanges: [] };
    }
    return { source: "parameter", ignoreChanges: args.takeNewestImage === true ? [] : ["ami"] };
}

/**
 * One Amazon Linux 2023 instance running Apache httpd behind an Elastic IP, provisioned over
 * SSH. The Elastic IP outlives instance replacements, so the origin URL the gateway uses stays
 * the same.
 */
export class WebServer extends pulumi.ComponentResource {
    readonly instanceId: pulumi.Output<string>;
    readonly publicIp: pulumi.Output<string>;
    readonly publicDns: pulumi.Output<string>;
    readonly originUrl: pulumi.Output<string>;
    /** Resolves once httpd serves the message; outputs that promise a working origin wait on it. */
    readonly provisioned: pulumi.Output<string>;
    /** The instance's id, resolving only once it is provisioned: what an image is taken of. */
    readonly provisionedInstanceId: pulumi.Output<string>;

    constructor(name: string, args: WebServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:WebServer", name, {}, opts);
        const tags = args.tags ?? {};

        const sshKey = args.sshKey ?? this.generateKey(name);
        const keyPair = new aws.ec2.KeyPair(
            `${name}-key`,
            { publicKey: sshKey.publicKey, tags: { ...tags, Name: `${name}-key` } },
            { parent: this },
        );

        // The script carries httpd's private key: secret, so neither state nor logs hold it in
        // plain text. A new certificate (a rotation) changes the script, hence its hash below.
        const script = pulumi.secret(
            pulumi
                .all([args.tls.serverCertificatePem, args.tls.serverPrivateKeyPem, args.tls.trustedClientCertificatePems])
                .apply(([serverCertificatePem, serverPrivateKeyPem, trustedClientCertificatePems]) => {
                    const site: OriginSite = {
                        helloMessage: args.helloMessage,
                        serverCertificatePem,
                        serverPrivateKeyPem,
                        trustedClientCertificatePems,
                        ...(args.vpcLinkHttpPort !== undefined ? { vpcLinkHttpPort: args.vpcLinkHttpPort } : {}),
                    };
                    return provisioningScript(site);
                }),
        );
        const scriptHash = pulumi.unsecret(script.apply(sha256));

        const image = imageSelection(args);
        const ami =
            args.amiId ??
            // The provider marks `value` sensitive; a public AMI id is not, and a secret `ami`
            // would hide the image in every preview.
            aws.ssm.getParameterOutput({ name: al2023AmiParameter(args.architecture) }, { parent: this }).insecureValue;

        const instance = new aws.ec2.Instance(
            instanceResourceName(name, args.architecture),
            {
                ami,
                instanceType: args.instanceType,
                subnetId: args.subnetId,
                vpcSecurityGroupIds: args.securityGroupIds,
                keyName: keyPair.keyName,
                // associatePublicIpAddress stays unset on purpose. The provider reads it back
                // from the network interface, which reports `true` once the Elastic IP is
                // attached, and the attribute forces a new instance: an explicit `false` would
                // replace the server on the first `up` after any refresh
                // (terraform-provider-aws#37318). Unset, the provider keeps what it read.
                metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
                // EC2's simplified automatic recovery moves the instance off failed hardware;
                // stated here so it cannot be switched off unseen, and it replaces a recover alarm.
                maintenanceOptions: { autoRecovery: "default" },
                rootBlockDevice: {
                    volumeType: "gp3",
                    volumeSize: args.rootVolumeSizeGb ?? DEFAULT_ROOT_VOLUME_GB,
                    encrypted: true,
                    deleteOnTermination: true,
                    tags: { ...tags, Name: `${name}-root` },
                },
                creditSpecification: isBurstable(args.instanceType) ? { cpuCredits: "standard" } : undefined,
                tags: { ...tags, Name: `${name}-instance` },
            },
            {
                parent: this,
                ignoreChanges: image.ignoreChanges,
                ...(args.replaceOnProvisioningChange ? { replacementTrigger: scriptHash } : {}),
            },
        );

        const eip = new aws.ec2.Eip(`${name}-eip`, { domain: "vpc", tags: { ...tags, Name: `${name}-eip` } }, { parent: this });
        const association = new aws.ec2.EipAssociation(
            `${name}-eip-association`,
            { allocationId: eip.allocationId, instanceId: instance.id },
            { parent: this },
        );

        const connection: command.types.input.remote.ConnectionArgs = {
            host: eip.publicIp,
            user: SSH_USER,
            privateKey: pulumi.secret(sshKey.privateKey),
            ...SSH_DIAL,
        };

        const waitForSsh = new command.remote.Command(
            `${name}-wait-for-ssh`,
            {
                connection,
                // cloud-init still holds the dnf lock for a while after SSH first answers.
                create: "cloud-init status --wait > /dev/null || true; echo ready",
                triggers: [instance.id],
            },
            { parent: this, dependsOn: [association], customTimeouts: PROVISIONING_TIMEOUTS },
        );

        const installHttpd = new command.remote.Command(
            `${name}-install-httpd`,
            {
                connection,
                create: script,
                triggers: [instance.id, scriptHash],
            },
            { parent: this, dependsOn: [waitForSsh], customTimeouts: PROVISIONING_TIMEOUTS },
        );

        this.instanceId = instance.id;
        this.publicIp = eip.publicIp;
        this.publicDns = eip.publicDns;
        this.provisioned = installHttpd.id;
        this.provisionedInstanceId = pulumi.all([instance.id, installHttpd.id]).apply(([id]) => id);
        this.originUrl = pulumi.all([eip.publicDns, installHttpd.id]).apply(([dns]) => `https://${dns}/`);
        this.registerOutputs({
            provisioned: this.provisioned,
            instanceId: this.instanceId,
            publicIp: this.publicIp,
            publicDns: this.publicDns,
            originUrl: this.originUrl,
        });
    }

    private generateKey(name: string): { publicKey: pulumi.Output<string>; privateKey: pulumi.Output<string> } {
        const key = new tls.PrivateKey(`${name}-ssh-key`, { algorithm: "ED25519" }, { parent: this });
        return { publicKey: key.publicKeyOpenssh, privateKey: pulumi.secret(key.privateKeyOpenssh) };
    }
}
