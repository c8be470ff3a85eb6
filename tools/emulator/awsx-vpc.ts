/**
 * `awsx.ec2.Vpc` is a remote component: under mocks the program sees one `awsx:ec2:Vpc` and
 * none of the resources awsx creates inside its own plugin. The emulator renders what awsx
 * would create from the component's arguments: the VPC, one subnet per availability zone and
 * subnet spec (Public and Isolated), an internet gateway, and per subnet a route table and
 * its association, with a default route to the gateway for public subnets only. This is an
 * approximation of awsx's own layout (its CIDR allocation in particular), not awsx's code;
 * docs/emulator.md says so.
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
        if (spec.type !== "Public" && spec.type !== "Isolated") {
            problems.push(`awsx:ec2:Vpc ${resource.name}: ${spec.type} subnets are not rendered yet (only Public and Isolated): add them to tools/emulator/awsx-vpc.ts`);
        }
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
    // Every spec's subnets, zone by zone, in consecutive blocks: the public ranges are the same
    // with or without isolated subnets after them (awsx keeps them too, see infra/network.ts).
    const layout = specs.flatMap((spec) => Array.from({ length: zones }, (_, zone) => ({ spec, zone })));
    const cidrs = subnetCidrs(cidr, layout.map(({ spec }) => spec.cidrMask ?? 20));
    const resources: TerraformBlock[] = [
        {
            type: "aws_vpc",
            label,
            body: { cidr_block: cidr, enable_dns_hostnames: inputs.enableDnsHostnames ?? true, enable_dns_support: inputs.enableDnsSupport ?? true, tags },
        },
        { type: "aws_internet_gateway", label, body: { vpc_id: `\${${vpc}.id}`, tags } },
    ];
    const sources: Array<{ value: unknown; expression: string }> = [{ value: resource.state.vpcId, expression: `${vpc}.id` }];
    const subnetIdsOf: Record<string, unknown[]> = {
        Public: (resource.state.publicSubnetIds as unknown[] | undefined) ?? [],
        Isolated: (resource.state.isolatedSubnetIds as unknown[] | undefined) ?? [],
    };
    layout.forEach(({ spec, zone }, index) => {
        const kind = spec.type.toLowerCase();
        const subnet = `${label}-${kind}-${zone + 1}`;
        const isPublic = spec.type === "Public";
        resources.push(
            {
                type: "aws_subnet",
                label: subnet,
                body: {
                    vpc_id: `\${${vpc}.id}`,
                    cidr_block: cidrs[index],
                    availability_zone: zoneNames
                        ? trace(zoneNames[zone], `availabilityZoneNames[${zone}]`)
                        : `\${data.aws_availability_zones.${label}.names[${zone}]}`,
                    map_public_ip_on_launch: isPublic,
                    tags: { ...tags, Name: `${tags.Name ?? resource.name}-${kind}-${zone + 1}` },
                },
            },
            // An isolated subnet's route table has only the VPC's local route: no way out.
            { type: "aws_route_table", label: subnet, body: { vpc_id: `\${${vpc}.id}`, tags } },
            ...(isPublic
                ? [
                      {
                          type: "aws_route",
                          label: subnet,
                          body: { route_table_id: `\${aws_route_table.${subnet}.id}`, destination_cidr_block: "0.0.0.0/0", gateway_id: `\${aws_internet_gateway.${label}.id}` },
                      },
                  ]
                : []),
            {
                type: "aws_route_table_association",
                label: subnet,
                body: { subnet_id: `\${aws_subnet.${subnet}.id}`, route_table_id: `\${aws_route_table.${subnet}.id}` },
            },
        );
        sources.push({ value: subnetIdsOf[spec.type][zone], expression: `aws_subnet.${subnet}.id` });
    });
    return {
        resources,
        data: zoneNames ? [] : [{ type: "aws_availability_zones", label, body: { state: "available" } }],
        sources,
    };
}
