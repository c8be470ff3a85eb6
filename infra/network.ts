import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** IPv4 range of the VPC, e.g. `10.0.0.0/16`. */
    readonly cidrBlock: string;
    /** CIDRs that may reach port 22, split by address family. */
    readonly sshAllowedCidrs: { readonly ipv4: readonly string[]; readonly ipv6: readonly string[] };
    /**
     * Who may reach port 80. Default: anywhere (API Gateway's HTTP integration calls from AWS
     * public addresses). With a private origin: the VPC's own range, where the NLB lives.
     */
    readonly httpIngressCidrs?: readonly string[];
    /**
     * The zones to spread the public subnets over, e.g. from `standardAvailabilityZones`.
     * Default: awsx's choice, the first 2 zones the region lists, which may be a Local or
     * Wavelength Zone when the account opted into one (pulumi-awsx#1365).
     */
    readonly availabilityZoneNames?: readonly string[];
    readonly tags?: Record<string, string>;
}

/** How many zones the origin's VPC spans (the NLB of the private mode wants two). */
export const DEFAULT_AVAILABILITY_ZONE_COUNT = 2;

/**
 * The lookup that finds standard zones only: available, in the region's own set (no opt-in,
 * so no Local Zones) and of type availability-zone (no Wavelength Zones). A Local or Wavelength
 * Zone lacks instance types and services (an NLB, for one) that a standard zone has.
 */
export const STANDARD_ZONES_QUERY: aws.GetAvailabilityZonesArgs = {
    state: "available",
    filters: [
        { name: "opt-in-status", values: ["opt-in-not-required"] },
        { name: "zone-type", values: ["availability-zone"] },
    ],
};

/** The first `count` zones by name; throws a message naming the region when it has fewer. */
export function pickZones(names: readonly string[], count: number, region: string): string[] {
    const sorted = [...names].sort();
    if (sorted.length < count) {
        throw new pulumi.RunError(
            `region ${region} offers ${sorted.length} standard availability zone(s) (${sorted.join(", ") || "none"}) that are available; the origin needs ${count}`,
        );
    }
    return sorted.slice(0, count);
}

/** The standard availability zones the origin's subnets go into (see `STANDARD_ZONES_QUERY`). */
export async function standardAvailabilityZones(region: string, count = DEFAULT_AVAILABILITY_ZONE_COUNT): Promise<string[]> {
    const zones = await aws.getAvailabilityZones(STANDARD_ZONES_QUERY);
    return pickZones(zones.names, count, region);
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
                ...(args.availabilityZoneNames
                    ? { availabilityZoneNames: [...args.availabilityZoneNames] }
                    : { numberOfAvailabilityZones: DEFAULT_AVAILABILITY_ZONE_COUNT }),
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
                        // are not a fixed list, so a public origin keeps port 80 open; the
                        // private origin mode (NLB + VPC link) closes it to the VPC.
                        description: args.httpIngressCidrs ? "HTTP from the load balancer inside the VPC" : "HTTP from API Gateway",
                        protocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                        cidrBlocks: [...(args.httpIngressCidrs ?? ["0.0.0.0/0"])],
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

export interface OriginLoadBalancerArgs {
    readonly vpcId: pulumi.Input<string>;
    readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The instance that serves HTTP on port 80. */
    readonly instanceId: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * An internal Network Load Balancer in front of the origin: the target of the API's VPC link
 * in the private origin mode, so the instance's port 80 is never reachable from the internet.
 */
export class OriginLoadBalancer extends pulumi.ComponentResource {
    readonly arn: pulumi.Output<string>;
    readonly dnsName: pulumi.Output<string>;

    constructor(name: string, args: OriginLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:OriginLoadBalancer", name, {}, opts);
        const loadBalancer = new aws.lb.LoadBalancer(
            `${name}-nlb`,
            {
                loadBalancerType: "network",
                internal: true,
                subnets: args.subnetIds,
                enableCrossZoneLoadBalancing: true,
                tags: { ...args.tags, Name: `${name}-nlb` },
            },
            { parent: this },
        );
        const targetGroup = new aws.lb.TargetGroup(
            `${name}-http`,
            {
                vpcId: args.vpcId,
                port: 80,
                protocol: "TCP",
                targetType: "instance",
                healthCheck: { protocol: "HTTP", path: "/", matcher: "200", interval: 30 },
                tags: args.tags,
            },
            { parent: this },
        );
        new aws.lb.TargetGroupAttachment(
            `${name}-instance`,
            { targetGroupArn: targetGroup.arn, targetId: args.instanceId, port: 80 },
            { parent: this },
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: loadBalancer.arn,
                port: 80,
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                tags: args.tags,
            },
            { parent: this },
        );
        this.arn = loadBalancer.arn;
        this.dnsName = loadBalancer.dnsName;
        this.registerOutputs({ arn: this.arn, dnsName: this.dnsName });
    }
}
