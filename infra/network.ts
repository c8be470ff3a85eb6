import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** IPv4 range of the VPC, e.g. `10.0.0.0/16`. */
    readonly cidrBlock: string;
    /** CIDRs that may reach port 22, split by address family. */
    readonly sshAllowedCidrs: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
    /** Availability zones to spread the public subnets over. Default: 2. */
    readonly availabilityZoneCount?: number;
    readonly tags?: Record<string, string>;
}

/** The ports the origin needs to reach: dnf mirrors over HTTP and HTTPS. */
export const ORIGIN_EGRESS_PORTS = [80, 443] as const;

/**
 * The origin's network: a VPC with public subnets only (no NAT gateways: a NAT gateway costs
 * more than the rest of the stack together, and the origin has a public address anyway) and
 * the origin's security group.
 */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly securityGroupId: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:Network", name, {}, opts);
        const vpcPrefix = Number(args.cidrBlock.split("/")[1]);

        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: args.cidrBlock,
                numberOfAvailabilityZones: args.availabilityZoneCount ?? 2,
                enableDnsHostnames: true,
                enableDnsSupport: true,
                natGateways: { strategy: awsx.ec2.NatGatewayStrategy.None },
                // awsx refuses private subnets without NAT, and its default specs include them.
                subnetStrategy: awsx.ec2.SubnetAllocationStrategy.Auto,
                subnetSpecs: [{ type: awsx.ec2.SubnetType.Public, cidrMask: Math.min(vpcPrefix + 4, 28) }],
                tags: { ...args.tags, Name: `${name}-vpc` },
            },
            { parent: this },
        );

        const sshIngress: aws.types.input.ec2.SecurityGroupIngress = {
            description: "SSH for provisioning, from sshAllowedCidrs only",
            protocol: "tcp",
            fromPort: 22,
            toPort: 22,
            cidrBlocks: [...args.sshAllowedCidrs.ipv4],
            ipv6CidrBlocks: [...args.sshAllowedCidrs.ipv6],
        };
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-origin-sg`,
            {
                vpcId: vpc.vpcId,
                description: "hello-gateway origin: HTTP from API Gateway, SSH for provisioning",
                ingress: [
                    {
                        // API Gateway's HTTP integration calls from AWS public addresses that
                        // are not a fixed list, so port 80 stays open; the private origin mode
                        // (NLB + VPC link) is the way to close it.
                        description: "HTTP from API Gateway",
                        protocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                        cidrBlocks: ["0.0.0.0/0"],
                    },
                    sshIngress,
                ],
                egress: ORIGIN_EGRESS_PORTS.map((port) => ({
                    description: `Package downloads (dnf) on ${port}/tcp`,
                    protocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    cidrBlocks: ["0.0.0.0/0"],
                })),
                tags: { ...args.tags, Name: `${name}-origin-sg` },
            },
            { parent: this },
        );

        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            securityGroupId: this.securityGroupId,
        });
    }
}
