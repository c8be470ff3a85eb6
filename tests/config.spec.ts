import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import {
    ConfigError,
    DEFAULTS,
    GatewayConfig,
    OriginConfig,
    RawConfig,
    StackIdentity,
    architectureOf,
    parseConfig,
    qualify,
    rawConfigFrom,
} from "../infra/config";
import { UNDECRYPTED_SECRET_PLACEHOLDER } from "../infra/config-keys";
import { promiseOf } from "./support";

const DEV: StackIdentity = { project: "hello-gateway", stack: "dev", organization: "acme" };
const DEV_ORIGIN: StackIdentity = { ...DEV, stack: "dev-origin" };
const PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGbG3pkK2m0z3v8kY1yW0mX6b2P3d4e5f6g7h8i9j0k1 ops@example";
const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";

/** The raw config the engine would hand the program for these short keys (plus aws:region). */
function raw(values: Record<string, string | undefined>, options: { region?: string | null; secretKeys?: string[] } = {}): RawConfig {
    const all: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
        if (value !== undefined) {
            all[qualify(key)] = value;
        }
    }
    if (options.region !== null) {
        all["aws:region"] = options.region ?? "us-east-1";
    }
    const secret = new Set((options.secretKeys ?? []).map(qualify));
    return rawConfigFrom(all, (key) => secret.has(key));
}

/** Stack files of a project with two environments and a shared origin, as readProjectFile sees them. */
const STACK_FILES: Record<string, string> = {
    "Pulumi.dev.yaml": "config:\n  hello-gateway:layer: gateway\n",
    "Pulumi.dev-origin.yaml": "config:\n  hello-gateway:layer: origin\n",
    "Pulumi.prod.yaml": "config:\n  hello-gateway:layer: gateway\n",
    "Pulumi.prod-origin.yaml": "config:\n  hello-gateway:layer: origin\n",
    "Pulumi.shared-origin.yaml": "config:\n  hello-gateway:layer: origin # one origin several gateways read\n",
};

function withStackFiles(config: RawConfig): RawConfig {
    return { ...config, readProjectFile: (file) => STACK_FILES[file] };
}

const ORIGIN_MINIMAL = { layer: "origin", sshAllowedCidrs: '["203.0.113.0/24"]' };

/** The ConfigError a call throws; fails the test when it throws nothing or something else. */
function configErrorOf(call: () => unknown): ConfigError {
    try {
        call();
    } catch (error) {
        expect(error).to.be.instanceOf(ConfigError);
        return error as ConfigError;
    }
    throw new Error("expected a ConfigError, got none");
}

describe("config: parsing and validation (infra/config/)", () => {
    describe("origin layer", () => {
        it("turns a minimal origin config into typed values with the documented defaults", () => {
            const config = parseConfig(raw(ORIGIN_MINIMAL), DEV_ORIGIN) as OriginConfig;
            expect(config.layer).to.equal("origin");
            expect(config.environment).to.equal("dev");
            expect(config.instanceType).to.equal("t3.micro");
            expect(config.architecture).to.equal("x86_64");
            expect(config.vpcCidr).to.equal("10.0.0.0/16");
            expect(config.helloMessage).to.equal("Hello from EC2 via API Gateway");
            expect(config.sshAllowedCidrs).to.deep.equal({ ipv4: ["203.0.113.0/24"], ipv6: [] });
            expect(config.sshKey).to.equal(undefined);
            expect(config.amiId).to.equal(undefined);
            expect(config.tags).to.deep.equal({ Project: "hello-gateway", Environment: "dev", Stack: "dev-origin", ManagedBy: "pulumi" });
        });

        it("splits SSH CIDRs by address family", () => {
            const config = parseConfig(raw({ ...ORIGIN_MINIMAL, sshAllowedCidrs: '["203.0.113.7/32","2001:db8::/48"]' }), DEV_ORIGIN) as OriginConfig;
            expect(config.sshAllowedCidrs).to.deep.equal({ ipv4: ["203.0.113.7/32"], ipv6: ["2001:db8::/48"] });
        });

        it("requires at least one SSH CIDR", () => {
            const error = configErrorOf(() => parseConfig(raw({ layer: "origin" }), DEV_ORIGIN));
            expect(error.problems.map((p) => p.key)).to.deep.equal(["hello-gateway:sshAllowedCidrs"]);
            expect(error.message).to.contain("at least one CIDR");
        });

        it("refuses SSH from anywhere unless allowSshFromAnywhere is true", () => {
            const anywhere = '["0.0.0.0/0","::/0"]';
            const error = configErrorOf(() => parseConfig(raw({ ...ORIGIN_MINIMAL, sshAllowedCidrs: anywhere }), DEV_ORIGIN));
            expect(error.problems).to.have.length(2);
            expect(error.message).to.contain('got "0.0.0.0/0"').and.to.contain('got "::/0"').and.to.contain("allowSshFromAnywhere: true");

            const allowed = parseConfig(raw({ ...ORIGIN_MINIMAL, sshAllowedCidrs: anywhere, allowSshFromAnywhere: "true" }), DEV_ORIGIN) as OriginConfig;
            expect(allowed.sshAllowedCidrs).to.deep.equal({ ipv4: ["0.0.0.0/0"], ipv6: ["::/0"] });
        });

        it("rejects malformed, non-canonical and non-list SSH CIDRs", () => {
            for (const bad of ['["300.1.1.1/32"]', '["10.0.0.1/8"]', '["203.0.113.0"]', '"203.0.113.0/24"', "not json"]) {
                const error = configErrorOf(() => parseConfig(raw({ ...ORIGIN_MINIMAL, sshAllowedCidrs: bad }), DEV_ORIGIN));
                expect(error.problems[0].key, bad).to.equal("hello-gateway:sshAllowedCidrs");
            }
        });

        it("accepts only a private, canonical /16 to /24 VPC range", () => {
            expect((parseConfig(raw({ ...ORIGIN_MINIMAL, vpcCidr: "192.168.4.0/22" }), DEV_ORIGIN) as OriginConfig).vpcCidr).to.equal("192.168.4.0/22");
            for (const bad of ["10.0.0.1/16", "8.8.0.0/16", "10.0.0.0/8", "10.0.0.0/26", "10.0.0.0", "2001:db8::/56"]) {
                const error = configErrorOf(() => parseConfig(raw({ ...ORIGIN_MINIMAL, vpcCidr: bad }), DEV_ORIGIN));
                expect(error.message, bad).to.contain(`hello-gateway:vpcCidr: got "${bad}"`).and.to.contain("private IPv4 network");
            }
        });

        it("selects the arm64 image for Graviton instance types", () => {
            const cases: Record<string, string> = {
                "t3.micro": "x86_64", "t4g.micro": "arm64", "m7gd.large": "arm64", "c6gn.xlarge": "arm64",
                "a1.medium": "arm64", "g4dn.xlarge": "x86_64", "m5.large": "x86_64", "hpc7g.4xlarge": "arm64",
            };
            for (const [instanceType, architecture] of Object.entries(cases)) {
                expect(architectureOf(instanceType), instanceType).to.equal(architecture);
            }
            const config = parseConfig(raw({ ...ORIGIN_MINIMAL, instanceType: "t4g.small" }), DEV_ORIGIN) as OriginConfig;
            expect(config.architecture).to.equal("arm64");
        });

        it("takes a bring-your-own key pair only as a pair, with the private key stored as a secret", async () => {
            const config = parseConfig(
                raw({ ...ORIGIN_MINIMAL, sshPublicKey: PUBLIC_KEY, sshPrivateKey: PRIVATE_KEY }, { secretKeys: ["sshPrivateKey"] }),
                DEV_ORIGIN,
            ) as OriginConfig;
            expect(config.sshKey?.publicKey).to.equal(PUBLIC_KEY);
            expect(await pulumi.isSecret(config.sshKey!.privateKey)).to.equal(true);
            expect(await promiseOf(config.sshKey!.privateKey)).to.equal(PRIVATE_KEY);

            const onlyPublic = configErrorOf(() => parseConfig(raw({ ...ORIGIN_MINIMAL, sshPublicKey: PUBLIC_KEY }), DEV_ORIGIN));
            expect(onlyPublic.problems.map((p) => p.key)).to.deep.equal(["hello-gateway:sshPrivateKey"]);
        });

        it("refuses a private key kept in plain text, without printing it", () => {
            const error = configErrorOf(() =>
                parseConfig(raw({ ...ORIGIN_MINIMAL, sshPublicKey: PUBLIC_KEY, sshPrivateKey: PRIVATE_KEY }), DEV_ORIGIN),
            );
            expect(error.message).to.contain("hello-gateway:sshPrivateKey: got a plain-text value (not shown)");
            expect(error.message).to.contain("pulumi config set --secret sshPrivateKey");
            expect(error.message).not.to.contain("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
        });

        it("refuses public keys EC2 cannot import", () => {
            const error = configErrorOf(() =>
                parseConfig(
                    raw({ ...ORIGIN_MINIMAL, sshPublicKey: "ecdsa-sha2-nistp256 AAAAE2VjZHNh", sshPrivateKey: PRIVATE_KEY }, { secretKeys: ["sshPrivateKey"] }),
                    DEV_ORIGIN,
                ),
            );
            expect(error.problems.map((p) => p.key)).to.deep.equal(["hello-gateway:sshPublicKey"]);
            expect(error.message).to.contain("ssh-ed25519 or ssh-rsa");
        });

        it("validates the instance type, a pinned AMI and the message", () => {
            const error = configErrorOf(() =>
                parseConfig(raw({ ...ORIGIN_MINIMAL, instanceType: "large", amiId: "ami-xyz", helloMessage: "two\nlines" }), DEV_ORIGIN),
            );
            expect(error.problems.map((p) => p.key)).to.have.members([
                "hello-gateway:instanceType",
                "hello-gateway:amiId",
                "hello-gateway:helloMessage",
            ]);
            const pinned = parseConfig(raw({ ...ORIGIN_MINIMAL, amiId: "ami-0123456789abcdef0" }), DEV_ORIGIN) as OriginConfig;
            expect(pinned.amiId).to.equal("ami-0123456789abcdef0");
        });
    });

    describe("gateway layer", () => {
        it("defaults the origin stack to <org>/hello-gateway/<stack>-origin and applies documented defaults", () => {
            const config = parseConfig(raw({ layer: "gateway" }), DEV) as GatewayConfig;
            expect(config.originStack).to.equal("acme/hello-gateway/dev-origin");
            expect(config.stageName).to.equal("prod");
            expect(config.throttle).to.deep.equal({ rateLimit: DEFAULTS.throttleRateLimit, burstLimit: DEFAULTS.throttleBurstLimit });
            expect(config.loggingLevel).to.equal("ERROR");
            expect(config.logRetentionDays).to.equal(30);
            expect(config.manageAccountLogRole).to.equal(true);
            expect(config.integrationTimeoutMs).to.equal(10_000);
        });

        it("uses an explicit origin stack: this environment's in another organization, or another origin stack of this project", () => {
            const config = parseConfig(raw({ layer: "gateway", originStack: "team/hello-gateway/dev-origin" }), DEV) as GatewayConfig;
            expect(config.originStack).to.equal("team/hello-gateway/dev-origin");
            const shared = parseConfig(withStackFiles(raw({ layer: "gateway", originStack: "team/hello-gateway/shared-origin" })), DEV) as GatewayConfig;
            expect(shared.originStack).to.equal("team/hello-gateway/shared-origin");
        });

        it("refuses an origin stack of another environment, another project, or no stack of this project, naming this environment's", () => {
            const refusal = (originStack: string) =>
                configErrorOf(() => parseConfig(withStackFiles(raw({ layer: "gateway", originStack })), DEV)).problems.map((p) => `${p.key}: got ${p.given}; expected ${p.expected}`);
            expect(refusal("acme/hello-gateway/prod-origin")).to.deep.equal([
                'hello-gateway:originStack: got "acme/hello-gateway/prod-origin"; expected acme/hello-gateway/dev-origin, this environment\'s origin: prod-origin is the origin of the prod gateway',
            ]);
            expect(refusal("acme/other-project/dev-origin")).to.deep.equal([
                'hello-gateway:originStack: got "acme/other-project/dev-origin"; expected a stack of this project, hello-gateway, such as acme/hello-gateway/dev-origin: only its origin stacks export what the gateway reads',
            ]);
            expect(refusal("acme/hello-gateway/staging-origin")).to.deep.equal([
                'hello-gateway:originStack: got "acme/hello-gateway/staging-origin"; expected acme/hello-gateway/dev-origin, or another origin stack of this project: there is no Pulumi.staging-origin.yaml here',
            ]);
            expect(refusal("prod")).to.deep.equal(['hello-gateway:originStack: got "prod"; expected an origin stack such as dev-origin: Pulumi.prod.yaml is not one (its layer is not origin)']);
            expect(refusal("dev")).to.deep.equal(['hello-gateway:originStack: got "dev"; expected an origin stack such as dev-origin: Pulumi.dev.yaml is not one (its layer is not origin)']);
        });

        it("accepts the origin of the environment a variant stack belongs to: prod-http in front of prod-origin, not dev-origin", () => {
            const prodHttp = { ...DEV, stack: "prod-http" };
            const parsed = parseConfig(withStackFiles(raw({ layer: "gateway", originStack: "acme/hello-gateway/prod-origin" })), prodHttp);
            expect((parsed as GatewayConfig).originStack).to.equal("acme/hello-gateway/prod-origin");
            expect(configErrorOf(() => parseConfig(withStackFiles(raw({ layer: "gateway", originStack: "acme/hello-gateway/dev-origin" })), prodHttp)).problems.map((p) => p.key)).to.deep.equal([
                "hello-gateway:originStack",
            ]);
        });

        it("names every bad key in one error, with the value given and what is accepted", () => {
            const error = configErrorOf(() =>
                parseConfig(
                    raw({
                        layer: "gateway",
                        throttleRateLimit: "0",
                        throttleBurstLimit: "-5",
                        loggingLevel: "DEBUG",
                        logRetentionDays: "10",
                        stageName: "my stage",
                        originStack: "acme/dev-origin",
                        integrationTimeoutMs: "30000",
                        manageAccountLogRole: "yes",
                    }),
                    DEV,
                ),
            );
            expect(error.problems).to.have.length(8);
            expect(error.message).to.match(/^Invalid configuration for stack "dev" \(8 problems\):/);
            expect(error.message).to.contain('hello-gateway:throttleRateLimit: got "0"; expected a whole number of requests per second from 1 to 10000');
            expect(error.message).to.contain('hello-gateway:throttleBurstLimit: got "-5"; expected a whole number of requests from 1 to 5000');
            expect(error.message).to.contain('hello-gateway:loggingLevel: got "DEBUG"; expected one of INFO, ERROR, OFF');
            expect(error.message).to.contain('hello-gateway:logRetentionDays: got "10"; expected a retention CloudWatch Logs accepts, in days: 1, 3, 5, 7, 14, 30');
            expect(error.message).to.contain('hello-gateway:stageName: got "my stage"');
            expect(error.message).to.contain('hello-gateway:originStack: got "acme/dev-origin"; expected a fully qualified stack name');
            expect(error.message).to.contain('hello-gateway:integrationTimeoutMs: got "30000"; expected a whole number of milliseconds from 50 to 29000');
            expect(error.message).to.contain('hello-gateway:manageAccountLogRole: got "yes"; expected true or false');
        });

        it("refuses a fractional burst", () => {
            const error = configErrorOf(() => parseConfig(raw({ layer: "gateway", throttleBurstLimit: "2.5" }), DEV));
            expect(error.message).to.contain('hello-gateway:throttleBurstLimit: got "2.5"; expected a whole number');
        });

        it("refuses never-expiring logs (0) and accepts every other CloudWatch retention", () => {
            configErrorOf(() => parseConfig(raw({ layer: "gateway", logRetentionDays: "0" }), DEV));
            for (const days of [1, 14, 365, 3653]) {
                const config = parseConfig(raw({ layer: "gateway", logRetentionDays: String(days) }), DEV) as GatewayConfig;
                expect(config.logRetentionDays).to.equal(days);
            }
        });
    });

    describe("logging and TLS keys (flowLogsEnabled, encryptLogs, logRetentionDays, clientCertificateGeneration)", () => {
        it("default to off, the project retention and the first client certificate", () => {
            const origin = parseConfig(raw(ORIGIN_MINIMAL), DEV_ORIGIN) as OriginConfig;
            expect(origin.flowLogsEnabled).to.equal(DEFAULTS.flowLogsEnabled).and.to.equal(false);
            expect(origin.encryptLogs).to.equal(DEFAULTS.encryptLogs).and.to.equal(false);
            expect(origin.logRetentionDays).to.equal(DEFAULTS.logRetentionDays);
            expect(origin.clientCertificateGeneration).to.equal(DEFAULTS.clientCertificateGeneration).and.to.equal(1);
            expect((parseConfig(raw({ layer: "gateway" }), DEV) as GatewayConfig).encryptLogs).to.equal(false);
        });

        it("are read when set: flow logs and encryption on, a retention, a later generation", () => {
            const origin = parseConfig(
                raw({ ...ORIGIN_MINIMAL, flowLogsEnabled: "true", encryptLogs: "true", logRetentionDays: "90", clientCertificateGeneration: "3" }),
                DEV_ORIGIN,
            ) as OriginConfig;
            expect([origin.flowLogsEnabled, origin.encryptLogs, origin.logRetentionDays, origin.clientCertificateGeneration]).to.deep.equal([true, true, 90, 3]);
            expect((parseConfig(raw({ layer: "gateway", encryptLogs: "true" }), DEV) as GatewayConfig).encryptLogs).to.equal(true);
        });

        it("name the key when a value is wrong", () => {
            const error = configErrorOf(() =>
                parseConfig(
                    raw({ ...ORIGIN_MINIMAL, flowLogsEnabled: "on", encryptLogs: "1", logRetentionDays: "0", clientCertificateGeneration: "0" }),
                    DEV_ORIGIN,
                ),
            );
            expect(error.problems.map((problem) => problem.key)).to.deep.equal([
                "hello-gateway:flowLogsEnabled",
                "hello-gateway:encryptLogs",
                "hello-gateway:logRetentionDays",
                "hello-gateway:clientCertificateGeneration",
            ]);
            expect(error.message).to.contain('hello-gateway:flowLogsEnabled: got "on"; expected true or false');
            expect(error.message).to.contain('hello-gateway:clientCertificateGeneration: got "0"; expected a whole number of certificate generations from 1 to 10000');
            const gateway = configErrorOf(() => parseConfig(raw({ layer: "gateway", encryptLogs: "yes" }), DEV));
            expect(gateway.message).to.contain('hello-gateway:encryptLogs: got "yes"; expected true or false');
        });

        it("accept authMode and wafEnabled with a public origin: httpd requires API Gateway's client certificate", () => {
            const config = parseConfig(raw({ layer: "gateway", originMode: "public", authMode: "apiKey", wafEnabled: "true" }), DEV) as GatewayConfig;
            expect([config.originMode, config.auth.mode, config.waf.enabled]).to.deep.equal(["public", "apiKey", true]);
        });
    });

    describe("both layers", () => {
        it("requires a layer", () => {
            const error = configErrorOf(() => parseConfig(raw({}), DEV));
            expect(error.message).to.contain("hello-gateway:layer: got nothing; expected one of origin, gateway (required)");
        });

        it("rejects an unknown layer", () => {
            const error = configErrorOf(() => parseConfig(raw({ layer: "edge" }), DEV));
            expect(error.message).to.contain('hello-gateway:layer: got "edge"; expected one of origin, gateway');
        });

        it("refuses to run the gateway in a stack named as an origin", () => {
            const error = configErrorOf(() => parseConfig(raw({ layer: "gateway" }), DEV_ORIGIN));
            expect(error.message).to.contain('the stack "dev-origin" is named as an origin stack');
        });

        it("requires aws:region", () => {
            const error = configErrorOf(() => parseConfig(raw({ layer: "gateway" }, { region: null }), DEV));
            expect(error.message).to.contain("aws:region: got nothing; expected the AWS region");
        });

        it("is a RunError, so the CLI prints the message without a stack trace", () => {
            const error = configErrorOf(() => parseConfig(raw({}), DEV));
            expect(pulumi.RunError.isInstance(error)).to.equal(true);
        });
    });

    describe("values encrypted in the stack file, read offline", () => {
        it("reads a placeholder for sshPrivateKey as the secret it is, without its value", () => {
            const config = parseConfig(
                raw({ ...ORIGIN_MINIMAL, sshPublicKey: PUBLIC_KEY, sshPrivateKey: UNDECRYPTED_SECRET_PLACEHOLDER }, { secretKeys: ["sshPrivateKey"] }),
                DEV_ORIGIN,
            ) as OriginConfig;
            expect(config.sshKey?.publicKey).to.equal(PUBLIC_KEY);
        });

        it("refuses any other encrypted key offline, saying why and what to do", () => {
            const error = configErrorOf(() => parseConfig(raw({ ...ORIGIN_MINIMAL, alarmEmail: UNDECRYPTED_SECRET_PLACEHOLDER }, { secretKeys: ["alarmEmail"] }), DEV_ORIGIN));
            expect(error.message).to.contain(
                'hello-gateway:alarmEmail: got an encrypted value in Pulumi.dev-origin.yaml, which cannot be decrypted offline; expected a plain value for the offline plan and tests',
            );
            expect(error.message).to.contain("`pulumi preview --stack dev-origin` decrypts and checks it");
        });
    });
});

describe("config: what cannot work is refused before anything is created (issue 16)", () => {
    const problemsOf = (values: Record<string, string | undefined>, identity: StackIdentity, options: { region?: string | null } = {}) =>
        configErrorOf(() => parseConfig(raw(values, options), identity)).problems.map((p) => `${p.key}: got ${p.given}; expected ${p.expected}`);

    it("refuses a value with space around it, naming the key, instead of trimming it", () => {
        expect(problemsOf(ORIGIN_MINIMAL, DEV_ORIGIN, { region: "us-east-1 " })).to.deep.equal(['aws:region: got "us-east-1 "; expected "us-east-1", without the space around it']);
        expect(problemsOf({ ...ORIGIN_MINIMAL, instanceType: " t3.micro" }, DEV_ORIGIN)).to.deep.equal([
            'hello-gateway:instanceType: got " t3.micro"; expected "t3.micro", without the space around it',
        ]);
        expect(problemsOf({ layer: "gateway", stageName: "prod\t" }, DEV)).to.deep.equal(['hello-gateway:stageName: got "prod\\t"; expected "prod", without the space around it']);
        expect(problemsOf({ layer: "gateway", loggingLevel: "   " }, DEV)).to.deep.equal([
            'hello-gateway:loggingLevel: got "   "; expected a value, or no key at all for the default (only spaces were given)',
        ]);
    });

    it("reports a key read twice (originUrl) once", () => {
        expect(problemsOf({ layer: "gateway", originUrl: "https://api.example.com/ " }, DEV)).to.deep.equal([
            'hello-gateway:originUrl: got "https://api.example.com/ "; expected "https://api.example.com/", without the space around it',
        ]);
    });

    it("refuses an explicitly empty helloMessage rather than serving the default in its place", () => {
        expect(problemsOf({ ...ORIGIN_MINIMAL, helloMessage: "" }, DEV_ORIGIN)).to.deep.equal([
            'hello-gateway:helloMessage: got ""; expected one line of 1 to 256 printable characters: an empty page looks like a broken origin (remove the key for the default message)',
        ]);
    });

    it("shows at most 100 characters of a value, with its length", () => {
        const [problem] = problemsOf({ ...ORIGIN_MINIMAL, helloMessage: "a".repeat(10_000) }, DEV_ORIGIN);
        expect(problem).to.equal(`hello-gateway:helloMessage: got "${"a".repeat(100)}…" (10000 characters); expected one line of at most 256 printable characters`);
    });

    it("refuses an SSH list without an IPv4 range: the origin is reached over IPv4 only", () => {
        expect(problemsOf({ layer: "origin", sshAllowedCidrs: '["2001:db8::/64", "2001:db8:1::/48"]' }, DEV_ORIGIN)).to.deep.equal([
            'hello-gateway:sshAllowedCidrs: got "2001:db8::/64, 2001:db8:1::/48"; expected at least one IPv4 range as well: the origin has an IPv4 address only, so provisioning connects from an IPv4 address (the address that runs `pulumi up`)',
        ]);
        expect(parseConfig(raw({ layer: "origin", sshAllowedCidrs: '["203.0.113.0/24", "2001:db8::/64"]' }), DEV_ORIGIN)).to.have.property("layer", "origin");
    });

    it("refuses SSH ranges wider than a /8 in all, however the list splits them, unless allowSshFromAnywhere", () => {
        const wide = (cidrs: string[]) => problemsOf({ layer: "origin", sshAllowedCidrs: JSON.stringify(cidrs) }, DEV_ORIGIN);
        const expected = (given: string, family = "IPv4", prefix = 8) =>
            `hello-gateway:sshAllowedCidrs: got "${given}"; expected ${family} ranges covering at most a /${prefix} in all (a wider list is SSH from most of the internet); that needs \`hello-gateway:allowSshFromAnywhere: true\``;
        expect(wide(["0.0.0.0/1", "128.0.0.0/1"])).to.deep.equal([expected("0.0.0.0/1, 128.0.0.0/1")]);
        expect(wide(["12.0.0.0/7"])).to.deep.equal([expected("12.0.0.0/7")]);
        expect(wide(["10.0.0.0/8", "11.0.0.0/8"])).to.deep.equal([expected("10.0.0.0/8, 11.0.0.0/8")]);
        expect(wide(["203.0.113.0/24", "::/1", "8000::/1"])).to.deep.equal([expected("::/1, 8000::/1", "IPv6", 32)]);
        // Overlaps count once: a /8 and ranges inside it are a /8.
        for (const fine of [["10.0.0.0/8"], ["10.0.0.0/8", "10.1.0.0/16", "10.2.3.4/32"], ["203.0.113.0/24", "2001:db8::/32"]]) {
            expect(parseConfig(raw({ layer: "origin", sshAllowedCidrs: JSON.stringify(fine) }), DEV_ORIGIN), fine.join()).to.have.property("layer", "origin");
        }
        const anywhere = parseConfig(raw({ layer: "origin", sshAllowedCidrs: '["0.0.0.0/1", "128.0.0.0/1"]', allowSshFromAnywhere: "true" }), DEV_ORIGIN) as OriginConfig;
        expect(anywhere.sshAllowedCidrs.ipv4).to.deep.equal(["0.0.0.0/1", "128.0.0.0/1"]);
    });

    it("suggests the one address for a bare IP, and says a host name is not accepted", () => {
        expect(problemsOf({ layer: "origin", sshAllowedCidrs: '["192.0.2.10"]' }, DEV_ORIGIN)).to.deep.equal([
            'hello-gateway:sshAllowedCidrs: got "192.0.2.10"; expected an IPv4 or IPv6 CIDR with host bits zero; did you mean 192.0.2.10/32 (that one address)?',
        ]);
        expect(problemsOf({ layer: "origin", sshAllowedCidrs: '["laptop.example.com"]' }, DEV_ORIGIN)[0]).to.contain("(not a host name: security groups take addresses)");
        expect(problemsOf({ layer: "origin", sshAllowedCidrs: '["10.0.0.0/33"]' }, DEV_ORIGIN)).to.deep.equal([
            'hello-gateway:sshAllowedCidrs: got "10.0.0.0/33"; expected an IPv4 or IPv6 CIDR with host bits zero, e.g. 203.0.113.10/32',
        ]);
    });

    it("says did you mean for a value of a fixed list too", () => {
        expect(problemsOf({ layer: "Origin", sshAllowedCidrs: '["203.0.113.0/24"]' }, DEV_ORIGIN)).to.deep.equal(['hello-gateway:layer: got "Origin"; expected one of origin, gateway; did you mean origin?']);
        expect(problemsOf({ layer: "gateway", authMode: "apikey", loggingLevel: "info", originMode: "Private" }, DEV)).to.deep.equal([
            'hello-gateway:loggingLevel: got "info"; expected one of INFO, ERROR, OFF; did you mean INFO?',
            'hello-gateway:authMode: got "apikey"; expected one of none, apiKey, iam, cognito, jwt; did you mean apiKey?',
            'hello-gateway:originMode: got "Private"; expected one of public, private; did you mean private?',
        ]);
        expect(problemsOf({ layer: "gateway", loggingLevel: "DEBUG" }, DEV)).to.deep.equal(['hello-gateway:loggingLevel: got "DEBUG"; expected one of INFO, ERROR, OFF']);
    });

    it("names the file and the line of each key when it knows where the keys are written", () => {
        const located = { ...raw({ layer: "gateway", throttleBurstLimit: "0" }), source: { file: "Pulumi.dev.yaml", keyLines: { "hello-gateway:throttleBurstLimit": 7 } } };
        const error = configErrorOf(() => parseConfig(located, DEV));
        expect(error.message).to.contain('\n  - Pulumi.dev.yaml:7: hello-gateway:throttleBurstLimit: got "0"; expected a whole number of requests from 1 to 5000\n');
    });
});
