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
