/**
 * `awsx.ec2.Vpc` is a remote component: under mocks the program sees one `awsx:ec2:Vpc` and
 * none of the resources awsx creates inside its own plugin. The emulator renders what awsx
 * would create from the component's arguments: the VPC, one subnet per availability zone and
 * subnet spec, an internet gateway, and per public subnet a route table with its default
 * route and association. This is an approximation of awsx's own layout (its CIDR allocation
 * in particular), not awsx's code; docs/emulator.md says so.
 */
import type { RecordedResource } from "../resource-graph";

export const AWSX_VPC_TYPE = "awsx:ec2:Vpc";

export const AWSX_VPC_APPROXIMATION =
    "a remote component (awsx creates its children in its own plugin, which mocks never run): rendered from its arguments as aws_vpc, subnets, internet gateway and route tables, an approximation of awsx's layout";

export interface TerraformBlock {
    readonly type: string;
    readonly label: string;
    readonly body: Record<string, unknown>;
}

export interface RenderedVpc {
    readonly resources: readonly TerraformBlock[];
    readonly data: readonly TerraformBlock[];
    /** The component's outputs (values under mocks) and the Terraform expressions that replace them. */
    readonly sources: ReadonlyArray<{ value: unknown; expression: string }>;
}

interface SubnetSpec {
    readonly type: string;
    readonly cidrMask?: number;
}

function ipToNumber(ip: string): number {
    return ip.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

function numberToIp(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** Consecutive blocks of /mask inside the VPC's CIDR, in order (awsx allocates them in order too). */
export function subnetCidrs(vpcCidr: string, masks: readonly number[]): string[] {
    const [base, prefix] = vpcCidr.split("/");
    let next = ipToNumber(base);
    const end = next + 2 ** (32 - Number(prefix));
    return masks.map((mask) => {
        const size = 2 ** (32 - mask);
        next = Math.ceil(next / size) * size;
        if (next + size > end) {
            throw new Error(`awsx:ec2:Vpc: no room for a /${mask} subnet in ${vpcCidr}`);
        }
        const cidr = `${numberToIp(next)}/${mask}`;
        next += size;
        return cidr;
    });
}

/** Traces one of the component's input values to its sources (a Terraform reference where it came from one). */
export type Tracer = (value: unknown, where: string) => unknown;

export function renderAwsxVpc(resource: RecordedResource, label: string, trace: Tracer): RenderedVpc {
    const inputs = resource.inputs;
    const problems: string[] = [];
    const known = new Set(["availabilityZoneNames", "cidrBlock", "enableDnsHostnames", "enableDnsSupport", "natGateways", "numberOfAvailabilityZones", "subnetSpecs", "subnetStrategy", "tags"]);
    for (const key of Object.keys(inputs)) {
        if (!known.has(key)) problems.push(`awsx:ec2:Vpc ${resource.name}: input ${key} has no Terraform mapping: add it to tools/emulator/awsx-vpc.ts`);
    }
    const specs = (inputs.subnetSpecs as SubnetSpec[] | undefined) ?? [{ type: "Public" }, { type: "Private" }];
    for (const spec of specs) {
        if (spec.type !== "Public") problems.push(`awsx:ec2:Vpc ${resource.name}: ${spec.type} subnets are not rendered yet (only Public): add them to tools/emulator/awsx-vpc.ts`);
    }
    const strategy = (inputs.natGateways as { strategy?: string } | undefined)?.strategy;
    if (strategy !== "None") problems.push(`awsx:ec2:Vpc ${resource.name}: NAT gateway strategy ${strategy ?? "(default)"} is not rendered yet: add it to tools/emulator/awsx-vpc.ts`);
    if (problems.length > 0) throw new Error(problems.join("\n"));

    // awsx takes the zones it is given, else the first numberOfAvailabilityZones of the region's.
    const zoneNames = inputs.availabilityZoneNames as string[] | undefined;
    const zones = zoneNames?.length ?? Number(inputs.numberOfAvailabilityZones ?? 3);
    const cidr = String(inputs.cidrBlock ?? "10.0.0.0/16");
    const tags = (inputs.tags as Record<string, string> | undefined) ?? {};
    const vpc = `aws_vpc.${label}`;
    const cidrs = subnetCidrs(cidr, Array.from({ length: zones }, () => specs[0]?.cidrMask ?? 20));
    const resources: TerraformBlock[] = [
        {
            type: "aws_vpc",
            label,
            body: { cidr_block: cidr, enable_dns_hostnames: inputs.enableDnsHostnames ?? true, enable_dns_support: inputs.enableDnsSupport ?? true, tags },
        },
        { type: "aws_internet_gateway", label, body: { vpc_id: `\${${vpc}.id}`, tags } },
    ];
    const sources: Array<{ value: unknown; expression: string }> = [{ value: resource.state.vpcId, expression: `${vpc}.id` }];
    const subnetIds = (resource.state.publicSubnetIds as unknown[] | undefined) ?? [];
    for (let zone = 0; zone < zones; zone++) {
        const subnet = `${label}-public-${zone + 1}`;
        resources.push(
            {
                type: "aws_subnet",
                label: subnet,
                body: {
                    vpc_id: `\${${vpc}.id}`,
                    cidr_block: cidrs[zone],
                    availability_zone: zoneNames
                        ? trace(zoneNames[zone], `availabilityZoneNames[${zone}]`)
                        : `\${data.aws_availability_zones.${label}.names[${zone}]}`,
                    map_public_ip_on_launch: true,
                    tags: { ...tags, Name: `${tags.Name ?? resource.name}-public-${zone + 1}` },
                },
            },
            { type: "aws_route_table", label: subnet, body: { vpc_id: `\${${vpc}.id}`, tags } },
            {
                type: "aws_route",
                label: subnet,
                body: { route_table_id: `\${aws_route_table.${subnet}.id}`, destination_cidr_block: "0.0.0.0/0", gateway_id: `\${aws_internet_gateway.${label}.id}` },
            },
            {
                type: "aws_route_table_association",
                label: subnet,
                body: { subnet_id: `\${aws_subnet.${subnet}.id}`, route_table_id: `\${aws_route_table.${subnet}.id}` },
            },
        );
        sources.push({ value: subnetIds[zone], expression: `aws_subnet.${subnet}.id` });
    }
    return {
        resources,
        data: zoneNames ? [] : [{ type: "aws_availability_zones", label, body: { state: "available" } }],
        sources,
    };
}
