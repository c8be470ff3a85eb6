/**
 * What provisioning will put on the origin, read from the run: each `command:remote:Command`'s
 * script as the program registered it (infra/compute.ts runs the script infra/httpd.ts
 * renders), and every file that script writes with a heredoc (the page, the httpd site config,
 * the certificates, the /echo script). Secrets are replaced by a visible marker first: the
 * plan never holds key material.
 */
import { isSecretEnvelope, RecordedResource, ResourceGraph, unwrapSecrets } from "../resource-graph";

/** One file for plan/<env>/origin-files/, its path relative to that directory. */
export interface OriginFile {
    readonly path: string;
    readonly content: string;
}

const COMMAND_TYPE = "command:remote:Command";

/**
 * Outputs a provider marks secret, by resource type: where the run's key material comes from
 * when it is handed on as a plain value inside a larger secret (the script). Per entry, how
 * the marker names it.
 */
const SECRET_OUTPUTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
    "tls:index/privateKey:PrivateKey": {
        privateKeyPem: "private key",
        privateKeyOpenssh: "private key",
        privateKeyPemPkcs8: "private key",
    },
};

/** A secret the run knows, and the marker that stands for it. */
interface KnownSecret {
    readonly value: string;
    readonly marker: string;
}

/** Shorter secrets are not searched for: a short string would match ordinary text. */
const MIN_SECRET_LENGTH = 16;

function markerFor(what: string, resource: RecordedResource): string {
    return `<secret: ${what} (${resource.name})>`;
}

/** Every secret value the run holds: provider-secret outputs, and every value inside a secret envelope but the scripts themselves. */
function knownSecrets(graph: ResourceGraph): KnownSecret[] {
    const secrets: KnownSecret[] = [];
    const add = (value: unknown, marker: string) => {
        if (typeof value === "string" && value.trim().length >= MIN_SECRET_LENGTH) {
            secrets.push({ value: value.trim(), marker });
        }
    };
    for (const resource of graph.resources) {
        for (const [output, what] of Object.entries(SECRET_OUTPUTS[resource.type] ?? {})) {
            add(unwrapSecrets(resource.state[output]), markerFor(what, resource));
        }
        const walk = (value: unknown, key: string, inSecret: boolean) => {
            if (isSecretEnvelope(value)) {
                walk(value.value, key, true);
            } else if (Array.isArray(value)) {
                value.forEach((item) => walk(item, key, inSecret));
            } else if (typeof value === "object" && value !== null) {
                Object.entries(value).forEach(([inner, item]) => walk(item, inner, inSecret));
            } else if (inSecret) {
                add(value, markerFor(key, resource));
            }
        };
        for (const [key, value] of Object.entries(resource.inputs)) {
            // A command's script is secret because it carries a key; the key is found on its own.
            if (!(resource.type === COMMAND_TYPE && key === "create")) {
                walk(value, key, false);
            }
        }
    }
    // Longest first, so a value that contains another is replaced whole.
    return secrets.sort((a, b) => b.value.length - a.value.length);
}

const PEM_PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

/** The text with every known secret, and any PEM private key at all, replaced by a marker. */
export function redacted(text: string, secrets: readonly KnownSecret[]): string {
    let shown = text;
    for (const secret of secrets) {
        shown = shown.split(secret.value).join(secret.marker);
    }
    // A key the run did not name (a user's own, say) is still never written.
    shown = shown.replace(PEM_PRIVATE_KEY_BLOCK, "<secret: private key>");
    if (shown.includes("PRIVATE KEY")) {
        throw new Error("origin files: private key material left after redaction; nothing written");
    }
    return shown;
}

/** A file a script writes with a heredoc: `... tee /path ... <<'DELIMITER'`, its lines, `DELIMITER`. */
export interface HeredocFile {
    readonly target: string;
    readonly content: string;
}

const HEREDOC_START = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1\s*$/;

/**
 * The files a shell script writes through heredocs, in order: the first absolute path on the
 * heredoc's command line is its target. Content ends with a newline, as the file does.
 */
export function heredocFiles(script: string): HeredocFile[] {
    const lines = script.split("\n");
    const files: HeredocFile[] = [];
    for (let index = 0; index < lines.length; index++) {
        const start = HEREDOC_START.exec(lines[index]);
        if (!start) continue;
        const delimiter = start[2];
        const end = lines.indexOf(delimiter, index + 1);
        if (end === -1) break;
        const target = /(?:^|\s)(\/[^\s'"<>|;]+)/.exec(lines[index].slice(0, start.index))?.[1];
        // Only a plain absolute path becomes a file under origin-files/.
        if (target && !target.split("/").includes("..")) {
            files.push({ target, content: `${lines.slice(index + 1, end).join("\n")}\n` });
        }
        index = end;
    }
    return files;
}

/** The script text a remote command runs, if the run recorded one. */
function scriptOf(command: RecordedResource): string | undefined {
    const create = unwrapSecrets(command.inputs.create);
    return typeof create === "string" ? create : undefined;
}

/**
 * The origin's files as provisioning writes them, from one origin run: `commands/<name>.sh`
 * per remote command, `files/<absolute path>` per file a script writes. Secrets are markers.
 */
export function originFilesOf(graph: ResourceGraph): OriginFile[] {
    const secrets = knownSecrets(graph);
    const files: OriginFile[] = [];
    for (const command of graph.ofType(COMMAND_TYPE)) {
        const script = scriptOf(command);
        if (script === undefined) continue;
        files.push({ path: `commands/${command.name}.sh`, content: redacted(script, secrets) });
        for (const file of heredocFiles(script)) {
            files.push({ path: `files${file.target}`, content: redacted(file.content, secrets) });
        }
    }
    return files;
}
