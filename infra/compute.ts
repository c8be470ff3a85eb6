import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { Architecture } from "./config";
import { sha256 } from "./hash";

export interface WebServerArgs {
    readonly subnetId: pulumi.Input<string>;
    readonly securityGroupIds: pulumi.Input<string>[];
    readonly instanceType: string;
    /** Must match the instance type; decides which AL2023 image is used. */
    readonly architecture: Architecture;
    /** Pinned AMI. Absent: follow the AL2023 SSM parameter without replacing on new releases. */
    readonly amiId?: string;
    /** The text `index.html` serves. */
    readonly helloMessage: string;
    /** Bring-your-own SSH key pair. Absent: an ED25519 pair is generated and kept secret. */
    readonly sshKey?: { readonly publicKey: string; readonly privateKey: pulumi.Input<string> };
    /** Root volume size in GiB. Default: 8. */
    readonly rootVolumeSizeGb?: number;
    readonly tags?: Record<string, string>;
}

/** Amazon Linux 2023's login user; @pulumi/command would otherwise log in as root. */
export const SSH_USER = "ec2-user";

/**
 * Bounds on reaching a new instance over SSH: 60 dials of at most 10 s each, so an instance
 * that never answers fails the update after about ten minutes instead of hanging it.
 */
export const SSH_DIAL = { dialErrorLimit: 60, perDialTimeout: 10 } as const;
export const PROVISIONING_TIMEOUTS: pulumi.CustomTimeouts = { create: "15m", update: "15m", delete: "5m" };

export function al2023AmiParameter(architecture: Architecture): string {
    return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
}

/** Burstable families default to "unlimited" CPU credits, which bill for bursts; stay on standard. */
export function isBurstable(instanceType: string): boolean {
    return /^t\d/.test(instanceType);
}

const INDEX_DELIMITER = "HELLO_GATEWAY_INDEX_HTML";

function escapeHtml(text: string): string {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * The idempotent provisioning script: running it twice leaves the same server. The message is
 * one validated line inside a quoted heredoc, so the shell never interprets it.
 */
export function provisioningScript(helloMessage: string): string {
    if (/[\r\n]/.test(helloMessage)) {
        throw new Error("helloMessage must be a single line");
    }
    return [
        "set -euo pipefail",
        "sudo dnf install -y httpd",
        "sudo systemctl enable --now httpd",
        `sudo tee /var/www/html/index.html > /dev/null <<'${INDEX_DELIMITER}'`,
        escapeHtml(helloMessage),
        INDEX_DELIMITER,
        "sudo systemctl is-active --quiet httpd",
        "",
    ].join("\n");
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

    constructor(name: string, args: WebServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:WebServer", name, {}, opts);
        const tags = args.tags ?? {};

        const sshKey = args.sshKey ?? this.generateKey(name);
        const keyPair = new aws.ec2.KeyPair(
            `${name}-key`,
            { publicKey: sshKey.publicKey, tags: { ...tags, Name: `${name}-key` } },
            { parent: this },
        );

        const followsAmiParameter = args.amiId === undefined;
        const ami =
            args.amiId ??
            // The provider marks `value` sensitive; a public AMI id is not, and a secret `ami`
            // would hide the image in every preview.
            aws.ssm.getParameterOutput({ name: al2023AmiParameter(args.architecture) }, { parent: this }).insecureValue;

        const instance = new aws.ec2.Instance(
            `${name}-instance`,
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
                rootBlockDevice: {
                    volumeType: "gp3",
                    volumeSize: args.rootVolumeSizeGb ?? 8,
                    encrypted: true,
                    deleteOnTermination: true,
                    tags: { ...tags, Name: `${name}-root` },
                },
                creditSpecification: isBurstable(args.instanceType) ? { cpuCredits: "standard" } : undefined,
                tags: { ...tags, Name: `${name}-instance` },
            },
            // Following the parameter must not replace the server on every AL2023 release; a
            // change of CPU architecture (t3 to t4g) needs another image, so it does replace.
            {
                parent: this,
                ignoreChanges: followsAmiParameter ? ["ami"] : [],
                replacementTrigger: followsAmiParameter ? args.architecture : undefined,
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

        const script = provisioningScript(args.helloMessage);
        const installHttpd = new command.remote.Command(
            `${name}-install-httpd`,
            {
                connection,
                create: script,
                triggers: [instance.id, sha256(script)],
            },
            { parent: this, dependsOn: [waitForSsh], customTimeouts: PROVISIONING_TIMEOUTS },
        );

        this.instanceId = instance.id;
        this.publicIp = eip.publicIp;
        this.publicDns = eip.publicDns;
        this.provisioned = installHttpd.id;
        this.originUrl = pulumi.all([eip.publicDns, installHttpd.id]).apply(([dns]) => `http://${dns}/`);
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
