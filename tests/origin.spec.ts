import { expect } from "chai";
import { MOCK_AMI, ProgramRun } from "../tools/mock-runtime";
import { COMMITTED_ROOT, SINGLE_INSTANCE, byName, resourcesOfType, runStack, theOne, unwrapSecrets } from "./support";
import { PRIVATE_KEY, PUBLIC_KEY, describeOriginStacks } from "./suites/origin-stacks";

describeOriginStacks(COMMITTED_ROOT, "as its stack file says");

/** The one resource of a type on a port: the NLB has a listener, target group and attachment per path (443, the VPC-link port). */
function onPort(run: ProgramRun, type: string, port: number) {
    const found = resourcesOfType(run, type).filter((resource) => resource.inputs.port === port);
    expect(found, `${type} on ${port}`).to.have.length(1);
    return found[0];
}

describe("private origin mode, single instance (prod-origin with originMode: private, minInstances and maxInstances 1)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runStack("prod-origin", { overrides: { originMode: "private", ...SINGLE_INSTANCE } });
    });

    it("puts an internal Network Load Balancer in front of the instance that passes TCP 443 through, so TLS ends at httpd", () => {
        const nlb = theOne(run, "aws:lb/loadBalancer:LoadBalancer");
        expect(nlb.inputs).to.include({ loadBalancerType: "network", internal: true });
        const targetGroup = onPort(run, "aws:lb/targetGroup:TargetGroup", 443);
        expect(targetGroup.inputs).to.include({ port: 443, protocol: "TCP", targetType: "instance" });
        expect(targetGroup.inputs.vpcId).to.equal(run.outputs.vpcId);
        const attachment = onPort(run, "aws:lb/targetGroupAttachment:TargetGroupAttachment", 443);
        expect(attachment.inputs).to.include({ targetId: run.outputs.instanceId, port: 443, targetGroupArn: targetGroup.state.arn });
        const listener = onPort(run, "aws:lb/listener:Listener", 443);
        expect(listener.inputs).to.include({ port: 443, protocol: "TCP", loadBalancerArn: nlb.state.arn });
    });

    it("health-checks with a TCP connect to 443, which needs no client certificate", () => {
        const targetGroup = onPort(run, "aws:lb/targetGroup:TargetGroup", 443);
        expect(targetGroup.inputs.healthCheck).to.deep.equal({ protocol: "TCP", port: "traffic-port", interval: 30 });
    });

    it("exports the NLB for the gateway's VPC link and makes it the origin URL", () => {
        const nlb = theOne(run, "aws:lb/loadBalancer:LoadBalancer");
        expect(run.outputs.originNlbArn).to.equal(nlb.state.arn);
        expect(run.outputs.originUrl).to.equal(`https://${nlb.state.dnsName}/`);
    });

    it("creates no load balancer in public mode", async () => {
        const publicRun = await runStack("prod-origin", { overrides: { originMode: "public", ...SINGLE_INSTANCE } });
        expect(resourcesOfType(publicRun, "aws:lb/loadBalancer:LoadBalancer")).to.have.length(0);
        expect(publicRun.outputs).not.to.have.property("originNlbArn");
    });
});

describe("origin stack variations", () => {
    it("uses a bring-your-own key pair and generates none", async () => {
        const run = await runStack("dev-origin", {
            overrides: { sshPublicKey: PUBLIC_KEY, sshPrivateKey: PRIVATE_KEY },
            secretKeys: ["sshPrivateKey"],
        });
        expect(resourcesOfType(run, "tls:index/privateKey:PrivateKey").map((key) => key.name)).to.deep.equal(["hello-dev-origin-ca-key", "hello-dev-server-key"]);
        expect(theOne(run, "aws:ec2/keyPair:KeyPair").inputs.publicKey).to.equal(PUBLIC_KEY);
        const connection = unwrapSecrets(byName(run, "hello-dev-install-httpd").inputs.connection) as Record<string, string>;
        expect(connection.privateKey).to.equal(PRIVATE_KEY);
    });

    it("replaces the server only deliberately: a pinned amiId is used as is and not ignored", async () => {
        const run = await runStack("dev-origin", { overrides: { amiId: "ami-0123456789abcdef0" } });
        const instance = theOne(run, "aws:ec2/instance:Instance");
        expect(instance.inputs.ami).to.equal("ami-0123456789abcdef0");
        expect(instance.ignoreChanges).to.deep.equal([]);
        expect(run.invokes.filter((invoke) => invoke.token === "aws:ssm/getParameter:getParameter")).to.have.length(0);
    });

    it("boots the arm64 image on a Graviton instance type", async () => {
        const run = await runStack("dev-origin", { overrides: { instanceType: "t4g.micro" } });
        const lookup = run.invokes.find((invoke) => invoke.token === "aws:ssm/getParameter:getParameter");
        expect(lookup?.inputs.name).to.equal("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64");
        expect(theOne(run, "aws:ec2/instance:Instance").inputs.ami).to.equal(MOCK_AMI.arm64);
    });

    it("re-provisions when the message changes: a different script hash in the triggers", async () => {
        const run = await runStack("dev-origin", { overrides: { helloMessage: "Hi <there> & welcome" } });
        const install = byName(run, "hello-dev-install-httpd");
        expect(unwrapSecrets(install.inputs.create)).to.contain("\nHi &lt;there&gt; &amp; welcome\n");
        const committed = byName(await runStack("dev-origin"), "hello-dev-install-httpd");
        expect((install.inputs.triggers as string[])[1]).not.to.equal((committed.inputs.triggers as string[])[1]);
    });

    it("puts IPv6 SSH ranges into ipv6CidrBlocks", async () => {
        const run = await runStack("dev-origin", { overrides: { sshAllowedCidrs: '["203.0.113.7/32","2001:db8::/48"]' } });
        const ssh = (theOne(run, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress as Array<Record<string, unknown>>).find((r) => r.fromPort === 22);
        expect(ssh?.cidrBlocks).to.deep.equal(["203.0.113.7/32"]);
        expect(ssh?.ipv6CidrBlocks).to.deep.equal(["2001:db8::/48"]);
    });
});
