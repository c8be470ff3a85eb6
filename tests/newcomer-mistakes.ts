/**
 * Mistakes a newcomer makes in the stack files, as data: each names the environment it is planned
 * in, the stack file it edits, how, and what the one report must say. The edits work on the text
 * of the file the user has (not on sample values), so they apply to whatever the file holds.
 * tests/newcomer-mistakes.spec.ts plans each on a copy of the stack files, as `npm run plan` does.
 */

/** A text edit of one stack file; `null` deletes the file. */
export type FileEdit = (text: string) => string | null;

export interface Mistake {
    readonly name: string;
    readonly env: "dev" | "prod";
    /** The stack whose file is edited (and which the report must name). */
    readonly stack: string;
    readonly edit: FileEdit;
    /**
     * The fully qualified key the report names, or undefined when the problem is the file itself
     * (a deleted file, a YAML syntax error).
     */
    readonly key?: string;
    /** Whether the report must name the line of `key` in the edited file (false: the key is absent). */
    readonly keyLine?: boolean;
    /** What the one problem line says. */
    readonly expected: RegExp;
}

/** A case that is not a mistake: a value the documentation allows, which must plan. */
export interface Allowed {
    readonly name: string;
    readonly env: "dev" | "prod";
    readonly stack: string;
    readonly edit: FileEdit;
}

const PROJECT = "hello-gateway";

function qualified(key: string): string {
    return key.includes(":") ? key : `${PROJECT}:${key}`;
}

/** Where a top-level config key is written in a stack file's text: its line, then its block's lines. */
function keySpan(lines: readonly string[], key: string): { start: number; end: number } | undefined {
    const full = qualified(key);
    const pattern = new RegExp(`^\\s{2}(${escapeRegExp(full)}|${escapeRegExp(key)}):`);
    const start = lines.findIndex((line) => pattern.test(line));
    if (start < 0) return undefined;
    let end = start + 1;
    while (end < lines.length && /^\s{4,}\S|^\s{2}-\s/.test(lines[end])) end++;
    return { start, end };
}

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Sets a key to `yaml` (the text after `key:`; may hold following indented lines), adding it when absent. */
export function set(key: string, yaml: string): FileEdit {
    return (text) => {
        const lines = text.split("\n");
        const replacement = `  ${qualified(key)}:${yaml.startsWith("\n") ? "" : " "}${yaml}`.split("\n");
        const span = keySpan(lines, key);
        if (span) {
            lines.splice(span.start, span.end - span.start, ...replacement);
        } else {
            const last = lines.length > 0 && lines[lines.length - 1] === "" ? lines.length - 1 : lines.length;
            lines.splice(last, 0, ...replacement);
        }
        return lines.join("\n");
    };
}

/** Removes a key (and its block). */
export function remove(key: string): FileEdit {
    return (text) => {
        const lines = text.split("\n");
        const span = keySpan(lines, key);
        if (span) lines.splice(span.start, span.end - span.start);
        return lines.join("\n");
    };
}

/** Renames a key where it is written, keeping its value. */
export function rename(key: string, to: string): FileEdit {
    return (text) => {
        const lines = text.split("\n");
        const span = keySpan(lines, key);
        if (!span) throw new Error(`${key} is not in the file`);
        lines[span.start] = lines[span.start].replace(/^(\s*)[^:\s]+(:[^:\s]+)?:/, `$1${to}:`);
        return lines.join("\n");
    };
}

/** Puts `lines` first under `config:`, where YAML reads them before anything the user wrote below. */
export function firstInConfig(lines: string): FileEdit {
    return (text) => text.replace(/^config:[ \t]*\r?\n/m, `config:\n${lines}\n`);
}

/** Indents a key's line with a tab instead of its spaces (an editor's tab key). */
export function tabIndent(key: string): FileEdit {
    return (text) => {
        const lines = text.split("\n");
        const span = keySpan(lines, key);
        if (!span) throw new Error(`${key} is not in the file`);
        lines[span.start] = lines[span.start].replace(/^\s+/, "\t");
        return lines.join("\n");
    };
}

export const deleteFile: FileEdit = () => null;

function both(...edits: FileEdit[]): FileEdit {
    return (text) => edits.reduce<string | null>((current, edit) => (current === null ? null : edit(current)), text);
}

/** Moves a stack to a region other than the one its file names (whichever the user chose). */
const anotherRegion: FileEdit = (text) => set("aws:region", /^\s*aws:region:\s*"?eu-west-1"?\s*$/m.test(text) ? "eu-central-1" : "eu-west-1")(text);

const HUGE_MESSAGE = "Hello ".repeat(1750);

export const MISTAKES: readonly Mistake[] = [
    // The origin stack: SSH sources.
    { name: "SSH range with a /33 prefix", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 10.0.0.0/33"), key: "hello-gateway:sshAllowedCidrs", expected: /"10\.0\.0\.0\/33".*CIDR/ },
    { name: "SSH from the whole IPv6 internet", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 203.0.113.0/24\n    - ::/0"), key: "hello-gateway:sshAllowedCidrs", expected: /"::\/0".*allowSshFromAnywhere/ },
    { name: "SSH source given as a host name", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - laptop.example.com"), key: "hello-gateway:sshAllowedCidrs", expected: /"laptop\.example\.com".*CIDR/ },
    { name: "SSH source given as a bare address", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 192.0.2.10"), key: "hello-gateway:sshAllowedCidrs", expected: /"192\.0\.2\.10".*192\.0\.2\.10\/32/ },
    { name: "SSH list written as a scalar", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "203.0.113.0/24"), key: "hello-gateway:sshAllowedCidrs", expected: /declared type array<string>/ },
    { name: "SSH list written as one comma-separated string", env: "prod", stack: "prod-origin", edit: set("sshAllowedCidrs", '"198.51.100.0/24, 203.0.113.0/24"'), key: "hello-gateway:sshAllowedCidrs", expected: /declared type array<string>/ },
    { name: "a long SSH list written as one string", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", JSON.stringify(Array.from({ length: 200 }, (_, i) => `10.0.${i}.0/24`).join(", "))), key: "hello-gateway:sshAllowedCidrs", expected: /"10\.0\.0\.0\/24, .*…" \(\d+ characters\) is not of the declared type array<string>/ },
    { name: "SSH list of IPv6 ranges only, for an IPv4-only origin", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 2001:db8::/64"), key: "hello-gateway:sshAllowedCidrs", expected: /IPv4/ },
    { name: "SSH ranges whose union is the whole IPv4 internet", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 0.0.0.0/1\n    - 128.0.0.0/1"), key: "hello-gateway:sshAllowedCidrs", expected: /allowSshFromAnywhere/ },
    { name: "SSH range wider than /8", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 12.0.0.0/6"), key: "hello-gateway:sshAllowedCidrs", expected: /"12\.0\.0\.0\/6".*\/8.*allowSshFromAnywhere/ },
    { name: "SSH from anywhere", env: "prod", stack: "prod-origin", edit: set("sshAllowedCidrs", "\n    - 0.0.0.0/0"), key: "hello-gateway:sshAllowedCidrs", expected: /allowSshFromAnywhere/ },
    { name: "SSH list emptied", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "[]"), key: "hello-gateway:sshAllowedCidrs", expected: /empty list.*at least one CIDR/ },
    { name: "SSH range with host bits set", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", "\n    - 203.0.113.7/24"), key: "hello-gateway:sshAllowedCidrs", expected: /host bits zero/ },

    // A key put in the other stack's file: the stack that would read it is named.
    { name: "the origin's helloMessage in the gateway's file", env: "dev", stack: "dev", edit: set("helloMessage", "Hello from my origin"), key: "hello-gateway:helloMessage", expected: /"Hello from my origin".*gateway stack, which ignores it.*Pulumi\.dev-origin\.yaml/ },
    { name: "the origin's instanceType in the gateway's file", env: "prod", stack: "prod", edit: set("instanceType", "t3.small"), key: "hello-gateway:instanceType", expected: /"t3\.small".*gateway stack.*Pulumi\.prod-origin\.yaml/ },
    { name: "the gateway's throttleRateLimit in the origin's file", env: "dev", stack: "dev-origin", edit: set("throttleRateLimit", "25"), key: "hello-gateway:throttleRateLimit", expected: /"25".*origin stack, which ignores it.*Pulumi\.dev\.yaml/ },

    { name: "the region under the project's namespace", env: "dev", stack: "dev", edit: set("hello-gateway:region", "eu-west-1"), key: "hello-gateway:region", expected: /unknown key.*did you mean aws:region\?/ },
    { name: "a route's method in lower case", env: "dev", stack: "dev", edit: set("routes", "\n    - get / -> /"), key: "hello-gateway:routes", expected: /"get \/ -> \/".*did you mean GET\?/ },
    { name: "an SSH range quoted with a space inside the quotes", env: "dev", stack: "dev-origin", edit: set("sshAllowedCidrs", '\n    - "192.0.2.10/32 "'), key: "hello-gateway:sshAllowedCidrs", expected: /got "192\.0\.2\.10\/32 "; expected "192\.0\.2\.10\/32", without the space around it/ },
    { name: "a key written again without its namespace", env: "dev", stack: "dev", edit: (text) => `${text.replace(/\n*$/, "")}\n  throttleRateLimit: 25\n`, key: "hello-gateway:throttleRateLimit", keyLine: false, expected: /Pulumi\.dev\.yaml:\d+: hello-gateway:throttleRateLimit: set twice, as hello-gateway:throttleRateLimit \(line \d+\) and as throttleRateLimit.*keep one/ },

    // The origin stack: the fleet.
    { name: "minInstances above maxInstances", env: "prod", stack: "prod-origin", edit: both(set("minInstances", "3"), set("maxInstances", "2")), key: "hello-gateway:minInstances", expected: /"3".*at most maxInstances \(2\)/ },
    { name: "maxInstances 0", env: "prod", stack: "prod-origin", edit: set("maxInstances", "0"), key: "hello-gateway:maxInstances", expected: /"0".*whole number of instances from 1/ },
    { name: "scaleOutCpuPercent 150", env: "prod", stack: "prod-origin", edit: set("scaleOutCpuPercent", "150"), key: "hello-gateway:scaleOutCpuPercent", expected: /"150".*percent from 10 to 90/ },
    { name: "minInstances spelled out", env: "prod", stack: "prod-origin", edit: set("minInstances", "two"), key: "hello-gateway:minInstances", expected: /declared type integer/ },
    { name: "a fleet behind a public origin", env: "prod", stack: "prod-origin", edit: set("originMode", "public"), key: "hello-gateway:maxInstances", expected: /1 with originMode public/ },

    // The origin stack: the server.
    { name: "instance type in the wrong case", env: "dev", stack: "dev-origin", edit: set("instanceType", "t3.Micro"), key: "hello-gateway:instanceType", expected: /"t3\.Micro".*did you mean t3\.micro\?/ },
    { name: "instance type that does not exist", env: "prod", stack: "prod-origin", edit: set("instanceType", "t3.humongous"), key: "hello-gateway:instanceType", expected: /"t3\.humongous".*t3 comes in/ },
    { name: "instance type with a trailing space", env: "dev", stack: "dev-origin", edit: set("instanceType", '"t3.micro "'), key: "hello-gateway:instanceType", expected: /"t3\.micro ".*(space|whitespace)/ },
    { name: "AMI id too short", env: "dev", stack: "dev-origin", edit: set("amiId", "ami-123"), key: "hello-gateway:amiId", expected: /"ami-123".*AMI id/ },
    { name: "public key without its private half", env: "dev", stack: "dev-origin", edit: set("sshPublicKey", '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFkN6n1yW2o3p4q5r6s7t8u9v0w1x2y3z4A5B6C7D8E9 me@laptop"'), key: "hello-gateway:sshPrivateKey", keyLine: false, expected: /private half of sshPublicKey/ },
    { name: "client certificate generation 0", env: "dev", stack: "dev-origin", edit: set("clientCertificateGeneration", "0"), key: "hello-gateway:clientCertificateGeneration", expected: /"0".*certificate generations from 1/ },

    // The origin stack: network, layer, region, mode.
    { name: "a public VPC range", env: "dev", stack: "dev-origin", edit: set("vpcCidr", "8.8.0.0/16"), key: "hello-gateway:vpcCidr", expected: /"8\.8\.0\.0\/16".*private IPv4 network/ },
    { name: "a VPC range too wide", env: "prod", stack: "prod-origin", edit: set("vpcCidr", "10.0.0.0/8"), key: "hello-gateway:vpcCidr", expected: /"10\.0\.0\.0\/8".*\/16 to \/24/ },
    { name: "layer removed from an origin stack", env: "dev", stack: "dev-origin", edit: remove("layer"), key: "hello-gateway:layer", keyLine: false, expected: /required/ },
    { name: "layer capitalised", env: "dev", stack: "dev-origin", edit: set("layer", "Origin"), key: "hello-gateway:layer", expected: /"Origin".*did you mean origin\?/ },
    { name: "layer gateway in an origin stack", env: "prod", stack: "prod-origin", edit: set("layer", "gateway"), key: "hello-gateway:layer", expected: /named as an origin stack/ },
    { name: "region with a trailing space", env: "dev", stack: "dev-origin", edit: set("aws:region", '"us-east-1 "'), key: "aws:region", expected: /"us-east-1 ".*(space|whitespace)/ },
    { name: "region misspelled", env: "dev", stack: "dev-origin", edit: set("aws:region", "us-east-9"), key: "aws:region", expected: /"us-east-9".*did you mean/ },
    { name: "origin mode capitalised", env: "dev", stack: "dev-origin", edit: set("originMode", "Private"), key: "hello-gateway:originMode", expected: /"Private".*did you mean private\?/ },
    { name: "origin mode unknown", env: "dev", stack: "dev-origin", edit: set("originMode", "nlb"), key: "hello-gateway:originMode", expected: /"nlb".*one of public, private/ },
    { name: "flow logs as yes", env: "prod", stack: "prod-origin", edit: set("flowLogsEnabled", "yes"), key: "hello-gateway:flowLogsEnabled", expected: /declared type boolean/ },
    { name: "log retention of 10 days", env: "dev", stack: "dev-origin", edit: set("logRetentionDays", "10"), key: "hello-gateway:logRetentionDays", expected: /"10".*retention CloudWatch Logs accepts/ },
    { name: "alarm email without a domain", env: "dev", stack: "dev-origin", edit: set("alarmEmail", "ops"), key: "hello-gateway:alarmEmail", expected: /"ops".*email address/ },

    // The origin stack: the message.
    { name: "an explicitly empty message", env: "dev", stack: "dev-origin", edit: set("helloMessage", '""'), key: "hello-gateway:helloMessage", expected: /empty/ },
    { name: "a 10 kB message", env: "dev", stack: "dev-origin", edit: set("helloMessage", HUGE_MESSAGE), key: "hello-gateway:helloMessage", expected: /at most 256 printable characters/ },
    { name: "a two-line message", env: "dev", stack: "dev-origin", edit: set("helloMessage", "|\n    Hello\n    World"), key: "hello-gateway:helloMessage", expected: /one line/ },

    // The origin stack: keys and the file.
    { name: "a misspelled key", env: "dev", stack: "dev-origin", edit: rename("helloMessage", "hello-gateway:helloMesage"), key: "hello-gateway:helloMesage", expected: /did you mean hello-gateway:helloMessage\?/ },
    { name: "a misspelled namespace", env: "dev", stack: "dev-origin", edit: rename("helloMessage", "hello_gateway:helloMessage"), key: "hello_gateway:helloMessage", expected: /did you mean hello-gateway:helloMessage\?/ },
    { name: "a key indented deeper than the one above it", env: "dev", stack: "dev", edit: firstInConfig("  hello-gateway:stageName: prod\n    hello-gateway:throttleRateLimit: 10"), expected: /Pulumi\.dev\.yaml:\d+:\d+: .*\(line \d+ is indented deeper than the key above it\)/ },
    { name: "no space after a key's colon", env: "dev", stack: "dev", edit: firstInConfig("  hello-gateway:throttleRateLimit:25"), expected: /Pulumi\.dev\.yaml:\d+:\d+: .*\(a key needs a space after its colon: key: value\)/ },
    { name: "a quote opened and not closed", env: "dev", stack: "dev-origin", edit: firstInConfig('  hello-gateway:helloMessage: "Hello from my origin'), expected: /Pulumi\.dev-origin\.yaml:\d+:\d+: .*\(the quote opened on line \d+ is not closed\)/ },
    { name: "a message holding \": \" without quotes", env: "dev", stack: "dev-origin", edit: firstInConfig("  hello-gateway:helloMessage: Note: hello from my origin"), expected: /Pulumi\.dev-origin\.yaml:\d+:\d+: .*\(line \d+'s value holds ": ", so it needs quotes\)/ },
    { name: "a tab in the origin's file", env: "dev", stack: "dev-origin", edit: tabIndent("instanceType"), expected: /Pulumi\.dev-origin\.yaml:\d+:\d+: .*tab/i },
    { name: "a key written twice", env: "dev", stack: "dev-origin", edit: (text) => `${text.trimEnd()}\n  hello-gateway:instanceType: t3.small\n`, expected: /Pulumi\.dev-origin\.yaml:\d+:\d+: .*(unique|duplicate)/i },
    { name: "the origin's stack file deleted", env: "dev", stack: "dev-origin", edit: deleteFile, expected: /Pulumi\.dev-origin\.yaml: no such stack file/ },

    // The gateway stack.
    { name: "a misspelled gateway key", env: "dev", stack: "dev", edit: rename("throttleRateLimit", "hello-gateway:throttleRatelimit"), key: "hello-gateway:throttleRatelimit", expected: /did you mean hello-gateway:throttleRateLimit\?/ },
    { name: "burst limit 0", env: "dev", stack: "dev", edit: set("throttleBurstLimit", "0"), key: "hello-gateway:throttleBurstLimit", expected: /"0".*whole number of requests from 1/ },
    { name: "rate limit above the account's", env: "prod", stack: "prod", edit: set("throttleRateLimit", "20000"), key: "hello-gateway:throttleRateLimit", expected: /"20000".*from 1 to 10000/ },
    { name: "logging level in lower case", env: "dev", stack: "dev", edit: set("loggingLevel", "info"), key: "hello-gateway:loggingLevel", expected: /"info".*did you mean INFO\?/ },
    { name: "logging level DEBUG", env: "dev", stack: "dev", edit: set("loggingLevel", "DEBUG"), key: "hello-gateway:loggingLevel", expected: /"DEBUG".*one of INFO, ERROR, OFF/ },
    { name: "auth mode in the wrong case", env: "prod", stack: "prod", edit: set("authMode", "apikey"), key: "hello-gateway:authMode", expected: /"apikey".*did you mean apiKey\?/ },
    { name: "auth mode misspelled", env: "dev", stack: "dev", edit: set("authMode", "cognitto"), key: "hello-gateway:authMode", expected: /"cognitto".*did you mean cognito\?/ },
    { name: "gateway origin mode capitalised", env: "dev", stack: "dev", edit: set("originMode", "Public"), key: "hello-gateway:originMode", expected: /"Public".*did you mean public\?/ },
    { name: "originStack naming the other environment's origin", env: "dev", stack: "dev", edit: set("originStack", "organization/hello-gateway/prod-origin"), key: "hello-gateway:originStack", expected: /prod-origin.*dev-origin/ },
    { name: "originStack naming a stack that does not exist", env: "dev", stack: "dev", edit: set("originStack", "organization/hello-gateway/staging-origin"), key: "hello-gateway:originStack", expected: /staging-origin.*dev-origin/ },
    { name: "originStack of another project", env: "prod", stack: "prod", edit: set("originStack", "acme/other-project/prod-origin"), key: "hello-gateway:originStack", expected: /other-project.*hello-gateway/ },
    { name: "originStack naming a gateway stack", env: "dev", stack: "dev", edit: set("originStack", "dev"), key: "hello-gateway:originStack", expected: /"dev".*dev-origin/ },
    { name: "stage name with a space", env: "dev", stack: "dev", edit: set("stageName", '"my stage"'), key: "hello-gateway:stageName", expected: /"my stage".*letters, digits/ },
    { name: "gateway log retention of 10 days", env: "prod", stack: "prod", edit: set("logRetentionDays", "10"), key: "hello-gateway:logRetentionDays", expected: /"10".*retention/ },
    { name: "integration timeout of a minute", env: "dev", stack: "dev", edit: set("integrationTimeoutMs", "60000"), key: "hello-gateway:integrationTimeoutMs", expected: /"60000".*milliseconds from 50 to 29000/ },
    { name: "gateway region with a trailing space", env: "dev", stack: "dev", edit: set("aws:region", '"us-east-1 "'), key: "aws:region", expected: /"us-east-1 ".*(space|whitespace)/ },
    { name: "layer removed from a gateway stack", env: "dev", stack: "dev", edit: remove("layer"), key: "hello-gateway:layer", keyLine: false, expected: /required/ },
    { name: "gateway layer misspelled", env: "prod", stack: "prod", edit: set("layer", "gatway"), key: "hello-gateway:layer", expected: /"gatway".*did you mean gateway\?/ },
    { name: "a tab in the gateway's file", env: "dev", stack: "dev", edit: tabIndent("stageName"), expected: /Pulumi\.dev\.yaml:\d+:\d+: .*tab/i },
    { name: "the gateway's stack file deleted", env: "prod", stack: "prod", edit: deleteFile, expected: /Pulumi\.prod\.yaml: no such stack file/ },
    { name: "API key rate limit 0", env: "prod", stack: "prod", edit: set("apiKeyRateLimit", "0"), key: "hello-gateway:apiKeyRateLimit", expected: /"0".*requests per second from 1/ },
    { name: "WAF limit below its minimum", env: "prod", stack: "prod", edit: set("wafRateLimitPer5Minutes", "5"), key: "hello-gateway:wafRateLimitPer5Minutes", expected: /"5".*from 10/ },
    { name: "encryptLogs as maybe", env: "prod", stack: "prod", edit: set("encryptLogs", "maybe"), key: "hello-gateway:encryptLogs", expected: /declared type boolean/ },
    { name: "tracing as a quoted word", env: "prod", stack: "prod", edit: set("tracingEnabled", '"on"'), key: "hello-gateway:tracingEnabled", expected: /declared type boolean/ },
    { name: "a private gateway in another region than its origin", env: "prod", stack: "prod", edit: anotherRegion, key: "aws:region", expected: /"(eu-west-1|eu-central-1)".*the region of stack .*prod-origin/ },
];

/** Messages the documentation allows (one line, at most 256 printable characters), which must plan. */
export const ALLOWED: readonly Allowed[] = [
    { name: "the old heredoc delimiter as the message", env: "dev", stack: "dev-origin", edit: set("helloMessage", "HELLO_GATEWAY_FILE") },
];
