import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { UNDECRYPTED_SECRET_PLACEHOLDER } from "../infra/config-keys";
import { configProblemsOf, stackConfigProblems } from "../tools/config-report";
import { REPO_ROOT, StackFileError, loadStackConfig, readStackConfig } from "../tools/stack-files";

/**
 * The offline loader must accept and refuse exactly what the Pulumi CLI does, and hand the
 * program the same strings. Each row's verdict is read from the CLI's source (cited in
 * tools/stack-files.ts): yaml.v2 keeps a scalar's text, and ValidateConfigValue checks that
 * text against the type Pulumi.yaml declares.
 */

/** A fixture project: the real Pulumi.yaml (the schema under test) and stack files of our own. */
function fixtureRoot(stacks: Record<string, string>): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hg-stack-files-"));
    fs.copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
    for (const [stack, text] of Object.entries(stacks)) {
        fs.writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), text);
    }
    return root;
}

/** One stack value, written as YAML text after `key: `, read back as the CLI would. */
function readValue(key: string, yamlText: string): { value: string | undefined; problems: string[] } {
    const root = fixtureRoot({ t: `config:\n  hello-gateway:layer: origin\n  hello-gateway:${key}: ${yamlText}\n` });
    const report = readStackConfig("t", root);
    return { value: report.config[`hello-gateway:${key}`], problems: report.problems };
}

interface Row {
    readonly key: string;
    readonly yaml: string;
    /** The string the program receives, or `refused` when the CLI rejects the value. */
    readonly engine: string | "refused";
}

const ROWS: readonly Row[] = [
    // integer: strconv.Atoi on the scalar's text
    { key: "throttleRateLimit", yaml: "10", engine: "10" },
    { key: "throttleRateLimit", yaml: '"20"', engine: "20" },
    { key: "throttleRateLimit", yaml: "+20", engine: "+20" },
    { key: "throttleRateLimit", yaml: "-3", engine: "-3" },
    { key: "throttleRateLimit", yaml: "10.0", engine: "refused" },
    { key: "throttleRateLimit", yaml: "2.5", engine: "refused" },
    { key: "throttleRateLimit", yaml: "0x10", engine: "refused" },
    { key: "throttleRateLimit", yaml: "1_000", engine: "refused" },
    { key: "throttleRateLimit", yaml: "ten", engine: "refused" },
    { key: "throttleRateLimit", yaml: '" 20"', engine: "refused" },
    { key: "throttleRateLimit", yaml: "9223372036854775808", engine: "refused" },
    { key: "throttleRateLimit", yaml: "", engine: "refused" },
    { key: "throttleRateLimit", yaml: "[10]", engine: "refused" },
    // boolean: the text true or false, exactly
    { key: "allowSshFromAnywhere", yaml: "true", engine: "true" },
    { key: "allowSshFromAnywhere", yaml: '"false"', engine: "false" },
    { key: "allowSshFromAnywhere", yaml: "True", engine: "refused" },
    { key: "allowSshFromAnywhere", yaml: "yes", engine: "refused" },
    { key: "allowSshFromAnywhere", yaml: "1", engine: "refused" },
    // string: any scalar, as written; null is the empty string
    { key: "instanceType", yaml: "t3.micro", engine: "t3.micro" },
    { key: "instanceType", yaml: "3", engine: "3" },
    { key: "instanceType", yaml: "0x10", engine: "0x10" },
    { key: "instanceType", yaml: "True", engine: "True" },
    { key: "instanceType", yaml: "~", engine: "" },
    { key: "instanceType", yaml: "[t3.micro]", engine: "refused" },
    { key: "instanceType", yaml: "{a: b}", engine: "refused" },
    // array<string>: a list whose items are strings after the CLI's JSON round trip (YAML 1.1)
    { key: "sshAllowedCidrs", yaml: "[192.0.2.1/32, 2001:db8::/48]", engine: '["192.0.2.1/32","2001:db8::/48"]' },
    { key: "sshAllowedCidrs", yaml: '["yes"]', engine: '["yes"]' },
    { key: "sshAllowedCidrs", yaml: "[yes]", engine: "refused" },
    { key: "sshAllowedCidrs", yaml: "[10]", engine: "refused" },
    { key: "sshAllowedCidrs", yaml: "192.0.2.1/32", engine: "refused" },
];

describe("stack files read as the Pulumi CLI reads them (tools/stack-files.ts)", () => {
    describe("declared types: what the CLI accepts, and the string the program then gets", () => {
        for (const row of ROWS) {
            const verdict = row.engine === "refused" ? "refused" : `accepted as ${JSON.stringify(row.engine)}`;
            it(`${row.key}: ${row.yaml === "" ? "(empty)" : row.yaml} is ${verdict}`, () => {
                const { value, problems } = readValue(row.key, row.yaml);
                if (row.engine === "refused") {
                    expect(problems).to.have.length(1);
                    expect(problems[0]).to.match(new RegExp(`^Pulumi\\.t\\.yaml:3: hello-gateway:${row.key}: .* is not of the declared type`));
                    expect(value, "a refused value is not handed on").to.equal(undefined);
                } else {
                    expect(problems).to.deep.equal([]);
                    expect(value).to.equal(row.engine);
                }
            });
        }
    });

    it("reports every problem of a file at once: each bad value and each missing required key", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:throttleRateLimit: ten\n  hello-gateway:cacheEnabled: yes\n" });
        const { problems } = readStackConfig("t", root);
        expect(problems).to.deep.equal([
            'Pulumi.t.yaml:2: hello-gateway:throttleRateLimit: "ten" is not of the declared type integer (Pulumi.yaml)',
            'Pulumi.t.yaml:3: hello-gateway:cacheEnabled: "yes" is not of the declared type boolean (Pulumi.yaml)',
            "Pulumi.t.yaml: hello-gateway:layer: required (declared in Pulumi.yaml without a default) but not set",
        ]);
        expect(() => loadStackConfig("t", root)).to.throw(StackFileError, "Pulumi.t.yaml cannot be used (3 problems)");
    });

    it("names the file, line and column of a YAML syntax error", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:layer: origin\n hello-gateway:vpcCidr: 10.0.0.0/16\n" });
        const { problems } = readStackConfig("t", root);
        expect(problems).to.have.length(1);
        expect(problems[0]).to.match(/^Pulumi\.t\.yaml:3:\d+: /);
    });

    it("names the file and line of a duplicated key", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:layer: origin\n  hello-gateway:layer: gateway\n" });
        expect(readStackConfig("t", root).problems[0]).to.match(/^Pulumi\.t\.yaml:3:\d+: .*[Uu]nique/);
    });

    it("carries an encrypted value as a placeholder and lists its key, since offline there is no key to decrypt it", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:layer: origin\n  hello-gateway:sshPrivateKey:\n    secure: AAABAKz0\n" });
        const { config, encryptedKeys, problems } = readStackConfig("t", root);
        expect(problems).to.deep.equal([]);
        expect(encryptedKeys).to.deep.equal(["hello-gateway:sshPrivateKey"]);
        expect(config["hello-gateway:sshPrivateKey"]).to.equal(UNDECRYPTED_SECRET_PLACEHOLDER);
    });

    it("merges Pulumi.yaml defaults under the stack file, as the CLI does", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:layer: origin\n  hello-gateway:sshAllowedCidrs: [192.0.2.7/32]\n" });
        const { config } = loadStackConfig("t", root);
        expect(config["hello-gateway:allowSshFromAnywhere"]).to.equal("false");
        expect(config["hello-gateway:throttleRateLimit"]).to.equal("10");
        expect(config["hello-gateway:requiredHeaders"]).to.equal("[]");
        expect(config["hello-gateway:sshAllowedCidrs"]).to.equal('["192.0.2.7/32"]');
    });

    it("keeps keys Pulumi.yaml does not declare, so that the program can refuse them by name", () => {
        const root = fixtureRoot({ t: "config:\n  hello-gateway:layer: origin\n  hello-gateway:authmode: apiKey\n  hello_gateway:wafEnabled: true\n" });
        const { config } = loadStackConfig("t", root);
        expect(config["hello-gateway:authmode"]).to.equal("apiKey");
        expect(config["hello_gateway:wafEnabled"]).to.equal("true");
    });
});

describe("one report of every configuration problem (tools/config-report.ts)", () => {
    it("reports a type problem and a value problem of one stack together", () => {
        const root = fixtureRoot({ dev: "config:\n  aws:region: us-east-1\n  hello-gateway:layer: gateway\n  hello-gateway:throttleRateLimit: ten\n  hello-gateway:loggingLevel: DEBUG\n" });
        expect(stackConfigProblems("hello-gateway", "dev", root)).to.deep.equal([
            'Pulumi.dev.yaml:4: hello-gateway:throttleRateLimit: "ten" is not of the declared type integer (Pulumi.yaml)',
            'Pulumi.dev.yaml:5: hello-gateway:loggingLevel: got "DEBUG"; expected one of INFO, ERROR, OFF',
        ]);
    });

    it("reports both stacks of an environment: a bad origin value does not hide a bad gateway value", () => {
        const root = fixtureRoot({
            "dev-origin": "config:\n  aws:region: us-east-1\n  hello-gateway:layer: origin\n  hello-gateway:sshAllowedCidrs: [192.0.2.7/32]\n  hello-gateway:instanceType: t3.mircro\n",
            dev: "config:\n  aws:region: us-east-1\n  hello-gateway:layer: gateway\n  hello-gateway:authmode: apiKey\n",
        });
        const problems = configProblemsOf("hello-gateway", ["dev-origin", "dev"], root);
        expect(problems).to.have.length(2);
        expect(problems[0]).to.contain("Pulumi.dev-origin.yaml:5: hello-gateway:instanceType").and.to.contain("did you mean t3.micro?");
        expect(problems[1]).to.contain("Pulumi.dev.yaml:4: hello-gateway:authmode").and.to.contain("did you mean hello-gateway:authMode?");
    });

    it("reports everything an empty stack file lacks, not only the first thing", () => {
        const root = fixtureRoot({ dev: "" });
        expect(stackConfigProblems("hello-gateway", "dev", root)).to.deep.equal([
            "Pulumi.dev.yaml: hello-gateway:layer: required (declared in Pulumi.yaml without a default) but not set",
            "Pulumi.dev.yaml: aws:region: got nothing; expected the AWS region to deploy to, e.g. us-east-1 (required)",
        ]);
    });
});
