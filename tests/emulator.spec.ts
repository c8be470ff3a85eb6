import { expect } from "chai";
import * as fs from "node:fs";
import * as path from "node:path";
import { EMULATED_ENVIRONMENTS, EXIT, findToolchain, generateOpenSshPublicKey, main, parseEmulateArgs, USAGE } from "../tools/emulate";
import { subnetCidrs } from "../tools/emulator/awsx-vpc";
import { labelOf, RecordedStack, RenderError, renderStack } from "../tools/emulator/render";
import { NOT_EMULATED, RESOURCE_TYPES } from "../tools/emulator/terraform-types";
import { MOCK_ACCOUNT_ID, ProgramRun } from "../tools/mock-runtime";
import { RecordedResource, ResourceGraph } from "../tools/resource-graph";
import { REPO_ROOT } from "../tools/stack-files";
import { runStack } from "./support";

const OPTIONS = { region: "us-east-1", endpoint: "http://127.0.0.1:1", mockAccountId: MOCK_ACCOUNT_ID };

type Blocks = Record<string, Record<string, Record<string, unknown>>>;

function resourcesOf(config: Record<string, unknown>): Blocks {
    return config.resource as Blocks;
}

/** The same run with some resources replaced or added: what a broken program would have registered. */
function withResources(run: ProgramRun, resources: RecordedResource[]): RecordedStack {
    return { ...run, graph: new ResourceGraph(resources) };
}

function renderError(run: RecordedStack): RenderError {
    try {
        renderStack(run, OPTIONS);
    } catch (error) {
        if (error instanceof RenderError) return error;
        throw error;
    }
    return expect.fail("the render should have failed");
}

describe("emulator: the recorded graph rendered as Terraform JSON", () => {
    let origin: ProgramRun;
    let gateway: ProgramRun;

    before(async () => {
        origin = await runStack("dev-origin");
        gateway = await runStack("dev");
    });

    it("writes every input that came from another resource as a reference to that resource's attribute", () => {
        const rendered = resourcesOf(renderStack(gateway, OPTIONS).config);
        const methods = gateway.graph.ofType("aws:apigateway/method:Method");
        expect(methods).to.have.length.greaterThan(0);
        for (const method of methods) {
            const api = gateway.graph.propertyDependenciesOf(method, "restApi")[0];
            const body = rendered.aws_api_gateway_method[labelOf(method.name)];
            expect(body.rest_api_id, method.name).to.equal(`\${aws_api_gateway_rest_api.${labelOf(api.name)}.id}`);
            const [parent] = gateway.graph.propertyDependenciesOf(method, "resourceId");
            const expected =
                parent.type === "aws:apigateway/restApi:RestApi"
                    ? `\${aws_api_gateway_rest_api.${labelOf(parent.name)}.root_resource_id}`
                    : `\${aws_api_gateway_resource.${labelOf(parent.name)}.id}`;
            expect(body.resource_id, method.name).to.equal(expected);
        }
        const stage = gateway.graph.ofType("aws:apigateway/stage:Stage")[0];
        const deployment = gateway.graph.propertyDependenciesOf(stage, "deployment")[0];
        expect(rendered.aws_api_gateway_stage[labelOf(stage.name)].deployment_id).to.equal(`\${aws_api_gateway_deployment.${labelOf(deployment.name)}.id}`);
    });

    it("leaves no id or ARN the mocks made up as a literal anywhere in the rendered stacks", () => {
        for (const run of [origin, gateway]) {
            const text = JSON.stringify(renderStack(run, OPTIONS).config);
            // A not-emulated resource's stand-in carries its mock values on purpose.
            const emulated = (r: RecordedResource) => r.custom && !r.read && r.id !== undefined && NOT_EMULATED[r.type] === undefined;
            for (const resource of run.graph.resources.filter(emulated)) {
                // Some mock ids are an input echoed back, or the resource's name (which is the Terraform label).
                const echoesAnInput = JSON.stringify(resource.inputs).includes(JSON.stringify(resource.id));
                if (!echoesAnInput && resource.id !== resource.name) {
                    expect(text, `${resource.type} ${resource.name}`).not.to.contain(resource.id);
                }
            }
        }
    });

    it("feeds the gateway's StackReference from the origin: its outputs become Terraform outputs, the gateway reads them as variables", () => {
        const originOutputs = renderStack(origin, OPTIONS).config.output as Record<string, { value: unknown }>;
        expect(Object.keys(originOutputs)).to.have.members(Object.keys(origin.outputs));
        const publicIp = origin.outputs.publicIp as string;
        expect(JSON.stringify(originOutputs)).not.to.contain(publicIp);

        const rendered = renderStack(gateway, OPTIONS);
        const integrations = Object.values(resourcesOf(rendered.config).aws_api_gateway_integration);
        expect(integrations).to.have.length.greaterThan(0);
        for (const integration of integrations) {
            expect(integration.uri).to.equal(`\${var.${rendered.referenceVariables.originUrl}}`);
        }
    });

    it("lists what it cannot emulate, with the reason, and keeps its place in the order as terraform_data", () => {
        const rendered = renderStack(origin, OPTIONS);
        const commands = origin.graph.ofType("command:remote:Command");
        expect(commands).to.have.length.greaterThan(0);
        for (const command of commands) {
            const entry = rendered.notEmulated.find((item) => item.what === `${command.type} ${command.name}`);
            expect(entry?.reason, command.name).to.contain("SSH");
            const standIn = resourcesOf(rendered.config).terraform_data[labelOf(command.name)];
            expect(JSON.stringify(standIn), command.name).to.contain("${aws_eip.");
        }
        expect(rendered.notEmulated.map((item) => item.what)).to.include.members(
            origin.graph.ofType("tls:index/privateKey:PrivateKey").map((key) => `${key.type} ${key.name}`),
        );
        expect(rendered.notEmulated.map((item) => item.what)).to.include.members(origin.graph.ofType("awsx:ec2:Vpc").map((vpc) => `${vpc.type} ${vpc.name}`));
    });

    it("keeps what Pulumi would keep: resources with retainOnDelete are listed and removed from the state before destroy", () => {
        const rendered = renderStack(gateway, OPTIONS);
        const retained = gateway.graph.resources.filter((resource) => resource.retainOnDelete);
        expect(retained).to.have.length.greaterThan(0);
        expect(rendered.retained).to.have.members(retained.map((resource) => `${RESOURCE_TYPES[resource.type].terraform}.${labelOf(resource.name)}`));
        expect(rendered.notEmulated.map((item) => item.what)).to.include.members(retained.map((resource) => `${resource.type} ${resource.name} (retainOnDelete)`));
    });

    it("prints moto's gaps and ignores them on the second plan: prod's integrations name a VPC link moto does not store", async () => {
        const prod = await runStack("prod");
        const rendered = renderStack(prod, OPTIONS);
        const integrations = prod.graph.ofType("aws:apigateway/integration:Integration").filter((integration) => integration.inputs.connectionId !== undefined);
        expect(integrations).to.have.length.greaterThan(0);
        for (const integration of integrations) {
            const body = resourcesOf(rendered.config).aws_api_gateway_integration[labelOf(integration.name)];
            expect(body.connection_id, integration.name).to.match(/^\$\{aws_api_gateway_vpc_link\./);
            expect((body.lifecycle as { ignore_changes: string[] }).ignore_changes).to.include("connection_id");
            expect(rendered.notEmulated.find((item) => item.what === `${integration.type} ${integration.name}.connection_id`)?.reason).to.contain("moto");
        }
    });

    it("generates SSH public keys EC2 can import: ssh-ed25519 with a 32-byte key", () => {
        const [type, blob] = generateOpenSshPublicKey().split(" ");
        expect(type).to.equal("ssh-ed25519");
        const bytes = Buffer.from(blob, "base64");
        expect(bytes.readUInt32BE(0)).to.equal(11);
        expect(bytes.subarray(4, 15).toString()).to.equal("ssh-ed25519");
        expect(bytes.readUInt32BE(15)).to.equal(32);
        expect(bytes.length).to.equal(4 + 11 + 4 + 32);
    });

    it("refuses a resource type it has no mapping for, naming the type and where to add it", () => {
        const queue: RecordedResource = { ...gateway.graph.resources.find((r) => r.custom && !r.read)!, type: "aws:sqs/queue:Queue", name: "orders", urn: "urn:pulumi:dev::hello-gateway::aws:sqs/queue:Queue::orders", inputs: {} };
        const error = renderError(withResources(gateway, [...gateway.graph.resources, queue]));
        expect(error.message).to.contain("aws:sqs/queue:Queue orders: type aws:sqs/queue:Queue has no Terraform mapping: add an entry to RESOURCE_TYPES in tools/emulator/terraform-types.ts");
    });

    it("refuses an input property it has no mapping for, naming it", () => {
        const stage = gateway.graph.ofType("aws:apigateway/stage:Stage")[0];
        expect(RESOURCE_TYPES[stage.type].args).not.to.have.property("canarySettings");
        const broken = { ...stage, inputs: { ...stage.inputs, canarySettings: { percentTraffic: 10 } } };
        const error = renderError(withResources(gateway, gateway.graph.resources.map((r) => (r === stage ? broken : r))));
        expect(error.message).to.contain(`${stage.type} ${stage.name}: input canarySettings has no Terraform mapping`);
    });

    it("leaves out an input only provider v6 has, and lists it with the reason", () => {
        const api = gateway.graph.ofType("aws:apigateway/restApi:RestApi")[0];
        const withPolicy = { ...api, inputs: { ...api.inputs, securityPolicy: "TLS_1_2" } };
        const rendered = renderStack(withResources(gateway, gateway.graph.resources.map((r) => (r === api ? withPolicy : r))), OPTIONS);
        expect(resourcesOf(rendered.config).aws_api_gateway_rest_api[labelOf(api.name)]).not.to.have.property("security_policy");
        const entry = rendered.notEmulated.find((item) => item.what === `${api.type} ${api.name}.securityPolicy`);
        expect(entry?.reason).to.contain("not in provider v5.100");
    });

    it("refuses a value it cannot trace: another resource's id that the property does not depend on", () => {
        const [method] = gateway.graph.ofType("aws:apigateway/method:Method");
        const broken = { ...method, propertyDependencies: { ...method.propertyDependencies, restApi: [] } };
        const error = renderError(withResources(gateway, gateway.graph.resources.map((r) => (r === method ? broken : r))));
        expect(error.message).to.contain(`${method.type} ${method.name}.restApi: contains ${JSON.stringify(method.inputs.restApi)}`);
        expect(error.message).to.contain("a value the renderer cannot trace to its source");
    });

    it("refuses a property computed from a resource when no part of its value is that resource's output", () => {
        const [method] = gateway.graph.ofType("aws:apigateway/method:Method");
        const broken = { ...method, inputs: { ...method.inputs, resourceId: "no-such-resource" } };
        const error = renderError(withResources(gateway, gateway.graph.resources.map((r) => (r === method ? broken : r))));
        expect(error.message).to.contain(`${method.type} ${method.name}.resourceId: computed from`);
    });

    it("renders the origin's fleet with references: image, template, group in the isolated subnets, policy, builder stopped, alarms on arnSuffix", async () => {
        // Group mode whatever the stack file says: a private origin with a group of 2 to 3.
        const fleet = await runStack("prod-origin", { overrides: { originMode: "private", minInstances: "2", maxInstances: "3" } });
        const rendered = renderStack(fleet, OPTIONS);
        const blocks = resourcesOf(rendered.config);
        const theOne = (type: string) => {
            const found = fleet.graph.ofType(type);
            expect(found, type).to.have.length(1);
            return found[0];
        };
        const image = theOne("aws:ec2/amiFromInstance:AmiFromInstance");
        const template = theOne("aws:ec2/launchTemplate:LaunchTemplate");
        const group = theOne("aws:autoscaling/group:Group");
        const vpc = theOne("awsx:ec2:Vpc");
        const ref = (type: string, resource: RecordedResource, attribute: string) => `\${${type}.${labelOf(resource.name)}.${attribute}}`;

        const imageBody = blocks.aws_ami_from_instance[labelOf(image.name)];
        expect(imageBody.source_instance_id).to.equal(ref("aws_instance", fleet.graph.propertyDependenciesOf(image, "sourceInstanceId").find((r) => r.custom) ?? theOne("aws:ec2/instance:Instance"), "id"));

        const templateBody = blocks.aws_launch_template[labelOf(template.name)];
        expect(templateBody.image_id).to.equal(ref("aws_ami_from_instance", image, "id"));
        const [mapping] = templateBody.block_device_mappings as Array<{ device_name: string }>;
        expect(mapping.device_name).to.equal(ref("aws_ami_from_instance", image, "root_device_name"));

        const groupBody = blocks.aws_autoscaling_group[labelOf(group.name)];
        expect(groupBody.launch_template).to.deep.equal({ id: ref("aws_launch_template", template, "id"), version: ref("aws_launch_template", template, "latest_version") });
        const isolated = (vpc.state.isolatedSubnetIds as string[]).map((_, zone) => `\${aws_subnet.${labelOf(vpc.name)}-isolated-${zone + 1}.id}`);
        expect(isolated).to.have.length.greaterThan(1);
        expect(groupBody.vpc_zone_identifier).to.deep.equal(isolated);
        for (const subnet of isolated) {
            const label = subnet.slice("${aws_subnet.".length, -".id}".length);
            expect(blocks.aws_subnet[label].map_public_ip_on_launch, label).to.equal(false);
            expect(blocks.aws_route?.[label], `${label} has no route out`).to.equal(undefined);
        }
        expect((groupBody.lifecycle as { ignore_changes: string[] }).ignore_changes).to.include("desired_capacity");
        expect(groupBody.tag).to.deep.include({ key: "Name", value: (group.inputs.tags as Array<{ value: string }>).find((t) => (t as { key?: string }).key === "Name")!.value, propagate_at_launch: false });

        const policy = theOne("aws:autoscaling/policy:Policy");
        const policyBody = blocks.aws_autoscaling_policy[labelOf(policy.name)];
        expect(policyBody.autoscaling_group_name).to.equal(ref("aws_autoscaling_group", group, "name"));
        // What moto reads back though the program never set it: ignored, and printed.
        expect((policyBody.lifecycle as { ignore_changes: string[] }).ignore_changes).to.have.members(["enabled", "predictive_scaling_configuration"]);
        for (const argument of ["enabled", "predictive_scaling_configuration"]) {
            expect(rendered.notEmulated.find((item) => item.what === `${policy.type} ${policy.name}.${argument}`)?.reason, argument).to.contain("moto 5.2.1");
        }
        const stopped = theOne("aws:ec2transitgateway/instanceState:InstanceState");
        const stoppedBody = blocks.aws_ec2_instance_state[labelOf(stopped.name)];
        expect(stoppedBody.instance_id).to.equal(ref("aws_ami_from_instance", image, "source_instance_id"));
        // It waits for the group too (dependsOn with no value: depends_on); the image is a reference already.
        expect(stoppedBody.depends_on).to.include(`aws_autoscaling_group.${labelOf(group.name)}`);

        // The REST path's target group (443); the VPC-link one is rendered the same way.
        const targetGroup = fleet.graph.ofType("aws:lb/targetGroup:TargetGroup").find((group) => group.inputs.port === 443)!;
        const loadBalancer = theOne("aws:lb/loadBalancer:LoadBalancer");
        const unhealthy = fleet.graph.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((alarm) => (alarm.inputs.dimensions as Record<string, string> | undefined)?.TargetGroup !== undefined);
        expect(unhealthy).to.have.length.greaterThan(0);
        for (const alarm of unhealthy) {
            expect(blocks.aws_cloudwatch_metric_alarm[labelOf(alarm.name)].dimensions, alarm.name).to.deep.include({
                TargetGroup: ref("aws_lb_target_group", targetGroup, "arn_suffix"),
                LoadBalancer: ref("aws_lb", loadBalancer, "arn_suffix"),
            });
        }
        expect(blocks.aws_lb_target_group[labelOf(targetGroup.name)].deregistration_delay).to.equal(targetGroup.inputs.deregistrationDelay);
    });

    it("allocates the awsx VPC's subnets as consecutive blocks of its CIDR", () => {
        expect(subnetCidrs("10.10.0.0/16", [20, 20])).to.deep.equal(["10.10.0.0/20", "10.10.16.0/20"]);
        expect(() => subnetCidrs("10.10.0.0/24", [20])).to.throw("no room for a /20 subnet in 10.10.0.0/24");
    });
});

describe("npm run emulate (command line)", () => {
    it("--help prints the usage and exits 0", async () => {
        let out = "";
        const code = await main(["--help"], { io: { stdout: (text) => (out += text), stderr: () => expect.fail("nothing on stderr") } });
        expect(code).to.equal(EXIT.ok);
        expect(out).to.equal(`${USAGE}\n`);
    });

    it("where terraform, the mirror or moto are missing, says which in one line and exits 0", async () => {
        const missing = findToolchain({ PATH: "/nonexistent", TF_PLUGIN_MIRROR: "/nonexistent" });
        expect(missing).to.deep.equal({
            missing: "terraform (not on PATH), the hashicorp/aws 5.100.0 provider mirror (not in /nonexistent; set TF_PLUGIN_MIRROR), moto_server (not on PATH)",
        });
        let out = "";
        const code = await main(["dev"], { env: { PATH: "/nonexistent", TF_PLUGIN_MIRROR: "/nonexistent" }, io: { stdout: (text) => (out += text), stderr: () => undefined } });
        expect(code).to.equal(EXIT.ok);
        expect(out.trimEnd().split("\n")).to.deep.equal([`emulate dev: skipped, missing ${(missing as { missing: string }).missing}`]);
    });

    it("runs in CI for every environment it covers, after npm test", () => {
        const ci = fs.readFileSync(path.join(REPO_ROOT, ".ci", "run"), "utf8");
        const loop = /^for env in (.+); do\n\s+echo .*\n\s+(?:if |\()?npm run --silent emulate -- "\$env"/m.exec(ci);
        expect(loop, ".ci/run loops over the environments").not.to.equal(null);
        expect(loop![1].split(" ")).to.deep.equal([...EMULATED_ENVIRONMENTS]);
        expect(ci.indexOf("npm test 2>&1")).to.be.lessThan(ci.indexOf("npm run --silent emulate"));
    });

    it("refuses an unknown environment with exit code 2", () => {
        expect(() => parseEmulateArgs(["stagin"])).to.throw('unknown environment "stagin": expected one of dev, prod, prod-http, switches');
    });
});
